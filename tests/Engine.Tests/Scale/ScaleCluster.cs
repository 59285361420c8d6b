using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Scale;
using HealthSync.Engine.Tests.Support;
using Npgsql;
using NpgsqlTypes;

namespace HealthSync.Engine.Tests.Scale;

/// <summary>
/// One PostgreSQL database with a portal node (hosting the simulated estate the workers deliver to) and any number of
/// worker processes (<c>Engine:Role=worker</c>), each the real product in a process of its own.
/// </summary>
public sealed class ScaleCluster(TestDatabase db) : IAsyncDisposable
{
    private const string EstateKey = "scale-estate-key-0001";
    private readonly int _portalHttp = TestHost.FreePort();
    private Process? _portal;

    public TestDatabase Db { get; } = db;
    public List<Process> Workers { get; } = [];

    /// <summary>Applies the migrations, starts the portal (which seeds the demo mappings and estate) with unlimited stock.</summary>
    public async Task StartPortalAsync()
    {
        (await ProductProcess.RunToEndAsync(Db, "setup")).ShouldBe(0);
        _portal = ProductProcess.Start(Db, new Dictionary<string, string>
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
        var baseUrl = $"http://127.0.0.1:{_portalHttp}/estate/";
        var settings = new Dictionary<string, string>
        {
            ["Engine__Role"] = "worker",
            ["Urls"] = $"http://127.0.0.1:{TestHost.FreePort()}",
            ["Engine__Mllp__Enabled"] = "false",
            ["Engine__Jobs__StartPaused"] = "true",
            ["Engine__Scale__LeaseSeconds"] = "5",
            ["Engine__Scale__RenewSeconds"] = "1",
            ["Estate__Enabled"] = "true",
            ["Estate__Key"] = EstateKey,
            ["Engine__Targets__erp__BaseUrl"] = baseUrl + "erp/",
            ["Engine__Targets__billing__BaseUrl"] = baseUrl + "billing/",
            ["Engine__Targets__warehouse__BaseUrl"] = baseUrl + "warehouse/",
            ["Engine__Targets__supplier__BaseUrl"] = baseUrl + "supplier/",
        };
        foreach (var (k, v) in extra ?? new Dictionary<string, string>()) settings[k] = v;
        var p = ProductProcess.Start(Db, settings);
        Workers.Add(p);
        return p;
    }

    /// <summary>The <c>work_leases.owner</c> pattern of a process (owners are host/pid/nonce).</summary>
    public static string OwnerPattern(Process p) => $"%/{p.Id}/%";

    /// <summary>
    /// Stores DFT^P03 usages straight into the inbox as the MLLP intake would (ordering key = encounter, partition of
    /// that key), <paramref name="keys"/> encounters × <paramref name="perKey"/> events, arrival order = sequence per key.
    /// </summary>
    public static List<byte[]> Stream(int keys, int perKey)
    {
        var world = new DemoWorld(seed: 7, badDataRate: 0);
        var at = DateTime.UtcNow.AddHours(-1);
        var payloads = new List<byte[]>(keys * perKey);
        for (var s = 0; s < perKey; s++)
        for (var k = 0; k < keys; k++)
        {
            var u = world.Next(at).Single() with
            {
                Encounter = $"E{k:D9}", TransactionId = $"SC{k:D5}{s:D4}", ControlId = $"SCALE{k:D5}{s:D4}",
            };
            payloads.Add(Encoding.UTF8.GetBytes(DemoMessages.Dft(u)));
        }
        return payloads;
    }

    /// <summary>Binary COPY of stored, not yet processed messages; <paramref name="payloads"/> in arrival order.</summary>
    public async Task LoadAsync(IEnumerable<byte[]> payloads)
    {
        await using var c = (NpgsqlConnection)await Db.OpenConnectionAsync();
        await using var copy = await c.BeginBinaryImportAsync(
            "COPY inbox_messages (correlation_id, idempotency_key, source_system, transport, format, message_type, ordering_key, work_partition, payload, payload_version, received_at, status, attempts) FROM STDIN (FORMAT BINARY)");
        var now = DateTime.UtcNow;
        foreach (var payload in payloads)
        {
            var text = Encoding.UTF8.GetString(payload);
            var control = text.Split('|')[9];
            var encounter = text.Split('\r').First(s => s.StartsWith("PV1|", StringComparison.Ordinal)).Split('|')[19];
            await copy.StartRowAsync();
            await copy.WriteAsync(Guid.CreateVersion7(), NpgsqlDbType.Uuid);
            await copy.WriteAsync($"hl7:POU|SCALE:{control}", NpgsqlDbType.Text);
            await copy.WriteAsync("POU|SCALE", NpgsqlDbType.Text);
            await copy.WriteAsync("mllp", NpgsqlDbType.Text);
            await copy.WriteAsync("hl7v2", NpgsqlDbType.Text);
            await copy.WriteAsync("DFT^P03", NpgsqlDbType.Text);
            await copy.WriteAsync(encounter, NpgsqlDbType.Text);
            await copy.WriteAsync(WorkPartitions.Of(encounter), NpgsqlDbType.Integer);
            await copy.WriteAsync(payload, NpgsqlDbType.Bytea);
            await copy.WriteAsync(1, NpgsqlDbType.Integer);
            await copy.WriteAsync(now, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync("Received", NpgsqlDbType.Varchar);
            await copy.WriteAsync(0, NpgsqlDbType.Integer);
        }
        await copy.CompleteAsync();
    }

    public async Task ExecAsync(string sql)
    {
        await using var c = await Db.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<long> ScalarAsync(string sql)
    {
        await using var c = await Db.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }

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
    }
}
