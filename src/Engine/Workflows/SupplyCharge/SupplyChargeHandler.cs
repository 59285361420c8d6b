using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Workflows.SupplyCharge;

/// <summary>
/// Turns one stored message into facts, lineage, outbox rows and exceptions, all added to the caller's unit of
/// work so they commit together. Idempotency keys of outbound calls derive from the source event, so a replay
/// or a re-run after a crash asks the target for the same posting again, never a new one.
/// </summary>
public static class SupplyChargeHandler
{
    /// <summary>Usage facts already recorded, keyed by (facility, source event id, kind), with the message that recorded them.</summary>
    public sealed record Known(
        Dictionary<(string Facility, string SourceEventId, string Kind), (Guid CorrelationId, long? InboxId)> Usages,
        HashSet<(Guid CorrelationId, string Type, string Value)> Keys);

    /// <summary>Applies the usage decisions of a message that was read (whole-message rejections are the caller's).</summary>
    public static void Apply(HealthSyncDb db, InboxMessage message, ReadOutcome outcome, MappingSnapshot map, Known known, DateTime now)
    {
        var cid = message.CorrelationId;
        void Step(string step, string system, string result, string? detail) => db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = cid, Step = step, System = system, Outcome = result, Detail = detail, At = now,
            InboxMessageId = message.Id, PayloadVersion = message.PayloadVersion,
        });
        void Key(string type, string? value)
        {
            if (!string.IsNullOrWhiteSpace(value) && known.Keys.Add((cid, type, value)))
                db.BusinessKeys.Add(new BusinessKey { CorrelationId = cid, KeyType = type, KeyValue = value });
        }

        foreach (var d in outcome.Decisions)
        {
            var u = d.Usage;
            Key(KeyTypes.Encounter, u.Encounter);
            Key(KeyTypes.PatientAccount, u.PatientAccount);
            Key(KeyTypes.Item, u.ItemCode);
            Key(KeyTypes.Lot, u.Lot);
            Key(KeyTypes.SourceEvent, u.SourceEventId);
            var businessKey = u.Encounter is not null ? (KeyTypes.Encounter, u.Encounter) : ((string, string)?)null;
            var kind = u.Kind.ToString();

            if (!d.Clean)
            {
                var failedStep = d.Problems.All(p => p.Category == Categories.Validation) ? Steps.Validated : Steps.Mapped;
                Step(failedStep, Systems.Engine, Steps.Error, $"{u.SourceEventId}: {string.Join("; ", d.Problems.Select(p => p.Code))}");
                foreach (var p in d.Problems)
                    db.Exceptions.Add(ExceptionFactory.Create(p, WorkflowNames.SupplyCharge, cid, message.SourceSystem, u.Facility, d.AmountAtRisk,
                        businessKey, map, now, message.Id, payloadVersion: message.PayloadVersion));
                continue;
            }

            var m = d.Mapped!;
            var factKey = (m.Facility, u.SourceEventId, kind);
            if (known.Usages.TryGetValue(factKey, out var prior))
            {
                if (prior.InboxId == message.Id)
                {
                    // Replay of a message whose event was already applied: nothing to do, nothing to post again.
                    Step(Steps.Validated, Systems.Engine, Steps.Ok, $"{u.SourceEventId}: already applied");
                    continue;
                }
                Step(Steps.Duplicate, Systems.Engine, Steps.Error, $"{u.SourceEventId} already recorded by transaction {prior.CorrelationId}");
                db.Exceptions.Add(ExceptionFactory.Create(
                    new Problem(Categories.Duplicate, "duplicate-event", $"Usage event {u.SourceEventId} at {m.Facility} was already recorded by transaction {prior.CorrelationId}; this copy was not posted."),
                    WorkflowNames.SupplyCharge, cid, message.SourceSystem, m.Facility, m.ChargeAmount, businessKey, map, now, message.Id, payloadVersion: message.PayloadVersion));
                continue;
            }
            if (u.Kind == UsageKind.Reversal && !known.Usages.ContainsKey((m.Facility, u.SourceEventId, nameof(UsageKind.Consumption))))
            {
                Step(Steps.Validated, Systems.Engine, Steps.Error, $"{u.SourceEventId}: reversal before original");
                db.Exceptions.Add(ExceptionFactory.Create(
                    new Problem(Categories.Sequencing, "reversal-before-original", $"Reversal of usage event {u.SourceEventId} arrived before the usage itself; it was held, not posted."),
                    WorkflowNames.SupplyCharge, cid, message.SourceSystem, m.Facility, m.ChargeAmount, businessKey, map, now, message.Id, payloadVersion: message.PayloadVersion));
                continue;
            }

            if (Unroutable(map, m) is { } noRoute)
            {
                Step(Steps.Routed, Systems.Engine, Steps.Error, noRoute.Detail);
                db.Exceptions.Add(ExceptionFactory.Create(noRoute, WorkflowNames.SupplyCharge, cid, message.SourceSystem, m.Facility, m.ChargeAmount,
                    businessKey, map, now, message.Id, payloadVersion: message.PayloadVersion));
                continue;
            }

            known.Usages[factKey] = (cid, message.Id);
            Step(Steps.Validated, Systems.Engine, Steps.Ok, u.SourceEventId);
            Step(Steps.Mapped, Systems.Engine, Steps.Ok,
                $"{u.ItemCode} -> {m.Sku} x{m.BaseQuantity}, {u.Location} -> {m.CostCenter}{(m.ChargeCode is null ? ", not billable" : $", charge {m.ChargeCode} {m.ChargeAmount:0.00}")}");
            Key(KeyTypes.Sku, m.Sku);
            Record(db, message, m, kind, now, Step);
        }
    }

    public const string InventoryEntity = "inventory-balance";
    public const string ChargeEntity = "patient-charge";

    /// <summary>
    /// Targets come from the ownership matrix: stock goes to the system of record for inventory balances, charges
    /// to the one for patient charges. A matrix naming a system the engine has no interface to is a mapping gap,
    /// raised before anything is posted.
    /// </summary>
    private static Problem? Unroutable(MappingSnapshot map, MappedUsage m)
    {
        var stock = map.SystemOfRecord(InventoryEntity) ?? Systems.Erp;
        if (stock != Systems.Erp)
            return new Problem(Categories.MappingGap, "no-route", $"The ownership matrix names '{stock}' as system of record for {InventoryEntity}; no inventory interface to it exists.");
        var charges = map.SystemOfRecord(ChargeEntity) ?? Systems.Billing;
        if (m.Billable && charges != Systems.Billing)
            return new Problem(Categories.MappingGap, "no-route", $"The ownership matrix names '{charges}' as system of record for {ChargeEntity}; no charge interface to it exists.");
        return null;
    }

    private static void Record(HealthSyncDb db, InboxMessage message, MappedUsage m, string kind, DateTime now, Action<string, string, string, string?> step)
    {
        var u = m.Usage;
        var reversal = u.Kind == UsageKind.Reversal;
        var usage = new UsageEvent
        {
            Id = Guid.CreateVersion7(), CorrelationId = message.CorrelationId, SourceEventId = u.SourceEventId, Kind = kind,
            Facility = m.Facility, Location = m.Location, CostCenter = m.CostCenter, ItemCode = u.ItemCode!, Sku = m.Sku,
            Quantity = u.Quantity ?? 1m, Uom = u.Uom ?? "EA", BaseQuantity = m.BaseQuantity, Lot = u.Lot, Serial = u.Serial,
            PatientMrn = u.PatientMrn, PatientAccount = u.PatientAccount, Encounter = u.Encounter, Billable = m.Billable,
            ChargeCode = m.ChargeCode, ChargeAmount = reversal ? -m.ChargeAmount : m.ChargeAmount, OccurredAt = m.OccurredAt, RecordedAt = now,
        };
        db.UsageEvents.Add(usage);

        var eventKey = $"{m.Facility}:{u.SourceEventId}:{kind}";
        var orderKey = u.Encounter ?? u.PatientAccount ?? m.Sku;
        var targets = new List<string>();

        var movement = new InventoryMovement
        {
            Id = Guid.CreateVersion7(), UsageEventId = usage.Id, CorrelationId = message.CorrelationId, Facility = m.Facility,
            Location = m.ErpLocation, Sku = m.Sku, QuantityDelta = reversal ? m.BaseQuantity : -m.BaseQuantity, Status = PostingStatus.Pending, CreatedAt = now,
        };
        db.InventoryMovements.Add(movement);
        db.OutboxMessages.Add(Outbound(message, movement.Id, reversal ? Operations.ErpInventoryReturn : Operations.ErpInventoryDecrement,
            new { movementId = movement.Id, facility = m.Facility, location = m.ErpLocation, costCenter = m.CostCenter, sku = m.Sku, quantity = m.BaseQuantity, lot = u.Lot, serial = u.Serial, occurredAt = m.OccurredAt, parLevel = m.ParLevel },
            $"{eventKey}:erp", $"{Systems.Erp}:{orderKey}", m.ChargeAmount, m.Facility, now));
        targets.Add($"ERP (system of record for {InventoryEntity}): {(reversal ? "return" : "decrement")} {m.Sku} x{m.BaseQuantity} at {m.ErpLocation}");

        if (m.Billable && m.ChargeCode is not null)
        {
            var charge = new Charge
            {
                Id = Guid.CreateVersion7(), UsageEventId = usage.Id, CorrelationId = message.CorrelationId, Facility = m.Facility,
                ChargeCode = m.ChargeCode, Quantity = m.BaseQuantity, Amount = reversal ? -m.ChargeAmount : m.ChargeAmount, Status = PostingStatus.Pending, CreatedAt = now,
            };
            db.Charges.Add(charge);
            db.OutboxMessages.Add(Outbound(message, charge.Id, reversal ? Operations.BillingChargeCredit : Operations.BillingChargePost,
                new { chargeId = charge.Id, facility = m.Facility, account = u.PatientAccount, encounter = u.Encounter, mrn = u.PatientMrn, chargeCode = m.ChargeCode, quantity = m.BaseQuantity, amount = m.ChargeAmount, department = m.CostCenter, serviceDate = m.OccurredAt, sourceEventId = u.SourceEventId },
                $"{eventKey}:billing", $"{Systems.Billing}:{orderKey}", m.ChargeAmount, m.Facility, now));
            targets.Add($"billing (system of record for {ChargeEntity}): charge {m.ChargeCode} {charge.Amount:0.00}");
        }
        step(Steps.Routed, Systems.Engine, Steps.Ok, string.Join("; ", targets));
    }

    public static OutboxMessage Outbound(InboxMessage source, Guid factId, string operation, object body, string idempotencyKey, string orderingKey,
        decimal amountAtRisk, string facility, DateTime now) => new()
    {
        CorrelationId = source.CorrelationId,
        InboxMessageId = source.Id,
        FactId = factId,
        TargetSystem = Operations.Route(operation).Target,
        Operation = operation,
        Payload = body is ICanonicalFact fact ? CanonicalJson.Serialize(fact) : JsonSerializer.Serialize(body),
        IdempotencyKey = idempotencyKey,
        OrderingKey = orderingKey,
        Status = OutboxStatus.Pending,
        CreatedAt = now,
        NextAttemptAt = now,
        SourceReceivedAt = source.ReceivedAt,
        AmountAtRisk = amountAtRisk,
        Facility = facility,
    };
}
