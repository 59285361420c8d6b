using System.Globalization;
using System.Security.Claims;
using System.Text;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Exceptions;

/// <summary>The exception queues over HTTP: the same filters, actions, checks and audit as the portal pages.</summary>
public static class ExceptionApi
{
    public sealed record ResolveRequest(string Code, string? Note);
    public sealed record ReplayRequest(bool DryRun = false, string? Payload = null, string? Reason = null);
    public sealed record ReassignRequest(string? Team, string? Owner, string? Reason);
    public sealed record CommentRequest(string Text);
    public sealed record BulkRequest(string Action, string? Filter, bool Preview = false, string? ResolutionCode = null, string? Note = null, string? Team = null, string? Owner = null, string? Comment = null);
    public sealed record BulkPreview(int Count, string Selection, int Actionable);
    public sealed record BulkView(Guid Id, string Action, string Selection, string Status, int Total, int Processed, int Succeeded, int Failed, string? LastError, DateTime CreatedAt, DateTime? FinishedAt);
    public sealed record ReplayResponse(bool Done, string Message, ReplayPlan? Plan);
    public sealed record AuditView(long Id, DateTime At, string Actor, string Action, string TargetType, string? TargetId, string? Reason, string? Before, string? After, string? Detail);
    public sealed record SavedViewRequest(string Name, string Query, string? Team);
    public sealed record SavedViewView(long Id, string Name, string? Team, string Query, string CreatedBy);

    public static Actor Actor(this ClaimsPrincipal user) => new(user.Identity?.Name ?? "unknown", user.Role() ?? "");

    public static IResult ToHttp(ActionResult r) => r.Refusal switch
    {
        null => TypedResults.Ok(new { message = r.Message }),
        "not-found" => TypedResults.NotFound(),
        "forbidden" => TypedResults.Problem(r.Message, statusCode: StatusCodes.Status403Forbidden, title: "Not your queue"),
        "invalid" => TypedResults.Problem(r.Message, statusCode: StatusCodes.Status400BadRequest, title: "Invalid request"),
        _ => TypedResults.Problem(r.Message, statusCode: StatusCodes.Status409Conflict, title: "Refused"),
    };

    public static RouteGroupBuilder MapExceptionApi(this RouteGroupBuilder api)
    {
        var ex = api.MapGroup("/exceptions").WithTags("Exceptions");
        ex.MapGet("/", async (HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct) =>
                TypedResults.Ok(await ExceptionQueries.ListAsync(db, ExceptionFilter.FromQuery(http.Request.Query), http.User.SeesPhi(), time.GetUtcNow().UtcDateTime, ct)))
            .WithSummary("List exceptions: filters status, category, workflow, facility, team, owner ('(unassigned)'), source, age (1h|4h|24h|3d|7d), sla (breached|due-4h|ok), minAmount, q, cause, entityType+entity; sort priority|newest|oldest|amount; page, pageSize");
        ex.MapGet("/groups", async (string? by, HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct) =>
                TypedResults.Ok(await ExceptionQueries.GroupsAsync(db, ExceptionFilter.FromQuery(http.Request.Query), by ?? "cause", http.User.SeesPhi(), time.GetUtcNow().UtcDateTime, ct)))
            .WithSummary("Group the filtered exceptions by cause (failure classifier) or by business entity (by=cause|entity)");
        ex.MapGet("/{id:guid}", async Task<Results<Ok<ExceptionView>, NotFound>> (Guid id, bool? reveal, HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct) =>
            {
                var view = await ExceptionDetail.GetAsync(db, id, http.User.Role() ?? "", http.User.SeesPhi(), reveal == true, ct);
                if (view is null) return TypedResults.NotFound();
                if (view.PatientIdentifiersShown) await AuditRevealAsync(db, http.User, id, time, ct);
                return TypedResults.Ok(view);
            })
            .WithSummary("One exception: error, raw and parsed payload (patient identifiers masked unless reveal=true and the role may see them; reveals are audited), lineage, related exceptions, comments, history, payload versions");
        ex.MapPost("/{id:guid}/resolve", async (Guid id, ResolveRequest r, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
                await SaveAsync(db, await actions.ResolveAsync(db, id, http.User.Actor(), r.Code, r.Note, ct), ct))
            .WithSummary($"Resolve with a reason code ({string.Join(", ", ResolutionCodes.Offered)}) and a note (required for 'other')");
        ex.MapPost("/{id:guid}/replay", async (Guid id, ReplayRequest r, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
            {
                var payload = r.Payload is null ? null : Encoding.UTF8.GetBytes(r.Payload);
                if (r.DryRun)
                {
                    var plan = await actions.PreviewReplayAsync(db, id, payload, ct);
                    return plan is null ? Results.NotFound() : Results.Ok(new ReplayResponse(false, plan.Summary, plan));
                }
                var (result, done) = await actions.ReplayAsync(db, id, http.User.Actor(), payload, r.Reason, ct);
                if (!result.Ok)
                    return result.Refusal == "would-post-twice-or-fail" ? Results.Conflict(new ReplayResponse(false, result.Message, done)) : ToHttp(result);
                await db.SaveChangesAsync(ct);
                return Results.Accepted($"/api/v1/exceptions/{id}", new ReplayResponse(true, result.Message, done));
            })
            .WithSummary("Replay as is, or with an edited payload (a new audited payload version). dryRun=true shows what would be posted; anything that would post twice is refused. The exception closes only when the replay succeeded downstream.");
        ex.MapPost("/{id:guid}/reassign", async (Guid id, ReassignRequest r, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
                await SaveAsync(db, await actions.ReassignAsync(db, id, http.User.Actor(), r.Team, r.Owner, r.Reason, ct), ct))
            .WithSummary("Reassign to a team and/or a person");
        ex.MapPost("/{id:guid}/comments", async (Guid id, CommentRequest r, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
                await SaveAsync(db, await actions.CommentAsync(db, id, http.User.Actor(), r.Text, ct), ct))
            .WithSummary("Comment on an exception");
        ex.MapPost("/bulk", async (BulkRequest r, HttpContext http, HealthSyncDb db, BulkRunner runner, TimeProvider time, CancellationToken ct) =>
            {
                if (!BulkActions.All.Contains(r.Action)) return Results.Problem($"Unknown action '{r.Action}'; use {string.Join(", ", BulkActions.All)}.", statusCode: 400);
                var filter = ExceptionFilter.FromQuery(QueryHelpers(r.Filter));
                var now = time.GetUtcNow().UtcDateTime;
                var ids = await ExceptionQueries.SelectIdsAsync(db, filter, http.User.SeesPhi(), now, ct);
                var teams = QueuePermissions.ActableTeams(http.User.Role());
                var actionable = teams is null ? ids.Count : await CountActionableAsync(db, ids, teams, ct);
                if (r.Preview) return Results.Ok(new BulkPreview(ids.Count, filter.Describe(), actionable));
                if (ids.Count == 0) return Results.Problem("The selection is empty.", statusCode: 400);
                var op = BulkActions.Queue(db, r.Action, ids, filter.Describe(), new BulkParameters(r.ResolutionCode, r.Note, r.Team, r.Owner, r.Comment), http.User.Actor(), now);
                await db.SaveChangesAsync(ct);
                runner.Notify();
                return Results.Accepted($"/api/v1/exceptions/bulk/{op.Id}", View(op));
            })
            .WithSummary("Apply resolve, replay, reassign or comment to every exception a filter selects (all pages). preview=true returns the count first.");
        ex.MapGet("/bulk/{id:guid}", async Task<Results<Ok<BulkView>, NotFound>> (Guid id, HttpContext http, HealthSyncDb db, CancellationToken ct) =>
                await db.BulkOperations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct) is { } op
                    && (op.CreatedBy == http.User.Identity?.Name || http.User.IsInRole(Roles.Admin))
                    ? TypedResults.Ok(View(op)) : TypedResults.NotFound())
            .WithSummary("Progress of a bulk action");

        var views = api.MapGroup("/views").WithTags("Exceptions");
        views.MapGet("/", async (HttpContext http, HealthSyncDb db, CancellationToken ct) => TypedResults.Ok(await SavedViewsAsync(db, http.User, ct)))
            .WithSummary("Saved exception views: your own and your team's");
        views.MapPost("/", async (SavedViewRequest r, HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(r.Name) || r.Name.Length > 80) return Results.Problem("A name of 1 to 80 characters is required.", statusCode: 400);
                var view = await SaveViewAsync(db, http.User, r.Name, r.Query, r.Team, time, ct);
                return Results.Created($"/api/v1/views/{view.Id}", view);
            })
            .WithSummary("Save the current filter as a named view, optionally shared with a team");

        var audit = api.MapGroup("/audit").WithTags("Audit");
        audit.MapGet("/", async (string? actor, string? action, DateTime? from, DateTime? to, int? page, HealthSyncDb db, CancellationToken ct) =>
                TypedResults.Ok(await AuditAsync(db, actor, action, from, to, page ?? 1, 100, ct)))
            .WithSummary("The audit log, filterable by person, action and date");
        audit.MapGet("/export.csv", async (string? actor, string? action, DateTime? from, DateTime? to, HealthSyncDb db, CancellationToken ct) =>
                Results.File(Encoding.UTF8.GetBytes(await AuditCsvAsync(db, actor, action, from, to, ct)), "text/csv", "healthsync-audit.csv"))
            .WithSummary("The filtered audit log as CSV");
        return api;
    }

    private static QueryCollection QueryHelpers(string? query) =>
        new(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query ?? ""));

    private static async Task<IResult> SaveAsync(HealthSyncDb db, ActionResult result, CancellationToken ct)
    {
        if (result.Ok) await db.SaveChangesAsync(ct);
        return ToHttp(result);
    }

    public static async Task<int> CountActionableAsync(HealthSyncDb db, List<Guid> ids, IReadOnlyList<string> teams, CancellationToken ct)
    {
        var count = 0;
        foreach (var chunk in ids.Chunk(2000))
        {
            var nullable = chunk.Select(id => (Guid?)id).ToList();
            count += await db.Exceptions.AsNoTracking().CountAsync(e => nullable.Contains((Guid?)e.Id) && e.Team != null && teams.Contains(e.Team), ct);
        }
        return count;
    }

    public static BulkView View(BulkOperation op) =>
        new(op.Id, op.Action, op.Selection, op.Status.ToString(), op.Total, op.Processed, op.Succeeded, op.Failed, op.LastError, op.CreatedAt, op.FinishedAt);

    public static async Task AuditRevealAsync(HealthSyncDb db, ClaimsPrincipal user, Guid id, TimeProvider time, CancellationToken ct)
    {
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, Actor = user.Identity?.Name ?? "unknown", Action = "exception.reveal-phi", TargetType = "exception",
            TargetId = id.ToString(), After = "patient identifiers shown",
        });
        await db.SaveChangesAsync(ct);
    }

    public static async Task<IReadOnlyList<SavedViewView>> SavedViewsAsync(HealthSyncDb db, ClaimsPrincipal user, CancellationToken ct)
    {
        var name = user.Identity?.Name ?? "";
        var team = await db.Users.AsNoTracking().Where(u => u.UserName == name).Select(u => u.Team).FirstOrDefaultAsync(ct);
        return await db.SavedViews.AsNoTracking().Where(v => v.CreatedBy == name || (v.Team != null && v.Team == team)).OrderBy(v => v.Name)
            .Select(v => new SavedViewView(v.Id, v.Name, v.Team, v.Query, v.CreatedBy)).ToListAsync(ct);
    }

    public static async Task<SavedViewView> SaveViewAsync(HealthSyncDb db, ClaimsPrincipal user, string name, string query, string? team, TimeProvider time, CancellationToken ct)
    {
        var view = new SavedView { Name = name.Trim(), Query = query.TrimStart('?'), Team = string.IsNullOrWhiteSpace(team) ? null : team, CreatedBy = user.Identity?.Name ?? "unknown", CreatedAt = time.GetUtcNow().UtcDateTime };
        db.SavedViews.Add(view);
        db.AuditEntries.Add(new AuditEntry { At = view.CreatedAt, Actor = view.CreatedBy, Action = "view.save", TargetType = "saved-view", TargetId = view.Name, After = view.Query, Reason = view.Team is null ? "personal" : "shared with " + view.Team });
        await db.SaveChangesAsync(ct);
        return new SavedViewView(view.Id, view.Name, view.Team, view.Query, view.CreatedBy);
    }

    public sealed record AuditPage(IReadOnlyList<AuditView> Entries, int Total, int Page, int PageSize);

    private static IQueryable<AuditEntry> AuditQuery(HealthSyncDb db, string? actor, string? action, DateTime? from, DateTime? to)
    {
        var q = db.AuditEntries.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(actor)) q = q.Where(a => a.Actor == actor);
        if (!string.IsNullOrWhiteSpace(action))
        {
            // StartsWith becomes LIKE, which ignores case on SQLite; PostgreSQL needs ILIKE for the same answer.
            var pattern = DatabaseProviders.LikePrefix(action);
            q = db.Database.IsPostgres() ? q.Where(a => EF.Functions.ILike(a.Action, pattern)) : q.Where(a => a.Action.StartsWith(action));
        }
        // Dates without a zone are UTC, whatever zone the server runs in.
        if (from is { } f) { var fu = f.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(f, DateTimeKind.Utc) : f.ToUniversalTime(); q = q.Where(a => a.At >= fu); }
        if (to is { } t) { var tu = t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Utc) : t.ToUniversalTime(); q = q.Where(a => a.At < tu); }
        return q;
    }

    public static async Task<AuditPage> AuditAsync(HealthSyncDb db, string? actor, string? action, DateTime? from, DateTime? to, int page, int size, CancellationToken ct)
    {
        var q = AuditQuery(db, actor, action, from, to);
        var total = await q.CountAsync(ct);
        page = Math.Max(1, page);
        var rows = await q.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip((page - 1) * size).Take(size)
            .Select(a => new AuditView(a.Id, a.At, a.Actor, a.Action, a.TargetType, a.TargetId, a.Reason, a.Before, a.After, a.Detail)).ToListAsync(ct);
        return new AuditPage(rows, total, page, size);
    }

    public static async Task<string> AuditCsvAsync(HealthSyncDb db, string? actor, string? action, DateTime? from, DateTime? to, CancellationToken ct)
    {
        var sb = new StringBuilder("at,actor,action,target_type,target_id,reason,before,after,detail\r\n");
        await foreach (var a in AuditQuery(db, actor, action, from, to).OrderBy(a => a.At).ThenBy(a => a.Id).AsAsyncEnumerable().WithCancellation(ct))
        {
            sb.Append(a.At.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture));
            foreach (var v in new[] { a.Actor, a.Action, a.TargetType, a.TargetId, a.Reason, a.Before, a.After, a.Detail })
                sb.Append(',').Append(Csv(v));
            sb.Append("\r\n");
        }
        return sb.ToString();
    }

    /// <summary>RFC 4180 quoting; a leading = + - @ is prefixed so a spreadsheet never runs a cell as a formula.</summary>
    private static string Csv(string? v)
    {
        if (string.IsNullOrEmpty(v)) return "";
        if (v[0] is '=' or '+' or '-' or '@') v = "'" + v;
        return v.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + v.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : v;
    }
}
