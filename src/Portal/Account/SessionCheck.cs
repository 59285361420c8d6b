using System.Globalization;
using System.Security.Claims;
using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Account;

/// <summary>
/// Checks a sign-in cookie against the users table on every request, because a cookie lives for hours while an
/// administrator's change must count at once: a disabled user (or one whose password changed since the cookie was issued)
/// is signed out, a changed role or team takes effect, and a user who must change their password reaches nothing but the
/// change-password page until they have.
/// </summary>
public static class SessionCheck
{
    public const string PasswordPath = "/account/password";
    private const string PasswordStampClaim = "password_stamp";
    private const string PendingChange = "healthsync.password-change-pending";

    // Where a user with a pending password change may still go: the change itself and signing out.
    private static readonly PathString[] OpenDuringChange = [PasswordPath, "/account/logout"];

    public static async Task ValidateAsync(CookieValidatePrincipalContext ctx)
    {
        var http = ctx.HttpContext;
        var user = Guid.TryParse(ctx.Principal?.FindFirstValue(ClaimTypes.NameIdentifier), out var id)
            ? await http.RequestServices.GetRequiredService<HealthSyncDb>().Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, http.RequestAborted)
            : null;
        if (user is null || user.Disabled || !Roles.People.Contains(user.Role) || !SamePasswordStamp(ctx.Principal!.FindFirstValue(PasswordStampClaim), user))
        {
            ctx.RejectPrincipal();
            await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return;
        }
        var current = Principal(user);
        if (Signature(current) != Signature(ctx.Principal!))
        {
            ctx.ReplacePrincipal(current);
            ctx.ShouldRenew = true;
        }
        if (user.MustChangePassword && !OpenDuringChange.Any(p => http.Request.Path.Equals(p, StringComparison.OrdinalIgnoreCase)))
        {
            http.Items[PendingChange] = true;
            ctx.RejectPrincipal();
        }
    }

    /// <summary>
    /// The cookie principal: the user's claims plus a stamp of their last password change, so that a change ends every
    /// session signed in before it.
    /// </summary>
    public static ClaimsPrincipal Principal(User user)
    {
        var principal = PortalSecurity.Principal(user, CookieAuthenticationDefaults.AuthenticationScheme);
        if (PasswordStamp(user) is { } stamp) ((ClaimsIdentity)principal.Identity!).AddClaim(new Claim(PasswordStampClaim, stamp));
        return principal;
    }

    private static string? PasswordStamp(User user) => user.PasswordChangedAt?.Ticks.ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Compares to the microsecond: the cookie is stamped from the time in memory, while PostgreSQL keeps timestamps in
    /// whole microseconds (SQLite keeps every tick), so the stored time may have lost the last digit.
    /// </summary>
    private static bool SamePasswordStamp(string? claim, User user) => (claim, user.PasswordChangedAt) switch
    {
        (null, null) => true,
        ({ } stamp, { } changed) => long.TryParse(stamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ticks)
            && ticks / TimeSpan.TicksPerMicrosecond == changed.Ticks / TimeSpan.TicksPerMicrosecond,
        _ => false,
    };

    /// <summary>Sends a user with a pending password change to the change page instead of the sign-in page.</summary>
    public static void RedirectToPasswordChange(RedirectContext<CookieAuthenticationOptions> ctx)
    {
        if (!ctx.HttpContext.Items.ContainsKey(PendingChange)) return;
        var request = ctx.Request;
        var back = HttpMethods.IsGet(request.Method) ? request.PathBase + request.Path + request.QueryString : "/";
        ctx.RedirectUri = $"{PasswordPath}?returnUrl={Uri.EscapeDataString(back)}";
    }

    private static string Signature(ClaimsPrincipal p) => string.Join("|", p.Claims.Select(c => c.Type + "=" + c.Value).Order(StringComparer.Ordinal));
}
