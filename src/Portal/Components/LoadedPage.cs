using Microsoft.AspNetCore.Components;

namespace HealthSync.Portal.Components;

/// <summary>
/// A page that reads everything it shows before it is rendered at all.
/// </summary>
/// <remarks>
/// A plain component renders as soon as its async initialisation first waits on something still running, then again
/// when it ends. With a database that answers asynchronously (PostgreSQL), that first render can come half-way through
/// the page's reads: markup built from half-loaded state, and child components starting their own queries on the
/// request's DbContext while the page's are still running. Loading in <see cref="SetParametersAsync"/>, before the
/// component lifecycle starts, leaves a single render with everything loaded.
/// </remarks>
public abstract class LoadedPage : ComponentBase
{
    /// <summary>Reads what the page shows; parameters (route, query, cascading <c>HttpContext</c>) are already set.</summary>
    protected abstract Task LoadAsync();

    public override async Task SetParametersAsync(ParameterView parameters)
    {
        // The parameter view may only be read before the first await: the properties are set now, and the lifecycle
        // started after loading is given none to set again.
        parameters.SetParameterProperties(this);
        await LoadAsync();
        await base.SetParametersAsync(ParameterView.Empty);
    }
}
