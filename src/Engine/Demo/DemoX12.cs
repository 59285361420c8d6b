using System.Globalization;
using System.Text;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Engine.Demo;

/// <summary>
/// The simulated supplier's outbound EDI (004010): PO acknowledgement 855, ship notice 856 and invoice 810 for an
/// order it received, with correct envelopes and counts.
/// </summary>
public static class DemoX12
{
    public static string Ack855(PurchaseOrder po, string vendor, int control, DateTime at) => Interchange(vendor, control, at, "PR", "855",
    [
        $"BAK*00*AD*{po.PoNumber}*{po.OrderDate?.ToString("yyyyMMdd", CultureInfo.InvariantCulture) ?? Day(at)}",
        .. po.Lines.SelectMany(l => new[]
        {
            $"PO1*{l.LineNumber}*{Q(l.Quantity)}*{l.Uom ?? "EA"}*{P(l.UnitPrice)}**BP*{l.BuyerItem}*VP*{l.VendorItem ?? l.BuyerItem}",
            $"ACK*IA*{Q(l.Quantity)}*{l.Uom ?? "EA"}*068*{Day(at.AddDays(2))}",
        }),
        $"CTT*{po.Lines.Count}",
    ]);

    public static string Asn856(PurchaseOrder po, string vendor, int control, DateTime at)
    {
        var segments = new List<string>
        {
            $"BSN*00*ASN{control}*{Day(at)}*{at:HHmm}",
            "HL*1**S",
            $"TD5**2*{vendor}*M",
            $"N1*ST*{po.ShipTo?.Name ?? po.ShipTo?.Id ?? "RECEIVING"}*92*{po.ShipTo?.Id ?? "DOCK"}",
            "HL*2*1*O",
            $"PRF*{po.PoNumber}",
        };
        var hl = 2;
        foreach (var l in po.Lines)
        {
            hl++;
            segments.Add($"HL*{hl}*2*I");
            segments.Add($"LIN*{l.LineNumber}*BP*{l.BuyerItem}*VP*{l.VendorItem ?? l.BuyerItem}");
            segments.Add($"SN1**{Q(l.Quantity)}*{l.Uom ?? "EA"}");
        }
        segments.Add($"CTT*{po.Lines.Count}");
        return Interchange(vendor, control, at, "SH", "856", segments);
    }

    /// <param name="priceFactor">1 for the contract price; above 1 to simulate a supplier invoicing over contract.</param>
    /// <param name="badQuantity">Writes a non-numeric quantity in the first line (a file the receiver must reject with a 999).</param>
    public static string Invoice810(PurchaseOrder po, string vendor, int control, DateTime at, decimal priceFactor, bool badQuantity)
    {
        var lines = po.Lines.Select((l, i) => (Line: l, Price: decimal.Round((l.UnitPrice ?? 0m) * priceFactor, 2))).ToList();
        var total = lines.Sum(x => decimal.Round((x.Line.Quantity ?? 0m) * x.Price, 2));
        var segments = new List<string>
        {
            $"BIG*{Day(at)}*INV{control}**{po.PoNumber}",
            $"N1*VN*{vendor}*92*{vendor}",
            $"N1*BT*{po.ShipTo?.Name ?? "ACCOUNTS PAYABLE"}*92*{po.ShipTo?.Id ?? "AP"}",
        };
        segments.AddRange(lines.Select((x, i) =>
            $"IT1*{x.Line.LineNumber}*{(badQuantity && i == 0 ? "1O" : Q(x.Line.Quantity))}*{x.Line.Uom ?? "EA"}*{P(x.Price)}**BP*{x.Line.BuyerItem}*VP*{x.Line.VendorItem ?? x.Line.BuyerItem}"));
        segments.Add($"TDS*{(long)(total * 100)}");
        segments.Add($"CTT*{lines.Count}");
        return Interchange(vendor, control, at, "IN", "810", segments);
    }

    private static string Interchange(string vendor, int control, DateTime at, string functionalId, string set, IReadOnlyList<string> body)
    {
        var c = control.ToString("D9", CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"ISA*00*          *00*          *ZZ*{vendor,-15}*ZZ*{"HEALTHSYNC",-15}*{at:yyMMdd}*{at:HHmm}*U*00401*{c}*0*P*>~\n");
        sb.Append(CultureInfo.InvariantCulture, $"GS*{functionalId}*{vendor}*HEALTHSYNC*{at:yyyyMMdd}*{at:HHmm}*{control}*X*004010~\n");
        sb.Append(CultureInfo.InvariantCulture, $"ST*{set}*0001~\n");
        foreach (var s in body) sb.Append(s).Append("~\n");
        sb.Append(CultureInfo.InvariantCulture, $"SE*{body.Count + 2}*0001~\n");
        sb.Append(CultureInfo.InvariantCulture, $"GE*1*{control}~\n");
        sb.Append(CultureInfo.InvariantCulture, $"IEA*1*{c}~\n");
        return sb.ToString();
    }

    private static string Day(DateTime at) => at.ToString("yyyyMMdd", CultureInfo.InvariantCulture);

    private static string Q(decimal? q) => (q ?? 0m).ToString("0.##", CultureInfo.InvariantCulture);

    private static string P(decimal? p) => (p ?? 0m).ToString("0.00", CultureInfo.InvariantCulture);
}
