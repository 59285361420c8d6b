using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Persistence;

public sealed class DatabaseOptions
{
    /// <summary><c>sqlite</c> (default, embedded) or <c>postgres</c>; see <see cref="DatabaseProviders"/>.</summary>
    public string Provider { get; set; } = DatabaseProviders.Sqlite;
    public string ConnectionString { get; set; } = "Data Source=.data/healthsync.db";

    /// <summary>PostgreSQL, where several processes share one database (clustered jobs, partition leases).</summary>
    public bool IsPostgres => DatabaseProviders.Normalize(Provider) == DatabaseProviders.Postgres;

    /// <summary>The configured section <c>Database</c>, for registration code that runs before options can be resolved.</summary>
    public static DatabaseOptions Of(IConfiguration configuration) => configuration.GetSection("Database").Get<DatabaseOptions>() ?? new DatabaseOptions();
}

public static class DatabaseRegistration
{
    /// <summary>Registers the engine's DbContext for the configured provider (section <c>Database</c>).</summary>
    public static IHostApplicationBuilder AddHealthSyncDatabase(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DatabaseOptions>().BindConfiguration("Database").ValidateOnStart();
        var options = DatabaseOptions.Of(builder.Configuration);
        builder.Services.AddSingleton<SqlitePragmas>();
        builder.Services.AddDbContext<HealthSyncDb>((sp, o) => Configure(o, options, sp.GetRequiredService<SqlitePragmas>()));
        builder.Services.AddDbContextFactory<HealthSyncDb>((sp, o) => Configure(o, options, sp.GetRequiredService<SqlitePragmas>()), ServiceLifetime.Scoped);
        return builder;
    }

    /// <summary>The engine's EF Core options for a provider; also used by the setup command and the tests.</summary>
    public static void Configure(DbContextOptionsBuilder o, DatabaseOptions options, SqlitePragmas? pragmas = null)
    {
        switch (DatabaseProviders.Normalize(options.Provider))
        {
            case DatabaseProviders.Sqlite:
                EnsureSqliteDirectory(options.ConnectionString);
                o.UseSqlite(options.ConnectionString);
                o.AddInterceptors(pragmas ?? new SqlitePragmas());
                break;
            case DatabaseProviders.Postgres:
                o.UseNpgsql(options.ConnectionString);
                break;
        }
    }

    private static void EnsureSqliteDirectory(string connectionString)
    {
        var builder = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (builder.TryGetValue("Data Source", out var ds) && ds is string path && path != ":memory:")
        {
            var dir = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        }
    }
}

/// <summary>
/// Per-connection SQLite settings. synchronous=FULL makes every committed transaction survive a crash of the
/// process or the machine: the inbox acknowledges only what is durable.
/// </summary>
public sealed class SqlitePragmas : DbConnectionInterceptor
{
    private const string Pragmas = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;";

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        cmd.ExecuteNonQuery();
    }

    public override async Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = Pragmas;
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}

/// <summary>
/// Applies the versioned SQL scripts under db/&lt;provider&gt;/ (embedded in this assembly) in order, once each,
/// recording them in schema_migrations. This is the explicit setup step; the application never creates schema
/// implicitly.
/// </summary>
public static class DatabaseMigrator
{
    public static IReadOnlyList<(string Version, string Sql)> Scripts(string provider)
    {
        var asm = typeof(DatabaseMigrator).Assembly;
        var prefix = $"HealthSync.Engine.db.{provider}.";
        return asm.GetManifestResourceNames()
            .Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(n => (n[prefix.Length..^4], Read(asm, n)))
            .ToList();
    }

    private static string Read(Assembly asm, string name)
    {
        using var stream = asm.GetManifestResourceStream(name)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <returns>The versions applied by this call.</returns>
    public static async Task<IReadOnlyList<string>> MigrateAsync(HealthSyncDb db, CancellationToken ct = default)
    {
        var provider = DatabaseProviders.Of(db.Database);
        await db.Database.OpenConnectionAsync(ct);
        try
        {
            await db.Database.ExecuteSqlRawAsync(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR(200) NOT NULL PRIMARY KEY, applied_at VARCHAR(40) NOT NULL)", ct);
            var applied = await db.Database.SqlQueryRaw<string>("SELECT version AS \"Value\" FROM schema_migrations").ToListAsync(ct);
            var done = new List<string>();
            foreach (var (version, sql) in Scripts(provider))
            {
                if (applied.Contains(version)) continue;
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                await db.Database.ExecuteSqlRawAsync(sql, ct);
                await db.Database.ExecuteSqlRawAsync(
                    "INSERT INTO schema_migrations (version, applied_at) VALUES ({0}, {1})", [version, DateTime.UtcNow.ToString("O")], ct);
                await tx.CommitAsync(ct);
                done.Add(version);
            }
            return done;
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
