using System.Data.Common;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Persistence;

public class SchemaTests
{
    [Fact]
    public async Task The_migrated_schema_matches_the_EF_model()
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-schema-").FullName;
        try
        {
            await using var migrated = await TestDatabase.CreateAsync(dir, "migrated.db");
            await using var modelled = await TestDatabase.CreateAsync(dir, "model.db");
            await using (var db = migrated.NewDb()) await DatabaseMigrator.MigrateAsync(db);
            // The model's own DDL serves only as the oracle here; the product never creates schema this way.
            await using (var db = modelled.NewDb()) await db.Database.EnsureCreatedAsync();

            var expected = await DescribeAsync(modelled);
            var actual = await DescribeAsync(migrated);

            actual.ShouldBe(expected);
            expected.Count.ShouldBeGreaterThan(50);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Migrations_apply_once_and_are_recorded()
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-schema-").FullName;
        try
        {
            await using var database = await TestDatabase.CreateAsync(dir);
            await using var db = database.NewDb();
            (await DatabaseMigrator.MigrateAsync(db)).ShouldContain("0001_initial");
            (await DatabaseMigrator.MigrateAsync(db)).ShouldBeEmpty();
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_provider_has_the_same_migrations()
    {
        DatabaseMigrator.Scripts(DatabaseProviders.Postgres).Select(s => s.Version)
            .ShouldBe(DatabaseMigrator.Scripts(DatabaseProviders.Sqlite).Select(s => s.Version));
    }

    /// <summary>Every table's columns (name, type, nullability, primary key) and every index with its columns and uniqueness.</summary>
    private static async Task<List<string>> DescribeAsync(TestDatabase database)
    {
        await using var c = await database.OpenConnectionAsync();
        return database.Provider == DatabaseProviders.Postgres ? await DescribePostgresAsync(c) : await DescribeSqliteAsync(c);
    }

    private static async Task<List<string>> DescribeSqliteAsync(DbConnection c)
    {
        var lines = new List<string>();
        foreach (var t in await QueryAsync(c, "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations' AND name NOT LIKE 'QRTZ_%' ORDER BY name"))
        {
            lines.AddRange((await QueryAsync(c, $"SELECT name || ' ' || type || ' notnull=' || \"notnull\" || ' pk=' || pk FROM pragma_table_info('{t}') ORDER BY name"))
                .Select(column => $"{t}.{column}"));
            lines.AddRange((await QueryAsync(c, $"SELECT il.name || ' unique=' || il.\"unique\" || ' on ' || (SELECT group_concat(name, ',') FROM pragma_index_info(il.name)) FROM pragma_index_list('{t}') il WHERE il.origin = 'c' ORDER BY il.name"))
                .Select(index => $"{t} index {index}"));
        }
        return lines;
    }

    /// <summary>
    /// The same description from PostgreSQL's catalog: column type with length, nullability, identity and default, primary
    /// key columns, and each index's full definition (columns, order, uniqueness).
    /// </summary>
    private static async Task<List<string>> DescribePostgresAsync(DbConnection c)
    {
        const string ours = "table_schema = 'public' AND table_name <> 'schema_migrations' AND table_name NOT LIKE 'qrtz\\_%'";
        var columns = await QueryAsync(c, $"""
            SELECT col.table_name || '.' || col.column_name || ' ' || col.data_type || coalesce('(' || col.character_maximum_length || ')', '')
                || ' nullable=' || col.is_nullable || ' identity=' || col.is_identity || ' default=' || coalesce(col.column_default, '-')
                || ' pk=' || (CASE WHEN EXISTS (
                    SELECT 1 FROM information_schema.table_constraints tc
                    JOIN information_schema.key_column_usage k ON k.constraint_name = tc.constraint_name AND k.table_schema = tc.table_schema
                    WHERE tc.constraint_type = 'PRIMARY KEY' AND tc.table_schema = col.table_schema AND tc.table_name = col.table_name
                      AND k.column_name = col.column_name) THEN 1 ELSE 0 END)
            FROM information_schema.columns col WHERE {ours.Replace("table_", "col.table_")} ORDER BY col.table_name, col.column_name
            """);
        var indexes = await QueryAsync(c,
            $"SELECT indexdef FROM pg_indexes WHERE {ours.Replace("table_schema", "schemaname").Replace("table_name", "tablename")} ORDER BY tablename, indexname");
        return [.. columns, .. indexes];
    }

    private static async Task<List<string>> QueryAsync(DbConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<string>();
        while (await r.ReadAsync()) rows.Add(r.GetString(0));
        return rows;
    }
}
