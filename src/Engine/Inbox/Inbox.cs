using System.Threading.Channels;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using HealthSync.Engine.Telemetry;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace HealthSync.Engine.Inbox;

/// <summary>A message as a transport hands it over, before it is stored.</summary>
public sealed record InboundMessage(
    byte[] Payload,
    string Format,
    string Transport,
    string SourceSystem,
    string IdempotencyKey,
    string? MessageType = null,
    string? OrderingKey = null,
    IReadOnlyList<(string Type, string Value)>? BusinessKeys = null,
    string? QuarantineReason = null);

/// <summary>What the transport may tell the sender: the message is durably stored (or was already).</summary>
public sealed record Accepted(long InboxId, Guid CorrelationId, bool Duplicate);

/// <summary>
/// The durable front door. <see cref="AcceptAsync"/> returns only after the raw message is committed, so a
/// transport acknowledges nothing that could be lost. Concurrent callers are group-committed: one writer drains
/// the queue and stores everything waiting in a single transaction, which keeps per-message cost low when many
/// connections send at once.
/// </summary>
public sealed partial class Inbox(IServiceScopeFactory scopes, TimeProvider time, ILogger<Inbox> log, InboxSignal signal) : BackgroundService
{
    private const int MaxGroup = 256;
    private readonly Channel<(InboundMessage Message, TaskCompletionSource<Accepted> Done)> _queue =
        Channel.CreateBounded<(InboundMessage, TaskCompletionSource<Accepted>)>(new BoundedChannelOptions(10_000) { SingleReader = true });

    public async Task<Accepted> AcceptAsync(InboundMessage message, CancellationToken ct = default)
    {
        var done = new TaskCompletionSource<Accepted>(TaskCreationOptions.RunContinuationsAsynchronously);
        await _queue.Writer.WriteAsync((message, done), ct);
        return await done.Task.WaitAsync(ct);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var group = new List<(InboundMessage Message, TaskCompletionSource<Accepted> Done)>(MaxGroup);
        while (await _queue.Reader.WaitToReadAsync(stoppingToken))
        {
            group.Clear();
            while (group.Count < MaxGroup && _queue.Reader.TryRead(out var item)) group.Add(item);
            try
            {
                var results = await StoreAsync(group.Select(g => g.Message).ToList(), stoppingToken);
                for (var i = 0; i < group.Count; i++) group[i].Done.TrySetResult(results[i]);
                signal.Notify();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogStoreFailed(log, ex, group.Count);
                foreach (var g in group) g.Done.TrySetException(ex);
            }
        }
    }

    private async Task<List<Accepted>> StoreAsync(List<InboundMessage> messages, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var keys = messages.Select(m => m.IdempotencyKey).Distinct().ToList();
        var existing = await db.InboxMessages.AsNoTracking()
            .Where(m => keys.Contains(m.IdempotencyKey))
            .Select(m => new { m.IdempotencyKey, m.Id, m.CorrelationId })
            .ToDictionaryAsync(m => m.IdempotencyKey, ct);

        var now = time.GetUtcNow().UtcDateTime;
        var fresh = new Dictionary<string, InboxMessage>();
        // Per message: the earlier stored copy (duplicate) or the row stored now; a repeat inside the group points at the first copy.
        var slots = new List<(Accepted? Earlier, InboxMessage? Row, bool Duplicate)>(messages.Count);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        foreach (var m in messages)
        {
            if (existing.TryGetValue(m.IdempotencyKey, out var e))
            {
                slots.Add((new Accepted(e.Id, e.CorrelationId, Duplicate: true), null, true));
                continue;
            }
            if (fresh.TryGetValue(m.IdempotencyKey, out var first))
            {
                slots.Add((null, first, true));
                continue;
            }
            var row = new InboxMessage
            {
                CorrelationId = Guid.CreateVersion7(),
                IdempotencyKey = m.IdempotencyKey,
                SourceSystem = m.SourceSystem,
                Transport = m.Transport,
                Format = m.Format,
                MessageType = m.MessageType,
                OrderingKey = m.OrderingKey,
                Payload = m.Payload,
                QuarantineReason = m.QuarantineReason,
                ReceivedAt = now,
                Status = InboxStatus.Received,
            };
            fresh[m.IdempotencyKey] = row;
            db.InboxMessages.Add(row);
            db.LineageSteps.Add(new LineageStep
            {
                CorrelationId = row.CorrelationId, Step = Steps.Received, System = m.SourceSystem, Outcome = Steps.Ok, At = now,
                Detail = $"{m.Format} {m.MessageType} via {m.Transport}, {m.Payload.Length} bytes",
            });
            foreach (var (type, value) in (m.BusinessKeys ?? []).Distinct())
                db.BusinessKeys.Add(new BusinessKey { CorrelationId = row.CorrelationId, KeyType = type, KeyValue = value });
            slots.Add((null, row, false));
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);

        foreach (var slot in slots)
        {
            if (slot.Duplicate) EngineTelemetry.DuplicatesAcknowledged.Add(1);
            else EngineTelemetry.MessagesReceived.Add(1, new KeyValuePair<string, object?>(EngineTelemetry.FormatTag, slot.Row!.Format));
        }
        return slots.Select(s => s.Earlier ?? new Accepted(s.Row!.Id, s.Row.CorrelationId, s.Duplicate)).ToList();
    }

    [LoggerMessage(EventId = 1001, Level = LogLevel.Error, Message = "Storing {Count} inbound messages failed; senders get a negative acknowledgement")]
    private static partial void LogStoreFailed(ILogger logger, Exception ex, int count);
}

/// <summary>Wakes the processor as soon as something was stored, so latency is not bound to the poll interval.</summary>
public sealed class InboxSignal : WakeSignal;
