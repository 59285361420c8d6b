using System.Diagnostics;
using HealthSync.Benchmarks;

// End-to-end throughput of workflow 1 (supply consumption -> charge capture) through the real MLLP listener,
// followed by the raw batched SQLite insert ceiling of the same disk for comparison.
//   dotnet run -c Release --project tests/Benchmarks -- [--events N] [--connections C]
// Parse throughput per format on the sample corpus only:
//   dotnet run -c Release --project tests/Benchmarks -- --parse
// Exception queues, detail page and bulk actions over a seeded database (see ExceptionQueueBenchmark.cs):
//   dotnet run -c Release --project tests/Benchmarks -- --exceptions [N] [--runs R] [--keep] [--seed-only]
// Engine throughput with 1, 2 and 4 worker processes on PostgreSQL beside one process on SQLite (see ScaleBenchmark.cs);
// starts a throwaway PostgreSQL with scripts/postgres.sh unless --pg gives a server (a user that may create databases):
//   dotnet run -c Release --project tests/Benchmarks -- --scale [N] [--workers 1,2,4] [--pg CONNECTION]
if (args is ["--scale", ..])
{
    if (ScaleBenchmark.ParseArgs(args) is not { } scale)
    {
        Console.Error.WriteLine("Usage: HealthSync.Benchmarks --scale [N] [--workers 1,2,4] [--pg CONNECTION]");
        return 2;
    }
    return await ScaleBenchmark.RunAsync(scale.Events, scale.Server, scale.Workers, new Report());
}

if (args is ["--exceptions", ..])
{
    var exceptionCount = 1_000_000;
    var runs = 50;
    var keep = false;
    var seedOnly = false;
    for (var i = 1; i < args.Length; i++)
    {
        if (args[i] == "--keep") keep = true;
        else if (args[i] == "--seed-only") seedOnly = keep = true;
        else if (args[i] == "--runs" && i + 1 < args.Length && int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var r) && r > 0)
        {
            runs = r;
            i++;
        }
        else if (int.TryParse(args[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0)
        {
            exceptionCount = n;
        }
        else
        {
            Console.Error.WriteLine("Usage: HealthSync.Benchmarks --exceptions [N] [--runs R] [--keep] [--seed-only]");
            return 2;
        }
    }
    return await ExceptionQueueBenchmark.RunAsync(exceptionCount, runs, keep, seedOnly, new Report());
}

// KPI dashboard and lineage search over 1,000,000 transactions / 10,000,000 lineage steps (see DashboardBenchmark.cs):
//   dotnet run -c Release --project tests/Benchmarks -- --dashboard [N] [--runs R] [--keep]
if (args is ["--dashboard", ..])
{
    var count = 1_000_000;
    var dashboardRuns = 50;
    var keepDb = false;
    for (var i = 1; i < args.Length; i++)
    {
        if (args[i] == "--keep") keepDb = true;
        else if (args[i] == "--runs" && i + 1 < args.Length && int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var r) && r > 0)
        {
            dashboardRuns = r;
            i++;
        }
        else if (int.TryParse(args[i], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n > 0) count = n;
        else
        {
            Console.Error.WriteLine("Usage: HealthSync.Benchmarks --dashboard [N] [--runs R] [--keep]");
            return 2;
        }
    }
    return await DashboardBenchmark.RunAsync(count, dashboardRuns, keepDb, new Report());
}

// Reconciliation matchers on 1,000,000 invoice lines and 1,000,000 usage events (target: under 10 s each):
//   dotnet run -c Release --project tests/Benchmarks -- --reconciliation
if (args is ["--reconciliation"])
{
    return ReconciliationSpeed.Measure(new Report()) ? 0 : 1;
}

if (args is ["--parse"])
{
    var parseReport = new Report();
    ParseThroughput.Measure(parseReport, TimeSpan.FromSeconds(3));
    return 0;
}

var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("Usage: HealthSync.Benchmarks [--events N] [--connections C] | --parse | --exceptions [N] [--runs R] | --reconciliation");
    return 2;
}

var total = Stopwatch.StartNew();
var dir = Path.Combine(Path.GetTempPath(), "healthsync-bench-" + Guid.NewGuid().ToString("N")[..12]);
Directory.CreateDirectory(dir);
var report = new Report();
report.Line("events", options.Events, "messages");
report.Line("connections", options.Connections, "MLLP connections");
report.Text("temp dir", dir);
var ok = false;
try
{
    EngineResult engine;
    await using (var run = await EngineRun.StartAsync(dir, report))
    {
        engine = await run.MeasureAsync(options);
        await run.StopAsync();
    }

    var ceiling = SqliteCeiling.Measure(Path.Combine(dir, "ceiling.db"), rows: 200_000, batch: 1_000);
    report.Line("raw SQLite ceiling: rows inserted", ceiling.Rows, "rows");
    report.Line("raw SQLite ceiling: transaction size", ceiling.Batch, "rows");
    report.Line("raw SQLite ceiling: elapsed", ceiling.Elapsed.TotalSeconds, "s", "0.00");
    report.Line("raw SQLite ceiling: insert rate", ceiling.RowsPerSecond, "rows/s", "0");
    if (engine.RowsPerSecond is { } rowsPerSecond)
    {
        var ratio = rowsPerSecond / ceiling.RowsPerSecond;
        report.Line("engine rows/s / raw ceiling rows/s", ratio, "ratio", "0.0000");
        report.Line("engine share of raw ceiling", ratio * 100, "%", "0.00");
    }
    ok = engine.Drained && engine.AckFailures == 0;
}
finally
{
    Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    try
    {
        Directory.Delete(dir, recursive: true);
        report.Text("temp dir removed", dir);
    }
    catch (IOException ex)
    {
        report.Text("temp dir not removed", $"{dir} ({ex.Message})");
    }
    report.Line("benchmark wall time", total.Elapsed.TotalSeconds, "s", "0.0");
}

report.Text("result", ok ? "ok" : "FAILED (see ack failures / drain status above)");
return ok ? 0 : 1;
