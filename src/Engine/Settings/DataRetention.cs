using HealthSync.Engine.Jobs;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Settings;

/// <summary>
/// The <c>data-retention</c> job: removes what the retention settings say is no longer kept, in small batches so the
/// engine keeps writing meanwhile, each batch in its own transaction that checks its rows again before deleting them.
/// </summary>
/// <remarks>
/// A processed message is removed as a whole transaction (its row, payload versions, lineage steps and business keys)
/// rather than having its payload blanked: the lineage page and search are built on the message row, and the business
/// keys are the patient identifiers retention exists to remove, so a row without its payload would keep the PHI and
/// show an empty transaction. Only transactions that no exception refers to (open or resolved) are removed, so the
/// exception pages always find their message; resolved exceptions expire by their own setting first, which makes their
/// transaction eligible. Outbox rows and business documents stay: they hold the idempotency keys that stop a posting
/// from being applied twice and the facts the reconciliations and KPIs read.
/// </remarks>
public sealed class DataRetention(HealthSyncDb db, MappingCatalog catalog, TimeProvider time)
{
    public const string JobName = "data-retention";
    public const int BatchSize = 500;

    private sealed record Removed(int Transactions, int ResolvedExceptions, int JobRuns, int AuditEntries)
    {
        public int Total => Transactions + ResolvedExceptions + JobRuns + AuditEntries;
    }

    public async Task<JobOutcome> RunAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var policy = (await catalog.CurrentAsync(ct)).Settings.Retention();

        var exceptions = await ResolvedExceptionsAsync(now.AddDays(-policy.ResolvedExceptionDays), ct);
        await progress.ReportAsync(25, exceptions, ct);
        var transactions = await TransactionsAsync(now.AddDays(-policy.PayloadDays), ct);
        await progress.ReportAsync(50, exceptions + transactions, ct);
        var runs = await InBatchesAsync(() => db.JobRuns.Where(r => r.Status != JobRunStatus.Running && r.StartedAt < now.AddDays(-policy.JobRunDays)).OrderBy(r => r.StartedAt), ct);
        await progress.ReportAsync(75, exceptions + transactions + runs, ct);
        var auditCutoff = now.AddDays(-Math.Max(policy.AuditDays, RetentionSettings.MinimumAuditDays));
        var audit = await InBatchesAsync(() => db.AuditEntries.Where(a => a.At < auditCutoff).OrderBy(a => a.Id), ct);

        var removed = new Removed(transactions, exceptions, runs, audit);
        if (removed.Total > 0)
        {
            db.AuditEntries.Add(new AuditEntry
            {
                At = now, Actor = JobName, Action = "retention.purge", TargetType = "retention",
                Detail = $"removed {transactions} transaction(s) older than {policy.PayloadDays} days, {exceptions} resolved exception(s) older than {policy.ResolvedExceptionDays} days, "
                    + $"{runs} job run(s) older than {policy.JobRunDays} days, {audit} audit entr{(audit == 1 ? "y" : "ies")} older than {Math.Max(policy.AuditDays, RetentionSettings.MinimumAuditDays)} days",
            });
            await db.SaveChangesAsync(ct);
        }
        return new JobOutcome(removed.Total, 0, 0,
            $"removed {transactions} processed transaction(s) with their payloads and lineage, {exceptions} resolved exception(s), {runs} job run(s), {audit} audit entr{(audit == 1 ? "y" : "ies")}");
    }

    /// <summary>Processed messages received before the cutoff whose whole transaction is settled and has no exception.</summary>
    private IQueryable<InboxMessage> Expired(DateTime cutoff) =>
        db.InboxMessages.Where(m => m.Status != InboxStatus.Received && m.ReceivedAt < cutoff
            && !db.InboxMessages.Any(o => o.CorrelationId == m.CorrelationId && (o.Status == InboxStatus.Received || o.ReceivedAt >= cutoff))
            && !db.Exceptions.Any(e => e.CorrelationId == m.CorrelationId)
            && !db.Exceptions.Any(e => e.InboxMessageId == m.Id)
            && !db.OutboxMessages.Any(o => o.CorrelationId == m.CorrelationId && o.Status == OutboxStatus.Pending));

    private async Task<int> TransactionsAsync(DateTime cutoff, CancellationToken ct)
    {
        var removed = 0;
        var after = 0L;
        while (true)
        {
            var ids = await Expired(cutoff).Where(m => m.Id > after).OrderBy(m => m.Id).Select(m => m.Id).Take(BatchSize).ToListAsync(ct);
            if (ids.Count == 0) return removed;
            after = ids[^1];
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            // Checked again inside the transaction: an exception raised since the selection keeps its transaction.
            var messages = Expired(cutoff).Where(m => ids.Contains(m.Id));
            var correlations = messages.Select(m => m.CorrelationId);
            await db.PayloadVersions.Where(v => messages.Select(m => m.Id).Contains(v.InboxMessageId)).ExecuteDeleteAsync(ct);
            await db.LineageSteps.Where(s => correlations.Contains(s.CorrelationId)).ExecuteDeleteAsync(ct);
            await db.BusinessKeys.Where(k => correlations.Contains(k.CorrelationId)).ExecuteDeleteAsync(ct);
            removed += await messages.ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
        }
    }

    private async Task<int> ResolvedExceptionsAsync(DateTime cutoff, CancellationToken ct)
    {
        var removed = 0;
        while (true)
        {
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var batch = db.Exceptions.Where(e => e.Status == ExceptionStatus.Resolved && e.ResolvedAt < cutoff).OrderBy(e => e.ResolvedAt).Take(BatchSize).Select(e => e.Id);
            await db.ExceptionComments.Where(c => batch.Contains(c.ExceptionId)).ExecuteDeleteAsync(ct);
            await db.ReconciliationResults.Where(r => r.ExceptionId != null && batch.Contains(r.ExceptionId.Value))
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.ExceptionId, (Guid?)null), ct);
            var count = await db.Exceptions.Where(e => batch.Contains(e.Id)).ExecuteDeleteAsync(ct);
            await tx.CommitAsync(ct);
            removed += count;
            if (count < BatchSize) return removed;
        }
    }

    private async Task<int> InBatchesAsync<T>(Func<IQueryable<T>> expired, CancellationToken ct)
    {
        var removed = 0;
        while (true)
        {
            var count = await expired().Take(BatchSize).ExecuteDeleteAsync(ct);
            removed += count;
            if (count < BatchSize) return removed;
        }
    }
}
