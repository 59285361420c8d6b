using System.Data.Common;
using HealthSync.Engine.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace HealthSync.Engine.Tests.Support;

/// <summary>
/// A fresh, empty database for one test host or test, on the provider the suite runs on: a SQLite file by default, or,
/// with <c>HEALTHSYNC_TEST_DATABASE=postgres</c>, a new database on the server that <c>HEALTHSYNC_TEST_PG</c> points
/// at (a superuser connection string), dropped again on dispose. One switch for every test keeps the whole suite
/// runnable on both providers without a second copy of any test.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _file;

    private TestDatabase(string provider, string connectionString, string? file)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _file = file;
    }

    /// <summary>The provider this test run uses (<see cref="DatabaseProviders"/>).</summary>
    public static string SuiteProvider { get; } = DatabaseProviders.Normalize(Environment.GetEnvironmentVariable("HEALTHSYNC_TEST_DATABASE"));

    public static bool OnPostgres => SuiteProvider == DatabaseProviders.Postgres;

    public string Provider { get; }
    public string ConnectionString { get; }
    public DatabaseOptions Options => new() { Provider = Provider, ConnectionString = ConnectionString };

    /// <summary>Creates the database; for SQLite a file <paramref name="name"/> in <paramref name="dir"/>.</summary>
    public static async Task<TestDatabase> CreateAsync(string dir, string name = "hs.db")
    {
        if (!OnPostgres)
        {
            var file = Path.Combine(dir, name);
            return new TestDatabase(DatabaseProviders.Sqlite, $"Data Source={file}", file);
        }
        var server = Environment.GetEnvironmentVariable("HEALTHSYNC_TEST_PG")
            ?? throw new InvalidOperationException("HEALTHSYNC_TEST_DATABASE=postgres needs HEALTHSYNC_TEST_PG (a connection string with the right to create databases).");
        var database = $"hs_test_{Guid.NewGuid():N}";
        await using (var admin = await OpenAdminAsync(server))
            await ExecuteAsync(admin, $"CREATE DATABASE \"{database}\"");
        var builder = new NpgsqlConnectionStringBuilder(server) { Database = database };
        return new TestDatabase(DatabaseProviders.Postgres, builder.ConnectionString, null);
    }

    public HealthSyncDb NewDb()
    {
        var options = new DbContextOptionsBuilder<HealthSyncDb>();
        DatabaseRegistration.Configure(options, Options);
        return new HealthSyncDb(options.Options);
    }

    /// <summary>A plain ADO.NET connection for tests that check the stored rows with SQL of their own.</summary>
    public async Task<DbConnection> OpenConnectionAsync()
    {
        DbConnection c = Provider == DatabaseProviders.Postgres ? new NpgsqlConnection(ConnectionString) : new SqliteConnection(ConnectionString);
        await c.OpenAsync();
        return c;
    }

    public async Task ExecAsync(string sql)
    {
        await using var c = await OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>A count or other single number, from SQL of the test's own.</summary>
    public async Task<long> ScalarAsync(string sql)
    {
        await using var c = await OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (_file is not null)
        {
            SqliteConnection.ClearPool(new SqliteConnection(ConnectionString));
            return;
        }
        var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
        await using (var pooled = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(pooled);
        var server = new NpgsqlConnectionStringBuilder(ConnectionString) { Database = "postgres" }.ConnectionString;
        await using var admin = await OpenAdminAsync(server);
        // FORCE: a connection the product still holds (a late background loop) must not keep the database alive.
        await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS \"{builder.Database}\" WITH (FORCE)");
    }

    private static async Task<NpgsqlConnection> OpenAdminAsync(string connectionString)
    {
        // Pooling off: these short administrative connections must not linger and count against the server's limit.
        var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await c.OpenAsync();
        return c;
    }

    private static async Task ExecuteAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
