using System.Text;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using ActionResult = HealthSync.Engine.Exceptions.ActionResult;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Exceptions;

/// <summary>
/// The form posts of the exception pages: each validates the antiforgery token (form binding), runs the same action as
/// the API with the same checks and audit, and redirects back to the page with the outcome (Post/Redirect/Get).
/// </summary>
public static class ExceptionForms
{
    public static IEndpointRouteBuilder MapExceptionForms(this IEndpointRouteBuilder app)
    {
        var forms = app.MapGroup("/exceptions").RequireAuthorization(Policies.People).ExcludeFromDescription();
        forms.MapPost("/{id:guid}/resolve", async (Guid id, [FromForm] string? code, [FromForm] string? note, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
            Back(id, await SaveAsync(db, await actions.ResolveAsync(db, id, http.User.Actor(), code ?? "", Blank(note), ct), ct)));
        forms.MapPost("/{id:guid}/replay", async (Guid id, [FromForm] string? reason, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
        {
            var (result, _) = await actions.ReplayAsync(db, id, http.User.Actor(), null, Blank(reason), ct);
            return Back(id, await SaveAsync(db, result, ct));
        });
        forms.MapPost("/{id:guid}/edit-replay", async (Guid id, [FromForm] string? payload, [FromForm] string? reason, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
        {
            if (string.IsNullOrWhiteSpace(payload)) return Back(id, ActionResult.Refused("invalid", "The edited payload is empty."), reveal: true);
            var format = await db.Exceptions.AsNoTracking().Where(e => e.Id == id)
                .Join(db.InboxMessages, e => e.InboxMessageId, m => (long?)m.Id, (e, m) => m.Format).FirstOrDefaultAsync(ct);
            var (result, _) = await actions.ReplayAsync(db, id, http.User.Actor(), Encoding.UTF8.GetBytes(StoredText(format, payload)), Blank(reason), ct);
            return Back(id, await SaveAsync(db, result, ct), reveal: !result.Ok);
        });
        forms.MapPost("/{id:guid}/reassign", async (Guid id, [FromForm] string? team, [FromForm] string? owner, [FromForm] string? reason, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
            Back(id, await SaveAsync(db, await actions.ReassignAsync(db, id, http.User.Actor(), Blank(team), Blank(owner), Blank(reason), ct), ct)));
        forms.MapPost("/{id:guid}/comment", async (Guid id, [FromForm] string? text, HttpContext http, HealthSyncDb db, ExceptionActions actions, CancellationToken ct) =>
            Back(id, await SaveAsync(db, await actions.CommentAsync(db, id, http.User.Actor(), text ?? "", ct), ct)));

        forms.MapPost("/views", async ([FromForm] string? name, [FromForm] string? query, [FromForm] string? share, HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct) =>
        {
            var q = (query ?? "").TrimStart('?');
            if (string.IsNullOrWhiteSpace(name) || name.Trim().Length > 80)
                return Results.LocalRedirect($"/exceptions?{Join(q, "msg=" + Uri.EscapeDataString("A view needs a name of 1 to 80 characters."))}");
            var team = share is "on" or "true" ? http.User.FindFirst("team")?.Value : null;
            await ExceptionApi.SaveViewAsync(db, http.User, name, q, team, time, ct);
            return Results.LocalRedirect($"/exceptions?{Join(q, "ok=true&msg=" + Uri.EscapeDataString($"View '{name.Trim()}' saved."))}");
        });

        forms.MapPost("/bulk", async ([FromForm] string? action, [FromForm] string? filter, [FromForm] string? group, [FromForm] string? code, [FromForm] string? note,
            [FromForm] string? team, [FromForm] string? owner, [FromForm] string? comment, HttpContext http, HealthSyncDb db, BulkRunner runner, TimeProvider time, CancellationToken ct) =>
        {
            var selection = ExceptionFilter.FromQuery(new QueryCollection(Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(filter ?? ""))) with { Page = 1 };
            var back = Join(selection.ToQuery(), string.IsNullOrEmpty(group) ? "" : "group=" + Uri.EscapeDataString(group));
            string Refuse(string message) => $"/exceptions?{Join(back, "msg=" + Uri.EscapeDataString(message))}";
            if (action is null || !BulkActions.All.Contains(action)) return Results.LocalRedirect(Refuse("Choose a bulk action."));
            var teams = QueuePermissions.ActableTeams(http.User.Role());
            if (teams is { Count: 0 }) return Results.LocalRedirect(Refuse("Your role may not act on exceptions."));
            var now = time.GetUtcNow().UtcDateTime;
            var ids = await ExceptionQueries.SelectIdsAsync(db, selection, http.User.SeesPhi(), now, ct);
            if (ids.Count == 0) return Results.LocalRedirect(Refuse("The selection is empty."));
            var actionable = teams is null ? ids.Count : await ExceptionApi.CountActionableAsync(db, ids, teams, ct);
            if (actionable == 0) return Results.LocalRedirect(Refuse("You may not act on any of the selected exceptions."));
            var op = BulkActions.Queue(db, action, ids, selection.Describe(), new BulkParameters(Blank(code), Blank(note), Blank(team), Blank(owner), Blank(comment)), http.User.Actor(), now);
            await db.SaveChangesAsync(ct);
            runner.Notify();
            return Results.LocalRedirect($"/exceptions?{Join(back, "bulkop=" + op.Id)}#bulk");
        });

        app.MapGet("/fragments/bulk/{id:guid}", async Task<Results<RazorComponentResult<BulkProgress>, NotFound>> (Guid id, HttpContext http, HealthSyncDb db, CancellationToken ct) =>
            {
                var op = await FindBulkAsync(db, id, http.User, ct);
                return op is null ? TypedResults.NotFound() : new RazorComponentResult<BulkProgress>(new { Operation = op });
            })
            .RequireAuthorization(Policies.People).ExcludeFromDescription();
        return app;
    }

    /// <summary>A bulk operation as its creator (or an admin) may follow it.</summary>
    public static async Task<ExceptionApi.BulkView?> FindBulkAsync(HealthSyncDb db, Guid id, System.Security.Claims.ClaimsPrincipal user, CancellationToken ct)
    {
        var op = await db.BulkOperations.AsNoTracking().FirstOrDefaultAsync(o => o.Id == id, ct);
        if (op is null || (op.CreatedBy != user.Identity?.Name && user.Role() != Roles.Admin)) return null;
        return ExceptionApi.View(op);
    }

    /// <summary>How many of the filtered exceptions the role may act on (null teams: every one).</summary>
    public static async Task<int> CountActionableAsync(HealthSyncDb db, ExceptionFilter filter, string? role, bool seesPhi, DateTime now, CancellationToken ct)
    {
        var teams = QueuePermissions.ActableTeams(role);
        var q = ExceptionQueries.Apply(db, filter, seesPhi, now);
        if (teams is null) return await q.CountAsync(ct);
        if (teams.Count == 0) return 0;
        return await q.CountAsync(e => e.Team != null && teams.Contains(e.Team), ct);
    }

    /// <summary>The text a person edited, as it is stored: HL7 v2 segments end in CR alone (browsers submit CRLF).</summary>
    public static string StoredText(string? format, string edited)
    {
        if (format != "hl7v2") return edited;
        var text = edited.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Trim('\n');
        return string.Join('\r', text.Split('\n').Where(l => l.Length > 0)) + "\r";
    }

    private static string? Blank(string? v) => string.IsNullOrWhiteSpace(v) ? null : v.Trim();

    private static string Join(string a, string b) => a.Length == 0 ? b : b.Length == 0 ? a : a + "&" + b;

    private static async Task<ActionResult> SaveAsync(HealthSyncDb db, ActionResult result, CancellationToken ct)
    {
        if (result.Ok) await db.SaveChangesAsync(ct);
        return result;
    }

    private static IResult Back(Guid id, ActionResult result, bool reveal = false) =>
        Results.LocalRedirect($"/exceptions/{id}?{(reveal ? "reveal=true&" : "")}ok={(result.Ok ? "true" : "false")}&msg={Uri.EscapeDataString(result.Message)}");
}
