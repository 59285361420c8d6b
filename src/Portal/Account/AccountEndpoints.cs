using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Account;

public static class AccountEndpoints
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder app)
    {
        app.MapPost("/account/login", SignIn).AllowAnonymous().ExcludeFromDescription();
        app.MapPost("/account/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.LocalRedirect("/account/login");
        }).ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignIn([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var target = returnUrl is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) ? r : "/";
        var user = string.IsNullOrWhiteSpace(userName) ? null : await db.Users.FirstOrDefaultAsync(u => u.UserName == userName.Trim(), ct);
        var ok = user is { Disabled: false } && Roles.People.Contains(user.Role) && password is not null
            && new PasswordHasher<User>().VerifyHashedPassword(user, user.PasswordHash, password) != PasswordVerificationResult.Failed;
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, Actor = userName?.Trim() ?? "", Action = ok ? "sign-in" : "sign-in.failed", TargetType = "session",
        });
        await db.SaveChangesAsync(ct);
        if (!ok) return Results.LocalRedirect($"/account/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PortalSecurity.Principal(user!, CookieAuthenticationDefaults.AuthenticationScheme));
        return Results.LocalRedirect(target);
    }
}
