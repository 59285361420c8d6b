using HealthSync.Engine.Persistence;
using JobRunStatus = HealthSync.Engine.Persistence.JobRunStatus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Quartz;

namespace HealthSync.Engine.Jobs;

/// <summary>What a run reports: items examined, matched, and exceptions raised (new ones only; re-running raises none).</summary>
public sealed record JobOutcome(int Examined, int Matched, int ExceptionsRaised, string Message);

/// <summary>Lets a running job report progress that the jobs page shows while it runs.</summary>
public sealed class JobProgress(IServiceScopeFactory scopes, Guid runId)
{
    private DateTime _lastWrite;

    public Guid RunId => runId;

    public async Task ReportAsync(int percent, int examined, CancellationToken ct)
    {
        if (DateTime.UtcNow - _lastWrite < TimeSpan.FromMilliseconds(500) && percent < 100) return;
        _lastWrite = DateTime.UtcNow;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        await db.JobRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Progress, Math.Clamp(percent, 0, 100)).SetProperty(r => r.Examined, examined)
            .SetProperty(r => r.HeartbeatAt, _lastWrite), ct);
    }
}

/// <summary>
/// The sign of life of a running job: writes <see cref="JobRun.HeartbeatAt"/> on a timer until disposed, and marks the
/// runs whose heartbeat stopped — their process ended before it could record an outcome — as interrupted.
/// </summary>
public sealed class RunHeartbeat : IAsyncDisposable
{
    /// <summary>Beats a run may miss before it counts as interrupted.</summary>
    public const int MissedBeats = 4;

    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    private RunHeartbeat(IServiceScopeFactory scopes, TimeProvider time, Guid runId, TimeSpan interval) =>
        _loop = BeatAsync(scopes, time, runId, interval, _stop.Token);

    public static RunHeartbeat Start(IServiceScopeFactory scopes, TimeProvider time, Guid runId, TimeSpan interval) => new(scopes, time, runId, interval);

    private static async Task BeatAsync(IServiceScopeFactory scopes, TimeProvider time, Guid runId, TimeSpan interval, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                try
                {
                    await using var scope = scopes.CreateAsyncScope();
                    var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
                    var now = time.GetUtcNow().UtcDateTime;
                    await db.JobRuns.Where(r => r.Id == runId && r.Status == JobRunStatus.Running).ExecuteUpdateAsync(s => s.SetProperty(r => r.HeartbeatAt, now), ct);
                }
                catch (Exception) when (!ct.IsCancellationRequested)
                {
                    // A beat that could not be written (a busy or briefly unreachable database) is tried again at the
                    // next one; only several missed in a row mark the run interrupted. The job itself is not disturbed.
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    /// <summary>
    /// Marks as interrupted every run still "running" whose last sign of life is older than <see cref="MissedBeats"/>
    /// beats; its finish time is that last sign of life. Returns how many were marked.
    /// </summary>
    public static Task<int> MarkInterruptedAsync(HealthSyncDb db, DateTime now, TimeSpan interval, CancellationToken ct)
    {
        var silentSince = now - interval * MissedBeats;
        var message = $"Interrupted: the process running it stopped before the run finished (no sign of life for {(interval * MissedBeats).TotalMinutes:0.#} min). "
            + "What it committed stays; the next run starts afresh.";
        return db.JobRuns.Where(r => r.Status == JobRunStatus.Running && (r.HeartbeatAt ?? r.StartedAt) < silentSince)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Status, JobRunStatus.Interrupted)
                .SetProperty(r => r.FinishedAt, r => r.HeartbeatAt ?? r.StartedAt)
                .SetProperty(r => r.Message, message), ct);
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>
/// The one job type behind every entry of <see cref="JobCatalog"/> (the job key names the entry): records the run (who or what triggered it, start, end, outcome, counts) in
/// <c>job_runs</c>, gives the job a progress reporter, and never lets two runs of the same job overlap.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CatalogJob(IServiceScopeFactory scopes, TimeProvider time, IOptions<JobOptions> options, ILogger<CatalogJob> logger) : IJob
{
    public const string TriggeredByKey = "triggeredBy";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var name = context.JobDetail.Key.Name;
        var by = context.MergedJobDataMap.TryGetValue(TriggeredByKey, out var who) && who is string s && s.Length > 0 ? s : "schedule";
        var started = time.GetUtcNow().UtcDateTime;
        var interval = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.HeartbeatSeconds));
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(), JobName = name, TriggeredBy = by, StartedAt = started, HeartbeatAt = started, Status = JobRunStatus.Running,
            ScheduledAt = by == "schedule" && !context.Recovering ? context.ScheduledFireTimeUtc?.UtcDateTime : null,
        };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
            // Runs left "running" by a process that stopped (on this node or another) are closed before this one starts.
            var interrupted = await RunHeartbeat.MarkInterruptedAsync(db, started, interval, cancellationToken);
            if (interrupted > 0) LogRunsInterrupted(logger, interrupted);
            db.JobRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }
        JobOutcome? outcome = null;
        string? error = null;
        await using (RunHeartbeat.Start(scopes, time, run.Id, interval))
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var job = JobCatalog.Find(name) ?? throw new InvalidOperationException($"Job '{name}' is not in the catalogue.");
                outcome = await job.Run(scope.ServiceProvider, new JobProgress(scopes, run.Id), cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                error = $"{ex.GetType().Name}: {ex.Message}";
                LogRunFailed(logger, ex, name);
            }
        }
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
            var row = await db.JobRuns.SingleAsync(r => r.Id == run.Id, CancellationToken.None);
            row.FinishedAt = row.HeartbeatAt = time.GetUtcNow().UtcDateTime;
            row.Status = error is null ? JobRunStatus.Succeeded : JobRunStatus.Failed;
            row.Progress = 100;
            row.Examined = outcome?.Examined ?? row.Examined;
            row.Matched = outcome?.Matched ?? 0;
            row.ExceptionsRaised = outcome?.ExceptionsRaised ?? 0;
            row.Message = error ?? outcome?.Message;
            await db.SaveChangesAsync(CancellationToken.None);
        }
    }

    [LoggerMessage(EventId = 7001, Level = LogLevel.Error, Message = "Job {Job} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception ex, string job);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "{Count} job run(s) had stopped without an outcome and are marked interrupted")]
    private static partial void LogRunsInterrupted(ILogger logger, int count);
}
