using System.Security.Claims;
using System.Text.Encodings.Web;
using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Transports;
using HealthSync.Portal.Account;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthSync.Portal.Security;

public static class Policies
{
    public const string People = "people";
    public const string Admin = "admin";
    public const string Intake = FhirEndpoints.IntakePolicy;
}

public static class PortalSecurity
{
    public const string ApiKeyScheme = "ApiKey";
    public const string ApiKeyHeader = "X-Api-Key";
    private const string Smart = "Smart";

    /// <summary>
    /// Browsers sign in with a cookie; scripts and interfaces present a per-user API key in X-Api-Key. Every
    /// endpoint requires a signed-in person unless it says otherwise.
    /// </summary>
    public static WebApplicationBuilder AddPortalSecurity(this WebApplicationBuilder builder)
    {
        builder.Services.AddAuthentication(Smart)
            .AddPolicyScheme(Smart, "Cookie or API key", o => o.ForwardDefaultSelector = ctx =>
                ctx.Request.Headers.ContainsKey(ApiKeyHeader) ? ApiKeyScheme : CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.LoginPath = "/account/login";
                o.AccessDeniedPath = "/account/denied";
                o.Cookie.Name = "healthsync.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(8);
                o.Events.OnValidatePrincipal = SessionCheck.ValidateAsync;
                o.Events.OnRedirectToLogin = ctx =>
                {
                    SessionCheck.RedirectToPasswordChange(ctx);
                    return ApiAware(ctx, StatusCodes.Status401Unauthorized);
                };
                o.Events.OnRedirectToAccessDenied = ctx => ApiAware(ctx, StatusCodes.Status403Forbidden);
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(ApiKeyScheme, null);
        builder.Services.AddTransient<IClaimsTransformation, PhiClaims>();

        builder.Services.AddAuthorizationBuilder()
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole([.. Roles.People]).Build())
            .AddPolicy(Policies.People, p => p.RequireAuthenticatedUser().RequireRole([.. Roles.People]))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(Roles.Admin))
            .AddPolicy(Policies.Intake, p => p.RequireAuthenticatedUser().RequireRole(Roles.Integration, Roles.Admin));
        return builder;
    }

    private static Task ApiAware(RedirectContext<CookieAuthenticationOptions> ctx, int status)
    {
        var path = ctx.Request.Path;
        if (path.StartsWithSegments("/api") || path.StartsWithSegments("/fhir") || path.StartsWithSegments("/openapi") || path.StartsWithSegments("/fragments"))
        {
            ctx.Response.StatusCode = status;
            return Task.CompletedTask;
        }
        ctx.Response.Redirect(ctx.RedirectUri);
        return Task.CompletedTask;
    }

    public static ClaimsPrincipal Principal(User user, string scheme) => new(new ClaimsIdentity(
    [
        new Claim(ClaimTypes.NameIdentifier, user.Id.ToString()),
        new Claim(ClaimTypes.Name, user.UserName),
        new Claim("display_name", user.DisplayName),
        new Claim(ClaimTypes.Role, user.Role),
        .. user.Team is null ? Array.Empty<Claim>() : [new Claim("team", user.Team)],
    ], scheme));
}

/// <summary>Authenticates X-Api-Key against the hashed keys of active users and records when each key was last used.</summary>
public sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, HealthSyncDb db, TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var presented = Request.Headers[PortalSecurity.ApiKeyHeader].ToString();
        if (string.IsNullOrEmpty(presented)) return AuthenticateResult.NoResult();
        var hash = ApiKeyHashing.Hash(presented);
        var found = await db.ApiKeys
            .Where(k => k.KeyHash == hash && k.RevokedAt == null)
            .Join(db.Users.Where(u => !u.Disabled), k => k.UserId, u => u.Id, (k, u) => new { Key = k, User = u })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (found is null) return AuthenticateResult.Fail("Unknown or revoked API key.");
        var now = time.GetUtcNow().UtcDateTime;
        // Recording every use would make each API call a write; minute resolution is what "last used" needs.
        if (found.Key.LastUsedAt is null || now - found.Key.LastUsedAt > TimeSpan.FromMinutes(1))
            await db.ApiKeys.Where(k => k.Id == found.Key.Id).ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, now), Context.RequestAborted);
        return AuthenticateResult.Success(new AuthenticationTicket(PortalSecurity.Principal(found.User, Scheme.Name), Scheme.Name));
    }
}

public static class UserExtensions
{
    public static string? Role(this ClaimsPrincipal user) => user.FindFirstValue(ClaimTypes.Role);
    /// <summary>Whether the user sees patient identifiers unmasked: the setting for their role, added per request by <see cref="PhiClaims"/>.</summary>
    public static bool SeesPhi(this ClaimsPrincipal user) => user.HasClaim(PhiClaims.ClaimType, PhiClaims.Unmasked);
    public static string DisplayName(this ClaimsPrincipal user) => user.FindFirstValue("display_name") ?? user.Identity?.Name ?? "";
}

/// <summary>Masks patient identifiers for roles without need: keeps the last two characters so people can still tell rows apart.</summary>
public static class PhiMask
{
    public static string? Mask(string? value, bool seesPhi) =>
        value is null || seesPhi ? value : value.Length <= 2 ? "••" : new string('•', Math.Min(6, value.Length - 2)) + value[^2..];
}
