using System.Security.Claims;
using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Admin;
using HealthSync.Portal.Admin.Users;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Account;

/// <summary>Signing in and out, and changing your own password (required after an administrator's reset).</summary>
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
        // Any signed-in person, including one whose other pages are held back until the password is changed.
        app.MapPost(SessionCheck.PasswordPath, ChangePassword).RequireAuthorization().ExcludeFromDescription();
        return app;
    }

    private static async Task<IResult> SignIn([FromForm] string? userName, [FromForm] string? password, [FromForm] string? returnUrl,
        HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var target = LocalOrHome(returnUrl);
        var user = string.IsNullOrWhiteSpace(userName) ? null : await db.Users.FirstOrDefaultAsync(u => u.UserName == userName.Trim(), ct);
        var ok = user is { Disabled: false } && Roles.People.Contains(user.Role) && Passwords.Verify(user, password);
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, Actor = userName?.Trim() ?? "", Action = ok ? "sign-in" : "sign-in.failed", TargetType = "session",
        });
        await db.SaveChangesAsync(ct);
        if (!ok) return Results.LocalRedirect($"/account/login?error=1&returnUrl={Uri.EscapeDataString(target)}");
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SessionCheck.Principal(user!));
        return Results.LocalRedirect(user!.MustChangePassword ? $"{SessionCheck.PasswordPath}?returnUrl={Uri.EscapeDataString(target)}" : target);
    }

    private static async Task<IResult> ChangePassword([FromForm] string? currentPassword, [FromForm] string? newPassword, [FromForm] string? confirmPassword,
        [FromForm] string? returnUrl, HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var target = LocalOrHome(returnUrl);
        IResult Refuse(string message) =>
            Results.LocalRedirect($"{SessionCheck.PasswordPath}?returnUrl={Uri.EscapeDataString(target)}&msg={Uri.EscapeDataString(message)}");

        _ = Guid.TryParse(http.User.FindFirstValue(ClaimTypes.NameIdentifier), out var id);
        if (await db.Users.FirstOrDefaultAsync(u => u.Id == id && !u.Disabled, ct) is not { } user) return Results.LocalRedirect("/account/login");
        if (!Passwords.Verify(user, currentPassword)) return Refuse("The current password is not right.");
        if (newPassword != confirmPassword) return Refuse("The two new passwords are not the same.");
        if (Passwords.Problem(newPassword) is { } problem) return Refuse(problem);
        if (Passwords.Verify(user, newPassword)) return Refuse("The new password must differ from the current one.");

        var now = time.GetUtcNow().UtcDateTime;
        var before = UserAdministration.Snapshot(user);
        Passwords.Set(user, newPassword!);
        user.MustChangePassword = false;
        user.PasswordChangedAt = now;
        AdminAudit.Record(db, http.User, "user.password-change", "user", user.UserName, now, before, UserAdministration.Snapshot(user));
        await db.SaveChangesAsync(ct);
        // Sessions issued before the change end; this one continues with a fresh cookie.
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, SessionCheck.Principal(user));
        return Results.LocalRedirect($"{SessionCheck.PasswordPath}?changed=1&returnUrl={Uri.EscapeDataString(target)}");
    }

    /// <summary>A return address only within the portal (never another site), else the overview.</summary>
    public static string LocalOrHome(string? url) =>
        url is { Length: > 0 } r && r.StartsWith('/') && !r.StartsWith("//", StringComparison.Ordinal) && !r.StartsWith("/\\", StringComparison.Ordinal) ? r : "/";
}
