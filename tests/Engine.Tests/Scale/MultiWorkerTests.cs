using System.Diagnostics;
using HealthSync.Engine.Scale;
using HealthSync.Engine.Tests.Support;
using Xunit.Abstractions;

namespace HealthSync.Engine.Tests.Scale;

/// <summary>
/// Three worker processes on one PostgreSQL database share a stream of usages with per-key order; one is killed with
/// SIGKILL mid-stream. Every event must be processed exactly once, in arrival order per key, and the dead worker's
/// partitions must pass to the survivors.
/// </summary>
public sealed class MultiWorkerTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Keys = 1_000;
    private const int PerKey = 100;
    private const int Total = Keys * PerKey;
    private ScaleCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ScaleCluster.CreateAsync();

    [PostgresFact]
    public async Task Three_workers_process_a_stream_exactly_once_in_key_order_and_take_over_a_killed_workers_partitions()
    {
        await _cluster.StartPortalAsync();
        var stream = HealthSync.Engine.Demo.KeyedStream.Messages(Keys, PerKey).ToList();
        var workers = Enumerable.Range(0, 3).Select(_ => _cluster.StartWorker()).ToList();
        // The three share the partitions between them before the stream starts.
        await Eventually.TrueAsync(async () =>
            await _cluster.ScalarAsync("SELECT count(DISTINCT owner) FROM work_leases WHERE queue = 'inbox' AND expires_at > now()") == 3
            && await _cluster.ScalarAsync("SELECT count(*) FROM work_leases WHERE queue = 'inbox' AND owner IS NOT NULL AND expires_at > now()") == WorkPartitions.Count,
            TimeSpan.FromSeconds(90), "three workers to hold every partition");

        var clock = Stopwatch.StartNew();
        var loading = Task.Run(async () =>
        {
            foreach (var chunk in stream.Chunk(10_000)) await _cluster.LoadAsync(chunk);
        });
        await Eventually.TrueAsync(async () => await _cluster.ScalarAsync("SELECT count(*) FROM inbox_messages WHERE status = 'Processed'") >= Total / 4,
            TimeSpan.FromSeconds(120), "a quarter of the stream to be processed");

        var victim = workers[1];
        var pattern = ScaleCluster.OwnerPattern(victim);
        victim.Kill(entireProcessTree: true);
        await victim.WaitForExitAsync();
        var killedAt = clock.Elapsed;
        var held = await _cluster.ColumnAsync($"SELECT work_partition FROM work_leases WHERE queue = 'inbox' AND owner LIKE '{pattern}'");
        held.ShouldNotBeEmpty();
        var inList = string.Join(",", held);
        var claimedByVictim = await _cluster.ColumnAsync($"SELECT id FROM inbox_messages WHERE status = 'Received' AND work_partition IN ({inList})");
        claimedByVictim.ShouldNotBeEmpty();

        await loading;
        await Eventually.TrueAsync(async () => await _cluster.ScalarAsync("SELECT count(*) FROM inbox_messages WHERE status <> 'Processed'") == 0,
            TimeSpan.FromSeconds(240), "the survivors to process the whole stream");
        var drained = clock.Elapsed;
        output.WriteLine($"{Total} events: worker killed at {killedAt.TotalSeconds:0.0} s, all processed at {drained.TotalSeconds:0.0} s ({Total / drained.TotalSeconds:0} events/s)");

        // Exactly once: every message processed, one parse step, one usage fact and one ERP posting row each.
        (await _cluster.ScalarAsync("SELECT count(*) FROM inbox_messages")).ShouldBe(Total);
        (await _cluster.ScalarAsync("SELECT count(*) FROM inbox_messages WHERE attempts <> 1")).ShouldBe(0);
        (await _cluster.ScalarAsync("SELECT count(*) FROM lineage_steps WHERE step = 'parsed'")).ShouldBe(Total);
        (await _cluster.ScalarAsync("SELECT count(DISTINCT inbox_message_id) FROM lineage_steps WHERE step = 'parsed'")).ShouldBe(Total);
        (await _cluster.ScalarAsync("SELECT count(*) FROM usage_events")).ShouldBe(Total);
        (await _cluster.ScalarAsync("SELECT count(*) FROM exceptions")).ShouldBe(0);
        (await _cluster.ScalarAsync("SELECT count(*) FROM outbox_messages WHERE operation = 'erp.inventory.decrement'")).ShouldBe(Total);
        (await _cluster.ScalarAsync("SELECT count(*) - count(DISTINCT (inbox_message_id, operation)) FROM outbox_messages")).ShouldBe(0);

        // In order per key: the parse steps of a key were written in the key's arrival order (identity ids only grow, and
        // a later message of a key is processed only after the earlier one's batch committed).
        (await _cluster.ScalarAsync("""
            SELECT count(*) FROM (
                SELECT s.id AS step_id, lag(s.id) OVER (PARTITION BY m.ordering_key ORDER BY m.id) AS previous
                FROM inbox_messages m JOIN lineage_steps s ON s.inbox_message_id = m.id AND s.step = 'parsed') x
            WHERE step_id < previous
            """)).ShouldBe(0);

        // Taken over: the dead worker's partitions are held by the survivors, and what it had claimed was processed by them.
        (await _cluster.ScalarAsync($"SELECT count(*) FROM work_leases WHERE owner LIKE '{pattern}'")).ShouldBe(0);
        (await _cluster.ScalarAsync($"SELECT count(*) FROM work_leases WHERE queue = 'inbox' AND work_partition IN ({inList}) AND owner IS NOT NULL AND expires_at > now()"))
            .ShouldBe(held.Count);
        (await _cluster.ScalarAsync($"SELECT count(*) FROM inbox_messages WHERE id IN ({string.Join(",", claimedByVictim)}) AND status = 'Processed'"))
            .ShouldBe(claimedByVictim.Count);
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
