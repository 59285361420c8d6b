using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Lineage;

namespace HealthSync.Engine.Workflows.Documents;

/// <summary>The columns and lineage keys a canonical fact is stored and found under. Hand-written per fact kind.</summary>
public sealed record DocumentProjection(
    string Kind,
    string BusinessKey,
    string? Reference,
    string? Partner,
    string? Facility,
    DateTime? Date,
    decimal? Amount,
    int LineCount,
    IReadOnlyList<(string Type, string Value)> Keys)
{
    /// <summary>Kinds where a second document with the same number from the same partner is a duplicate, not an update.</summary>
    public bool DuplicateIsAnError => Kind is FactKinds.Invoice or FactKinds.Remittance or FactKinds.PaymentSettlement
        or FactKinds.BillingReceipt or FactKinds.Claim;

    public static DocumentProjection Of(ICanonicalFact fact) => fact switch
    {
        PurchaseOrder po => new(FactKinds.PurchaseOrder, po.PoNumber, null, po.Vendor?.Id ?? po.Vendor?.Name, po.ShipTo?.Id, Day(po.OrderDate), po.Total, po.Lines.Count,
            [(KeyTypes.PurchaseOrder, po.PoNumber), .. Items(po.Lines)]),
        PurchaseOrderAck ack => new(FactKinds.PurchaseOrderAck, ack.PoNumber, ack.PoNumber, ack.Vendor?.Id ?? ack.Vendor?.Name, null, Day(ack.AckDate), null, ack.Lines.Count,
            [(KeyTypes.PurchaseOrder, ack.PoNumber), .. Items(ack.Lines)]),
        ShipNotice asn => new(FactKinds.ShipNotice, asn.ShipmentId, asn.PoNumbers.FirstOrDefault(), asn.Vendor?.Id ?? asn.Vendor?.Name, asn.ShipTo?.Id, Day(asn.ShipDate), null, asn.Lines.Count,
            [(KeyTypes.ShipNotice, asn.ShipmentId), .. asn.PoNumbers.Select(p => (KeyTypes.PurchaseOrder, p)), .. Items(asn.Lines), .. Lots(asn.Lines)]),
        GoodsReceipt r => new(FactKinds.GoodsReceipt, r.ReceiptId, r.PoNumber, r.Supplier?.Id ?? r.Supplier?.Name, r.Facility, r.ReceivedAt?.UtcDateTime, null, r.Lines.Count,
            [(KeyTypes.Receipt, r.ReceiptId), .. Opt(KeyTypes.PurchaseOrder, r.PoNumber), .. Items(r.Lines), .. Lots(r.Lines)]),
        Invoice i => new(FactKinds.Invoice, i.InvoiceNumber, i.PoNumber, i.Vendor?.Id ?? i.Vendor?.Name, null, Day(i.InvoiceDate), i.TotalAmount ?? i.Lines.Sum(l => l.Amount ?? 0m), i.Lines.Count,
            [(KeyTypes.Invoice, i.InvoiceNumber), .. Opt(KeyTypes.PurchaseOrder, i.PoNumber), .. Items(i.Lines)]),
        Claim c => new(FactKinds.Claim, c.ClaimId, null, c.Payer?.Id ?? c.Payer?.Name, null, Day(c.ServiceDate), c.TotalCharge, c.Lines.Count,
            [(KeyTypes.Claim, c.ClaimId)]),
        Remittance r => new(FactKinds.Remittance, r.PaymentId, null, r.Payer?.Id ?? r.Payer?.Name, null, Day(r.PaymentDate), r.TotalPaid, r.Claims.Count,
            [(KeyTypes.Payment, r.PaymentId), .. r.Claims.Select(c => (KeyTypes.Claim, c.ClaimId))]),
        PaymentSettlement s => new(FactKinds.PaymentSettlement, s.TransactionId, s.MerchantReference, s.BatchId ?? "gateway", s.Facility, s.SettledAt?.UtcDateTime ?? Day(s.SettlementDate), s.Amount, 1,
            [(KeyTypes.Settlement, s.TransactionId), .. Opt(KeyTypes.PatientAccount, s.PatientAccount), .. Opt(KeyTypes.Payment, s.MerchantReference)]),
        BillingReceipt b => new(FactKinds.BillingReceipt, b.ReceiptId, b.PaymentReference, null, b.Facility, b.ReceivedAt?.UtcDateTime, b.Amount, 1,
            [(KeyTypes.Receipt, b.ReceiptId), .. Opt(KeyTypes.PatientAccount, b.PatientAccount), .. Opt(KeyTypes.Payment, b.PaymentReference)]),
        PatientVisit v => new(FactKinds.PatientVisit, v.Encounter, v.EventType, null, v.Facility, (v.DischargedAt ?? v.AdmittedAt)?.UtcDateTime, null, 0,
            [(KeyTypes.Encounter, v.Encounter), .. Opt(KeyTypes.PatientAccount, v.PatientAccount), .. Opt(KeyTypes.Mrn, v.PatientMrn)]),
        SupplyOrder o => new(FactKinds.SupplyOrder, o.PlacerOrderNumber, o.FillerOrderNumber, null, o.Facility, o.OrderedAt?.UtcDateTime, null, 1,
            [(KeyTypes.Order, o.PlacerOrderNumber), .. Opt(KeyTypes.Item, o.ItemCode), .. Opt(KeyTypes.Encounter, o.Encounter), .. Opt(KeyTypes.Mrn, o.PatientMrn)]),
        DeviceRecord d => new(FactKinds.Device, d.DeviceId, d.Udi, d.Manufacturer, null, null, null, 0,
            [(KeyTypes.Device, d.DeviceId), .. Opt(KeyTypes.Lot, d.Lot)]),
        PatientReference p => new(FactKinds.PatientReference, p.PatientId, null, null, null, null, null, 0,
            [.. Opt(KeyTypes.Mrn, p.Mrn)]),
        SupplyUsage u => new(FactKinds.SupplyUsage, u.SourceEventId, null, null, u.Facility, u.OccurredAt?.UtcDateTime, null, 1,
            [(KeyTypes.SourceEvent, u.SourceEventId)]),
        _ => throw new ArgumentOutOfRangeException(nameof(fact), fact.GetType().Name, "No projection for this fact."),
    };

    private static DateTime? Day(DateOnly? d) => d?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private static IEnumerable<(string, string)> Opt(string type, string? value) =>
        string.IsNullOrWhiteSpace(value) ? [] : [(type, value)];

    private static IEnumerable<(string, string)> Items(IEnumerable<ItemLine> lines) =>
        lines.SelectMany(l => Opt(KeyTypes.Item, l.BuyerItem ?? l.VendorItem)).Distinct().Take(50);

    private static IEnumerable<(string, string)> Lots(IEnumerable<ItemLine> lines) =>
        lines.SelectMany(l => Opt(KeyTypes.Lot, l.Lot)).Distinct().Take(50);
}
