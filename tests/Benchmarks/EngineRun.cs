using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Transports;
using HealthSync.Portal;
using Microsoft.AspNetCore.Builder;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthSync.Benchmarks;

internal sealed record EngineResult(bool Drained, long AckFailures, double? RowsPerSecond);

/// <summary>The whole product running in this process on a fresh SQLite database, driven over its MLLP listener.</summary>
internal sealed class EngineRun : IAsyncDisposable
{
    private const string Host = "127.0.0.1";
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly Report _report;
    private readonly DeliveryCounter _http;
    private readonly LogCapture _logs;
    private Dictionary<string, long> _baseline = [];
    private int _mllpPort;
    private bool _started;
    private bool _stopped;

    private EngineRun(WebApplication app, Report report, DeliveryCounter http, LogCapture logs)
    {
        _app = app;
        _report = report;
        _http = http;
        _logs = logs;
    }

    public static async Task<EngineRun> StartAsync(string dir, Report report)
    {
        var httpPort = FreePort();
        var mllpPort = FreePort();
        var db = Path.Combine(dir, "hs.db");
        string[] args =
        [
            $"--Database:ConnectionString=Data Source={db}",
            $"--Urls=http://{Host}:{httpPort}",
            $"--Engine:Mllp:Port={mllpPort}",
            "--Demo:Enabled=true",
            "--Demo:Traffic:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            // The product's JSON console output is replaced by the summary printed at the end.
            "--Logging:Console:LogLevel:Default=None",
        ];
        var http = new DeliveryCounter();
        var app = PortalApp.Build(args, builder =>
        {
            foreach (var target in Systems.Targets)
                builder.Services.AddHttpClient(OutboxDispatcher.HttpClientPrefix + target).AddHttpMessageHandler(() => new CountingHandler(http));
        });
        var logs = new LogCapture();
        app.Services.GetRequiredService<ILoggerFactory>().AddProvider(logs);
        var run = new EngineRun(app, report, http, logs);
        try
        {
            var watch = Stopwatch.StartNew();
            await using (var scope = app.Services.CreateAsyncScope())
            {
                var applied = await DatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<HealthSyncDb>());
                report.Text("migrations applied", string.Join(", ", applied));
            }
            await PortalApp.PrepareAsync(app);
            await app.StartAsync();
            run._started = true;
            run._mllpPort = app.Services.GetRequiredService<MllpListener>().BoundPort;
            report.Text("portal", $"http://{Host}:{httpPort}");
            report.Text("mllp", $"{Host}:{run._mllpPort}");
            report.Line("start-up (migrate, seed, start)", watch.Elapsed.TotalSeconds, "s", "0.00");
            run._baseline = await run.CountRowsAsync();
            report.Line("rows after seeding", run._baseline.Values.Sum(), "rows");
            return run;
        }
        catch
        {
            await run.DisposeAsync();
            throw;
        }
    }

    public async Task<EngineResult> MeasureAsync(BenchmarkOptions options)
    {
        var messages = Generate(options.Events);

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(30));
        var load = new MllpLoad(Host, _mllpPort);
        var firstSend = DateTime.UtcNow;
        var sending = load.RunAsync(messages, options.Connections, cts.Token);
        using var progressStop = new CancellationTokenSource();
        var progress = ReportProgressAsync(load, messages.Count, progressStop.Token);

        var sent = await sending;
        _report.Progress($"all {messages.Count} messages acknowledged or failed after {sent.Elapsed.TotalSeconds:0.0} s");
        var drain = Stopwatch.StartNew();
        var drained = false;
        while (drain.Elapsed < DrainTimeout)
        {
            var (received, pending) = await BacklogAsync();
            if (received == 0 && pending == 0)
            {
                drained = true;
                break;
            }
            await Task.Delay(200, cts.Token);
        }
        await progressStop.CancelAsync();
        await progress;

        _report.Text("drained", drained ? $"yes ({drain.Elapsed.TotalSeconds:0.0} s after the last acknowledgement)" : $"NO, still backlogged after {DrainTimeout.TotalMinutes:0} min");
        _report.Line("ACK AA", sent.Acked, "messages");
        _report.Line("ACK failures", sent.Failures, "messages");
        foreach (var sample in sent.FailureSamples) _report.Text("  ACK failure", sample);
        _report.Line("ingest rate (first send -> last ACK)", messages.Count / sent.Elapsed.TotalSeconds, "events/s", "0.0");
        _report.Line("ACK latency p50", Percentiles.Of(sent.AckLatenciesMs, 50), "ms", "0.00");
        _report.Line("ACK latency p95", Percentiles.Of(sent.AckLatenciesMs, 95), "ms", "0.00");
        _report.Line("ACK latency p99", Percentiles.Of(sent.AckLatenciesMs, 99), "ms", "0.00");
        _report.Line("ACK latency max", sent.AckLatenciesMs.Length == 0 ? double.NaN : sent.AckLatenciesMs[^1], "ms", "0.00");

        var rowsPerSecond = await ReportStoredFactsAsync(messages.Count, firstSend);
        return new EngineResult(drained, sent.Failures, rowsPerSecond);
    }

    public async Task StopAsync()
    {
        if (!_started || _stopped) return;
        var watch = Stopwatch.StartNew();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _app.StopAsync(timeout.Token);
        _stopped = true;
        _report.Text("app stopped", $"cleanly in {watch.Elapsed.TotalSeconds:0.00} s");
        _report.Line("product log entries at Warning or above", _logs.Count, "entries");
        foreach (var (text, count) in _logs.Distinct) _report.Text($"  logged x{count}", text);
    }

    public async ValueTask DisposeAsync()
    {
        if (_started && !_stopped)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _app.StopAsync(timeout.Token);
            _stopped = true;
        }
        await _app.DisposeAsync();
    }

    /// <summary>Workflow-1 usage events without faults, as DFT^P03, each with its own MSH-10.</summary>
    private List<byte[]> Generate(int count)
    {
        var watch = Stopwatch.StartNew();
        var world = new DemoWorld(20261121, badDataRate: 0);
        var start = DateTime.UtcNow.AddMilliseconds(-100.0 * count);
        var controlIds = new HashSet<string>(StringComparer.Ordinal);
        var messages = new List<byte[]>(count);
        var skipped = 0;
        for (var i = 0; messages.Count < count; i++)
        {
            foreach (var e in world.Next(start.AddMilliseconds(100.0 * i)))
            {
                if (messages.Count == count) break;
                if (e.Fault is not null || !controlIds.Add(e.ControlId))
                {
                    skipped++;
                    continue;
                }
                messages.Add(Encoding.UTF8.GetBytes(DemoMessages.Dft(e)));
            }
        }
        _report.Line("generated DFT^P03 messages", messages.Count, "messages");
        _report.Line("generated events skipped (repeated MSH-10 or fault)", skipped, "events");
        _report.Line("generation time", watch.Elapsed.TotalSeconds, "s", "0.00");
        return messages;
    }

    private async Task ReportProgressAsync(MllpLoad load, int total, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(ProgressInterval);
        var watch = Stopwatch.StartNew();
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var (received, pending) = await BacklogAsync();
                _report.Progress($"t+{watch.Elapsed.TotalSeconds:0}s acked {load.Acked}/{total} (failed {load.Failures}), inbox Received {received}, outbox Pending {pending}");
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private async Task<(int Received, int Pending)> BacklogAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var received = await db.InboxMessages.CountAsync(m => m.Status == InboxStatus.Received);
        var pending = await db.OutboxMessages.CountAsync(o => o.Status == OutboxStatus.Pending);
        return (received, pending);
    }

    /// <returns>Rows written per second end to end, when anything was posted.</returns>
    private async Task<double?> ReportStoredFactsAsync(int events, DateTime firstSend)
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var inbox = await db.InboxMessages.AsNoTracking().Select(m => new { m.CorrelationId, m.ReceivedAt, m.Status }).ToListAsync();
        var outbox = await db.OutboxMessages.AsNoTracking().Select(o => new { o.CorrelationId, o.DeliveredAt, o.Status, o.Attempts, o.Operation }).ToListAsync();
        var openExceptions = await db.Exceptions.CountAsync(e => e.Status == ExceptionStatus.Open);
        var retriedSteps = await db.LineageSteps.CountAsync(s => s.Step == Steps.Retried);

        foreach (var g in inbox.GroupBy(m => m.Status).OrderBy(g => g.Key))
            _report.Line($"inbox messages {g.Key}", g.Count(), "messages");
        foreach (var g in outbox.GroupBy(o => o.Status).OrderBy(g => g.Key))
            _report.Line($"outbox messages {g.Key}", g.Count(), "messages");
        foreach (var g in outbox.GroupBy(o => o.Operation).OrderBy(g => g.Key, StringComparer.Ordinal))
            _report.Line($"outbox messages for {g.Key}", g.Count(), "messages");
        _report.Line("open exceptions", openExceptions, "exceptions");

        var lastByCorrelation = outbox.Where(o => o.DeliveredAt is not null)
            .GroupBy(o => o.CorrelationId)
            .ToDictionary(g => g.Key, g => g.Max(o => o.DeliveredAt!.Value));
        var sourceToPosting = inbox
            .Where(m => lastByCorrelation.ContainsKey(m.CorrelationId))
            .Select(m => (lastByCorrelation[m.CorrelationId] - m.ReceivedAt).TotalMilliseconds)
            .Order()
            .ToArray();
        _report.Line("inbox messages without any posting", inbox.Count - sourceToPosting.Length, "messages");

        double? rowsPerSecond = null;
        if (lastByCorrelation.Count > 0)
        {
            var lastPosting = lastByCorrelation.Values.Max();
            var endToEnd = lastPosting - firstSend;
            _report.Line("end-to-end duration (first send -> last posting)", endToEnd.TotalSeconds, "s", "0.00");
            _report.Line("end-to-end throughput", events / endToEnd.TotalSeconds, "events/s", "0.0");
            _report.Line("source-to-last-posting latency p50", Percentiles.Of(sourceToPosting, 50), "ms", "0.0");
            _report.Line("source-to-last-posting latency p95", Percentiles.Of(sourceToPosting, 95), "ms", "0.0");
            _report.Line("source-to-last-posting latency p99", Percentiles.Of(sourceToPosting, 99), "ms", "0.0");
            _report.Line("source-to-last-posting latency max", sourceToPosting[^1], "ms", "0.0");

            var after = await CountRowsAsync();
            var written = 0L;
            var writtenEngine = 0L;
            foreach (var (table, count) in after.OrderBy(t => t.Key, StringComparer.Ordinal))
            {
                var delta = count - _baseline.GetValueOrDefault(table);
                written += delta;
                if (!table.StartsWith("estate_", StringComparison.Ordinal)) writtenEngine += delta;
                if (delta != 0) _report.Line($"rows per event in {table}", (double)delta / events, "rows/event", "0.000");
            }
            _report.Line("rows written (all tables)", written, "rows");
            _report.Line("rows written per event (all tables)", (double)written / events, "rows/event", "0.00");
            _report.Line("rows written per event (engine tables, without simulated estate_*)", (double)writtenEngine / events, "rows/event", "0.00");
            rowsPerSecond = written / endToEnd.TotalSeconds;
            _report.Line("engine rows written per second (all tables, end to end)", rowsPerSecond.Value, "rows/s", "0");
        }

        var attempts = outbox.Sum(o => (long)o.Attempts);
        _report.Line("delivery retries (outbox attempts beyond the first)", outbox.Sum(o => (long)Math.Max(0, o.Attempts - 1)), "retries");
        _report.Line("delivery retries (lineage 'retried' steps)", retriedSteps, "retries");
        _report.Line("outbox delivery attempts", attempts, "attempts");
        _report.Line("HTTP requests to targets", _http.Requests, "requests");
        _report.Line("HTTP requests to targets not successful", _http.Unsuccessful, "requests");
        _report.Line("in-attempt HTTP re-sends (requests - attempts)", Math.Max(0, _http.Requests - attempts), "requests");
        return rowsPerSecond;
    }

    /// <summary>Row counts of every table the DbContext maps.</summary>
    private async Task<Dictionary<string, long>> CountRowsAsync()
    {
        await using var scope = _app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var tables = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Distinct(StringComparer.Ordinal).ToList();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        await db.Database.OpenConnectionAsync();
        try
        {
            var connection = db.Database.GetDbConnection();
            foreach (var table in tables)
            {
                await using var command = connection.CreateCommand();
                command.CommandText = "SELECT COUNT(*) FROM \"" + table.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
                counts[table] = Convert.ToInt64(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
            }
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
        return counts;
    }

    private static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Parse(Host), 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }
}
