using HealthSync.Engine.Lineage;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Exceptions;

/// <summary>
/// Closes the loop of a replay, in the same unit of work as the processing or delivery it depends on. A problem that
/// recurs is written onto the open exception it already has (no second exception for the same cause); a replayed
/// message that now goes through waits for its deliveries; an exception closes only when those postings succeeded.
/// </summary>
public static class ReplayOutcomes
{
    /// <summary>After the processor applied <paramref name="messageIds"/> and before it saves.</summary>
    public static async Task SettleMessagesAsync(HealthSyncDb db, IReadOnlyCollection<long> messageIds, DateTime now, CancellationToken ct)
    {
        var ids = messageIds.Cast<long?>().ToList();
        var open = await db.Exceptions.Where(e => e.Status == ExceptionStatus.Open && ids.Contains(e.InboxMessageId) && e.OutboxMessageId == null).ToListAsync(ct);
        if (open.Count == 0) return;
        var added = db.ChangeTracker.Entries<ExceptionRecord>().Where(x => x.State == EntityState.Added).ToList();
        var newOutbox = db.ChangeTracker.Entries<OutboxMessage>().Where(x => x.State == EntityState.Added).Select(x => x.Entity.InboxMessageId).ToHashSet();
        foreach (var byMessage in open.GroupBy(e => e.InboxMessageId))
        {
            var recurred = new HashSet<Guid>();
            foreach (var entry in added.Where(a => a.Entity.InboxMessageId == byMessage.Key))
            {
                var same = byMessage.FirstOrDefault(e => e.ErrorCode == entry.Entity.ErrorCode && e.Category == entry.Entity.Category && !recurred.Contains(e.Id));
                if (same is null) continue;
                entry.State = EntityState.Detached;
                recurred.Add(same.Id);
                same.LastReplayError = entry.Entity.ErrorDetail;
                same.PayloadVersion = entry.Entity.PayloadVersion;
                if (same.ReplayState == ReplayStates.Pending) same.ReplayState = ReplayStates.Failed;
                same.UpdatedAt = now;
            }
            foreach (var e in byMessage.Where(e => e.ReplayState == ReplayStates.Pending && !recurred.Contains(e.Id)))
            {
                if (newOutbox.Contains(byMessage.Key))
                {
                    e.ReplayState = ReplayStates.AwaitingDelivery;
                    e.UpdatedAt = now;
                }
                else
                {
                    Resolve(db, e, now, "replay applied; nothing left to post");
                }
            }
        }
    }

    /// <summary>After the dispatcher applied delivery results and before it saves.</summary>
    public static async Task SettleDeliveriesAsync(HealthSyncDb db, IReadOnlyCollection<OutboxMessage> rows, DateTime now, CancellationToken ct)
    {
        var correlations = rows.Select(r => r.CorrelationId).Distinct().ToList();
        var open = await db.Exceptions.Where(e => e.Status == ExceptionStatus.Open && correlations.Contains(e.CorrelationId)).ToListAsync(ct);
        if (open.Count == 0) return;
        var added = db.ChangeTracker.Entries<ExceptionRecord>().Where(x => x.State == EntityState.Added).ToList();

        // A delivery that fails again: its failure goes onto the exception it already has.
        foreach (var entry in added)
        {
            var same = open.FirstOrDefault(e => e.OutboxMessageId == entry.Entity.OutboxMessageId && e.OutboxMessageId is not null);
            if (same is not null)
            {
                entry.State = EntityState.Detached;
                same.LastReplayError = entry.Entity.ErrorDetail;
                if (same.ReplayState == ReplayStates.Pending) same.ReplayState = ReplayStates.Failed;
                same.UpdatedAt = now;
            }
            foreach (var waiting in open.Where(e => e.CorrelationId == entry.Entity.CorrelationId && e.ReplayState == ReplayStates.AwaitingDelivery))
            {
                waiting.ReplayState = ReplayStates.Failed;
                waiting.LastReplayError = entry.Entity.ErrorDetail;
                waiting.UpdatedAt = now;
            }
        }

        foreach (var row in rows.Where(r => r.Status == OutboxStatus.Delivered))
        {
            foreach (var e in open.Where(e => e.OutboxMessageId == row.Id && e.ReplayState == ReplayStates.Pending))
                Resolve(db, e, now, $"replayed delivery posted to {row.TargetSystem} ({row.RemoteReference})");
        }
        foreach (var e in open.Where(e => e.ReplayState == ReplayStates.AwaitingDelivery && e.Status == ExceptionStatus.Open))
        {
            // Every posting the replayed message led to must have succeeded, including ones delivered in earlier batches.
            var outstanding = await db.OutboxMessages.AsNoTracking()
                .Where(o => o.CorrelationId == e.CorrelationId && o.Status != OutboxStatus.Delivered).Select(o => o.Id).ToListAsync(ct);
            var stillOpen = outstanding.Where(id => rows.FirstOrDefault(r => r.Id == id) is not { Status: OutboxStatus.Delivered }).ToList();
            if (stillOpen.Count == 0)
                Resolve(db, e, now, "replayed message posted downstream");
        }
    }

    private static void Resolve(HealthSyncDb db, ExceptionRecord e, DateTime now, string detail)
    {
        e.Status = ExceptionStatus.Resolved;
        e.ReplayState = ReplayStates.Succeeded;
        e.ResolvedAt = now;
        e.ResolvedBy = "replay";
        e.ResolutionCode = ResolutionCodes.Replayed;
        e.ResolutionNote = detail;
        e.UpdatedAt = now;
        db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = e.CorrelationId, Step = Steps.Resolved, System = Systems.Engine, Outcome = Steps.Ok, At = now,
            Detail = $"exception {e.ErrorCode} closed: {detail}", InboxMessageId = e.InboxMessageId, OutboxMessageId = e.OutboxMessageId, PayloadVersion = e.PayloadVersion,
        });
    }
}
