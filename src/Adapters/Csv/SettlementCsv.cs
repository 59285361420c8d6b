using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Csv;

/// <summary>
/// Reads payment gateway settlement files to <see cref="PaymentSettlement"/> facts, one per valid row. The product's
/// gateway writes <c>settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand</c>; other
/// gateways' common column names are accepted too (see <see cref="Columns"/>).
/// </summary>
/// <remarks>
/// Bad rows are reported with their spreadsheet row number (header = row 1) and left out; the valid rows are still
/// returned, so a file with findings and facts is partly accepted. A header without the required columns, an invalid
/// encoding or a file over <see cref="CsvLimits"/> rejects the whole file.
/// </remarks>
public static class SettlementCsv
{
    /// <summary>The <see cref="AdapterRead.MessageType"/> of settlement files.</summary>
    public const string MessageType = "settlement";

    /// <summary>The header the product's gateway writes.</summary>
    public const string Header = "settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand";

    /// <summary>Net may differ from gross minus fee by this much (rounding of per-transaction fees).</summary>
    public const decimal NetTolerance = 0.01m;

    internal static readonly FeedSpec Spec = new(
        MessageType,
        Header,
        [
            new("settlement_id", true, "transaction_id", "txn_id", "settlement_reference", "payment_id", "id"),
            new("merchant_ref", false, "merchant_reference", "merchant_reference_id", "reference", "order_id", "invoice_id"),
            new("facility", false, "facility_id", "site", "location", "store_id"),
            new("gross_amount", true, "amount", "gross", "transaction_amount", "charge_amount"),
            new("fee", false, "fees", "fee_amount", "processing_fee", "merchant_fee"),
            new("net_amount", false, "net", "payout_amount", "net_settlement"),
            new("settled_at", true, "settlement_date", "settlement_time", "settled_on", "settlement_datetime", "date"),
            new("card_brand", false, "brand", "card_type", "payment_method", "method"),
            new("currency", false, "currency_code", "ccy"),
            new("batch_id", false, "batch", "batch_number", "settlement_batch"),
            new("patient_account", false, "account", "account_number", "guarantor_account"),
        ],
        "settlement_id");

    /// <summary>The columns read, each with the aliases accepted for it (matched case-insensitively, spaces trimmed).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> Columns { get; } =
        Spec.Columns.ToDictionary(c => c.Name, c => (IReadOnlyList<string>)c.Aliases);

    /// <summary>Reads a settlement file. Never throws for bad content.</summary>
    public static AdapterRead Read(byte[] bytes, CsvLimits? limits = null) => CsvFeedReader.Read(bytes, limits, Spec, Map);

    private static PaymentSettlement? Map(FeedRow row)
    {
        var id = row.Text("settlement_id");
        var gross = row.Decimal("gross_amount", required: true);

        // Gateways that charge no fee leave the column out or empty.
        var fee = row.Decimal("fee", required: false) ?? 0m;
        if (fee < 0)
        {
            row.Add("fee", FindingCodes.InvalidValue, $"{row.Label("fee")} {fee} is negative; a fee is a charge and is written as a positive amount.");
        }

        var net = row.Decimal("net_amount", required: false);
        if (net is { } n && gross is { } g && Math.Abs(n - (g - fee)) > NetTolerance)
        {
            row.Add("net_amount", FindingCodes.InvalidValue, $"{row.Label("net_amount")} {n} is not {row.Label("gross_amount")} {g} minus {row.Label("fee")} {fee} ({g - fee}).");
        }

        var settled = row.Timestamp("settled_at", required: true);
        if (id is null || gross is null || settled is null || row.HasFindings)
        {
            return null;
        }

        return new PaymentSettlement(
            TransactionId: id,
            SettlementDate: settled.Value.Date,
            SettledAt: settled.Value.At,
            Facility: row.Text("facility"),
            MerchantReference: row.Text("merchant_ref"),
            PatientAccount: row.Text("patient_account"),
            Amount: gross.Value,
            Fee: fee,
            Currency: row.Text("currency")?.ToUpperInvariant(),
            Method: row.Text("card_brand"),
            BatchId: row.Text("batch_id"),
            RowNumber: row.Number);
    }
}
