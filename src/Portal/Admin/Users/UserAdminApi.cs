using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthSync.Portal.Admin.Users;

/// <summary>
/// <c>/api/v1/admin/users</c>: user and API key administration for scripts, with the pages' rules and audit.
/// Invalid input answers 400 with field messages, an unknown user or key 404, a refused change (yourself, the last
/// administrator, a revoked key) 409 with a problem detail.
/// </summary>
public static class UserAdminApi
{
    /// <summary>The users pages' form posts and the users API.</summary>
    public static IEndpointRouteBuilder MapUserAdmin(this IEndpointRouteBuilder app)
    {
        app.MapUserAdminForms();
        var users = app.MapGroup("/api/v1/admin/users").RequireAuthorization(Policies.Admin).WithTags("Admin");
        var one = users.MapGroup("/{id:guid}").ProducesProblem(StatusCodes.Status404NotFound);

        users.MapGet("/", async (string? q, HealthSyncDb db, CancellationToken ct) => TypedResults.Ok(await UserQueries.ListAsync(db, q, ct)))
            .WithSummary("Every user: role, team, enabled or disabled, must change password, active API keys. q searches user name, display name and team");
        one.MapGet("", async Task<Results<Ok<UserDetail>, NotFound>> (Guid id, HealthSyncDb db, CancellationToken ct) =>
                await UserQueries.DetailAsync(db, id, ct) is { } user ? TypedResults.Ok(user) : TypedResults.NotFound())
            .WithSummary("One user with every API key issued to them");
        users.MapPost("/", async (NewUserRequest r, UserAdministration admin, CancellationToken ct) =>
                (await admin.CreateAsync(r, ct)).ToHttp(u => TypedResults.Created($"/api/v1/admin/users/{u.Id}", u)))
            .Produces<UserView>(StatusCodes.Status201Created).ProducesValidationProblem()
            .WithSummary($"Create a user: unique user name, display name, role ({string.Join(", ", UserAdministration.AssignableRoles)}), optional team, initial password (at least 12 characters; optional for integration accounts), mustChangePassword");
        one.MapPut("", async (Guid id, UserChangesRequest r, UserAdministration admin, CancellationToken ct) =>
                (await admin.UpdateAsync(id, r, ct)).ToHttp(TypedResults.Ok))
            .Produces<UserView>().ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Change a user's display name, role and team; the last enabled administrator cannot be demoted");
        one.MapPost("/disable", async (Guid id, ReasonRequest? r, UserAdministration admin, CancellationToken ct) =>
                (await admin.SetDisabledAsync(id, true, r?.Reason, ct)).ToHttp(TypedResults.Ok))
            .Produces<UserView>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Disable a user: sign-in, open sessions and API keys stop working. Not yourself, not the last enabled administrator");
        one.MapPost("/enable", async (Guid id, ReasonRequest? r, UserAdministration admin, CancellationToken ct) =>
                (await admin.SetDisabledAsync(id, false, r?.Reason, ct)).ToHttp(TypedResults.Ok))
            .Produces<UserView>()
            .WithSummary("Enable a disabled user again");
        one.MapPost("/password-reset", async (Guid id, PasswordResetRequest? r, UserAdministration admin, CancellationToken ct) =>
                (await admin.ResetPasswordAsync(id, r?.TemporaryPassword, ct)).ToHttp(TypedResults.Ok))
            .Produces<PasswordReset>().ProducesValidationProblem()
            .WithSummary("Set a temporary password the user must change at the next sign-in; without one, a password is generated and returned once");
        one.MapGet("/api-keys", async Task<Results<Ok<IReadOnlyList<ApiKeyView>>, NotFound>> (Guid id, HealthSyncDb db, CancellationToken ct) =>
                await UserQueries.GetAsync(db, id, ct) is null ? TypedResults.NotFound() : TypedResults.Ok(await UserQueries.KeysAsync(db, id, ct)))
            .WithSummary("A user's API keys: name, prefix, created, last used, revoked");
        one.MapPost("/api-keys", async (Guid id, ApiKeyRequest r, UserAdministration admin, CancellationToken ct) =>
                (await admin.CreateApiKeyAsync(id, r.Name, ct)).ToHttp(k => TypedResults.Created($"/api/v1/admin/users/{id}/api-keys", k)))
            .Produces<NewApiKey>(StatusCodes.Status201Created).ProducesValidationProblem().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Issue an API key to an enabled user; the key is in this response only, the portal keeps just its hash");
        one.MapPost("/api-keys/{keyId:guid}/revoke", async (Guid id, Guid keyId, ReasonRequest? r, UserAdministration admin, CancellationToken ct) =>
                (await admin.RevokeApiKeyAsync(id, keyId, r?.Reason, ct)).ToHttp(TypedResults.Ok))
            .Produces<ApiKeyView>().ProducesProblem(StatusCodes.Status409Conflict)
            .WithSummary("Revoke an API key; it is refused from the next request");
        return app;
    }
}
