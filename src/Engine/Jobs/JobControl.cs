using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using JobRunStatus = HealthSync.Engine.Persistence.JobRunStatus;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace HealthSync.Engine.Jobs;

/// <param name="Status">Running, Succeeded, Failed, or Interrupted (the process running it stopped before it finished).</param>
/// <param name="HeartbeatAt">The run's last sign of life.</param>
public sealed record JobRunView(Guid Id, string JobName, string TriggeredBy, DateTime StartedAt, DateTime? FinishedAt, string Status, int Progress,
    int Examined, int Matched, int ExceptionsRaised, string? Message, DateTime? HeartbeatAt)
{
    public double? Seconds => FinishedAt is { } f ? (f - StartedAt).TotalSeconds : null;
}

public sealed record JobView(string Name, string Title, string Description, string Cron, string TimeZone, string Misfire, bool Paused,
    DateTime? NextRunAt, DateTime? PreviousRunAt, JobRunView? LastRun, JobRunView? Running);

/// <summary>
/// What an admin does to the scheduler: trigger now, pause, resume, change a schedule. Every change is audited with who
/// did it; a manual run carries its trigger's author into the run history.
/// </summary>
public sealed class JobControl(ISchedulerFactory schedulers, TimeProvider time)
{
    private async Task<IScheduler> SchedulerAsync(CancellationToken ct) => await schedulers.GetScheduler(ct);

    public static JobKey Key(string name) => new(name, JobCatalog.Group);

    public static TriggerKey ScheduleKey(string name) => new(name + ".schedule", JobCatalog.Group);

    public async Task<IReadOnlyList<JobView>> ListAsync(HealthSyncDb db, CancellationToken ct)
    {
        var scheduler = await SchedulerAsync(ct);
        var runs = await db.JobRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).Take(500).ToListAsync(ct);
        var views = new List<JobView>();
        foreach (var job in JobCatalog.All)
        {
            var trigger = await scheduler.GetTrigger(ScheduleKey(job.Name), ct) as ICronTrigger;
            var state = trigger is null ? TriggerState.None : await scheduler.GetTriggerState(trigger.Key, ct);
            var last = runs.FirstOrDefault(r => r.JobName == job.Name && r.Status != JobRunStatus.Running);
            var running = runs.FirstOrDefault(r => r.JobName == job.Name && r.Status == JobRunStatus.Running);
            views.Add(new JobView(job.Name, job.Title, job.Description, trigger?.CronExpressionString ?? job.DefaultCron, trigger?.TimeZone.Id ?? "UTC", job.Misfire,
                state == TriggerState.Paused, trigger?.NextFireTimeUtc?.UtcDateTime, trigger?.PreviousFireTimeUtc?.UtcDateTime,
                last is null ? null : View(last), running is null ? null : View(running)));
        }
        return views;
    }

    public static JobRunView View(JobRun r) => new(r.Id, r.JobName, r.TriggeredBy, r.StartedAt, r.FinishedAt, r.Status.ToString(), r.Progress, r.Examined, r.Matched, r.ExceptionsRaised, r.Message, r.HeartbeatAt);

    public async Task<ActionResult> TriggerAsync(HealthSyncDb db, string name, Actor actor, CancellationToken ct)
    {
        if (JobCatalog.Find(name) is null) return ActionResult.Refused("not-found", $"No job '{name}'.");
        var scheduler = await SchedulerAsync(ct);
        var data = new JobDataMap { [CatalogJob.TriggeredByKey] = $"manual: {actor.Name}" };
        await scheduler.TriggerJob(Key(name), data, ct);
        Audit(db, actor, "job.trigger", name, null, null);
        return ActionResult.Done($"{name} triggered.");
    }

    public async Task<ActionResult> PauseAsync(HealthSyncDb db, string name, Actor actor, string? reason, CancellationToken ct)
    {
        if (JobCatalog.Find(name) is null) return ActionResult.Refused("not-found", $"No job '{name}'.");
        await (await SchedulerAsync(ct)).PauseJob(Key(name), ct);
        Audit(db, actor, "job.pause", name, "active", "paused", reason);
        return ActionResult.Done($"{name} paused.");
    }

    public async Task<ActionResult> ResumeAsync(HealthSyncDb db, string name, Actor actor, CancellationToken ct)
    {
        if (JobCatalog.Find(name) is null) return ActionResult.Refused("not-found", $"No job '{name}'.");
        await (await SchedulerAsync(ct)).ResumeJob(Key(name), ct);
        Audit(db, actor, "job.resume", name, "paused", "active");
        return ActionResult.Done($"{name} resumed.");
    }

    public async Task<ActionResult> RescheduleAsync(HealthSyncDb db, string name, string cron, string? timeZone, Actor actor, CancellationToken ct)
    {
        if (JobCatalog.Find(name) is null) return ActionResult.Refused("not-found", $"No job '{name}'.");
        if (!CronExpression.TryParse(cron, out _)) return ActionResult.Refused("invalid", $"'{cron}' is not a valid cron expression (seconds minutes hours day-of-month month day-of-week).");
        TimeZoneInfo zone;
        try
        {
            zone = TimeZoneInfo.FindSystemTimeZoneById(string.IsNullOrWhiteSpace(timeZone) ? "UTC" : timeZone);
        }
        catch (TimeZoneNotFoundException)
        {
            return ActionResult.Refused("invalid", $"Unknown time zone '{timeZone}'.");
        }
        var scheduler = await SchedulerAsync(ct);
        var before = (await scheduler.GetTrigger(ScheduleKey(name), ct) as ICronTrigger)?.CronExpressionString;
        var paused = await scheduler.GetTriggerState(ScheduleKey(name), ct) == TriggerState.Paused;
        await scheduler.RescheduleJob(ScheduleKey(name), BuildTrigger(name, cron, zone), ct);
        if (paused) await scheduler.PauseJob(Key(name), ct);
        Audit(db, actor, "job.reschedule", name, before, $"{cron} ({zone.Id})");
        return ActionResult.Done($"{name} now runs on '{cron}' ({zone.Id}).");
    }

    /// <summary>The cron trigger of a job; a missed run fires once when the scheduler is back (FireAndProceed).</summary>
    public static ITrigger BuildTrigger(string name, string cron, TimeZoneInfo zone) =>
        TriggerBuilder.Create()
            .WithIdentity(ScheduleKey(name))
            .ForJob(Key(name))
            .WithCronSchedule(cron, b => b.InTimeZone(zone).WithMisfireInstruction(CronTriggerMisfireInstruction.FireAndProceed))
            .Build();

    public async Task<(IReadOnlyList<JobRunView> Runs, int Total)> HistoryAsync(HealthSyncDb db, string? job, string? status, string? triggeredBy, int page, CancellationToken ct)
    {
        var q = db.JobRuns.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(job)) q = q.Where(r => r.JobName == job);
        if (Enum.TryParse<JobRunStatus>(status, true, out var s)) q = q.Where(r => r.Status == s);
        if (!string.IsNullOrWhiteSpace(triggeredBy)) q = q.Where(r => r.TriggeredBy.Contains(triggeredBy));
        var total = await q.CountAsync(ct);
        var rows = await q.OrderByDescending(r => r.StartedAt).Skip((Math.Max(1, page) - 1) * 50).Take(50).ToListAsync(ct);
        return (rows.Select(View).ToList(), total);
    }

    private void Audit(HealthSyncDb db, Actor actor, string action, string job, string? before, string? after, string? reason = null) =>
        db.AuditEntries.Add(new AuditEntry { At = time.GetUtcNow().UtcDateTime, Actor = actor.Name, Action = action, TargetType = "job", TargetId = job, Before = before, After = after, Reason = reason });
}
