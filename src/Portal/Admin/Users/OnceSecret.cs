using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;

namespace HealthSync.Portal.Admin.Users;

/// <summary>
/// Carries a new secret (an API key, a generated temporary password) from a form post across its redirect to the user's
/// page, where it is shown exactly once: encrypted and short-lived in a cookie scoped to the users pages, deleted when
/// read, so it never appears in a URL, the browser history or a server log.
/// </summary>
public static class OnceSecret
{
    private const string CookieName = "healthsync.once";
    private const string CookiePath = "/admin/users";
    private static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(2);

    /// <summary>A secret to show once on the page of <paramref name="UserId"/>.</summary>
    public sealed record Shown(Guid UserId, string Label, string Value);

    public static void Stash(HttpContext http, Shown secret) =>
        http.Response.Cookies.Append(CookieName, Protector(http).Protect(JsonSerializer.Serialize(secret), Lifetime), new CookieOptions
        {
            Path = CookiePath, HttpOnly = true, Secure = http.Request.IsHttps, SameSite = SameSiteMode.Strict, MaxAge = Lifetime, IsEssential = true,
        });

    /// <summary>Takes the secret meant for this user's page, if any; it cannot be read a second time.</summary>
    public static Shown? Take(HttpContext http, Guid userId)
    {
        if (!http.Request.Cookies.TryGetValue(CookieName, out var protectedValue)) return null;
        Shown? secret;
        try
        {
            secret = JsonSerializer.Deserialize<Shown>(Protector(http).Unprotect(protectedValue));
        }
        catch (Exception e) when (e is CryptographicException or JsonException)
        {
            secret = null;
        }
        // A secret for another user's page stays for that page (until it expires).
        if (secret is not null && secret.UserId != userId) return null;
        http.Response.Cookies.Delete(CookieName, new CookieOptions { Path = CookiePath });
        http.Response.Headers.CacheControl = "no-store";
        return secret;
    }

    private static ITimeLimitedDataProtector Protector(HttpContext http) =>
        http.RequestServices.GetRequiredService<IDataProtectionProvider>().CreateProtector("HealthSync.Admin.Users.OnceSecret").ToTimeLimitedDataProtector();
}
