using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Csv;

/// <summary>Recognises which CSV feed a file is from its header and reads it with the matching reader.</summary>
public static class CsvFeeds
{
    /// <summary>"settlement", "receipt", or null when the header matches neither (or the file cannot be read).</summary>
    /// <remarks>
    /// A feed matches when its header holds all the feed's required columns, or at least its key column (settlement_id,
    /// receipt_id or an alias), so that reading it then names the missing columns instead of calling the file unknown.
    /// </remarks>
    public static string? Detect(byte[] bytes)
    {
        var line = CsvFeedReader.HeaderLine(bytes);
        if (line is null)
        {
            return null;
        }

        // Header names with commas inside quotes are not worth supporting for detection; the reader proper handles them.
        var header = line.Split(',').Select(h => h.Trim().Trim('"')).ToList();
        var settlement = SettlementCsv.Spec.Recognises(header);
        var receipt = ReceiptCsv.Spec.Recognises(header);
        return (settlement, receipt) switch
        {
            (true, false) => SettlementCsv.MessageType,
            (false, true) => ReceiptCsv.MessageType,

            // A header with both ids is ambiguous only in theory; the row key column decides.
            (true, true) => header.Select(FeedSpec.Normalize).Contains("receipt_id") ? ReceiptCsv.MessageType : SettlementCsv.MessageType,
            _ => null,
        };
    }

    /// <summary>Reads a CSV file as the feed its header names; an unknown header rejects the file with a finding.</summary>
    public static AdapterRead Read(byte[] bytes, CsvLimits? limits = null)
    {
        switch (Detect(bytes))
        {
            case SettlementCsv.MessageType:
                return SettlementCsv.Read(bytes, limits);
            case ReceiptCsv.MessageType:
                return ReceiptCsv.Read(bytes, limits);
        }

        var findings = new List<ValidationFinding>();
        if (CsvFeedReader.Check(bytes, limits ?? CsvLimits.Default, findings) is not null)
        {
            findings.Add(new ValidationFinding(
                "header",
                FindingCodes.Unsupported,
                $"The header matches no CSV feed HealthSync accepts. Expected a settlement file ({SettlementCsv.Header}) or a receipt file ({ReceiptCsv.Header})."));
        }

        return CsvFeedReader.Rejected("unknown", findings);
    }
}
