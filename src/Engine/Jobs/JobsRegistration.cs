using HealthSync.Engine.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace HealthSync.Engine.Jobs;

public sealed class JobOptions
{
    /// <summary>Runs the scheduler in this process (workers); portal-only nodes still read and change schedules.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Creates the schedules paused (tests and staging copies drive jobs by hand).</summary>
    public bool StartPaused { get; set; }

    /// <summary>
    /// How often a running job records that it is alive. A run without a sign of life for four beats is marked
    /// interrupted by the next job that starts on any node.
    /// </summary>
    public double HeartbeatSeconds { get; set; } = 30;

    /// <summary>How often a clustered node (PostgreSQL) checks in; a node silent for two check-ins has its runs recovered by another.</summary>
    public double CheckinSeconds { get; set; } = 7.5;

    /// <summary>A job's schedule when it is first created, instead of its catalogue default (e.g. <c>Engine:Jobs:Cron:daily-cash</c>).</summary>
    public Dictionary<string, string> Cron { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

public static class JobsRegistration
{
    /// <summary>
    /// Quartz with its persistent store in the product's database (tables from db/&lt;provider&gt;/0004, with the
    /// dialect of the configured provider); jobs from <see cref="JobCatalog"/>.
    /// </summary>
    public static IHostApplicationBuilder AddScheduledJobs(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<JobOptions>().BindConfiguration("Engine:Jobs");
        var database = DatabaseOptions.Of(builder.Configuration);
        var jobs = builder.Configuration.GetSection("Engine:Jobs").Get<JobOptions>() ?? new JobOptions();
        // Portal-only nodes keep the scheduler's store (to read and change schedules) but never fire jobs.
        var enabled = jobs.Enabled && Pipeline.EngineOptions.Of(builder.Configuration).RunsWorker;
        var clustered = database.IsPostgres;
        services.AddQuartz(q =>
        {
            // Clustered on PostgreSQL: every process has its own instance id (host and process id, to tell nodes apart in
            // qrtz_scheduler_state), each fire is taken by one node through the store's row locks, and a node that stops
            // checking in has its in-flight runs recovered by another.
            q.ConfigureScheduler(o =>
            {
                o.InstanceName = "healthsync";
                if (clustered) o.InstanceId = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";
            });
            q.UsePersistentStore(store =>
            {
                if (clustered)
                {
                    store.UseClustering(c =>
                    {
                        c.CheckinInterval = TimeSpan.FromSeconds(jobs.CheckinSeconds);
                        c.CheckinMisfireThreshold = TimeSpan.FromSeconds(jobs.CheckinSeconds * 2);
                    });
                    store.UsePostgres(database.ConnectionString);
                }
                else
                    store.UseSqlite(database.ConnectionString);
            });
            foreach (var job in JobCatalog.All)
                q.AddJob<CatalogJob>(j => j.WithIdentity(JobControl.Key(job.Name)).StoreDurably().RequestRecovery(clustered).WithDescription(job.Title));
        });
        if (enabled)
            services.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        services.AddSingleton<JobControl>();
        services.AddHostedService<JobScheduleBootstrap>();
        return builder;
    }
}

/// <summary>
/// Gives every job its default schedule the first time, and never again: a schedule an admin changed survives restarts
/// because it lives in the persistent store.
/// </summary>
public sealed class JobScheduleBootstrap(ISchedulerFactory schedulers, Microsoft.Extensions.Options.IOptions<JobOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var scheduler = await schedulers.GetScheduler(cancellationToken);
        foreach (var job in JobCatalog.All)
        {
            if (await scheduler.Exists(JobControl.ScheduleKey(job.Name), cancellationToken)) continue;
            var cron = options.Value.Cron.GetValueOrDefault(job.Name, job.DefaultCron);
            try
            {
                await scheduler.ScheduleJob(JobControl.BuildTrigger(job.Name, cron, TimeZoneInfo.Utc), new ScheduleJobOptions(), cancellationToken);
            }
            catch (ObjectAlreadyExistsException)
            {
                // Another node of the cluster created it between the check and now: its schedule stands.
                continue;
            }
            if (options.Value.StartPaused) await scheduler.PauseJob(JobControl.Key(job.Name), cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
