using HealthSync.Portal.Admin.Mappings;

namespace HealthSync.Portal.Admin;

/// <summary>The administration form posts and <c>/api/v1/admin</c>: administrators only.</summary>
public static class AdminEndpoints
{
    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder app)
    {
        app.MapMappingAdmin();
        Ownership.OwnershipEndpoints.MapOwnershipAdmin(app);
        app.MapSettingsAdmin();
        Users.UserAdminApi.MapUserAdmin(app);
        return app;
    }
}
