using System.Globalization;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Outbox;

/// <summary>
/// What goes on the wire for each outbound operation: JSON for the ERP and warehouse APIs, HL7 v2 DFT^P03 for billing,
/// X12 850 for suppliers. Rendered at delivery from the outbox row, deterministically, so retries send the same bytes.
/// </summary>
public static class OutboundMessages
{
    public static HttpContent Create(OutboxMessage row) => row.Operation switch
    {
        Operations.BillingChargePost or Operations.BillingChargeCredit =>
            new StringContent(BillingMessages.ToDftP03(row), System.Text.Encoding.UTF8, BillingMessages.MediaType),
        Operations.SupplierPurchaseOrder =>
            new StringContent(SupplierMessages.To850(row), System.Text.Encoding.UTF8, "application/edi-x12"),
        _ => new StringContent(row.Payload, System.Text.Encoding.UTF8, "application/json"),
    };
}

/// <summary>Purchase orders go to suppliers as X12 850 (005010), one interchange per order, control number from the outbox id.</summary>
public static class SupplierMessages
{
    public const string SenderId = "HEALTHSYNC";

    public static string To850(OutboxMessage row)
    {
        var po = (PurchaseOrder)CanonicalJson.Deserialize(row.Payload)!;
        var control = (int)(row.Id % 999_999_999) + 1;
        return HealthSync.Adapters.X12.PurchaseOrder850Writer.Write(po, new HealthSync.Adapters.X12.X12Envelope(
            "ZZ", SenderId, "ZZ", (po.Vendor?.Id ?? "SUPPLIER").Trim(), control, control,
            new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)), "005010"));
    }
}

/// <summary>
/// Charges go to billing as HL7 v2 DFT^P03 over HTTP. The outbox keeps the charge as JSON; the message is rendered at
/// delivery, deterministically from the row (MSH-10 from the outbox id, FT1-2 from the source event), so every
/// retry sends the same message and billing can recognise a repeat by either.
/// </summary>
public static class BillingMessages
{
    public const string MediaType = "x-application/hl7-v2+er7";

    public static bool IsBilling(string operation) => operation is Operations.BillingChargePost or Operations.BillingChargeCredit;

    public static string ToDftP03(OutboxMessage row)
    {
        using var doc = JsonDocument.Parse(row.Payload);
        var c = doc.RootElement;
        string? S(string name) => c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        decimal D(string name) => c.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number ? v.GetDecimal() : 0m;
        var serviceDate = S("serviceDate") is { } text && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc));
        return DftP03Writer.Write(
            controlId: "HS" + row.Id.ToString(CultureInfo.InvariantCulture),
            now: new DateTimeOffset(DateTime.SpecifyKind(row.CreatedAt, DateTimeKind.Utc)),
            facility: S("facility") ?? row.Facility ?? "",
            chargeCode: S("chargeCode") ?? "UNKNOWN",
            chargeDescription: null,
            quantity: D("quantity"),
            amount: D("amount"),
            transactionId: S("sourceEventId") ?? row.IdempotencyKey,
            occurredAt: serviceDate,
            department: S("department"),
            mrn: S("mrn"),
            account: S("account"),
            encounter: S("encounter"),
            kind: row.Operation == Operations.BillingChargeCredit ? UsageKind.Reversal : UsageKind.Consumption);
    }
}
