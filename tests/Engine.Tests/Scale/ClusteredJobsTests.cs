using System.Globalization;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Scale;

/// <summary>
/// Two worker nodes run Quartz clustered on one PostgreSQL store: a job scheduled every two seconds runs once per fire
/// time across the cluster, and killing a node loses no fire (the survivor takes the dead node's acquired trigger over).
/// </summary>
public sealed class ClusteredJobsTests : IAsyncLifetime
{
    private const string Job = "edi-ack-aging";
    private ScaleCluster _cluster = null!;

    public async Task InitializeAsync() => _cluster = await ScaleCluster.CreateAsync();

    [PostgresFact]
    public async Task A_job_fires_once_per_fire_time_across_two_nodes_and_a_killed_node_loses_no_fire()
    {
        var settings = new Dictionary<string, string>
        {
            ["Engine__Jobs__StartPaused"] = "false",
            [$"Engine__Jobs__Cron__{Job}"] = "0/2 * * * * ?",
            ["Engine__Jobs__CheckinSeconds"] = "2",
        };
        var first = _cluster.StartWorker(settings);
        var second = _cluster.StartWorker(settings);
        const string runs = $"SELECT count(*) FROM job_runs WHERE job_name = '{Job}' AND scheduled_at IS NOT NULL";
        await Eventually.TrueAsync(async () => await _cluster.ScalarAsync("SELECT count(*) FROM qrtz_scheduler_state") == 2 && await _cluster.ScalarAsync(runs) >= 6,
            TimeSpan.FromSeconds(90), "both nodes to check in and the job to run six times");

        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync();
        var killedAt = DateTime.UtcNow;
        var since = killedAt.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture);
        await Eventually.TrueAsync(async () => await _cluster.ScalarAsync($"{runs} AND scheduled_at > '{since}+00' AND status <> 'Running'") >= 6,
            TimeSpan.FromSeconds(90), "the surviving node to run the job six more times");

        // Once per fire time, on whichever node.
        (await _cluster.ScalarAsync($"SELECT count(*) FROM (SELECT scheduled_at FROM job_runs WHERE job_name = '{Job}' AND scheduled_at IS NOT NULL GROUP BY 1 HAVING count(*) > 1) d"))
            .ShouldBe(0);
        // No fire lost: the first fire time after the kill ran, and every two-second slot after it until the last.
        (await _cluster.ScalarAsync($"SELECT extract(epoch FROM min(scheduled_at) - '{since}+00'::timestamptz)::bigint FROM job_runs WHERE job_name = '{Job}' AND scheduled_at > '{since}+00'"))
            .ShouldBeLessThanOrEqualTo(2);
        (await _cluster.ScalarAsync($"""
            SELECT (extract(epoch FROM max(scheduled_at) - min(scheduled_at)) / 2)::bigint + 1 - count(DISTINCT scheduled_at)
            FROM job_runs WHERE job_name = '{Job}' AND scheduled_at > '{since}+00'
            """)).ShouldBe(0);
        second.HasExited.ShouldBeFalse();
    }

    public async Task DisposeAsync() => await _cluster.DisposeAsync();
}
