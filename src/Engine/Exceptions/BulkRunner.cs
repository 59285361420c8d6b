using System.Text.Json;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthSync.Engine.Exceptions;

/// <summary>What a bulk action applies to each exception: the action and its arguments.</summary>
public sealed record BulkParameters(string? ResolutionCode = null, string? Note = null, string? Team = null, string? Owner = null, string? Comment = null);

public static class BulkActions
{
    public const string Resolve = "resolve";
    public const string Replay = "replay";
    public const string Reassign = "reassign";
    public const string Comment = "comment";
    public static readonly IReadOnlyList<string> All = [Resolve, Replay, Reassign, Comment];

    /// <summary>
    /// Queues a bulk action over exactly the exceptions selected now (a filter or a group, across every page); the
    /// selection is frozen so the count previewed is the count acted on.
    /// </summary>
    public static BulkOperation Queue(HealthSyncDb db, string action, IReadOnlyList<Guid> ids, string selection, BulkParameters parameters, Actor actor, DateTime now)
    {
        var op = new BulkOperation
        {
            Id = Guid.CreateVersion7(), Action = action, Selection = selection, Parameters = JsonSerializer.Serialize(parameters),
            ExceptionIds = string.Join(',', ids), Total = ids.Count, Status = BulkStatus.Queued, CreatedBy = actor.Name, CreatedAt = now,
        };
        db.BulkOperations.Add(op);
        db.AuditEntries.Add(new AuditEntry
        {
            At = now, Actor = actor.Name, Action = "exception.bulk." + action, TargetType = "bulk-operation", TargetId = op.Id.ToString(),
            Reason = parameters.Note ?? parameters.Comment, After = $"{ids.Count} exception(s): {selection}",
        });
        return op;
    }
}

/// <summary>
/// Runs queued bulk actions in chunks, each chunk in its own unit of work, saving progress after each chunk so the portal
/// can show it and a restart resumes where it stopped. Every exception goes through the same checks and audit as a
/// single action; the acting person's rights are re-checked per exception.
/// </summary>
public sealed partial class BulkRunner(IServiceScopeFactory scopes, ExceptionActions actions, TimeProvider time, ILogger<BulkRunner> log) : BackgroundService
{
    public const int ChunkSize = 100;
    private readonly SemaphoreSlim _wake = new(0);

    public void Notify()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await RunNextAsync(stoppingToken))
                    await _wake.WaitAsync(TimeSpan.FromSeconds(1), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogFailed(log, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <summary>Runs one chunk of the oldest unfinished operation; false when there is nothing to do.</summary>
    public async Task<bool> RunNextAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var op = await db.BulkOperations.Where(o => o.Status == BulkStatus.Queued || o.Status == BulkStatus.Running)
            .OrderBy(o => o.CreatedAt).FirstOrDefaultAsync(ct);
        if (op is null) return false;
        op.Status = BulkStatus.Running;
        var creator = await db.Users.AsNoTracking().Where(u => u.UserName == op.CreatedBy).Select(u => u.Role).FirstOrDefaultAsync(ct);
        var actor = new Actor(op.CreatedBy, creator ?? "");
        var parameters = JsonSerializer.Deserialize<BulkParameters>(op.Parameters ?? "{}") ?? new BulkParameters();
        var ids = op.ExceptionIds.Length == 0 ? [] : op.ExceptionIds.Split(',').Skip(op.Processed).Take(ChunkSize).Select(Guid.Parse).ToList();
        foreach (var id in ids)
        {
            var result = op.Action switch
            {
                BulkActions.Resolve => await actions.ResolveAsync(db, id, actor, parameters.ResolutionCode ?? "", parameters.Note, ct),
                BulkActions.Reassign => await actions.ReassignAsync(db, id, actor, parameters.Team, parameters.Owner, parameters.Note, ct),
                BulkActions.Comment => await actions.CommentAsync(db, id, actor, parameters.Comment ?? "", ct),
                BulkActions.Replay => (await actions.ReplayAsync(db, id, actor, null, parameters.Note, ct)).Result,
                _ => ActionResult.Refused("invalid", $"Unknown bulk action '{op.Action}'."),
            };
            op.Processed++;
            if (result.Ok) op.Succeeded++;
            else
            {
                op.Failed++;
                op.LastError = result.Message;
            }
        }
        if (op.Processed >= op.Total)
        {
            op.Status = BulkStatus.Completed;
            op.FinishedAt = time.GetUtcNow().UtcDateTime;
        }
        await db.SaveChangesAsync(ct);
        return true;
    }

    [LoggerMessage(EventId = 6001, Level = LogLevel.Error, Message = "Bulk action runner failed; retrying")]
    private static partial void LogFailed(ILogger logger, Exception ex);
}
