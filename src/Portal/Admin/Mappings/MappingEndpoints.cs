using System.Text;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Exceptions;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Mvc;

namespace HealthSync.Portal.Admin.Mappings;

/// <summary>Crosswalk administration over HTTP: the API under <c>/api/v1/admin/mappings</c> and the form posts of the mapping pages.</summary>
public static class MappingEndpoints
{
    public sealed record SaveRequest(Dictionary<string, string?> Values, string? Reason);
    public sealed record RetireRequest(DateTime? At, string? Reason);
    public sealed record ApprovalRequest(bool Required, string? Reason);
    public sealed record DecisionRequest(string? Note, bool ReplayUnblocked = true);
    public sealed record FixRequest(string Type, Dictionary<string, string?> Values, string? Reason);
    public sealed record MappingTypeView(string Name, string Label, bool ApprovalRequired, IReadOnlyList<MappingField> Fields);
    public sealed record MappingDetail(IReadOnlyList<MappingVersion> Versions, IReadOnlyList<MappingChange> History);

    /// <summary>The prefix of a mapping value's form field name: <c>v.sku</c>.</summary>
    public const string ValuePrefix = "v.";

    public static IEndpointRouteBuilder MapMappingAdmin(this IEndpointRouteBuilder app)
    {
        MapApi(app.MapGroup("/api/v1/admin").RequireAuthorization(Policies.Admin).WithTags("Admin"));
        MapForms(app.MapGroup("/admin").RequireAuthorization(Policies.Admin).ExcludeFromDescription());
        return app;
    }

    private static void MapApi(RouteGroupBuilder api)
    {
        api.MapGet("/mappings", async (MappingCatalog catalog, CancellationToken ct) =>
            {
                var map = await catalog.CurrentAsync(ct);
                return TypedResults.Ok(MappingType.All.Select(t => new MappingTypeView(t.Name, t.Label, MappingAdministration.RequiresApproval(map, t), t.Columns)));
            })
            .WithSummary("The mapping kinds, their fields (CSV columns) and whether changes need a second administrator's approval");
        api.MapGet("/mappings/{type}", async (string type, string? q, bool? all, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t ? Results.Ok(await admin.ListAsync(db, t, q, all ?? false, ct)) : Results.NotFound())
            .WithSummary("Mappings of a kind, searchable; all=true includes ended versions");
        api.MapGet("/mappings/{type}/{id:long}", async (string type, long id, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
            {
                if (MappingType.Find(type) is not { } t) return Results.NotFound();
                var versions = await admin.VersionsAsync(db, t, id, ct);
                return versions.Count == 0 ? Results.NotFound() : Results.Ok(new MappingDetail(versions, await admin.HistoryAsync(db, t, id, ct)));
            })
            .WithSummary("Every version of the mapping's key with its validity, and the change history (who, when, why, before and after)");
        api.MapPost("/mappings/{type}", async (string type, SaveRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t ? ToHttp(await admin.SaveAsync(db, t, null, r.Values, r.Reason, http.User.Actor(), ct), t) : Results.NotFound())
            .WithSummary("Create a mapping (effective_from defaults to now; empty facility means every facility). 202 when it waits for approval");
        api.MapPost("/mappings/{type}/{id:long}/versions", async (string type, long id, SaveRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t ? ToHttp(await admin.SaveAsync(db, t, id, r.Values, r.Reason, http.User.Actor(), ct), t) : Results.NotFound())
            .WithSummary("Add a new version of a mapping from its effective_from date; the version in force then ends at that date");
        api.MapPost("/mappings/{type}/{id:long}/retire", async (string type, long id, RetireRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t ? ToHttp(await admin.RetireAsync(db, t, id, r.At, r.Reason, http.User.Actor(), ct), null) : Results.NotFound())
            .WithSummary("End a mapping at a date (default now)");
        api.MapPost("/mappings/{type}/import", async (string type, bool? acceptValidRows, string? reason, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
            {
                if (MappingType.Find(type) is not { } t) return Results.NotFound();
                var report = await admin.ImportAsync(db, t, http.Request.Body, acceptValidRows ?? false, reason, http.User.Actor(), ct);
                return report.Applied || report.Pending ? Results.Ok(report) : Results.UnprocessableEntity(report);
            })
            .Accepts<string>("text/csv")
            .WithSummary("Import a CSV in the export's columns. Every row is validated; nothing is applied unless all rows are valid, or acceptValidRows=true applies the valid ones. 422 with the row report when nothing was applied");
        api.MapGet("/mappings/{type}/export.csv", async (string type, bool? all, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t
                    ? Results.File(Encoding.UTF8.GetBytes(await admin.ExportAsync(db, t, all ?? false, ct)), "text/csv", $"{t.Name}-mappings.csv")
                    : Results.NotFound())
            .WithSummary("Current mappings (all=true: every version) as CSV, in the columns the import reads");
        api.MapPut("/mappings/{type}/approval", async (string type, ApprovalRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t ? ToHttp(await admin.SetApprovalAsync(db, t, r.Required, r.Reason, http.User.Actor(), ct), t) : Results.NotFound())
            .WithSummary("Switch second-person approval for changes of this mapping kind");
        api.MapGet("/mapping-changes", async (HealthSyncDb db, MappingAdministration admin, CancellationToken ct) => TypedResults.Ok(await admin.PendingAsync(db, ct)))
            .WithSummary("Mapping changes waiting for approval");
        api.MapPost("/mapping-changes/{id:long}/approve", async (long id, DecisionRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, MappingFixes fixes, CancellationToken ct) =>
                ToHttp(await DecideAsync(id, true, r, http, db, admin, fixes, ct), null))
            .WithSummary("Apply a pending change (not by the administrator who requested it); replayUnblocked=true also replays the exceptions it unblocks");
        api.MapPost("/mapping-changes/{id:long}/reject", async (long id, DecisionRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                ToHttp(await admin.DecideAsync(db, id, false, r.Note, http.User.Actor(), ct), null))
            .WithSummary("Reject a pending change");
        api.MapGet("/mapping-fixes/{exceptionId:guid}", async (Guid exceptionId, HealthSyncDb db, MappingFixes fixes, CancellationToken ct) =>
                await fixes.SuggestAsync(db, exceptionId, ct) is { } s ? Results.Ok(s) : Results.NotFound())
            .WithSummary("The mapping that would fix a mapping-gap exception, pre-filled from the usage that failed");
        api.MapPost("/mapping-fixes/preview", async (FixRequest r, HealthSyncDb db, MappingFixes fixes, CancellationToken ct) =>
            {
                if (MappingType.Find(r.Type) is not { } t) return Results.NotFound();
                var preview = await fixes.PreviewAsync(db, t, r.Values, ct);
                return preview.Errors.Count > 0 ? Results.ValidationProblem(Problems(preview.Errors)) : Results.Ok(preview);
            })
            .WithSummary("How many open exceptions the mapping would unblock, and which; changes nothing");
        api.MapPost("/mapping-fixes", async (FixRequest r, HttpContext http, HealthSyncDb db, MappingFixes fixes, CancellationToken ct) =>
            {
                if (MappingType.Find(r.Type) is not { } t) return Results.NotFound();
                var outcome = await fixes.ApplyAsync(db, t, r.Values, r.Reason, http.User.Actor(), ct);
                return outcome.Mapping.Ok ? Results.Ok(outcome) : ToHttp(outcome.Mapping, t);
            })
            .WithSummary("Create the mapping and replay every open exception it unblocks as one bulk operation (track it at /api/v1/exceptions/bulk/{id})");
    }

    private static void MapForms(RouteGroupBuilder forms)
    {
        forms.MapPost("/mappings/{type}/save", async (string type, [FromForm] long? id, [FromForm] string? reason, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
            {
                if (MappingType.Find(type) is not { } t) return Results.NotFound();
                var values = FormValues(http.Request.Form);
                var r = await admin.SaveAsync(db, t, id, values, reason, http.User.Actor(), ct);
                if (r.Ok) return Results.LocalRedirect($"/admin/mappings/{t.Name}/{r.MappingId ?? id}?{Message(r)}");
                // The form comes back with what was typed and the error next to each field.
                var back = id is null ? $"/admin/mappings?type={t.Name}&new=true" : $"/admin/mappings/{t.Name}/{id}?edit=true";
                return Results.LocalRedirect($"{back}&{Message(r)}&{Echo(values, reason)}&{string.Join("&", (r.Errors ?? []).Select(e => $"err.{e.Field}={Uri.EscapeDataString(e.Message)}"))}");
            });
        forms.MapPost("/mappings/{type}/{id:long}/retire", async (string type, long id, [FromForm] DateTime? at, [FromForm] string? reason, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t
                    ? Results.LocalRedirect($"/admin/mappings/{t.Name}/{id}?{Message(await admin.RetireAsync(db, t, id, at?.ToUniversalTime(), reason, http.User.Actor(), ct))}")
                    : Results.NotFound());
        forms.MapPost("/mappings/{type}/import", async (string type, IFormFile? file, [FromForm] bool? acceptValidRows, [FromForm] string? reason, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
            {
                if (MappingType.Find(type) is not { } t) return Results.NotFound();
                if (file is null || file.Length == 0) return Results.LocalRedirect($"/admin/mappings?type={t.Name}&msg={Uri.EscapeDataString("Choose a CSV file to import.")}&ok=false");
                await using var stream = file.OpenReadStream();
                var report = await admin.ImportAsync(db, t, stream, acceptValidRows ?? false, reason, http.User.Actor(), ct);
                return Results.LocalRedirect(report.AuditId is { } auditId
                    ? $"/admin/mappings?type={t.Name}&import={auditId}"
                    : $"/admin/mappings?type={t.Name}&msg={Uri.EscapeDataString(report.Message)}&ok=false");
            });
        forms.MapPost("/mappings/{type}/approval", async (string type, [FromForm] bool required, [FromForm] string? reason, HttpContext http, HealthSyncDb db, MappingAdministration admin, CancellationToken ct) =>
                MappingType.Find(type) is { } t
                    ? Results.LocalRedirect($"/admin/mappings?type={t.Name}&{Message(await admin.SetApprovalAsync(db, t, required, reason, http.User.Actor(), ct))}")
                    : Results.NotFound());
        forms.MapPost("/mapping-changes/{id:long}", async (long id, [FromForm] string decision, [FromForm] string? note, HttpContext http, HealthSyncDb db, MappingAdministration admin, MappingFixes fixes, CancellationToken ct) =>
            {
                var r = await DecideAsync(id, decision == "approve", new DecisionRequest(note), http, db, admin, fixes, ct);
                return Results.LocalRedirect($"/admin/mappings?{Message(r)}");
            });
        forms.MapPost("/mapping-fixes", async ([FromForm] Guid exceptionId, [FromForm] string type, [FromForm] string? reason, HttpContext http, HealthSyncDb db, MappingFixes fixes, CancellationToken ct) =>
            {
                if (MappingType.Find(type) is not { } t) return Results.NotFound();
                var values = FormValues(http.Request.Form);
                var outcome = await fixes.ApplyAsync(db, t, values, reason, http.User.Actor(), ct);
                var page = $"/exceptions/{exceptionId}";
                if (!outcome.Mapping.Ok)
                    return Results.LocalRedirect($"{page}?fix=true&{Message(outcome.Mapping)}&{Echo(values, reason)}");
                var text = outcome.Mapping.Pending
                    ? outcome.Mapping.Message
                    : $"{outcome.Mapping.Message} {outcome.Unblocked} exception(s) unblocked and queued for replay.";
                return Results.LocalRedirect($"{page}?msg={Uri.EscapeDataString(text)}&ok=True" + (outcome.BulkOperationId is { } b ? $"&fixBulk={b}" : ""));
            });
    }

    private static async Task<MappingResult> DecideAsync(long id, bool approve, DecisionRequest r, HttpContext http, HealthSyncDb db, MappingAdministration admin,
        MappingFixes fixes, CancellationToken ct)
    {
        var result = await admin.DecideAsync(db, id, approve, r.Note, http.User.Actor(), ct);
        if (!approve || !result.Ok || !r.ReplayUnblocked || result.MappingId is not { } mappingId) return result;
        var change = await db.MappingChanges.FindAsync([id], ct);
        if (change is null || MappingType.Find(change.MappingType) is not { } t || change.Action == "retire") return result;
        var (count, _) = await fixes.ReplayUnblockedAsync(db, t, mappingId, change.Reason, http.User.Actor(), ct);
        return result with { Message = $"{result.Message} {count} exception(s) unblocked and queued for replay." };
    }

    public static Dictionary<string, string?> FormValues(IFormCollection form) =>
        form.Where(f => f.Key.StartsWith(ValuePrefix, StringComparison.Ordinal)).ToDictionary(f => f.Key[ValuePrefix.Length..], f => (string?)f.Value.ToString());

    private static string Echo(IReadOnlyDictionary<string, string?> values, string? reason) =>
        string.Join("&", values.Select(v => $"{ValuePrefix}{v.Key}={Uri.EscapeDataString(v.Value ?? "")}")) + $"&reason={Uri.EscapeDataString(reason ?? "")}";

    private static string Message(MappingResult r) => $"msg={Uri.EscapeDataString(r.Message)}&ok={r.Ok}";

    private static Dictionary<string, string[]> Problems(IEnumerable<FieldError> errors) =>
        errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray());

    private static IResult ToHttp(MappingResult r, MappingType? t) => r switch
    {
        { Ok: true, Pending: true } => Results.Accepted(null as string, r),
        { Ok: true } when t is not null && r.MappingId is { } id => Results.Created($"/api/v1/admin/mappings/{t.Name}/{id}", r),
        { Ok: true } => Results.Ok(r),
        { Refusal: "invalid" } => Results.ValidationProblem(Problems(r.Errors ?? [new FieldError("", r.Message)]), title: r.Message),
        { Refusal: "not-found" } => Results.NotFound(),
        _ => Results.Problem(r.Message, statusCode: StatusCodes.Status409Conflict, title: "Refused"),
    };
}
