using System.Diagnostics;
using System.Globalization;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Scale;
using HealthSync.Engine.Tests.Support;
using Npgsql;
using NpgsqlTypes;

namespace HealthSync.Engine.Tests.Scale;

/// <summary>
/// One PostgreSQL database with a portal node (hosting the simulated estate the workers deliver to) and any number of
/// worker processes (<c>Engine:Role=worker</c>), each the real product in a process of its own.
/// </summary>
public sealed class ScaleCluster : IAsyncDisposable
{
    private const string EstateKey = "scale-estate-key-0001";
    private readonly int _portalHttp = TestHost.FreePort();
    private readonly string _dir;
    private Process? _portal;

    private ScaleCluster(string dir, TestDatabase db)
    {
        _dir = dir;
        Db = db;
    }

    public TestDatabase Db { get; }
    public List<Process> Workers { get; } = [];

    /// <summary>A fresh database with the migrations applied; no node runs yet.</summary>
    public static async Task<ScaleCluster> CreateAsync()
    {
        var dir = Directory.CreateTempSubdirectory("healthsync-scale-").FullName;
        var cluster = new ScaleCluster(dir, await TestDatabase.CreateAsync(dir));
        (await ProductProcess.RunToEndAsync(cluster.Db.Provider, cluster.Db.ConnectionString, "setup")).ShouldBe(0);
        return cluster;
    }

    /// <summary>Starts the portal (which seeds the demo mappings and estate) with unlimited stock.</summary>
    public async Task StartPortalAsync()
    {
        _portal = ProductProcess.Start(Db.Provider, Db.ConnectionString, new Dictionary<string, string>
        {
            ["Engine__Role"] = "portal",
            ["Urls"] = $"http://127.0.0.1:{_portalHttp}",
            ["Engine__Mllp__Port"] = TestHost.FreePort().ToString(CultureInfo.InvariantCulture),
            ["Demo__Enabled"] = "true",
            ["Demo__Traffic__Enabled"] = "false",
            ["Estate__Key"] = EstateKey,
        });
        await ProductProcess.ReadyAsync(_portalHttp);
        // Unlimited stock keeps replenishment out of the counts.
        await ExecAsync("UPDATE estate_inventory SET on_hand = 1000000000");
    }

    /// <summary>A worker: processing, delivery (to the portal's simulated estate) and paused jobs; no MLLP, no pages.</summary>
    public Process StartWorker(IReadOnlyDictionary<string, string>? extra = null)
    {
        var settings = ProductProcess.WorkerSettings(_portalHttp, TestHost.FreePort(), EstateKey);
        settings["Engine__Scale__LeaseSeconds"] = "5";
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        var p = ProductProcess.Start(Db.Provider, Db.ConnectionString, settings);
        Workers.Add(p);
        return p;
    }

    /// <summary>The <c>work_leases.owner</c> pattern of a process (owners are host/pid/nonce).</summary>
    public static string OwnerPattern(Process p) => $"%/{p.Id}/%";

    /// <summary>Binary COPY of stored, not yet processed messages (<see cref="KeyedStream"/>), in arrival order.</summary>
    public async Task LoadAsync(IEnumerable<InboxMessage> messages)
    {
        await using var c = (NpgsqlConnection)await Db.OpenConnectionAsync();
        await using var copy = await c.BeginBinaryImportAsync(
            "COPY inbox_messages (correlation_id, idempotency_key, source_system, transport, format, message_type, ordering_key, work_partition, payload, payload_version, received_at, status, attempts) FROM STDIN (FORMAT BINARY)");
        foreach (var m in messages)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(m.CorrelationId, NpgsqlDbType.Uuid);
            await copy.WriteAsync(m.IdempotencyKey, NpgsqlDbType.Text);
            await copy.WriteAsync(m.SourceSystem, NpgsqlDbType.Text);
            await copy.WriteAsync(m.Transport, NpgsqlDbType.Text);
            await copy.WriteAsync(m.Format, NpgsqlDbType.Text);
            await copy.WriteAsync(m.MessageType!, NpgsqlDbType.Text);
            await copy.WriteAsync(m.OrderingKey!, NpgsqlDbType.Text);
            await copy.WriteAsync(WorkPartitions.Of(m), NpgsqlDbType.Integer);
            await copy.WriteAsync(m.Payload, NpgsqlDbType.Bytea);
            await copy.WriteAsync(m.PayloadVersion, NpgsqlDbType.Integer);
            await copy.WriteAsync(m.ReceivedAt, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(m.Status.ToString(), NpgsqlDbType.Varchar);
            await copy.WriteAsync(0, NpgsqlDbType.Integer);
        }
        await copy.CompleteAsync();
    }

    public Task ExecAsync(string sql) => Db.ExecAsync(sql);

    public Task<long> ScalarAsync(string sql) => Db.ScalarAsync(sql);

    public async Task<List<long>> ColumnAsync(string sql)
    {
        await using var c = await Db.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new List<long>();
        while (await r.ReadAsync()) rows.Add(Convert.ToInt64(r.GetValue(0), CultureInfo.InvariantCulture));
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var w in Workers) await ProductProcess.StopAsync(w);
        if (_portal is not null) await ProductProcess.StopAsync(_portal);
        await Db.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
