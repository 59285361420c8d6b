namespace HealthSync.Portal.Admin.Users;

/// <summary>A user as administrators see it; never carries the password hash.</summary>
public sealed record UserView(Guid Id, string UserName, string DisplayName, string Role, string RoleLabel, string? Team, bool Disabled,
    DateTime CreatedAt, bool MustChangePassword, DateTime? PasswordChangedAt, int ActiveApiKeys);

/// <summary>One user with every API key issued to them, revoked ones included.</summary>
public sealed record UserDetail(UserView User, IReadOnlyList<ApiKeyView> ApiKeys);

/// <summary>An API key as listed: its name and the first characters to recognise it by, never the secret or its hash.</summary>
public sealed record ApiKeyView(Guid Id, string Name, string Prefix, DateTime CreatedAt, DateTime? LastUsedAt, DateTime? RevokedAt);

/// <summary>A key just issued: the only moment its secret is ever shown.</summary>
public sealed record NewApiKey(ApiKeyView ApiKey, string Key);

/// <summary>The outcome of a password reset; carries the temporary password only when it was generated.</summary>
public sealed record PasswordReset(UserView User, string? TemporaryPassword);

public sealed record NewUserRequest(string? UserName, string? DisplayName, string? Role, string? Team, string? Password, bool MustChangePassword = false);

public sealed record UserChangesRequest(string? DisplayName, string? Role, string? Team);

public sealed record PasswordResetRequest(string? TemporaryPassword);

public sealed record ApiKeyRequest(string? Name);

/// <summary>Why a user was disabled or enabled, or a key revoked; kept in the audit log.</summary>
public sealed record ReasonRequest(string? Reason);
