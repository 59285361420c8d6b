using System.Security.Claims;
using System.Text.RegularExpressions;
using HealthSync.Engine;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Account;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Admin.Users;

/// <summary>
/// Administrators' changes to users and their API keys: validation, the rules that keep the portal administrable (nobody
/// disables themselves; the last enabled administrator is neither disabled nor demoted), the change itself and its audit
/// entry. The pages' form posts and <c>/api/v1/admin/users</c> both go through here, so they accept, refuse and record alike.
/// </summary>
public sealed partial class UserAdministration(HealthSyncDb db, TimeProvider time, ClaimsPrincipal actor)
{
    public const int MaxDisplayName = 100;
    public const int MaxTeam = 64;
    public const int MaxKeyName = 80;

    /// <summary>People's roles, plus the system accounts of sending interfaces (which may hold API keys but never sign in).</summary>
    public static readonly IReadOnlyList<string> AssignableRoles = [.. Roles.People, Roles.Integration];

    /// <summary>Minimal API binding: the database and clock of the request, acting as the signed-in administrator.</summary>
    public static ValueTask<UserAdministration?> BindAsync(HttpContext http) => ValueTask.FromResult<UserAdministration?>(
        new UserAdministration(http.RequestServices.GetRequiredService<HealthSyncDb>(), http.RequestServices.GetRequiredService<TimeProvider>(), http.User));

    public async Task<AdminOutcome<UserView>> CreateAsync(NewUserRequest request, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var userName = request.UserName?.Trim() ?? "";
        if (!UserNamePattern().IsMatch(userName))
            errors["userName"] = ["A user name has 2 to 64 letters, digits, dots, hyphens, underscores or @, and starts with a letter or digit."];
        else if (await IsTakenAsync(userName, ct))
            errors["userName"] = [$"The user name '{userName}' is already taken."];
        CheckProfile(errors, request.DisplayName, request.Role, request.Team);
        // Interface accounts never sign in; given no password, they get a random one that nobody is told.
        var password = string.IsNullOrEmpty(request.Password) && request.Role == Roles.Integration ? Passwords.Generate() : request.Password;
        if (Passwords.Problem(password) is { } problem) errors["password"] = [problem];
        if (errors.Count > 0) return AdminOutcome<UserView>.Invalid(errors);

        var user = new User
        {
            Id = Guid.CreateVersion7(), UserName = userName, DisplayName = request.DisplayName!.Trim(), Role = request.Role!, Team = TeamOrNull(request.Team),
            PasswordHash = "", CreatedAt = Now, MustChangePassword = request.MustChangePassword,
        };
        Passwords.Set(user, password!);
        db.Users.Add(user);
        Audit("user.create", user, null, Snapshot(user));
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Someone else created the same user name a moment ago; anything else is not ours to explain.
            db.ChangeTracker.Clear();
            if (!await IsTakenAsync(userName, ct)) throw;
            return AdminOutcome<UserView>.Invalid("userName", $"The user name '{userName}' is already taken.");
        }
        return AdminOutcome<UserView>.Changed($"User '{userName}' created.", (await UserQueries.GetAsync(db, user.Id, ct))!);
    }

    public async Task<AdminOutcome<UserView>> UpdateAsync(Guid id, UserChangesRequest request, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } user) return UserMissing<UserView>();
        var errors = new Dictionary<string, string[]>();
        CheckProfile(errors, request.DisplayName, request.Role, request.Team);
        if (errors.Count > 0) return AdminOutcome<UserView>.Invalid(errors);
        if (request.Role != Roles.Admin && await IsLastEnabledAdminAsync(user, ct))
            return AdminOutcome<UserView>.Refused($"'{user.UserName}' is the last enabled administrator; make someone else an administrator first.");

        var before = Snapshot(user);
        user.DisplayName = request.DisplayName!.Trim();
        user.Role = request.Role!;
        user.Team = TeamOrNull(request.Team);
        if (!db.ChangeTracker.HasChanges()) return await DoneAsync(user, $"Nothing to change for '{user.UserName}'.", ct);
        Audit("user.update", user, before, Snapshot(user));
        await db.SaveChangesAsync(ct);
        return await DoneAsync(user, $"User '{user.UserName}' updated.", ct);
    }

    public async Task<AdminOutcome<UserView>> SetDisabledAsync(Guid id, bool disabled, string? reason, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } user) return UserMissing<UserView>();
        var state = disabled ? "disabled" : "enabled";
        if (user.Disabled == disabled) return await DoneAsync(user, $"'{user.UserName}' is already {state}.", ct);
        if (disabled && IsActor(user)) return AdminOutcome<UserView>.Refused("You cannot disable your own account; ask another administrator.");
        if (disabled && await IsLastEnabledAdminAsync(user, ct))
            return AdminOutcome<UserView>.Refused($"'{user.UserName}' is the last enabled administrator and cannot be disabled.");

        var before = Snapshot(user);
        user.Disabled = disabled;
        Audit(disabled ? "user.disable" : "user.enable", user, before, Snapshot(user), ReasonOrNull(reason));
        await db.SaveChangesAsync(ct);
        return await DoneAsync(user, disabled
            ? $"'{user.UserName}' is disabled: sign-in, open sessions and API keys stop working."
            : $"'{user.UserName}' is enabled again.", ct);
    }

    /// <summary>Sets a temporary password (generated when none is given) that the user must change at the next sign-in.</summary>
    public async Task<AdminOutcome<PasswordReset>> ResetPasswordAsync(Guid id, string? temporaryPassword, CancellationToken ct)
    {
        if (await FindAsync(id, ct) is not { } user) return UserMissing<PasswordReset>();
        var generated = string.IsNullOrEmpty(temporaryPassword) ? Passwords.Generate() : null;
        if (generated is null && Passwords.Problem(temporaryPassword) is { } problem)
            return AdminOutcome<PasswordReset>.Invalid("temporaryPassword", problem);

        var before = Snapshot(user);
        Passwords.Set(user, generated ?? temporaryPassword!);
        user.MustChangePassword = true;
        Audit("user.password-reset", user, before, Snapshot(user), generated is null ? "temporary password set by the administrator" : "temporary password generated");
        await db.SaveChangesAsync(ct);
        var view = (await UserQueries.GetAsync(db, user.Id, ct))!;
        return AdminOutcome<PasswordReset>.Changed(
            $"Password of '{user.UserName}' reset; they must choose a new one at their next sign-in.", new PasswordReset(view, generated));
    }

    public async Task<AdminOutcome<NewApiKey>> CreateApiKeyAsync(Guid userId, string? name, CancellationToken ct)
    {
        if (await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct) is not { } user) return UserMissing<NewApiKey>();
        var keyName = name?.Trim() ?? "";
        if (keyName.Length is 0 or > MaxKeyName)
            return AdminOutcome<NewApiKey>.Invalid("name", $"A key needs a name of 1 to {MaxKeyName} characters, e.g. what will use it.");
        if (user.Disabled) return AdminOutcome<NewApiKey>.Refused($"'{user.UserName}' is disabled; enable the account before issuing keys.");

        var secret = ApiKeyHashing.NewKey();
        var key = new ApiKey { Id = Guid.CreateVersion7(), UserId = user.Id, Name = keyName, Prefix = secret[..10], KeyHash = ApiKeyHashing.Hash(secret), CreatedAt = Now };
        db.ApiKeys.Add(key);
        AdminAudit.Record(db, actor, "api-key.create", "api-key", key.Id.ToString(), Now, after: Snapshot(key, user.UserName));
        await db.SaveChangesAsync(ct);
        return AdminOutcome<NewApiKey>.Changed($"API key '{keyName}' created for '{user.UserName}'.", new NewApiKey(View(key), secret));
    }

    public async Task<AdminOutcome<ApiKeyView>> RevokeApiKeyAsync(Guid userId, Guid keyId, string? reason, CancellationToken ct)
    {
        var found = await db.ApiKeys.Where(k => k.Id == keyId && k.UserId == userId)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { Key = k, u.UserName }).FirstOrDefaultAsync(ct);
        if (found is null) return AdminOutcome<ApiKeyView>.NotFound("There is no such API key for this user.");
        var key = found.Key;
        if (key.RevokedAt is not null) return AdminOutcome<ApiKeyView>.Refused($"API key '{key.Name}' was already revoked.");

        var before = Snapshot(key, found.UserName);
        key.RevokedAt = Now;
        AdminAudit.Record(db, actor, "api-key.revoke", "api-key", key.Id.ToString(), Now, before, Snapshot(key, found.UserName), ReasonOrNull(reason));
        await db.SaveChangesAsync(ct);
        return AdminOutcome<ApiKeyView>.Changed($"API key '{key.Name}' of '{found.UserName}' revoked.", View(key));
    }

    /// <summary>What the audit log keeps of a user: never the password hash.</summary>
    public static object Snapshot(User u) => new { u.UserName, u.DisplayName, u.Role, u.Team, u.Disabled, u.MustChangePassword, u.PasswordChangedAt };

    /// <summary>What the audit log keeps of an API key: never the secret or its hash.</summary>
    private static object Snapshot(ApiKey k, string userName) => new { User = userName, k.Name, k.Prefix, k.CreatedAt, k.RevokedAt };

    private static ApiKeyView View(ApiKey k) => new(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt);

    private DateTime Now => time.GetUtcNow().UtcDateTime;

    private void Audit(string action, User user, object? before, object? after, string? reason = null) =>
        AdminAudit.Record(db, actor, action, "user", user.UserName, Now, before, after, reason);

    private static void CheckProfile(Dictionary<string, string[]> errors, string? displayName, string? role, string? team)
    {
        if (string.IsNullOrWhiteSpace(displayName) || displayName.Trim().Length > MaxDisplayName)
            errors["displayName"] = [$"A display name has 1 to {MaxDisplayName} characters."];
        if (role is null || !AssignableRoles.Contains(role))
            errors["role"] = [$"Choose a role: {string.Join(", ", AssignableRoles)}."];
        if (TeamOrNull(team) is { } t && (t.Length > MaxTeam || !TeamPattern().IsMatch(t)))
            errors["team"] = [$"A team is up to {MaxTeam} lower-case letters, digits and hyphens, e.g. revenue-cycle."];
    }

    private static string? TeamOrNull(string? team) => string.IsNullOrWhiteSpace(team) ? null : team.Trim();

    private static string? ReasonOrNull(string? reason) => reason?.Trim() is { Length: > 0 } r ? r[..Math.Min(500, r.Length)] : null;

    private Task<bool> IsTakenAsync(string userName, CancellationToken ct) =>
        db.Users.AnyAsync(u => u.UserName.ToLower() == userName.ToLowerInvariant(), ct);

    private bool IsActor(User user) => actor.FindFirstValue(ClaimTypes.NameIdentifier) == user.Id.ToString();

    private async Task<bool> IsLastEnabledAdminAsync(User user, CancellationToken ct) =>
        user is { Role: Roles.Admin, Disabled: false } && !await db.Users.AnyAsync(u => u.Id != user.Id && u.Role == Roles.Admin && !u.Disabled, ct);

    private async Task<AdminOutcome<UserView>> DoneAsync(User user, string message, CancellationToken ct) =>
        AdminOutcome<UserView>.Changed(message, (await UserQueries.GetAsync(db, user.Id, ct))!);

    private Task<User?> FindAsync(Guid id, CancellationToken ct) => db.Users.FirstOrDefaultAsync(u => u.Id == id, ct);

    private static AdminOutcome<T> UserMissing<T>() => AdminOutcome<T>.NotFound("There is no such user.");

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@-]{1,63}$")]
    private static partial Regex UserNamePattern();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex TeamPattern();
}
