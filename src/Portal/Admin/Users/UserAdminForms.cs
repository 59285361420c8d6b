using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Mvc;

namespace HealthSync.Portal.Admin.Users;

/// <summary>
/// The users pages' form posts: antiforgery-checked (each binds form fields), the same changes as the API through
/// <see cref="UserAdministration"/>, answered with a redirect back to the page with the outcome (Post/Redirect/Get).
/// New secrets travel to the page through <see cref="OnceSecret"/>, never in the redirect's address.
/// </summary>
public static class UserAdminForms
{
    public static IEndpointRouteBuilder MapUserAdminForms(this IEndpointRouteBuilder app)
    {
        var forms = app.MapGroup("/admin/users").RequireAuthorization(Policies.Admin).ExcludeFromDescription();

        forms.MapPost("/create", async ([FromForm] string? userName, [FromForm] string? displayName, [FromForm] string? role, [FromForm] string? team,
            [FromForm] string? password, [FromForm] bool? mustChangePassword, UserAdministration admin, CancellationToken ct) =>
        {
            var outcome = await admin.CreateAsync(new NewUserRequest(userName, displayName, role, team, password, mustChangePassword == true), ct);
            if (outcome.Ok) return ToUser(outcome.Value!.Id, outcome);
            // The entered values (never the password) come back so the form need not be filled in again.
            var kept = string.Join("&", new[] { ("userName", userName), ("displayName", displayName), ("role", role), ("team", team) }
                .Where(f => !string.IsNullOrEmpty(f.Item2)).Select(f => $"{f.Item1}={Uri.EscapeDataString(f.Item2!)}"));
            return Results.LocalRedirect($"/admin/users?{Outcome(outcome)}&{kept}#new-user");
        });
        forms.MapPost("/{id:guid}/edit", async (Guid id, [FromForm] string? displayName, [FromForm] string? role, [FromForm] string? team,
                UserAdministration admin, CancellationToken ct) =>
            ToUser(id, await admin.UpdateAsync(id, new UserChangesRequest(displayName, role, team), ct)));
        forms.MapPost("/{id:guid}/disable", async (Guid id, [FromForm] string? reason, UserAdministration admin, CancellationToken ct) =>
            ToUser(id, await admin.SetDisabledAsync(id, true, reason, ct)));
        forms.MapPost("/{id:guid}/enable", async (Guid id, [FromForm] string? reason, UserAdministration admin, CancellationToken ct) =>
            ToUser(id, await admin.SetDisabledAsync(id, false, reason, ct)));
        forms.MapPost("/{id:guid}/password-reset", async (Guid id, [FromForm] string? temporaryPassword, HttpContext http, UserAdministration admin, CancellationToken ct) =>
        {
            var outcome = await admin.ResetPasswordAsync(id, temporaryPassword, ct);
            if (outcome.Value is { TemporaryPassword: { } generated } reset)
                OnceSecret.Stash(http, new OnceSecret.Shown(id, $"Temporary password of {reset.User.UserName}", generated));
            return ToUser(id, outcome);
        });
        forms.MapPost("/{id:guid}/api-keys", async (Guid id, [FromForm] string? name, HttpContext http, UserAdministration admin, CancellationToken ct) =>
        {
            var outcome = await admin.CreateApiKeyAsync(id, name, ct);
            if (outcome.Value is { } created) OnceSecret.Stash(http, new OnceSecret.Shown(id, $"API key '{created.ApiKey.Name}'", created.Key));
            return ToUser(id, outcome);
        });
        forms.MapPost("/{id:guid}/api-keys/{keyId:guid}/revoke", async (Guid id, Guid keyId, [FromForm] string? reason, UserAdministration admin, CancellationToken ct) =>
            ToUser(id, await admin.RevokeApiKeyAsync(id, keyId, reason, ct)));
        return app;
    }

    private static IResult ToUser<T>(Guid id, AdminOutcome<T> outcome) => Results.LocalRedirect($"/admin/users/{id}?{Outcome(outcome)}");

    private static string Outcome<T>(AdminOutcome<T> outcome) => $"ok={outcome.Ok}&msg={Uri.EscapeDataString(outcome.Message)}";
}
