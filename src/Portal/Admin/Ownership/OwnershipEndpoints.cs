using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Mvc;
using AdminOutcome = HealthSync.Portal.Admin.AdminOutcome<object?>;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>
/// The ownership page's form posts (answered with a redirect back and a message) and the ownership, workflow-owner
/// and routing-rule API under <c>/api/v1/admin</c>; both go through <see cref="OwnershipAdministration"/>.
/// </summary>
public static class OwnershipEndpoints
{
    public const string PagePath = "/admin/ownership";

    public static IEndpointRouteBuilder MapOwnershipAdmin(this IEndpointRouteBuilder app)
    {
        MapForms(app);
        MapApi(app);
        return app;
    }

    private static void MapForms(IEndpointRouteBuilder app)
    {
        // Antiforgery-checked because they bind form fields; each field on its own, so a field a form leaves out is simply empty.
        var forms = app.MapGroup(PagePath).RequireAuthorization(Policies.Admin).ExcludeFromDescription();
        forms.MapPost("/matrix", async ([FromForm] string? entity, [FromForm] string? field, [FromForm] string? systemOfRecord, [FromForm] string? businessOwner,
                [FromForm] string? reason, HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).SetOwnershipAsync(http.User, new(entity, field, systemOfRecord, businessOwner, reason), ct), "system-of-record"));
        forms.MapPost("/matrix/remove", async ([FromForm] string? entity, [FromForm] string? field, [FromForm] string? reason, HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).RemoveFieldOwnershipAsync(http.User, entity, field, reason, ct), "system-of-record"));
        forms.MapPost("/workflow-owners/{workflow}", async (string workflow, [FromForm] string? owner, [FromForm] string? contact, [FromForm] string? reason,
                HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).SetWorkflowOwnerAsync(http.User, workflow, new(owner, contact, reason), ct), "workflow-owners"));
        forms.MapPost("/routing-rules", async ([FromForm] string? category, [FromForm] string? workflow, [FromForm] string? facility, [FromForm] string? team,
                [FromForm] string? reason, HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).CreateRuleAsync(http.User, new(category, workflow, facility, team, reason), ct), "routing-rules"));
        forms.MapPost("/routing-rules/{id:long}", async (long id, [FromForm] string? category, [FromForm] string? workflow, [FromForm] string? facility,
                [FromForm] string? team, [FromForm] string? reason, HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).UpdateRuleAsync(http.User, id, new(category, workflow, facility, team, reason), ct), "routing-rules"));
        forms.MapPost("/routing-rules/{id:long}/delete", async (long id, [FromForm] string? reason, HttpContext http, CancellationToken ct) =>
            Back(await Admin(http).DeleteRuleAsync(http.User, id, reason, ct), "routing-rules"));
    }

    private static void MapApi(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/admin").RequireAuthorization(Policies.Admin).WithTags("Admin");

        api.MapGet("/ownership", async (HttpContext http, CancellationToken ct) => TypedResults.Ok(await Admin(http).MatrixAsync(ct)))
            .WithSummary("The ownership matrix: system of record and business owner per entity, field-level rows, and the entities and systems it may name");
        api.MapPut("/ownership", async (OwnershipChange change, HttpContext http, CancellationToken ct) =>
                (await Admin(http).SetOwnershipAsync(http.User, change, ct)).ToHttp())
            .WithSummary("Set an entity's (or, with field, one field's) system of record and business owner; reason required; the engine uses it at once");
        api.MapDelete("/ownership", async (string? entity, string? field, string? reason, HttpContext http, CancellationToken ct) =>
                (await Admin(http).RemoveFieldOwnershipAsync(http.User, entity, field, reason, ct)).ToHttp())
            .WithSummary("Remove a field-level row (?entity=&field=&reason=): the field follows its entity again");

        api.MapGet("/workflow-owners", async (HttpContext http, CancellationToken ct) => TypedResults.Ok(await Admin(http).WorkflowOwnersAsync(ct)))
            .WithSummary("Every workflow with its business owner and contact");
        api.MapGet("/workflow-owners/{workflow}", async Task<IResult> (string workflow, HttpContext http, CancellationToken ct) =>
                (await Admin(http).WorkflowOwnersAsync(ct)).FirstOrDefault(o => o.Workflow == workflow) is { } owner
                    ? TypedResults.Ok(owner)
                    : TypedResults.Problem($"There is no workflow '{workflow}'.", statusCode: StatusCodes.Status404NotFound, title: "Not found"))
            .WithSummary("A workflow's business owner and contact");
        api.MapPut("/workflow-owners/{workflow}", async (string workflow, WorkflowOwnerChange change, HttpContext http, CancellationToken ct) =>
                (await Admin(http).SetWorkflowOwnerAsync(http.User, workflow, change, ct)).ToHttp())
            .WithSummary("Name a workflow's business owner and contact; reason required");

        var rules = api.MapGroup("/routing-rules");
        rules.MapGet("/", async (HttpContext http, CancellationToken ct) => TypedResults.Ok(await Admin(http).RulesAsync(ct)))
            .WithSummary("Every exception routing rule; a null workflow or facility means any, category '*' any category");
        rules.MapGet("/resolve", async (string? category, string? workflow, string? facility, HttpContext http, CancellationToken ct) =>
                (await Admin(http).ResolveAsync(category, workflow, facility, ct)).ToHttp())
            .WithSummary("Where an exception would route: the team and the rule that decided (most specific wins: category, then facility, then workflow)");
        rules.MapPost("/", async Task<IResult> (RoutingRuleChange change, HttpContext http, CancellationToken ct) =>
            {
                var outcome = await Admin(http).CreateRuleAsync(http.User, change, ct);
                return outcome is { Ok: true, Value: RoutingRuleRow rule } ? TypedResults.Created($"/api/v1/admin/routing-rules/{rule.Id}", rule) : outcome.ToHttp();
            })
            .WithSummary("Add a routing rule; an unknown category, workflow or facility or an empty team is 400, a rule for the same match 409");
        rules.MapPut("/{id:long}", async (long id, RoutingRuleChange change, HttpContext http, CancellationToken ct) =>
                (await Admin(http).UpdateRuleAsync(http.User, id, change, ct)).ToHttp())
            .WithSummary("Change a routing rule; the last fallback rule keeps matching everything (only its team may change)");
        rules.MapDelete("/{id:long}", async (long id, string? reason, HttpContext http, CancellationToken ct) =>
                (await Admin(http).DeleteRuleAsync(http.User, id, reason, ct)).ToHttp())
            .WithSummary("Delete a routing rule (?reason=); the last fallback rule cannot be deleted");
    }

    private static OwnershipAdministration Admin(HttpContext http) => ActivatorUtilities.CreateInstance<OwnershipAdministration>(http.RequestServices);

    private static IResult Back(AdminOutcome outcome, string section) =>
        Results.Redirect($"{PagePath}?msg={Uri.EscapeDataString(outcome.Message)}&ok={outcome.Ok}#{section}");
}
