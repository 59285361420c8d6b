using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthSync.Portal.Overview;

/// <summary>Partial page updates for htmx: the same components the pages render, returned on their own.</summary>
public static class Fragments
{
    public static IEndpointRouteBuilder MapFragments(this IEndpointRouteBuilder app)
    {
        var fragments = app.MapGroup("/fragments").RequireAuthorization(Policies.People).ExcludeFromDescription();
        fragments.MapGet("/overview", async (HealthSyncDb db, DeliveryTargets targets, TimeProvider time, CancellationToken ct) =>
            new RazorComponentResult<OverviewPanel>(new { Numbers = await OverviewQuery.GetAsync(db, targets, time, ct) }));
        return app;
    }
}
