using HealthSync.Engine.Persistence;
using JobRunStatus = HealthSync.Engine.Persistence.JobRunStatus;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
        await db.JobRuns.Where(r => r.Id == runId).ExecuteUpdateAsync(s => s.SetProperty(r => r.Progress, Math.Clamp(percent, 0, 100)).SetProperty(r => r.Examined, examined), ct);
    }
}

/// <summary>
/// The one job type behind every entry of <see cref="JobCatalog"/> (the job key names the entry): records the run (who or what triggered it, start, end, outcome, counts) in
/// <c>job_runs</c>, gives the job a progress reporter, and never lets two runs of the same job overlap.
/// </summary>
[DisallowConcurrentExecution]
public sealed partial class CatalogJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<CatalogJob> logger) : IJob
{
    public const string TriggeredByKey = "triggeredBy";

    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken = default)
    {
        var name = context.JobDetail.Key.Name;
        var by = context.MergedJobDataMap.TryGetValue(TriggeredByKey, out var who) && who is string s && s.Length > 0 ? s : "schedule";
        var run = new JobRun
        {
            Id = Guid.CreateVersion7(), JobName = name, TriggeredBy = by, StartedAt = time.GetUtcNow().UtcDateTime, Status = JobRunStatus.Running,
            ScheduledAt = by == "schedule" && !context.Recovering ? context.ScheduledFireTimeUtc?.UtcDateTime : null,
        };
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
            db.JobRuns.Add(run);
            await db.SaveChangesAsync(cancellationToken);
        }
        JobOutcome? outcome = null;
        string? error = null;
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
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
            var row = await db.JobRuns.SingleAsync(r => r.Id == run.Id, CancellationToken.None);
            row.FinishedAt = time.GetUtcNow().UtcDateTime;
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
}
