using System.Text.Json.Serialization;

namespace HealthSync.Adapters.Canonical;

/// <summary>
/// One fact read from an inbound message, in the engine's format-neutral model. Every adapter produces these, the
/// engine stores them, and <c>healthsync inspect</c> prints them as canonical JSON (with a <c>"type"</c> discriminator).
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(SupplyUsage), "supply-usage")]
[JsonDerivedType(typeof(PatientVisit), "patient-visit")]
[JsonDerivedType(typeof(SupplyOrder), "supply-order")]
[JsonDerivedType(typeof(PurchaseOrder), "purchase-order")]
[JsonDerivedType(typeof(PurchaseOrderAck), "purchase-order-ack")]
[JsonDerivedType(typeof(ShipNotice), "ship-notice")]
[JsonDerivedType(typeof(GoodsReceipt), "goods-receipt")]
[JsonDerivedType(typeof(Invoice), "invoice")]
[JsonDerivedType(typeof(Claim), "claim")]
[JsonDerivedType(typeof(Remittance), "remittance")]
[JsonDerivedType(typeof(PaymentSettlement), "payment-settlement")]
[JsonDerivedType(typeof(BillingReceipt), "billing-receipt")]
[JsonDerivedType(typeof(DeviceRecord), "device")]
[JsonDerivedType(typeof(PatientReference), "patient-reference")]
public interface ICanonicalFact
{
    /// <summary>The business number that identifies this fact to people (PO number, invoice number, claim id, ...).</summary>
    [JsonIgnore]
    string BusinessKey { get; }
}

/// <summary>Stable names of the canonical fact kinds, as stored by the engine and shown in lineage.</summary>
public static class FactKinds
{
    public const string SupplyUsage = "supply-usage";
    public const string PatientVisit = "patient-visit";
    public const string SupplyOrder = "supply-order";
    public const string PurchaseOrder = "purchase-order";
    public const string PurchaseOrderAck = "purchase-order-ack";
    public const string ShipNotice = "ship-notice";
    public const string GoodsReceipt = "goods-receipt";
    public const string Invoice = "invoice";
    public const string Claim = "claim";
    public const string Remittance = "remittance";
    public const string PaymentSettlement = "payment-settlement";
    public const string BillingReceipt = "billing-receipt";
    public const string Device = "device";
    public const string PatientReference = "patient-reference";

    public static string Of(ICanonicalFact fact) => fact switch
    {
        Canonical.SupplyUsage => SupplyUsage,
        Canonical.PatientVisit => PatientVisit,
        Canonical.SupplyOrder => SupplyOrder,
        Canonical.PurchaseOrder => PurchaseOrder,
        Canonical.PurchaseOrderAck => PurchaseOrderAck,
        Canonical.ShipNotice => ShipNotice,
        Canonical.GoodsReceipt => GoodsReceipt,
        Canonical.Invoice => Invoice,
        Canonical.Claim => Claim,
        Canonical.Remittance => Remittance,
        Canonical.PaymentSettlement => PaymentSettlement,
        Canonical.BillingReceipt => BillingReceipt,
        DeviceRecord => Device,
        Canonical.PatientReference => PatientReference,
        _ => throw new ArgumentOutOfRangeException(nameof(fact), fact.GetType().Name, "Unknown canonical fact."),
    };
}

/// <summary>Admission, discharge, registration or update of a patient visit (HL7 ADT^A01/A03/A04/A08, FHIR Encounter).</summary>
/// <param name="EventType">Trigger: A01 admit, A03 discharge, A04 register, A08 update (FHIR: derived from status).</param>
/// <param name="Encounter">Visit / encounter number (PV1-19 or Encounter.identifier / id).</param>
public sealed record PatientVisit(
    string EventType,
    string Encounter,
    string? PatientMrn,
    string? PatientAccount,
    string? Facility,
    string? Location,
    string? PatientClass,
    DateTimeOffset? AdmittedAt,
    DateTimeOffset? DischargedAt,
    string? Status) : ICanonicalFact
{
    public string BusinessKey => Encounter;
}

/// <summary>A clinical order for a supply or service (HL7 ORM^O01, minimal).</summary>
public sealed record SupplyOrder(
    string PlacerOrderNumber,
    string? FillerOrderNumber,
    string OrderControl,
    string? ItemCode,
    string? ItemDescription,
    decimal? Quantity,
    string? PatientMrn,
    string? Encounter,
    string? Facility,
    DateTimeOffset? OrderedAt) : ICanonicalFact
{
    public string BusinessKey => PlacerOrderNumber;
}

/// <summary>A trading partner or party named in a document (buyer, vendor, payer, payee, ship-to).</summary>
/// <param name="Qualifier">What kind of identifier <paramref name="Id"/> is (X12 N1 qualifier, FHIR identifier system, ...).</param>
public sealed record Party(string? Id, string? Name, string? Qualifier = null);

/// <summary>One line of a purchase order, acknowledgement, ship notice, receipt or invoice.</summary>
/// <param name="LineNumber">The sender's line number (PO1-01, IT1-01, ...); lines are matched on it and on the item.</param>
/// <param name="BuyerItem">The hospital's item number (ERP SKU or clinical item id).</param>
/// <param name="VendorItem">The supplier's part number.</param>
/// <param name="Gtin">GTIN / UPC / NDC when given.</param>
/// <param name="Status">Line status where the document has one (855 ACK01: IA accepted, IR rejected, IB backordered, ...).</param>
public sealed record ItemLine(
    string LineNumber,
    string? BuyerItem,
    string? VendorItem,
    string? Gtin,
    string? Description,
    decimal? Quantity,
    string? Uom,
    decimal? UnitPrice,
    string? Status = null,
    string? Lot = null,
    string? Serial = null,
    DateOnly? Expiry = null)
{
    /// <summary>Quantity times unit price when both are known.</summary>
    public decimal? Amount => Quantity is { } q && UnitPrice is { } p ? decimal.Round(q * p, 2) : null;
}

/// <summary>A purchase order (X12 850 in or out, FHIR SupplyRequest).</summary>
/// <param name="Purpose">BEG-01 purpose (00 original, 01 cancel, 05 replace, ...) or FHIR status.</param>
public sealed record PurchaseOrder(
    string PoNumber,
    DateOnly? OrderDate,
    string? Purpose,
    Party? Buyer,
    Party? Vendor,
    Party? ShipTo,
    string? Currency,
    IReadOnlyList<ItemLine> Lines) : ICanonicalFact
{
    public string BusinessKey => PoNumber;

    public decimal Total => Lines.Sum(l => l.Amount ?? 0m);
}

/// <summary>A supplier's acknowledgement of a purchase order (X12 855).</summary>
/// <param name="AckType">BAK-02: AC accepted with changes, AD accepted without changes, RJ rejected, ...</param>
public sealed record PurchaseOrderAck(
    string PoNumber,
    string AckType,
    DateOnly? AckDate,
    Party? Vendor,
    IReadOnlyList<ItemLine> Lines) : ICanonicalFact
{
    public string BusinessKey => PoNumber;
}

/// <summary>An advance ship notice (X12 856): what left the supplier, for which orders.</summary>
public sealed record ShipNotice(
    string ShipmentId,
    DateOnly? ShipDate,
    IReadOnlyList<string> PoNumbers,
    Party? Vendor,
    Party? ShipTo,
    IReadOnlyList<ItemLine> Lines) : ICanonicalFact
{
    public string BusinessKey => ShipmentId;
}

/// <summary>Goods physically received at a location (FHIR SupplyDelivery without a patient; warehouse receipt feed).</summary>
public sealed record GoodsReceipt(
    string ReceiptId,
    string? PoNumber,
    DateTimeOffset? ReceivedAt,
    string? Facility,
    string? Location,
    Party? Supplier,
    IReadOnlyList<ItemLine> Lines) : ICanonicalFact
{
    public string BusinessKey => ReceiptId;
}

/// <summary>A supplier invoice (X12 810, FHIR Invoice).</summary>
public sealed record Invoice(
    string InvoiceNumber,
    string? PoNumber,
    DateOnly? InvoiceDate,
    Party? Vendor,
    Party? BillTo,
    string? Currency,
    decimal? TotalAmount,
    IReadOnlyList<ItemLine> Lines) : ICanonicalFact
{
    public string BusinessKey => InvoiceNumber;
}

/// <summary>One service line of a claim.</summary>
public sealed record ClaimLine(string LineNumber, string? ProcedureCode, IReadOnlyList<string> Modifiers, decimal? ChargeAmount, decimal? Units, string? Uom, DateOnly? ServiceDate, string? RevenueCode = null);

/// <summary>A claim to a payer (X12 837P/837I, FHIR Claim).</summary>
/// <param name="ClaimId">Patient control number (CLM-01) or Claim.identifier / id.</param>
/// <param name="ClaimType">professional, institutional, ...</param>
/// <param name="SubscriberId">Member id at the payer (patient identifier: masked for roles that do not see PHI).</param>
public sealed record Claim(
    string ClaimId,
    string ClaimType,
    Party? BillingProvider,
    Party? Payer,
    string? SubscriberId,
    string? PatientName,
    decimal? TotalCharge,
    DateOnly? ServiceDate,
    IReadOnlyList<string> DiagnosisCodes,
    IReadOnlyList<ClaimLine> Lines) : ICanonicalFact
{
    public string BusinessKey => ClaimId;
}

/// <summary>An adjustment of a claim payment (X12 CAS; FHIR adjudication). Group: CO, PR, OA, PI, CR.</summary>
public sealed record Adjustment(string Group, string Reason, decimal Amount, decimal? Quantity = null);

/// <summary>The payer's decision on one claim within a remittance (X12 CLP loop, FHIR ClaimResponse / EOB).</summary>
/// <param name="Status">CLP-02: 1 processed as primary, 2 secondary, 4 denied, 22 reversal, ... (FHIR outcome).</param>
public sealed record ClaimPayment(
    string ClaimId,
    string? Status,
    decimal? ChargeAmount,
    decimal? PaidAmount,
    decimal? PatientResponsibility,
    string? PayerClaimNumber,
    string? PatientName,
    IReadOnlyList<Adjustment> Adjustments);

/// <summary>A payment or remittance advice (X12 835, FHIR PaymentReconciliation / ClaimResponse / ExplanationOfBenefit).</summary>
/// <param name="PaymentId">Check or EFT trace number (TRN-02) or the resource identifier.</param>
/// <param name="Method">BPR-04: CHK, ACH, NON, ...</param>
public sealed record Remittance(
    string PaymentId,
    DateOnly? PaymentDate,
    string? Method,
    decimal? TotalPaid,
    Party? Payer,
    Party? Payee,
    IReadOnlyList<ClaimPayment> Claims) : ICanonicalFact
{
    public string BusinessKey => PaymentId;
}

/// <summary>One card or ACH payment settled by the payment gateway (settlement CSV).</summary>
/// <param name="MerchantReference">The merchant's reference for the payment (the billing charge or receipt it pays).</param>
public sealed record PaymentSettlement(
    string TransactionId,
    DateOnly SettlementDate,
    DateTimeOffset? SettledAt,
    string? Facility,
    string? MerchantReference,
    string? PatientAccount,
    decimal Amount,
    decimal Fee,
    string? Currency,
    string? Method,
    string? BatchId,
    int RowNumber) : ICanonicalFact
{
    public string BusinessKey => TransactionId;

    public decimal Net => Amount - Fee;
}

/// <summary>A receipt posted by patient billing (remittance / receipt feed CSV).</summary>
public sealed record BillingReceipt(
    string ReceiptId,
    DateTimeOffset? ReceivedAt,
    string? Facility,
    string? PatientAccount,
    decimal Amount,
    string? PaymentReference,
    string? Method,
    int RowNumber) : ICanonicalFact
{
    public string BusinessKey => ReceiptId;
}

/// <summary>A device or implant (FHIR Device): identifies lot- and serial-tracked items.</summary>
public sealed record DeviceRecord(
    string DeviceId,
    string? Udi,
    string? Lot,
    string? Serial,
    string? Manufacturer,
    string? Model,
    DateOnly? Expiry,
    string? Status) : ICanonicalFact
{
    public string BusinessKey => DeviceId;
}

/// <summary>A patient, kept only as a reference (FHIR Patient): identifiers, no clinical content.</summary>
public sealed record PatientReference(string PatientId, string? Mrn, string? Name) : ICanonicalFact
{
    public string BusinessKey => PatientId;
}
