using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Workflows.Documents;

/// <summary>
/// Records the business documents of one stored message (procure-to-pay, claims, payments, visits) as facts, with
/// their lineage and business keys, in the caller's unit of work. Problems found while reading (a rejected X12
/// transaction set, a bad CSV row, an invalid FHIR entry) become exceptions that keep the message's raw payload.
/// </summary>
public static class DocumentHandler
{
    /// <summary>Documents already recorded, keyed by (kind, business key, partner), with the message that recorded them.</summary>
    public sealed class Known
    {
        public Dictionary<(string Kind, string Key, string Partner), (Guid CorrelationId, long InboxId)> Documents { get; } = [];
    }

    /// <param name="problems">Each problem with the workflow it belongs to and the business key it concerns, when known.</param>
    public static void Apply(HealthSyncDb db, InboxMessage message, IReadOnlyList<ICanonicalFact> facts,
        IReadOnlyList<(Problem Problem, string Workflow, decimal AmountAtRisk)> problems,
        MappingSnapshot map, Known known, HashSet<(Guid, string, string)> keys, DateTime now)
    {
        var cid = message.CorrelationId;
        void Step(string step, string result, string? detail) => db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = cid, Step = step, System = Systems.Engine, Outcome = result, Detail = detail, At = now,
            InboxMessageId = message.Id, PayloadVersion = message.PayloadVersion,
        });
        void Key(string type, string value)
        {
            if (keys.Add((cid, type, value)))
                db.BusinessKeys.Add(new BusinessKey { CorrelationId = cid, KeyType = type, KeyValue = value });
        }

        var recordedNow = new HashSet<(string, string, string)>();
        foreach (var fact in facts)
        {
            var p = DocumentProjection.Of(fact);
            foreach (var (type, value) in p.Keys) Key(type, value);
            var id = (p.Kind, p.BusinessKey, p.Partner ?? string.Empty);
            if (known.Documents.TryGetValue(id, out var prior))
            {
                if (prior.InboxId == message.Id && !recordedNow.Contains(id))
                {
                    // Replay of a message already applied: the fact is there, record nothing twice.
                    Step(Steps.Recorded, Steps.Ok, $"{p.Kind} {p.BusinessKey}: already recorded");
                    continue;
                }
                if (p.DuplicateIsAnError)
                {
                    Step(Steps.Duplicate, Steps.Error, $"{p.Kind} {p.BusinessKey} already recorded by transaction {prior.CorrelationId}");
                    db.Exceptions.Add(ExceptionFactory.Create(
                        new Problem(Categories.Duplicate, "duplicate-document",
                            $"{Describe(p.Kind)} {p.BusinessKey}{(p.Partner is null ? "" : " from " + p.Partner)} was already received in transaction {prior.CorrelationId}; this copy was not recorded."),
                        WorkflowNames.For(fact), cid, message.SourceSystem, p.Facility, p.Amount ?? 0m, (KeyFor(p.Kind), p.BusinessKey), map, now,
                        message.Id, payloadVersion: message.PayloadVersion));
                    continue;
                }
            }

            known.Documents[id] = (cid, message.Id);
            recordedNow.Add(id);
            db.BusinessDocuments.Add(new BusinessDocument
            {
                CorrelationId = cid, InboxMessageId = message.Id, PayloadVersion = message.PayloadVersion,
                Kind = p.Kind, BusinessKey = p.BusinessKey, Reference = p.Reference, Partner = p.Partner, Facility = p.Facility,
                DocumentDate = p.Date, Amount = p.Amount, LineCount = p.LineCount, Canonical = CanonicalJson.Serialize(fact), RecordedAt = now,
            });
            Step(Steps.Recorded, Steps.Ok, $"{Describe(p.Kind)} {p.BusinessKey}" + (p.LineCount > 0 ? $", {p.LineCount} line(s)" : "")
                + (p.Amount is { } a ? $", {a:0.00}" : ""));
            if (fact is PurchaseOrder po)
            {
                // A purchase order from the ERP or materials management goes on to its supplier as an X12 850, addressed with
                // the supplier's EDI partner id from the supplier crosswalk when the ERP's vendor id is mapped.
                var supplier = po.Vendor?.Id is { } vendorId ? map.Supplier(vendorId, po.OrderDate?.ToDateTime(TimeOnly.MinValue) ?? now) : null;
                var outbound = supplier?.EdiPartnerId is { Length: > 0 } partnerId ? po with { Vendor = po.Vendor! with { Id = partnerId } } : po;
                db.OutboxMessages.Add(Workflows.SupplyCharge.SupplyChargeHandler.Outbound(message, Guid.CreateVersion7(), Operations.SupplierPurchaseOrder,
                    outbound, $"po:{po.PoNumber}:850", $"{Systems.Supplier}:{po.PoNumber}", po.Total, po.ShipTo?.Id ?? "", now));
                Step(Steps.Routed, Steps.Ok, $"supplier {supplier?.Name ?? po.Vendor?.Id ?? po.Vendor?.Name ?? "(unnamed)"}"
                    + (outbound != po ? $" (ERP vendor {po.Vendor!.Id}, EDI partner {outbound.Vendor!.Id})" : "")
                    + $": X12 850 for PO {po.PoNumber}, {po.Lines.Count} line(s), {po.Total:0.00}");
            }
        }

        foreach (var (problem, workflow, amount) in problems)
        {
            db.Exceptions.Add(ExceptionFactory.Create(problem, workflow, cid, message.SourceSystem, null, amount, null, map, now,
                message.Id, payloadVersion: message.PayloadVersion));
        }
    }

    /// <summary>The lineage key type a document kind is found under.</summary>
    public static string KeyFor(string kind) => kind switch
    {
        FactKinds.PurchaseOrder or FactKinds.PurchaseOrderAck => KeyTypes.PurchaseOrder,
        FactKinds.ShipNotice => KeyTypes.ShipNotice,
        FactKinds.GoodsReceipt or FactKinds.BillingReceipt => KeyTypes.Receipt,
        FactKinds.Invoice => KeyTypes.Invoice,
        FactKinds.Claim => KeyTypes.Claim,
        FactKinds.Remittance => KeyTypes.Payment,
        FactKinds.PaymentSettlement => KeyTypes.Settlement,
        FactKinds.PatientVisit => KeyTypes.Encounter,
        FactKinds.SupplyOrder => KeyTypes.Order,
        FactKinds.Device => KeyTypes.Device,
        _ => KeyTypes.SourceEvent,
    };

    public static string Describe(string kind) => kind switch
    {
        FactKinds.PurchaseOrder => "Purchase order",
        FactKinds.PurchaseOrderAck => "PO acknowledgement",
        FactKinds.ShipNotice => "Ship notice",
        FactKinds.GoodsReceipt => "Goods receipt",
        FactKinds.Invoice => "Invoice",
        FactKinds.Claim => "Claim",
        FactKinds.Remittance => "Remittance",
        FactKinds.PaymentSettlement => "Settlement",
        FactKinds.BillingReceipt => "Billing receipt",
        FactKinds.PatientVisit => "Visit",
        FactKinds.SupplyOrder => "Order",
        FactKinds.Device => "Device",
        FactKinds.PatientReference => "Patient reference",
        _ => kind,
    };
}
