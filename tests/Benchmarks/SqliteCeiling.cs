using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;

namespace HealthSync.Benchmarks;

internal sealed record CeilingResult(int Rows, int Batch, TimeSpan Elapsed)
{
    public double RowsPerSecond => Rows / Elapsed.TotalSeconds;
}

/// <summary>
/// The disk's limit for the engine's kind of write: batched inserts of lineage-shaped rows into a SQLite file with
/// the product's pragmas (WAL, synchronous=FULL), one prepared command, one transaction per batch.
/// </summary>
internal static class SqliteCeiling
{
    public static CeilingResult Measure(string path, int rows, int batch)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA busy_timeout=10000;
                CREATE TABLE lineage (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    correlation_id TEXT NOT NULL,
                    step TEXT NOT NULL,
                    system TEXT NOT NULL,
                    outcome TEXT NOT NULL,
                    detail TEXT,
                    at TEXT NOT NULL);
                """;
            setup.ExecuteNonQuery();
        }

        using var insert = connection.CreateCommand();
        insert.CommandText = "INSERT INTO lineage (correlation_id, step, system, outcome, detail, at) VALUES ($c, $s, $y, $o, $d, $a)";
        var correlation = insert.Parameters.Add("$c", SqliteType.Text);
        var step = insert.Parameters.Add("$s", SqliteType.Text);
        var system = insert.Parameters.Add("$y", SqliteType.Text);
        var outcome = insert.Parameters.Add("$o", SqliteType.Text);
        var detail = insert.Parameters.Add("$d", SqliteType.Text);
        var at = insert.Parameters.Add("$a", SqliteType.Text);
        string[] steps = ["received", "parsed", "validated", "mapped", "routed", "delivered", "posted"];
        string[] systems = ["POU|NGH", "engine", "erp", "billing", "warehouse"];

        var watch = Stopwatch.StartNew();
        var written = 0;
        while (written < rows)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            if (written == 0) insert.Prepare();
            var end = Math.Min(rows, written + batch);
            for (; written < end; written++)
            {
                correlation.Value = Guid.CreateVersion7().ToString();
                step.Value = steps[written % steps.Length];
                system.Value = systems[written % systems.Length];
                outcome.Value = "ok";
                detail.Value = $"erp.inventory.decrement HTTP 200 after 1 attempt(s), {written % 97} ms";
                at.Value = DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }
            tx.Commit();
        }
        watch.Stop();

        using (var check = connection.CreateCommand())
        {
            check.CommandText = "SELECT COUNT(*) FROM lineage";
            var count = Convert.ToInt64(check.ExecuteScalar(), CultureInfo.InvariantCulture);
            if (count != rows) throw new InvalidOperationException($"Expected {rows} rows in the ceiling table, found {count}.");
        }
        return new CeilingResult(rows, batch, watch.Elapsed);
    }
}
