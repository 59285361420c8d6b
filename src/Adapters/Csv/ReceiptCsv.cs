using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Csv;

/// <summary>
/// Reads the patient billing receipt (remittance) feed to <see cref="BillingReceipt"/> facts, one per valid row. The
/// product's billing export writes <c>receipt_id,received_at,facility,patient_account,amount,payment_reference,method</c>;
/// common other names are accepted too (see <see cref="Columns"/>). Validation works as for <see cref="SettlementCsv"/>.
/// </summary>
public static class ReceiptCsv
{
    /// <summary>The <see cref="AdapterRead.MessageType"/> of receipt files.</summary>
    public const string MessageType = "receipt";

    /// <summary>The header the product's billing export writes.</summary>
    public const string Header = "receipt_id,received_at,facility,patient_account,amount,payment_reference,method";

    internal static readonly FeedSpec Spec = new(
        MessageType,
        Header,
        [
            new("receipt_id", true, "receipt_number", "receipt_no", "remittance_id", "receipt"),
            new("received_at", true, "receipt_date", "received_date", "received_on", "posted_at", "posting_date", "payment_date"),
            new("facility", false, "facility_id", "site", "location"),
            new("patient_account", false, "account", "account_number", "patient_account_number", "guarantor_account"),
            new("amount", true, "receipt_amount", "paid_amount", "payment_amount", "amount_paid"),
            new("payment_reference", false, "reference", "payment_ref", "merchant_ref", "settlement_ref", "settlement_id"),
            new("method", false, "payment_method", "tender", "tender_type"),
        ],
        "receipt_id");

    /// <summary>The columns read, each with the aliases accepted for it (matched case-insensitively, spaces trimmed).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Columns { get; } =
        Spec.Columns.ToDictionary(c => c.Name, c => (IReadOnlyList<string>)c.Aliases);

    /// <summary>Reads a receipt file. Never throws for bad content.</summary>
    /// <remarks>A date without a time (<c>2026-11-20</c>) is taken as midnight UTC of that day.</remarks>
    public static AdapterRead Read(byte[] bytes, CsvLimits? limits = null) => CsvFeedReader.Read(bytes, limits, Spec, Map);

    private static BillingReceipt? Map(FeedRow row)
    {
        var id = row.Text("receipt_id");
        var received = row.Timestamp("received_at", required: true);

        // Negative amounts are allowed: billing posts reversals of earlier receipts as negative receipts.
        var amount = row.Decimal("amount", required: true);
        if (id is null || received is null || amount is null || row.HasFindings)
        {
            return null;
        }

        var (date, at) = received.Value;
        return new BillingReceipt(
            ReceiptId: id,
            ReceivedAt: at ?? new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero),
            Facility: row.Text("facility"),
            PatientAccount: row.Text("patient_account"),
            Amount: amount.Value,
            PaymentReference: row.Text("payment_reference"),
            Method: row.Text("method"),
            RowNumber: row.Number);
    }
}
