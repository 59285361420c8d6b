using HealthSync.Engine.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Persistence;

public class SchemaTests
{
    [Fact]
    public async Task The_migrated_schema_matches_the_EF_model()
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-schema-").FullName;
        try
        {
            var migrated = Path.Combine(dir, "migrated.db");
            var modelled = Path.Combine(dir, "model.db");
            await using (var db = Db(migrated)) await DatabaseMigrator.MigrateAsync(db);
            // The model's own DDL serves only as the oracle here; the product never creates schema this way.
            await using (var db = Db(modelled)) await db.Database.EnsureCreatedAsync();

            var expected = await DescribeAsync(modelled);
            var actual = await DescribeAsync(migrated);

            actual.ShouldBe(expected);
            expected.Count.ShouldBeGreaterThan(50);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Migrations_apply_once_and_are_recorded()
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-schema-").FullName;
        try
        {
            await using var db = Db(Path.Combine(dir, "hs.db"));
            (await DatabaseMigrator.MigrateAsync(db)).ShouldContain("0001_initial");
            (await DatabaseMigrator.MigrateAsync(db)).ShouldBeEmpty();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(dir, recursive: true);
        }
    }

    private static HealthSyncDb Db(string path)
    {
        var options = new DbContextOptionsBuilder<HealthSyncDb>();
        DatabaseRegistration.Configure(options, new DatabaseOptions { ConnectionString = $"Data Source={path}" });
        return new HealthSyncDb(options.Options);
    }

    /// <summary>Every table's columns (name, type, nullability, primary key) and every index with its columns and uniqueness.</summary>
    private static async Task<List<string>> DescribeAsync(string path)
    {
        var lines = new List<string>();
        await using var c = new SqliteConnection($"Data Source={path}");
        await c.OpenAsync();
        var tables = new List<string>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' AND name NOT LIKE 'QRTZ_%' ORDER BY name";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) tables.Add(r.GetString(0));
        }
        foreach (var t in tables)
        {
            await using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = $"SELECT name, type, \"notnull\", pk FROM pragma_table_info('{t}') ORDER BY name";
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) lines.Add($"{t}.{r.GetString(0)} {r.GetString(1)} notnull={r.GetInt64(2)} pk={r.GetInt64(3)}");
            }
            await using (var cmd = c.CreateCommand())
            {
                cmd.CommandText = $"SELECT il.name, il.\"unique\", (SELECT group_concat(name, ',') FROM pragma_index_info(il.name)) FROM pragma_index_list('{t}') il WHERE il.origin = 'c' ORDER BY il.name";
                await using var r = await cmd.ExecuteReaderAsync();
                while (await r.ReadAsync()) lines.Add($"{t} index {r.GetString(0)} unique={r.GetInt64(1)} on {r.GetString(2)}");
            }
        }
        return lines;
    }
}
