using System.Security.Claims;
using HealthSync.Engine.Mappings;
using Microsoft.AspNetCore.Authentication;

namespace HealthSync.Portal.Security;

/// <summary>
/// Adds to each request's principal whether its role sees patient identifiers unmasked, as the administrators' setting in
/// the current snapshot says. The claim is computed per request and never stored in the sign-in cookie, so a change to
/// the setting applies to everyone's next request without signing anybody out.
/// </summary>
public sealed class PhiClaims(MappingCatalog catalog) : IClaimsTransformation
{
    public const string ClaimType = "healthsync:phi";
    public const string Unmasked = "unmasked";
    public const string Masked = "masked";

    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        if (principal.Identity is not ClaimsIdentity { IsAuthenticated: true }) return principal;
        var settings = (await catalog.CurrentAsync()).Settings;
        var copy = principal.Clone();
        var identity = (ClaimsIdentity)copy.Identity!;
        // Authentication may run more than once per request; whatever was there before is replaced, never trusted.
        foreach (var stale in identity.FindAll(ClaimType).ToList()) identity.RemoveClaim(stale);
        identity.AddClaim(new Claim(ClaimType, settings.SeesPhi(copy.FindFirstValue(ClaimTypes.Role)) ? Unmasked : Masked));
        return copy;
    }
}
