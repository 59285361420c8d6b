using System.Diagnostics;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Scale;
using HealthSync.Engine.Telemetry;
using HealthSync.Engine.Workflows.Documents;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Pipeline;

/// <summary>
/// Drains the inbox in arrival order (which keeps per-key order), a batch per transaction: facts, lineage,
/// outbox rows and exceptions of the whole batch commit together with the messages' new status. A crash before
/// the commit leaves the batch as it was; nothing is half-applied.
/// </summary>
public sealed partial class InboxProcessor(
    IServiceScopeFactory scopes, MappingCatalog catalog, InboxSignal signal, OutboxSignal outboxSignal, PartitionLeases leases, TimeProvider time,
    IOptions<EngineOptions> options, ILogger<InboxProcessor> log) : BackgroundService
{
    private readonly EngineOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var count = await ProcessBatchAsync(stoppingToken);
                if (count > 0) outboxSignal.Notify();
                if (count < _options.BatchSize)
                    await signal.WaitAsync(TimeSpan.FromMilliseconds(_options.PollMilliseconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogLoopFailed(log, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    /// <returns>How many messages were taken from the inbox.</returns>
    public async Task<int> ProcessBatchAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var received = db.InboxMessages.Where(m => m.Status == InboxStatus.Received);
        // Several workers on one database: only the partitions this worker holds, each in arrival order.
        if (leases.Held(PartitionLeases.Inbox) is { } held)
        {
            if (held.Count == 0) return 0;
            received = received.Where(m => held.Contains(m.WorkPartition));
        }
        var batch = await received
            .OrderBy(m => m.Id)
            .Take(_options.BatchSize)
            .ToListAsync(ct);
        if (batch.Count == 0) return 0;

        using var activity = EngineTelemetry.Source.StartActivity("inbox.process_batch");
        activity?.SetTag("healthsync.batch_size", batch.Count);
        var map = await catalog.CurrentAsync(ct);
        try
        {
            await ApplyAsync(db, batch, map, ct);
        }
        catch (DbUpdateException ex)
        {
            // One bad message must not stall the rest: retry the batch one message at a time.
            LogBatchFellBack(log, ex, batch.Count);
            foreach (var id in batch.Select(b => b.Id))
                await ProcessSingleAsync(id, map, ct);
        }
        return batch.Count;
    }

    private async Task ProcessSingleAsync(long id, MappingSnapshot map, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var message = await db.InboxMessages.SingleAsync(m => m.Id == id, ct);
        if (message.Status != InboxStatus.Received) return;
        try
        {
            await ApplyAsync(db, [message], map, ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // Another worker settled it first (it took the partition over): its outcome stands.
        }
        catch (DbUpdateException ex)
        {
            db.ChangeTracker.Clear();
            var row = await db.InboxMessages.SingleAsync(m => m.Id == id, ct);
            if (row.Status != InboxStatus.Received) return;
            row.Attempts++;
            row.LastError = ex.GetType().Name;
            LogMessageFailed(log, ex, row.CorrelationId, row.Attempts);
            if (row.Attempts >= _options.MaxProcessingAttempts)
            {
                row.Status = InboxStatus.Rejected;
                var now = time.GetUtcNow().UtcDateTime;
                db.Exceptions.Add(ExceptionFactory.Create(
                    new Problem(Categories.Validation, "processing-failed", $"The message could not be processed after {row.Attempts} attempts ({ex.GetType().Name})."),
                    WorkflowNames.SupplyCharge, row.CorrelationId, row.SourceSystem, null, 0m, null, map, now, row.Id, payloadVersion: row.PayloadVersion));
            }
            await db.SaveChangesAsync(ct);
        }
    }

    private async Task ApplyAsync(HealthSyncDb db, List<InboxMessage> batch, MappingSnapshot map, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var outcomes = batch.Select(m => (Message: m, Read: m.QuarantineReason is { } reason ? Quarantined(m, reason) : Intake.Read(m.Format, m.Payload, map, m.ReceivedAt))).ToList();

        var known = new SupplyChargeHandler.Known(new(), []);
        var correlationIds = batch.Select(b => b.CorrelationId).ToList();
        foreach (var k in await db.BusinessKeys.AsNoTracking().Where(k => correlationIds.Contains(k.CorrelationId)).Select(k => new { k.CorrelationId, k.KeyType, k.KeyValue }).ToListAsync(ct))
            known.Keys.Add((k.CorrelationId, k.KeyType, k.KeyValue));
        var eventIds = outcomes.SelectMany(o => o.Read.Decisions).Select(d => d.Usage.SourceEventId).Distinct().ToList();
        foreach (var chunk in eventIds.Chunk(500))
        {
            var rows = await db.UsageEvents.AsNoTracking()
                .Where(u => chunk.Contains(u.SourceEventId))
                .Join(db.InboxMessages, u => u.CorrelationId, m => m.CorrelationId, (u, m) => new { u.Facility, u.SourceEventId, u.Kind, u.CorrelationId, InboxId = (long?)m.Id })
                .ToListAsync(ct);
            foreach (var r in rows) known.Usages[(r.Facility, r.SourceEventId, r.Kind)] = (r.CorrelationId, r.InboxId);
        }
        var knownDocuments = new DocumentHandler.Known();
        var documentKeys = outcomes.SelectMany(o => o.Read.Documents).Select(f => f.BusinessKey).Distinct().ToList();
        foreach (var chunk in documentKeys.Chunk(500))
        {
            var rows = await db.BusinessDocuments.AsNoTracking().Where(d => chunk.Contains(d.BusinessKey))
                .Select(d => new { d.Kind, d.BusinessKey, d.Partner, d.CorrelationId, d.InboxMessageId }).ToListAsync(ct);
            foreach (var r in rows) knownDocuments.Documents.TryAdd((r.Kind, r.BusinessKey, r.Partner ?? string.Empty), (r.CorrelationId, r.InboxMessageId));
        }

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var (message, read) in outcomes)
        {
            using var scope = log.BeginScope(new Dictionary<string, object> { ["CorrelationId"] = message.CorrelationId });
            Apply(db, message, read, map, known, knownDocuments, now);
            message.ProcessedAt = now;
            message.Attempts++;
        }
        await ReplayOutcomes.SettleMessagesAsync(db, batch.Where(m => m.Attempts > 1 || m.PayloadVersion > 1).Select(m => m.Id).ToList(), now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        EngineTelemetry.MessagesProcessed.Add(batch.Count);
    }

    /// <summary>An input the transport refused before reading (reason "code: detail") is rejected without being parsed.</summary>
    private static IntakeRead Quarantined(InboxMessage m, string reason)
    {
        var colon = reason.IndexOf(':', StringComparison.Ordinal);
        var (code, detail) = colon > 0 ? (reason[..colon], reason[(colon + 1)..].Trim()) : ("quarantined", reason);
        return IntakeRead.Reject(m.MessageType ?? m.Format, WorkflowNames.ForMessage(m.Format, m.MessageType), new Problem(Categories.Validation, code, detail));
    }

    private static void Apply(HealthSyncDb db, InboxMessage message, IntakeRead read, MappingSnapshot map,
        SupplyChargeHandler.Known known, DocumentHandler.Known knownDocuments, DateTime now)
    {
        void Step(string outcome, string detail) => db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = message.CorrelationId, Step = Steps.Parsed, System = Systems.Engine, Outcome = outcome, Detail = detail, At = now,
            InboxMessageId = message.Id, PayloadVersion = message.PayloadVersion,
        });

        if (read.Rejection is { } rejection)
        {
            Step(Steps.Error, rejection.Detail);
            db.Exceptions.Add(ExceptionFactory.Create(rejection, read.Workflow, message.CorrelationId, message.SourceSystem, null, 0m, null, map, now,
                message.Id, payloadVersion: message.PayloadVersion));
            message.Status = InboxStatus.Rejected;
            return;
        }

        Step(Steps.Ok, read.Summary);
        if (read.Decisions.Count > 0)
            SupplyChargeHandler.Apply(db, message, read.Usage, map, known, now);
        DocumentHandler.Apply(db, message, read.Documents, read.Problems.Select(p => (p.Problem, p.Workflow, p.AmountAtRisk)).ToList(),
            map, knownDocuments, known.Keys, now);
        message.Status = InboxStatus.Processed;
    }

    [LoggerMessage(EventId = 2001, Level = LogLevel.Error, Message = "Inbox processing loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Batch of {Count} messages failed to commit; processing them one by one")]
    private static partial void LogBatchFellBack(ILogger logger, Exception ex, int count);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "Message {CorrelationId} failed to commit (attempt {Attempt})")]
    private static partial void LogMessageFailed(ILogger logger, Exception ex, Guid correlationId, int attempt);
}
