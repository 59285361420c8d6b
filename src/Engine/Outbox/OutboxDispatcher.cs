using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using HealthSync.Engine.Scale;
using HealthSync.Engine.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace HealthSync.Engine.Outbox;

/// <summary>Wakes the dispatcher when new outbox rows were committed.</summary>
public sealed class OutboxSignal : WakeSignal;

/// <summary>The result of one delivery attempt, computed without touching the database.</summary>
internal sealed record DeliveryResult(long OutboxId, bool Success, bool Permanent, int? StatusCode, string? Error, TimeSpan? RetryAfter, string? ResponseBody, TimeSpan Elapsed);

/// <summary>
/// Delivers outbox rows to the target systems. Rows of one ordering key go strictly in order, one at a time;
/// different keys go in parallel. Attempts run without the database; their results are then written back in one
/// transaction. If the process dies between a delivery and that write, the row is delivered again with the same
/// idempotency key and the target recognises it: at-least-once delivery, exactly-once effect.
/// </summary>
public sealed partial class OutboxDispatcher(
    IServiceScopeFactory scopes, IHttpClientFactory http, DeliveryTargets targets, MappingCatalog catalog, OutboxSignal signal,
    PartitionLeases leases, TimeProvider time, IOptions<EngineOptions> options, ILogger<OutboxDispatcher> log) : BackgroundService
{
    public const string HttpClientPrefix = "delivery-";
    private readonly EngineOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var count = await DispatchOnceAsync(stoppingToken);
                if (count == 0) await signal.WaitAsync(TimeSpan.FromMilliseconds(_options.PollMilliseconds), stoppingToken);
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

    /// <returns>How many rows were attempted.</returns>
    public async Task<int> DispatchOnceAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var now = time.GetUtcNow().UtcDateTime;
        var pending = db.OutboxMessages.Where(o => o.Status == OutboxStatus.Pending && o.NextAttemptAt <= now);
        // Several workers on one database: only the partitions this worker holds, so each key has one deliverer.
        if (leases.Held(PartitionLeases.Outbox) is { } held)
        {
            if (held.Count == 0) return 0;
            pending = pending.Where(o => held.Contains(o.WorkPartition));
        }
        var due = await pending
            .OrderBy(o => o.Id)
            .Take(_options.Delivery.BatchSize)
            .ToListAsync(ct);
        if (due.Count == 0) return 0;

        // Keep per-key order: a key whose earlier row waits for a retry blocks its later rows.
        var keys = due.Select(d => d.OrderingKey).Distinct().ToList();
        var blockedFrom = new Dictionary<string, long>();
        foreach (var chunk in keys.Chunk(500))
        {
            var waiting = await db.OutboxMessages.AsNoTracking()
                .Where(o => o.Status == OutboxStatus.Pending && o.NextAttemptAt > now && chunk.Contains(o.OrderingKey))
                .GroupBy(o => o.OrderingKey)
                .Select(g => new { Key = g.Key, MinId = g.Min(o => o.Id) })
                .ToListAsync(ct);
            foreach (var w in waiting) blockedFrom[w.Key] = w.MinId;
        }
        var groups = due
            .Where(d => !blockedFrom.TryGetValue(d.OrderingKey, out var min) || d.Id < min)
            .GroupBy(d => d.OrderingKey)
            .ToList();

        var results = new System.Collections.Concurrent.ConcurrentBag<DeliveryResult>();
        await Parallel.ForEachAsync(groups, new ParallelOptions { MaxDegreeOfParallelism = _options.Delivery.Parallelism, CancellationToken = ct },
            async (group, token) =>
            {
                foreach (var row in group)
                {
                    var result = await DeliverAsync(row, token);
                    results.Add(result);
                    if (!result.Success) break;
                }
            });

        var map = await catalog.CurrentAsync(ct);
        var byId = due.ToDictionary(d => d.Id);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var r in results) await ApplyAsync(db, byId[r.OutboxId], r, map, ct);
        await ReplayOutcomes.SettleDeliveriesAsync(db, results.Select(r => byId[r.OutboxId]).Where(r => r.Status != OutboxStatus.Pending).ToList(),
            time.GetUtcNow().UtcDateTime, ct);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            // A worker that took this partition over settled some of these rows first; its outcome stands, and what was
            // sent again carried the same idempotency keys. Nothing of this round is written.
            LogSettledElsewhere(log, results.Count);
            return results.Count;
        }
        await tx.CommitAsync(ct);
        if (results.Any(r => r.Success)) signal.Notify();
        return results.Count;
    }

    private async Task<DeliveryResult> DeliverAsync(OutboxMessage row, CancellationToken ct)
    {
        var (target, path) = Operations.Route(row.Operation);
        using var activity = EngineTelemetry.Source.StartActivity("outbox.deliver", ActivityKind.Client);
        activity?.SetTag(EngineTelemetry.CorrelationIdTag, row.CorrelationId);
        activity?.SetTag(EngineTelemetry.TargetTag, target);
        var client = http.CreateClient(HttpClientPrefix + target);
        var started = Stopwatch.GetTimestamp();
        try
        {
            using var response = await targets.Pipeline(target).ExecuteAsync(async token =>
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path)
                {
                    Content = OutboundMessages.Create(row),
                };
                request.Headers.Add("Idempotency-Key", row.IdempotencyKey);
                request.Headers.Add("X-Correlation-Id", row.CorrelationId.ToString());
                if (_options.Targets.TryGetValue(target, out var t) && !string.IsNullOrEmpty(t.ApiKey))
                    request.Headers.Add("X-Api-Key", t.ApiKey);
                return await client.SendAsync(request, token);
            }, ct);
            var elapsed = Stopwatch.GetElapsedTime(started);
            EngineTelemetry.DeliveryDuration.Record(elapsed.TotalMilliseconds, new KeyValuePair<string, object?>(EngineTelemetry.TargetTag, target));
            var body = await response.Content.ReadAsStringAsync(ct);
            if (response.IsSuccessStatusCode)
                return new(row.Id, true, false, (int)response.StatusCode, null, null, body, elapsed);
            var transient = DeliveryTargets.IsTransient(response);
            return new(row.Id, false, !transient, (int)response.StatusCode, $"{target} answered {(int)response.StatusCode} {Describe(body)}",
                DeliveryTargets.RetryAfter(response), null, elapsed);
        }
        catch (BrokenCircuitException ex)
        {
            return new(row.Id, false, false, null, $"{target} circuit open", ex.RetryAfter ?? TimeSpan.FromSeconds(_options.Delivery.BreakSeconds), null, Stopwatch.GetElapsedTime(started));
        }
        catch (Exception ex) when (ex is HttpRequestException or Polly.Timeout.TimeoutRejectedException or TaskCanceledException && !ct.IsCancellationRequested)
        {
            return new(row.Id, false, false, null, $"{target} unreachable: {ex.GetType().Name}", null, null, Stopwatch.GetElapsedTime(started));
        }
    }

    /// <summary>Targets answer problem details; only the title and detail are kept, never a payload echo.</summary>
    private static string Describe(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            var title = root.TryGetProperty("title", out var t) ? t.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) ? d.GetString() : null;
            return string.Join(": ", new[] { title, detail }.Where(s => !string.IsNullOrEmpty(s)));
        }
        catch (JsonException)
        {
            return "";
        }
    }

    private async Task ApplyAsync(HealthSyncDb db, OutboxMessage row, DeliveryResult r, MappingSnapshot map, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (target, _) = Operations.Route(row.Operation);
        var health = targets.Health(target);
        row.Attempts++;
        row.LastStatusCode = r.StatusCode;
        void Step(string step, string outcome, string? detail) => db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = row.CorrelationId, Step = step, System = target, Outcome = outcome, Detail = detail, At = now,
            InboxMessageId = row.InboxMessageId, OutboxMessageId = row.Id,
        });

        if (r.Success)
        {
            health.Success(now, r.Elapsed);
            var reply = Reply.Parse(r.ResponseBody);
            row.Status = OutboxStatus.Delivered;
            row.DeliveredAt = now;
            row.CallMilliseconds = r.Elapsed.TotalMilliseconds;
            row.RemoteReference = reply.Reference;
            row.LastError = null;
            Step(Steps.Delivered, Steps.Ok, $"{row.Operation} HTTP {r.StatusCode} after {row.Attempts} attempt(s), {r.Elapsed.TotalMilliseconds:0} ms");
            if (reply.Reference is not null)
                Step(Steps.Posted, Steps.Ok, $"{target} document {reply.Reference}{(reply.OnHand is { } oh ? $", on hand {oh:0.##}" : "")}");
            EngineTelemetry.Deliveries.Add(1, new KeyValuePair<string, object?>(EngineTelemetry.TargetTag, target));
            EngineTelemetry.SourceToPosting.Record((now - row.SourceReceivedAt).TotalMilliseconds, new KeyValuePair<string, object?>(EngineTelemetry.TargetTag, target));
            await MarkFactPostedAsync(db, row, reply, map, now, ct);
            return;
        }

        health.Failure(now, r.Error ?? "failed");
        row.LastError = r.Error;
        if (r.Permanent)
        {
            row.Status = OutboxStatus.Failed;
            Step(Steps.Failed, Steps.Error, r.Error);
            await MarkFactFailedAsync(db, row, ct);
            db.Exceptions.Add(ExceptionFactory.Create(
                new Problem(Categories.UpstreamData, $"rejected-by-{target}", $"{target} rejected {row.Operation}: {r.Error}"),
                Workflow(row), row.CorrelationId, target, row.Facility, row.AmountAtRisk, null, map, now, row.InboxMessageId, row.Id));
            return;
        }
        if (row.Attempts >= _options.Delivery.MaxAttempts)
        {
            row.Status = OutboxStatus.Failed;
            Step(Steps.Failed, Steps.Error, $"gave up after {row.Attempts} attempts: {r.Error}");
            EngineTelemetry.DeadLetters.Add(1, new KeyValuePair<string, object?>(EngineTelemetry.TargetTag, target));
            await MarkFactFailedAsync(db, row, ct);
            db.Exceptions.Add(ExceptionFactory.Create(
                new Problem(Categories.DownstreamUnavailable, "retries-exhausted", $"{row.Operation} to {target} failed {row.Attempts} times; last error: {r.Error}"),
                Workflow(row), row.CorrelationId, target, row.Facility, row.AmountAtRisk, null, map, now, row.InboxMessageId, row.Id));
            return;
        }
        var backoff = Math.Min(_options.Delivery.RetryMaxSeconds, _options.Delivery.RetryBaseSeconds * Math.Pow(2, row.Attempts - 1));
        var delay = r.RetryAfter ?? TimeSpan.FromSeconds(backoff * (0.8 + Random.Shared.NextDouble() * 0.4));
        row.NextAttemptAt = now + delay;
        EngineTelemetry.DeliveryRetries.Add(1, new KeyValuePair<string, object?>(EngineTelemetry.TargetTag, target));
        Step(Steps.Retried, Steps.Error, $"attempt {row.Attempts} failed ({r.Error}); next attempt in {delay.TotalSeconds:0.#} s");
    }

    private static string Workflow(OutboxMessage row) =>
        row.Operation == Operations.SupplierPurchaseOrder ? WorkflowNames.ProcureToPay : WorkflowNames.SupplyCharge;

    private static async Task MarkFactPostedAsync(HealthSyncDb db, OutboxMessage row, Reply reply, MappingSnapshot map, DateTime now, CancellationToken ct)
    {
        switch (row.Operation)
        {
            case Operations.BillingChargePost or Operations.BillingChargeCredit:
                var charge = await db.Charges.FindAsync([row.FactId], ct);
                if (charge is not null)
                {
                    charge.Status = PostingStatus.Posted;
                    charge.BillingReference = reply.Reference;
                    charge.PostedAt = now;
                }
                break;
            case Operations.ErpInventoryDecrement or Operations.ErpInventoryReturn:
                var movement = await db.InventoryMovements.FindAsync([row.FactId], ct);
                if (movement is null) break;
                movement.Status = PostingStatus.Posted;
                movement.ErpReference = reply.Reference;
                movement.OnHandAfter = reply.OnHand;
                movement.PostedAt = now;
                // Signal replenishment once, when this movement takes the location below par.
                if (row.Operation == Operations.ErpInventoryDecrement && reply.OnHand is { } onHand && reply.ParLevel is { } par
                    && onHand < par && onHand - movement.QuantityDelta >= par)
                {
                    var signal = new ReplenishmentSignal
                    {
                        Id = Guid.CreateVersion7(), CorrelationId = row.CorrelationId, Facility = movement.Facility, Location = movement.Location,
                        Sku = movement.Sku, OnHand = onHand, ParLevel = par, Status = PostingStatus.Pending, CreatedAt = now,
                    };
                    db.ReplenishmentSignals.Add(signal);
                    db.OutboxMessages.Add(new OutboxMessage
                    {
                        CorrelationId = row.CorrelationId, InboxMessageId = row.InboxMessageId, FactId = signal.Id,
                        TargetSystem = Systems.Warehouse, Operation = Operations.WarehouseReplenish,
                        Payload = JsonSerializer.Serialize(new { signalId = signal.Id, facility = signal.Facility, location = signal.Location, sku = signal.Sku, onHand, parLevel = par, quantity = Math.Ceiling(par * 2 - onHand) }),
                        IdempotencyKey = row.IdempotencyKey + ":replenish", OrderingKey = $"{Systems.Warehouse}:{signal.Facility}:{signal.Sku}",
                        Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now, SourceReceivedAt = row.SourceReceivedAt, Facility = row.Facility,
                    });
                    db.LineageSteps.Add(new LineageStep
                    {
                        CorrelationId = row.CorrelationId, Step = Steps.Routed, System = Systems.Engine, Outcome = Steps.Ok, At = now, InboxMessageId = row.InboxMessageId,
                        Detail = $"replenishment: {signal.Sku} at {signal.Location} is {onHand:0.##}, below par {par:0.##}",
                    });
                }
                break;
            case Operations.WarehouseReplenish:
                var s = await db.ReplenishmentSignals.FindAsync([row.FactId], ct);
                if (s is not null) s.Status = PostingStatus.Posted;
                break;
        }
    }

    private static async Task MarkFactFailedAsync(HealthSyncDb db, OutboxMessage row, CancellationToken ct)
    {
        object? fact = row.Operation switch
        {
            Operations.BillingChargePost or Operations.BillingChargeCredit => await db.Charges.FindAsync([row.FactId], ct),
            Operations.ErpInventoryDecrement or Operations.ErpInventoryReturn => await db.InventoryMovements.FindAsync([row.FactId], ct),
            _ => await db.ReplenishmentSignals.FindAsync([row.FactId], ct),
        };
        switch (fact)
        {
            case Charge c: c.Status = PostingStatus.Failed; break;
            case InventoryMovement m: m.Status = PostingStatus.Failed; break;
            case ReplenishmentSignal s: s.Status = PostingStatus.Failed; break;
        }
    }

    private sealed record Reply(string? Reference, decimal? OnHand, decimal? ParLevel)
    {
        public static Reply Parse(string? body)
        {
            if (string.IsNullOrWhiteSpace(body)) return new(null, null, null);
            if (body.StartsWith("ISA", StringComparison.Ordinal))
            {
                // An X12 functional acknowledgement: its interchange control number is the reference.
                return new(body.Length > 105 ? "FA " + body[90..99].Trim() : null, null, null);
            }
            if (body.StartsWith("MSH", StringComparison.Ordinal))
            {
                // An HL7 acknowledgement: MSA-3 carries the receiving system's document reference.
                var ack = HealthSync.Adapters.Hl7.Hl7Parser.Parse(body).Message?.Segment("MSA");
                return new(ack?.Value(3) is { Length: > 0 } reference ? reference : null, null, null);
            }
            try
            {
                using var doc = JsonDocument.Parse(body);
                var root = doc.RootElement;
                return new(
                    root.TryGetProperty("reference", out var r) ? r.GetString() : null,
                    root.TryGetProperty("onHand", out var o) && o.ValueKind == JsonValueKind.Number ? o.GetDecimal() : null,
                    root.TryGetProperty("parLevel", out var p) && p.ValueKind == JsonValueKind.Number ? p.GetDecimal() : null);
            }
            catch (JsonException)
            {
                return new(null, null, null);
            }
        }
    }

    [LoggerMessage(EventId = 3001, Level = LogLevel.Error, Message = "Outbox dispatch loop failed; retrying")]
    private static partial void LogLoopFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 3002, Level = LogLevel.Information, Message = "{Count} delivery results were not written: another worker settled those rows first")]
    private static partial void LogSettledElsewhere(ILogger logger, int count);
}
