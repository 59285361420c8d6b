using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Npgsql;

namespace HealthSync.Engine.Persistence;

/// <summary>
/// The one place that knows which database products the engine runs on. Everything that must differ between them
/// (connection setup, migration folder, the scheduler's store, the few queries written for a planner) asks here, so
/// adding or changing a provider means reading one file.
/// </summary>
public static class DatabaseProviders
{
    /// <summary>Embedded, single file; the default.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>A PostgreSQL server; for larger estates and more than one worker process.</summary>
    public const string Postgres = "postgres";

    /// <summary>The canonical name of a configured provider (<c>Database:Provider</c>), or a clear error for an unknown one.</summary>
    public static string Normalize(string? configured) => configured?.Trim().ToLowerInvariant() switch
    {
        null or "" or Sqlite => Sqlite,
        Postgres or "postgresql" or "npgsql" => Postgres,
        _ => throw new InvalidOperationException($"Database provider '{configured}' is not supported. Use '{Sqlite}' or '{Postgres}'."),
    };

    /// <summary>The provider a context is connected to; also names its migration folder (db/&lt;provider&gt;).</summary>
    public static string Of(DatabaseFacade database) => database.IsNpgsql() ? Postgres : Sqlite;

    public static bool IsPostgres(this DatabaseFacade database) => database.IsNpgsql();

    /// <summary>A LIKE pattern for "starts with <paramref name="prefix"/>", with LIKE's own characters escaped by a backslash.</summary>
    public static string LikePrefix(string prefix) =>
        prefix.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%";

    /// <summary>
    /// True when saving failed because a unique index refused a duplicate, on either provider. Callers that race on an
    /// idempotency key treat this as "someone else stored it first" and anything else as a real failure.
    /// </summary>
    public static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        SqliteException s => s.SqliteExtendedErrorCode is 2067 or 1555, // SQLITE_CONSTRAINT_UNIQUE, SQLITE_CONSTRAINT_PRIMARYKEY
        PostgresException p => p.SqlState == PostgresErrorCodes.UniqueViolation,
        _ => false,
    };
}
