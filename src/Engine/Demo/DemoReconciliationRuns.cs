using HealthSync.Engine.Jobs;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Quartz;

namespace HealthSync.Engine.Demo;

/// <summary>
/// In demo mode, runs the reconciliations once the simulated traffic has had time to arrive, instead of waiting for their
/// schedules (daily cash runs at 06:00, inventory drift on the hour): every KPI on the dashboard has data within a few
/// minutes of the first start. A second pass picks up the settlement file and invoices that arrive in the first minutes.
/// The runs are ordinary job runs, recorded as started by the demo.
/// </summary>
public sealed class DemoReconciliationRuns(IOptions<TrafficOptions> traffic, ISchedulerFactory schedulers) : BackgroundService
{
    /// <summary>After the backfill and the supplier's first answers; then once more after today's settlement file.</summary>
    private static readonly TimeSpan[] Passes = [TimeSpan.FromSeconds(75), TimeSpan.FromSeconds(150)];

    private static readonly string[] Jobs = ["charge-capture", "three-way-match", "daily-cash", "inventory-drift", "edi-ack-aging"];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!traffic.Value.Enabled) return;
        try
        {
            var waited = TimeSpan.Zero;
            foreach (var at in Passes)
            {
                await Task.Delay(at - waited, stoppingToken);
                waited = at;
                var scheduler = await schedulers.GetScheduler(stoppingToken);
                foreach (var job in Jobs)
                    await scheduler.TriggerJob(JobControl.Key(job), new JobDataMap { [CatalogJob.TriggeredByKey] = "demo: first start" }, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }
}
