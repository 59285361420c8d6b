using System.Text.Json;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Settings;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using HealthSync.Portal.Admin.Settings;
using Microsoft.Extensions.Options;

// In the admin area's namespace, so AdminEndpoints.MapAdmin registers it with one line.
namespace HealthSync.Portal.Admin;

/// <summary>
/// The settings page's form posts (one per group, answered with a redirect back) and <c>/api/v1/admin/settings</c>.
/// Both go through <see cref="SettingsChanges"/>, so the page and the API accept and refuse exactly the same values.
/// </summary>
public static class SettingsEndpoints
{
    public const string PagePath = "/admin/settings";

    /// <summary>The body of a change: new values by setting key (numbers, strings or booleans) and why.</summary>
    public sealed record SettingsRequest(Dictionary<string, JsonElement>? Values, string? Reason);

    /// <summary>The keys a change altered (unchanged values are not changes) and every setting as it now stands.</summary>
    public sealed record SettingsChanged(IReadOnlyList<string> Changed, IReadOnlyList<SettingGroupView> Groups);

    public static SettingsCatalog Catalog(IOptions<ReconciliationOptions> configured) => new(configured.Value);

    public static IEndpointRouteBuilder MapSettingsAdmin(this IEndpointRouteBuilder app)
    {
        app.MapPost(PagePath + "/{group}", async (string group, IFormCollection form, HttpContext http, HealthSyncDb db, MappingCatalog engine,
                IOptions<ReconciliationOptions> configured, TimeProvider time, CancellationToken ct) =>
            {
                if (SettingsCatalog.Groups.All(g => g.Id != group)) return Results.NotFound();
                var catalog = Catalog(configured);
                var submitted = SettingsForm.Read(catalog, group, form);
                var outcome = await SettingsChanges.ApplyAsync(db, engine, catalog, http.User, submitted.Values, submitted.Resets, submitted.Reason, time.GetUtcNow().UtcDateTime, ct);
                return Results.Redirect(outcome.Ok ? SettingsForm.Saved(group, outcome.Changed.Count) : submitted.Refused(outcome.Errors.Count));
            })
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();

        var api = app.MapGroup("/api/v1/admin/settings").RequireAuthorization(Policies.Admin).WithTags("Admin");
        api.MapGet("/", async (HealthSyncDb db, IOptions<ReconciliationOptions> configured, CancellationToken ct) =>
                TypedResults.Ok(await SettingsViews.LoadAsync(db, Catalog(configured), ct)))
            .WithSummary("Every setting by group: definition (type, unit, range or allowed values, default, help), the value in force, and who changed it last");
        api.MapPut("/", async Task<Results<Ok<SettingsChanged>, ValidationProblem>> (SettingsRequest request, HttpContext http, HealthSyncDb db, MappingCatalog engine,
                IOptions<ReconciliationOptions> configured, TimeProvider time, CancellationToken ct) =>
            {
                var catalog = Catalog(configured);
                var values = (request.Values ?? []).ToDictionary(v => v.Key, v => Text(v.Value), StringComparer.Ordinal);
                var outcome = await SettingsChanges.ApplyAsync(db, engine, catalog, http.User, values, [], request.Reason, time.GetUtcNow().UtcDateTime, ct);
                if (!outcome.Ok) return TypedResults.ValidationProblem(outcome.Errors, title: "Nothing was saved: correct the settings named below.");
                return TypedResults.Ok(new SettingsChanged(outcome.Changed, await SettingsViews.LoadAsync(db, catalog, ct)));
            })
            .WithSummary("Change settings: { values: { key: value }, reason }. All or nothing: if any value is refused, nothing is saved and the answer names each refused key. Audited.");
        api.MapDelete("/{key}", async Task<Results<Ok<SettingView>, NotFound, ValidationProblem>> (string key, string? reason, HttpContext http, HealthSyncDb db,
                MappingCatalog engine, IOptions<ReconciliationOptions> configured, TimeProvider time, CancellationToken ct) =>
            {
                var catalog = Catalog(configured);
                if (catalog.Find(key) is null) return TypedResults.NotFound();
                var outcome = await SettingsChanges.ApplyAsync(db, engine, catalog, http.User, new Dictionary<string, string?>(), [key],
                    string.IsNullOrWhiteSpace(reason) ? "reset to default" : reason, time.GetUtcNow().UtcDateTime, ct);
                if (!outcome.Ok) return TypedResults.ValidationProblem(outcome.Errors);
                return TypedResults.Ok((await SettingsViews.LoadAsync(db, catalog, ct)).SelectMany(g => g.Settings).Single(s => s.Key == key));
            })
            .WithSummary("Return a setting to its default (optional ?reason=; audited)");
        return app;
    }

    /// <summary>A JSON value as the text the settings check: numbers as written, booleans as true/false, null as missing.</summary>
    private static string? Text(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.True => SettingDefinition.True,
        JsonValueKind.False => SettingDefinition.False,
        JsonValueKind.Null or JsonValueKind.Undefined => null,
        _ => value.GetRawText(),
    };
}
