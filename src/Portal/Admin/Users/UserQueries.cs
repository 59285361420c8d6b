using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Admin.Users;

/// <summary>The reads behind the users pages and <c>/api/v1/admin/users</c>, so both list and count alike.</summary>
public static class UserQueries
{
    public static async Task<IReadOnlyList<UserView>> ListAsync(HealthSyncDb db, string? search, CancellationToken ct)
    {
        var users = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(search))
        {
            var q = search.Trim().ToLowerInvariant();
            users = users.Where(u => u.UserName.ToLower().Contains(q) || u.DisplayName.ToLower().Contains(q) || (u.Team != null && u.Team.ToLower().Contains(q)));
        }
        return await Views(db, users.OrderBy(u => u.UserName)).ToListAsync(ct);
    }

    public static Task<UserView?> GetAsync(HealthSyncDb db, Guid id, CancellationToken ct) =>
        Views(db, db.Users.AsNoTracking().Where(u => u.Id == id)).FirstOrDefaultAsync(ct);

    public static async Task<UserDetail?> DetailAsync(HealthSyncDb db, Guid id, CancellationToken ct) =>
        await GetAsync(db, id, ct) is { } user ? new UserDetail(user, await KeysAsync(db, id, ct)) : null;

    public static async Task<IReadOnlyList<ApiKeyView>> KeysAsync(HealthSyncDb db, Guid userId, CancellationToken ct) =>
        await db.ApiKeys.AsNoTracking().Where(k => k.UserId == userId)
            .OrderBy(k => k.RevokedAt != null).ThenByDescending(k => k.CreatedAt)
            .Select(k => new ApiKeyView(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(ct);

    /// <summary>The teams work is routed to and people belong to, offered when assigning a team (a new one is accepted too).</summary>
    public static async Task<IReadOnlyList<string>> TeamsAsync(HealthSyncDb db, CancellationToken ct)
    {
        var routed = await db.RoutingRules.AsNoTracking().Select(r => r.Team).Distinct().ToListAsync(ct);
        var people = await db.Users.AsNoTracking().Where(u => u.Team != null).Select(u => u.Team!).Distinct().ToListAsync(ct);
        return [.. routed.Union(people).Order(StringComparer.Ordinal)];
    }

    private static IQueryable<UserView> Views(HealthSyncDb db, IQueryable<User> users) =>
        users.Select(u => new UserView(u.Id, u.UserName, u.DisplayName, u.Role, Roles.Label(u.Role), u.Team, u.Disabled, u.CreatedAt, u.MustChangePassword,
            u.PasswordChangedAt, db.ApiKeys.Count(k => k.UserId == u.Id && k.RevokedAt == null)));
}
