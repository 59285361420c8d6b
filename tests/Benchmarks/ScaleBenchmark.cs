using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using HealthSync.Engine.Tests.Support;
using Npgsql;

namespace HealthSync.Benchmarks;

/// <summary>
/// Engine throughput with 1, 2 and 4 worker processes on one PostgreSQL database beside one process on SQLite: the
/// same keyed DFT^P03 stream stored in the inbox in one transaction, timed from its commit until every event is
/// processed (facts, lineage and outbox rows committed) and until every posting is delivered to the simulated estate
/// (served by a portal node). Each run gets a fresh database; the product runs as real processes.
/// </summary>
internal static class ScaleBenchmark
{
    private const string EstateKey = "bench-estate-key-0001";

    public static async Task<int> RunAsync(int events, string? server, IReadOnlyList<int> workerCounts, Report report)
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-scale-bench-").FullName;
        var pgDir = Path.Combine(dir, "pg");
        var script = FindScript();
        var ok = true;
        try
        {
            server ??= await ShellAsync(script, "start", pgDir, "--throwaway");
            report.Line("events", events, "messages");
            ok &= await MeasureAsync(report, "SQLite, 1 process (all)", DatabaseProviders.Sqlite, $"Data Source={Path.Combine(dir, "bench.db")}", 0, events);
            foreach (var workers in workerCounts)
            {
                var database = $"hs_bench_{Guid.NewGuid():N}";
                await AdminAsync(server, $"CREATE DATABASE \"{database}\"");
                try
                {
                    var connection = new NpgsqlConnectionStringBuilder(server) { Database = database }.ConnectionString;
                    ok &= await MeasureAsync(report, $"PostgreSQL, {workers} worker process(es)", DatabaseProviders.Postgres, connection, workers, events);
                }
                finally
                {
                    NpgsqlConnection.ClearAllPools();
                    await AdminAsync(server, $"DROP DATABASE IF EXISTS \"{database}\" WITH (FORCE)");
                }
            }
        }
        finally
        {
            if (Directory.Exists(pgDir)) await ShellAsync(script, "stop", pgDir);
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try { Directory.Delete(dir, recursive: true); }
            catch (IOException) { }
        }
        return ok ? 0 : 1;
    }

    /// <summary>
    /// workers = 0: one process with every role (SQLite's only shape); otherwise a portal node plus that many workers.
    /// </summary>
    private static async Task<bool> MeasureAsync(Report report, string label, string provider, string connection, int workers, int events)
    {
        var database = new DatabaseOptions { Provider = provider, ConnectionString = connection };
        var nodes = new List<Process>();
        try
        {
            using (var setup = Node(database, [], "setup")) await setup.WaitForExitAsync();
            var portalPort = FreePort();
            nodes.Add(Node(database, new()
            {
                ["Engine__Role"] = workers == 0 ? "all" : "portal",
                ["Urls"] = $"http://127.0.0.1:{portalPort}",
                ["Engine__Mllp__Enabled"] = "false",
                ["Demo__Enabled"] = "true",
                ["Demo__Traffic__Enabled"] = "false",
                ["Estate__Key"] = EstateKey,
                ["Engine__Jobs__StartPaused"] = "true",
            }));
            await ProductProcess.ReadyAsync(portalPort);
            for (var i = 0; i < workers; i++)
                nodes.Add(Node(database, ProductProcess.WorkerSettings(portalPort, FreePort(), EstateKey)));
            await using var db = NewDb(database);
            // Unlimited stock keeps replenishment out; then wait until the workers share every partition.
            await db.Database.ExecuteSqlRawAsync("UPDATE estate_inventory SET on_hand = 1000000000");
            if (workers > 0)
                await UntilAsync(async () => await db.WorkLeases.CountAsync(l => l.Queue == "inbox" && l.Owner != null && l.ExpiresAt > DateTime.UtcNow) == Engine.Scale.WorkPartitions.Count
                    && await db.WorkLeases.Where(l => l.Queue == "inbox").Select(l => l.Owner).Distinct().CountAsync() == workers, TimeSpan.FromSeconds(60));

            db.InboxMessages.AddRange(KeyedStream.Messages(Math.Max(1, events / 20), 20).Take(events));
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
            var clock = Stopwatch.StartNew();
            var processed = await UntilAsync(() => db.InboxMessages.AnyAsync(m => m.Status == InboxStatus.Received).ContinueWith(t => !t.Result), TimeSpan.FromMinutes(5)) ? clock.Elapsed : (TimeSpan?)null;
            var delivered = await UntilAsync(() => db.OutboxMessages.AnyAsync(o => o.Status == OutboxStatus.Pending).ContinueWith(t => !t.Result), TimeSpan.FromMinutes(5)) ? clock.Elapsed : (TimeSpan?)null;
            report.Line($"{label}: processed", processed is { } p ? events / p.TotalSeconds : 0, "events/s", "0");
            report.Line($"{label}: processed and delivered", delivered is { } d ? events / d.TotalSeconds : 0, "events/s", "0");
            return processed is not null && delivered is not null;
        }
        finally
        {
            foreach (var n in nodes) await ProductProcess.StopAsync(n);
        }
    }

    private static Process Node(DatabaseOptions database, Dictionary<string, string> settings, params string[] args) =>
        ProductProcess.Start(database.Provider, database.ConnectionString, settings, args);

    private static HealthSyncDb NewDb(DatabaseOptions database)
    {
        var options = new DbContextOptionsBuilder<HealthSyncDb>();
        DatabaseRegistration.Configure(options, database);
        return new HealthSyncDb(options.Options);
    }

    private static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < timeout)
        {
            if (await condition()) return true;
            await Task.Delay(100);
        }
        return false;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
        l.Start();
        return ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
    }

    private static async Task AdminAsync(string server, string sql)
    {
        await using var c = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server) { Database = "postgres", Pooling = false }.ConnectionString);
        await c.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, c);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>scripts/postgres.sh, found from the build output upwards; its last output line is the connection string.</summary>
    private static async Task<string> ShellAsync(string script, params string[] args)
    {
        var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true };
        psi.ArgumentList.Add(script);
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        var output = await p.StandardOutput.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0) throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)} failed ({p.ExitCode}).");
        return output.Trim().Split('\n').LastOrDefault()?.Trim() ?? "";
    }

    private static string FindScript()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            var script = Path.Combine(d.FullName, "scripts", "postgres.sh");
            if (File.Exists(script)) return script;
        }
        throw new FileNotFoundException("scripts/postgres.sh not found above " + AppContext.BaseDirectory);
    }

    public static (int Events, string? Server, int[] Workers)? ParseArgs(string[] args)
    {
        var events = 20_000;
        string? server = null;
        int[] workers = [1, 2, 4];
        for (var i = 1; i < args.Length; i++)
        {
            if (args[i] == "--pg" && i + 1 < args.Length) server = args[++i];
            else if (args[i] == "--workers" && i + 1 < args.Length)
                workers = args[++i].Split(',').Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray();
            else if (int.TryParse(args[i], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0) events = n;
            else return null;
        }
        return (events, server, workers);
    }
}
