using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Overview;

public sealed record EndpointView(string Name, string Circuit, long Successes, long Failures, double MeanLatencyMs, DateTime? LastSuccessAt, string? LastError, int Pending, int Failed);

public sealed record OverviewNumbers(
    DateTime Since, int Received, int Processed, int Rejected, int WaitingInInbox, int PendingDeliveries, int FailedDeliveries, int Delivered,
    int OpenExceptions, int SlaBreached, decimal OpenAmountAtRisk, int ChargesPosted, decimal ChargesPostedAmount, int Replenishments,
    IReadOnlyList<Exceptions.CategoryCount> OpenByCategory, IReadOnlyList<EndpointView> Endpoints);

/// <summary>The engine's last 24 hours, computed from stored rows.</summary>
public static class OverviewQuery
{
    public static async Task<OverviewNumbers> GetAsync(HealthSyncDb db, DeliveryTargets targets, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var since = now.AddHours(-24);
        var inbox = await db.InboxMessages.AsNoTracking().Where(m => m.ReceivedAt >= since)
            .GroupBy(m => m.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct);
        var waiting = await db.InboxMessages.AsNoTracking().CountAsync(m => m.Status == InboxStatus.Received, ct);
        var outbox = await db.OutboxMessages.AsNoTracking()
            .Where(o => o.Status != OutboxStatus.Delivered || o.DeliveredAt >= since)
            .GroupBy(o => new { o.TargetSystem, o.Status }).Select(g => new { g.Key.TargetSystem, g.Key.Status, Count = g.Count() }).ToListAsync(ct);
        var open = db.Exceptions.AsNoTracking().Where(e => e.Status == ExceptionStatus.Open);
        var openCount = await open.CountAsync(ct);
        var breached = await open.CountAsync(e => e.SlaDueAt < now, ct);
        var atRisk = (decimal)(await open.SumAsync(e => (double?)e.AmountAtRisk, ct) ?? 0);
        var posted = db.Charges.AsNoTracking().Where(c => c.Status == PostingStatus.Posted && c.PostedAt >= since);
        var chargesPosted = await posted.CountAsync(ct);
        var chargesAmount = (decimal)(await posted.SumAsync(c => (double?)c.Amount, ct) ?? 0);
        var replenishments = await db.ReplenishmentSignals.AsNoTracking().CountAsync(r => r.CreatedAt >= since, ct);
        int Inbox(InboxStatus s) => inbox.Where(x => x.Key == s).Sum(x => x.Count);
        int Outbox(OutboxStatus s, string? target = null) => outbox.Where(x => x.Status == s && (target is null || x.TargetSystem == target)).Sum(x => x.Count);
        var endpoints = targets.All.Select(t => new EndpointView(t.Name, t.State, t.Successes, t.Failures, t.MeanLatencyMs, t.LastSuccessAt, t.LastError,
            Outbox(OutboxStatus.Pending, t.Name), Outbox(OutboxStatus.Failed, t.Name))).ToList();
        return new OverviewNumbers(since, inbox.Sum(x => x.Count), Inbox(InboxStatus.Processed), Inbox(InboxStatus.Rejected), waiting,
            Outbox(OutboxStatus.Pending), Outbox(OutboxStatus.Failed), Outbox(OutboxStatus.Delivered), openCount, breached, atRisk,
            chargesPosted, chargesAmount, replenishments, await Exceptions.ExceptionQueries.OpenByCategoryAsync(db, ct), endpoints);
    }
}
