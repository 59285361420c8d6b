using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Resilience;

/// <summary>
/// The real product in its own process, killed with SIGKILL while messages are arriving, being processed and
/// being delivered; then restarted. Every acknowledged message must be applied, and every effect exactly once.
/// </summary>
public sealed class CrashRecoveryTests : IAsyncLifetime
{
    private const string AdminKey = "crash-admin-key-0001";
    private const decimal Stock = 100_000m;
    private readonly string _dir = Directory.CreateTempSubdirectory("healthsync-crash-").FullName;
    private readonly int _http = TestHost.FreePort();
    private readonly int _mllp = TestHost.FreePort();

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(_dir);

    [Fact]
    public async Task Killing_the_process_mid_stream_loses_no_acknowledged_message_and_posts_nothing_twice()
    {
        (await RunToEndAsync("setup")).ShouldBe(0);
        var first = Start();
        await ReadyAsync();
        // Unlimited stock keeps replenishment out of the arithmetic below.
        await ExecAsync($"UPDATE estate_inventory SET on_hand = {Stock}");
        using (var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{_http}/") })
        {
            admin.DefaultRequestHeaders.Add("X-Api-Key", AdminKey);
            // A little ERP latency keeps deliveries in flight when the process dies.
            (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { latencyMs = 5 })).EnsureSuccessStatusCode();
        }

        var world = new DemoWorld(seed: 42, badDataRate: 0);
        var usages = Enumerable.Range(0, 400).Select(i => world.Next(DateTime.UtcNow.AddMinutes(-30)).Single()).ToList();
        var acked = new ConcurrentDictionary<string, bool>();
        using var killed = new CancellationTokenSource();
        var senders = usages.Chunk(100).Select(chunk => Task.Run(async () =>
        {
            try
            {
                await using var client = await MllpClient.ConnectAsync(_mllp);
                foreach (var u in chunk)
                {
                    if (killed.IsCancellationRequested) return;
                    var ack = await client.SendAsync(DemoMessages.Dft(u));
                    Usage.Msa(ack).ShouldBe("AA");
                    acked[u.ControlId] = true;
                    if (acked.Count >= 150 && !killed.IsCancellationRequested)
                    {
                        await killed.CancelAsync();
                        first.Kill(entireProcessTree: true);
                    }
                }
            }
            catch (IOException)
            {
            }
            catch (System.Net.Sockets.SocketException)
            {
            }
        })).ToList();
        await Task.WhenAll(senders);
        await first.WaitForExitAsync();
        var ackedBeforeCrash = acked.Keys.ToHashSet();
        ackedBeforeCrash.Count.ShouldBeGreaterThanOrEqualTo(150);
        ackedBeforeCrash.Count.ShouldBeLessThan(400);

        var second = Start();
        try
        {
            await ReadyAsync();
            // Senders resend what was not acknowledged, and some resend what was.
            await using (var client = await MllpClient.ConnectAsync(_mllp))
            {
                foreach (var u in usages.Where(u => !ackedBeforeCrash.Contains(u.ControlId)).Concat(usages.Where(u => ackedBeforeCrash.Contains(u.ControlId)).Take(25)))
                    Usage.Msa(await client.SendAsync(DemoMessages.Dft(u))).ShouldBe("AA");
            }
            await Eventually.TrueAsync(async () =>
                await ScalarAsync("SELECT COUNT(*) FROM inbox_messages WHERE status = 'Received'") == 0
                && await ScalarAsync("SELECT COUNT(*) FROM outbox_messages WHERE status = 'Pending'") == 0,
                TimeSpan.FromSeconds(90), "the restarted engine to drain");

            (await ScalarAsync("SELECT COUNT(*) FROM inbox_messages")).ShouldBe(400);
            (await ScalarAsync("SELECT COUNT(*) FROM usage_events")).ShouldBe(400);
            (await ScalarAsync("SELECT COUNT(*) FROM exceptions")).ShouldBe(0);
            (await ScalarAsync("SELECT COUNT(*) FROM outbox_messages WHERE status <> 'Delivered'")).ShouldBe(0);
            (await ScalarAsync("SELECT COUNT(*) FROM estate_postings WHERE system = 'erp'")).ShouldBe(400);
            var billable = usages.Count(u => DemoCatalog.Items.Single(i => i.ItemCode == u.ItemCode).Billable);
            (await ScalarAsync("SELECT COUNT(*) FROM estate_postings WHERE system = 'billing'")).ShouldBe(billable);

            // The ERP's on-hand moved by exactly what was used: no decrement was applied twice or lost.
            var expected = await RowsAsync("SELECT facility, facility || '-' || location || '-STOCK', sku, SUM(base_quantity) FROM usage_events GROUP BY 1, 2, 3");
            var onHand = await RowsAsync("SELECT facility, location, sku, on_hand FROM estate_inventory");
            foreach (var (key, used) in expected)
                onHand[key].ShouldBe(Stock - used, $"on hand of {key}");
            onHand.Where(kv => !expected.ContainsKey(kv.Key)).ShouldAllBe(kv => kv.Value == Stock);
        }
        finally
        {
            second.Kill(entireProcessTree: true);
            await second.WaitForExitAsync();
        }
    }

    private Process Start(params string[] args) => ProductProcess.Start(_db.Provider, _db.ConnectionString, new Dictionary<string, string>
    {
        ["Urls"] = $"http://127.0.0.1:{_http}",
        ["Engine__Mllp__Port"] = _mllp.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Demo__Enabled"] = "true",
        ["Demo__Traffic__Enabled"] = "false",
        ["Demo__ApiKeys__admin"] = AdminKey,
    }, args);

    private async Task<int> RunToEndAsync(string command) => await ProductProcess.RunToEndAsync(_db.Provider, _db.ConnectionString, command);

    private Task ReadyAsync() => ProductProcess.ReadyAsync(_http);

    private Task ExecAsync(string sql) => _db.ExecAsync(sql);

    private Task<long> ScalarAsync(string sql) => _db.ScalarAsync(sql);

    private async Task<Dictionary<string, decimal>> RowsAsync(string sql)
    {
        await using var c = await _db.OpenConnectionAsync();
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await using var r = await cmd.ExecuteReaderAsync();
        var rows = new Dictionary<string, decimal>();
        while (await r.ReadAsync()) rows[$"{r.GetString(0)}/{r.GetString(1)}/{r.GetString(2)}"] = Convert.ToDecimal(r.GetValue(3), System.Globalization.CultureInfo.InvariantCulture);
        return rows;
    }

    public async Task DisposeAsync()
    {
        await _db.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
