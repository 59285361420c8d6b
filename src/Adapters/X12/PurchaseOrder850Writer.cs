using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>Envelope of an outbound interchange: who sends to whom, control numbers and the X12 version.</summary>
/// <param name="Version">"005010" or "004010"; decides ISA-12, ISA-11 and GS-08.</param>
/// <param name="SenderCode">GS-02 application sender code (default: <paramref name="SenderId"/>).</param>
/// <param name="ReceiverCode">GS-03 application receiver code (default: <paramref name="ReceiverId"/>).</param>
/// <param name="TransactionControlNumber">ST-02 of the (first) transaction set.</param>
public sealed record X12Envelope(
    string SenderQualifier,
    string SenderId,
    string ReceiverQualifier,
    string ReceiverId,
    int InterchangeControlNumber,
    int GroupControlNumber,
    DateTimeOffset Now,
    string Version = "005010",
    bool Test = false,
    string TransactionControlNumber = "0001",
    X12Delimiters? Delimiters = null,
    string? SenderCode = null,
    string? ReceiverCode = null)
{
    internal string IsaVersion => Version.StartsWith("004", StringComparison.Ordinal) ? "00401" : "00501";
}

/// <summary>Writes a canonical <see cref="PurchaseOrder"/> as an X12 850 interchange.</summary>
public static class PurchaseOrder850Writer
{
    /// <summary>
    /// ISA/GS/ST/BEG/CUR/N1 (BY, VN, ST)/PO1/PID/CTT/SE/GE/IEA with the counts and control numbers of
    /// <paramref name="envelope"/>. Item ids are sent as BP (buyer), VP (vendor) and UP/EN/UK (GTIN by length).
    /// </summary>
    /// <exception cref="ArgumentException">A value contains a delimiter, or a control number is out of range.</exception>
    public static string Write(PurchaseOrder po, X12Envelope envelope)
    {
        var output = X12Envelopes.Open(envelope, "PO");
        var start = output.Count;
        output.Values("ST", "850", envelope.TransactionControlNumber);
        output.Values("BEG", po.Purpose ?? "00", "SA", po.PoNumber, null, Date(po.OrderDate ?? DateOnly.FromDateTime(envelope.Now.Date)));
        if (po.Currency is { } currency)
        {
            output.Values("CUR", "BY", currency);
        }

        Party(output, "BY", po.Buyer);
        Party(output, "VN", po.Vendor);
        Party(output, "ST", po.ShipTo);
        decimal hash = 0;
        foreach (var line in po.Lines)
        {
            var ids = new List<string?>();
            AddId(ids, "BP", line.BuyerItem);
            AddId(ids, "VP", line.VendorItem);
            AddId(ids, line.Gtin?.Length switch { 12 => "UP", 14 => "UK", _ => "EN" }, line.Gtin);
            output.Values("PO1", [line.LineNumber, Number(line.Quantity), line.Uom, Number(line.UnitPrice), line.UnitPrice is null ? null : "PE", .. ids]);
            if (line.Description is { } description)
            {
                output.Values("PID", "F", null, null, null, description);
            }

            hash += line.Quantity ?? 0;
        }

        output.Values("CTT", po.Lines.Count.ToString(CultureInfo.InvariantCulture), Number(hash));
        output.Values("SE", (output.Count - start + 1).ToString(CultureInfo.InvariantCulture), envelope.TransactionControlNumber);
        X12Envelopes.Close(output, envelope, 1);
        return output.ToString();
    }

    private static void Party(X12Output output, string qualifier, Party? party)
    {
        if (party is not null)
        {
            output.Values("N1", qualifier, party.Name, party.Id is null ? null : party.Qualifier, party.Id);
        }
    }

    private static void AddId(List<string?> ids, string qualifier, string? id)
    {
        if (id is not null)
        {
            ids.Add(qualifier);
            ids.Add(id);
        }
    }

    private static string Date(DateOnly date) => date.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string? Number(decimal? value) => value?.ToString("0.##########", CultureInfo.InvariantCulture);
}

/// <summary>ISA/GS headers and GE/IEA trailers of outbound interchanges.</summary>
internal static class X12Envelopes
{
    public static X12Output Open(X12Envelope e, string functionalId)
    {
        var d = e.Delimiters ?? X12Delimiters.Default;
        if (e.InterchangeControlNumber is < 0 or > 999_999_999)
        {
            throw new ArgumentException("The interchange control number must have at most 9 digits.", nameof(e));
        }

        var output = new X12Output(d, lineBreaks: false);
        var isaVersion = e.IsaVersion;
        output.Raw("ISA",
        [
            "00", new string(' ', 10), "00", new string(' ', 10),
            Pad(e.SenderQualifier, 2), Pad(e.SenderId, 15), Pad(e.ReceiverQualifier, 2), Pad(e.ReceiverId, 15),
            e.Now.ToString("yyMMdd", CultureInfo.InvariantCulture), e.Now.ToString("HHmm", CultureInfo.InvariantCulture),
            isaVersion == "00401" ? "U" : (d.Repetition ?? '^').ToString(), isaVersion,
            e.InterchangeControlNumber.ToString("D9", CultureInfo.InvariantCulture), "0", e.Test ? "T" : "P", d.Component.ToString(),
        ]);
        output.Values("GS", functionalId, e.SenderCode ?? e.SenderId.Trim(), e.ReceiverCode ?? e.ReceiverId.Trim(),
            e.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture), e.Now.ToString("HHmm", CultureInfo.InvariantCulture),
            e.GroupControlNumber.ToString(CultureInfo.InvariantCulture), "X", e.Version);
        return output;
    }

    public static void Close(X12Output output, X12Envelope e, int sets)
    {
        output.Values("GE", sets.ToString(CultureInfo.InvariantCulture), e.GroupControlNumber.ToString(CultureInfo.InvariantCulture));
        output.Values("IEA", "1", e.InterchangeControlNumber.ToString("D9", CultureInfo.InvariantCulture));
    }

    public static string Pad(string value, int width) => value.Length >= width ? value[..width] : value.PadRight(width);
}
