using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>Maps transaction sets to canonical facts. Pure functions: a set in, facts and semantic findings out.</summary>
internal static class X12Mappings
{
    private static readonly string[] BuyerQualifiers = ["BP", "IN", "CB", "SK"];
    private static readonly string[] VendorQualifiers = ["VP", "VN", "VC", "MG"];
    private static readonly string[] GtinQualifiers = ["UP", "UK", "EN", "EO", "ND", "N4"];
    private static readonly string[] DiagnosisQualifiers = ["ABK", "ABF", "ABJ", "ABN", "APR", "BK", "BF", "BJ", "BN", "PR"];

    public static (IReadOnlyList<ICanonicalFact> Facts, IReadOnlyList<ValidationFinding> Findings) Map(X12TransactionSet set, X12Loop loops, string groupVersion = "")
    {
        var findings = new List<ValidationFinding>();
        IReadOnlyList<ICanonicalFact> facts = set.Id switch
        {
            "850" => One(PurchaseOrder(loops, findings)),
            "855" => One(PurchaseOrderAck(loops, findings)),
            "856" => One(ShipNotice(set, findings)),
            "810" => One(Invoice(loops, findings)),
            "835" => One(Remittance(loops, findings)),
            "837" => Claims(set, loops, groupVersion, findings),
            "997" or "999" => [],
            _ => Unsupported(set, findings),
        };
        return (findings.Count == 0 ? facts : [], findings);
    }

    private static IReadOnlyList<ICanonicalFact> One(ICanonicalFact? fact) => fact is null ? [] : [fact];

    private static IReadOnlyList<ICanonicalFact> Unsupported(X12TransactionSet set, List<ValidationFinding> findings)
    {
        findings.Add(new ValidationFinding("ST[1]-01", FindingCodes.Unsupported, $"Transaction set {set.Id} is not handled by HealthSync."));
        return [];
    }

    // ---- 850 -------------------------------------------------------------------------------------------------

    private static PurchaseOrder? PurchaseOrder(X12Loop root, List<ValidationFinding> findings)
    {
        var beg = Required(root, "BEG", findings);
        var poNumber = beg is null ? null : RequiredValue(beg, 3, findings);
        var date = beg is null ? null : Date(beg, 5, findings);
        var parties = Parties(root);
        var lines = new List<ItemLine>();
        foreach (var loop in root.Children.Where(c => c.Id == "PO1"))
        {
            lines.Add(Line(loop, lines.Count + 1, findings));
        }

        if (poNumber is null)
        {
            return null;
        }

        return new PurchaseOrder(poNumber, date, beg!.Value(1), Pick(parties, "BY"), Pick(parties, "SE", "VN", "SU", "SF"), Pick(parties, "ST"), Currency(root), lines);
    }

    // ---- 855 -------------------------------------------------------------------------------------------------

    private static PurchaseOrderAck? PurchaseOrderAck(X12Loop root, List<ValidationFinding> findings)
    {
        var bak = Required(root, "BAK", findings);
        var poNumber = bak is null ? null : RequiredValue(bak, 3, findings);
        var ackType = bak is null ? null : RequiredValue(bak, 2, findings);
        var date = bak is null ? null : Date(bak, 4, findings);
        var lines = new List<ItemLine>();
        foreach (var loop in root.Children.Where(c => c.Id == "PO1"))
        {
            var line = Line(loop, lines.Count + 1, findings);
            if (loop.Descendants().SelectMany(l => l.Segments).FirstOrDefault(s => s.Id == "ACK") is { } ack)
            {
                // The acknowledged quantity (ACK-02) is what the supplier commits to; PO1-02 repeats the order.
                var quantity = Decimal(ack, 2, findings) ?? line.Quantity;
                line = line with { Status = ack.Value(1), Quantity = quantity, Uom = ack.Value(3) ?? line.Uom };
            }

            lines.Add(line);
        }

        return poNumber is null || ackType is null ? null : new PurchaseOrderAck(poNumber, ackType, date, Pick(Parties(root), "SE", "VN", "SU"), lines);
    }

    // ---- 856 -------------------------------------------------------------------------------------------------

    private static ShipNotice? ShipNotice(X12TransactionSet set, List<ValidationFinding> findings)
    {
        X12Segment? bsn = null;
        var poNumbers = new List<string>();
        var parties = new List<(string Qualifier, Party Party)>();
        var lines = new List<LineBuilder>();
        LineBuilder? current = null;
        foreach (var s in set.Segments)
        {
            switch (s.Id)
            {
                case "BSN":
                    bsn ??= s;
                    break;
                case "HL":
                    current = null;
                    break;
                case "PRF":
                    if (s.Value(1) is { } po && !poNumbers.Contains(po))
                    {
                        poNumbers.Add(po);
                    }

                    break;
                case "N1":
                    if (N1Party(s) is { } party)
                    {
                        parties.Add(party);
                    }

                    break;
                case "LIN":
                    current = new LineBuilder(s.Value(1) ?? (lines.Count + 1).ToString(CultureInfo.InvariantCulture));
                    current.ApplyIds(s, 2);
                    lines.Add(current);
                    break;
                case "SN1" when current is not null:
                    current.Quantity = Decimal(s, 2, findings);
                    current.Uom = s.Value(3);
                    break;
                case "PID" when current is not null:
                    current.Description ??= s.Value(5);
                    break;
                case "REF" when current is not null:
                    if (s.Value(1) == "LT")
                    {
                        current.Lot ??= s.Value(2);
                    }
                    else if (s.Value(1) is "SE" or "SN")
                    {
                        current.Serial ??= s.Value(2);
                    }

                    break;
                case "DTM" when current is not null && s.Value(1) == "036":
                    current.Expiry = Date(s, 2, findings);
                    break;
                default:
                    break;
            }
        }

        if (bsn is null)
        {
            findings.Add(new ValidationFinding("BSN[2]", FindingCodes.Required, "The ship notice has no BSN segment."));
            return null;
        }

        var shipmentId = RequiredValue(bsn, 2, findings);
        var date = Date(bsn, 3, findings);
        return shipmentId is null ? null : new ShipNotice(shipmentId, date, poNumbers, Pick(parties, "SF", "SU", "SE", "VN"), Pick(parties, "ST"), [.. lines.Select(l => l.Build())]);
    }

    // ---- 810 -------------------------------------------------------------------------------------------------

    private static Invoice? Invoice(X12Loop root, List<ValidationFinding> findings)
    {
        var big = Required(root, "BIG", findings);
        var number = big is null ? null : RequiredValue(big, 2, findings);
        var date = big is null ? null : Date(big, 1, findings);
        var parties = Parties(root);
        var lines = new List<ItemLine>();
        foreach (var loop in root.Children.Where(c => c.Id == "IT1"))
        {
            lines.Add(Line(loop, lines.Count + 1, findings));
        }

        decimal? total = null;
        if (root.AllSegments().FirstOrDefault(s => s.Id == "TDS") is { } tds)
        {
            // TDS-01 is an N2 number: implied two decimals, so 21351663 means 213516.63.
            total = Decimal(tds, 1, findings) is { } cents ? cents / 100m : null;
        }

        return number is null
            ? null
            : new Invoice(number, big!.Value(4), date, Pick(parties, "SE", "VN", "SU", "II", "RE"), Pick(parties, "BT", "BY"), Currency(root), total, lines);
    }

    // ---- 835 -------------------------------------------------------------------------------------------------

    private static Remittance? Remittance(X12Loop root, List<ValidationFinding> findings)
    {
        var bpr = Required(root, "BPR", findings);
        var trn = Required(root, "TRN", findings);
        var paymentId = trn is null ? null : RequiredValue(trn, 2, findings);
        var total = bpr is null ? null : Decimal(bpr, 2, findings);
        var date = bpr is null ? null : Date(bpr, 16, findings);
        var claims = new List<ClaimPayment>();
        foreach (var clpLoop in root.Descendants().Where(l => l.Id == "2100"))
        {
            var clp = clpLoop.Opening!;
            var claimId = RequiredValue(clp, 1, findings);
            var patient = clpLoop.Segments.FirstOrDefault(s => s.Id == "NM1" && s.Value(1) == "QC");
            var adjustments = new List<Adjustment>();
            foreach (var cas in clpLoop.AllSegments().Where(s => s.Id == "CAS"))
            {
                Adjustments(cas, adjustments, findings);
            }

            claims.Add(new ClaimPayment(claimId ?? "", clp.Value(2), Decimal(clp, 3, findings), Decimal(clp, 4, findings), Decimal(clp, 5, findings),
                clp.Value(7), patient is null ? null : PersonName(patient), adjustments));
        }

        var payer = root.Children.FirstOrDefault(c => c.Id == "1000A")?.Opening;
        var payee = root.Children.FirstOrDefault(c => c.Id == "1000B")?.Opening;
        return paymentId is null || bpr is null
            ? null
            : new Remittance(paymentId, date, bpr.Value(4), total, payer is null ? null : N1Party(payer)?.Party, payee is null ? null : N1Party(payee)?.Party, claims);
    }

    private static void Adjustments(X12Segment cas, List<Adjustment> adjustments, List<ValidationFinding> findings)
    {
        var group = cas.Value(1) ?? "";
        for (var n = 2; n <= 17; n += 3)
        {
            if (cas.Value(n) is not { } reason)
            {
                continue;
            }

            var amount = Decimal(cas, n + 1, findings);
            if (amount is null)
            {
                findings.Add(new ValidationFinding(PathOf(cas, n + 1), FindingCodes.Required, $"CAS adjustment reason {reason} has no amount."));
                continue;
            }

            adjustments.Add(new Adjustment(group, reason, amount.Value, Decimal(cas, n + 2, findings)));
        }
    }

    // ---- 837 -------------------------------------------------------------------------------------------------

    private static List<ICanonicalFact> Claims(X12TransactionSet set, X12Loop root, string groupVersion, List<ValidationFinding> findings)
    {
        var claims = new List<ICanonicalFact>();
        Walk(root, [], claims, set, groupVersion, findings);
        return claims;
    }

    private static void Walk(X12Loop loop, List<X12Loop> ancestors, List<ICanonicalFact> claims, X12TransactionSet set, string groupVersion, List<ValidationFinding> findings)
    {
        if (loop.Id == "2300")
        {
            if (Claim(loop, ancestors, set, groupVersion, findings) is { } claim)
            {
                claims.Add(claim);
            }

            return;
        }

        ancestors.Add(loop);
        foreach (var child in loop.Children)
        {
            Walk(child, ancestors, claims, set, groupVersion, findings);
        }

        ancestors.RemoveAt(ancestors.Count - 1);
    }

    private static Claim? Claim(X12Loop loop, List<X12Loop> ancestors, X12TransactionSet set, string groupVersion, List<ValidationFinding> findings)
    {
        var clm = loop.Opening!;
        var claimId = RequiredValue(clm, 1, findings);
        var total = Decimal(clm, 2, findings);

        X12Segment? Nm1In(string loopId) =>
            ancestors.SelectMany(a => a.Children).FirstOrDefault(c => c.Id == loopId)?.Opening;

        var billing = Nm1In("2010AA");
        var payer = Nm1In("2010BB");
        var subscriber = Nm1In("2010BA");
        var patient = Nm1In("2010CA");

        var diagnoses = new List<string>();
        foreach (var hi in loop.Segments.Where(s => s.Id == "HI"))
        {
            for (var n = 1; n <= hi.Count; n++)
            {
                if (hi.Component(n, 1) is { } qualifier && DiagnosisQualifiers.Contains(qualifier) && hi.Component(n, 2) is { } code)
                {
                    diagnoses.Add(code);
                }
            }
        }

        var lines = new List<ClaimLine>();
        var institutional = false;
        foreach (var lx in loop.Children.Where(c => c.Id == "2400"))
        {
            var number = lx.Opening!.Value(1) ?? (lines.Count + 1).ToString(CultureInfo.InvariantCulture);
            var serviceDate = lx.Segments.FirstOrDefault(s => s.Id == "DTP" && s.Value(1) == "472") is { } dtp ? DtpDate(dtp, findings) : null;
            if (lx.Segments.FirstOrDefault(s => s.Id == "SV1") is { } sv1)
            {
                var (code, modifiers) = Procedure(sv1, 1);
                lines.Add(new ClaimLine(number, code, modifiers, Decimal(sv1, 2, findings), Decimal(sv1, 4, findings), sv1.Value(3), serviceDate));
            }
            else if (lx.Segments.FirstOrDefault(s => s.Id == "SV2") is { } sv2)
            {
                institutional = true;
                var (code, modifiers) = Procedure(sv2, 2);
                lines.Add(new ClaimLine(number, code, modifiers, Decimal(sv2, 3, findings), Decimal(sv2, 5, findings), sv2.Value(4), serviceDate, sv2.Value(1)));
            }
        }

        var claimDate = loop.Segments.FirstOrDefault(s => s.Id == "DTP" && s.Value(1) is "472" or "434") is { } claimDtp
            ? DtpDate(claimDtp, findings)
            : lines.Select(l => l.ServiceDate).Where(d => d is not null).Min();

        // ST-03 names the implementation guide (X222 professional, X223 institutional); GS-08 is often left at X222
        // by institutional senders, so it only decides when neither ST-03 nor the service lines do.
        var guide = set.ImplementationReference ?? "";
        var claimType = guide.Contains("X223", StringComparison.Ordinal) ? "institutional"
            : guide.Contains("X222", StringComparison.Ordinal) ? "professional"
            : institutional || loop.Segments.Any(s => s.Id == "CL1") ? "institutional"
            : groupVersion.Contains("X223", StringComparison.Ordinal) ? "institutional" : "professional";

        return claimId is null
            ? null
            : new Claim(claimId, claimType, billing is null ? null : Nm1Party(billing), payer is null ? null : Nm1Party(payer), subscriber?.Value(9),
                PersonName(patient ?? subscriber), total, claimDate, diagnoses, lines);
    }

    private static (string? Code, IReadOnlyList<string> Modifiers) Procedure(X12Segment segment, int element)
    {
        // A composite with a single component has no separable qualifier; the code is then left unknown rather than guessed.
        var parts = segment.Components(element);
        if (parts.Count < 2)
        {
            return (null, []);
        }

        var code = parts[1].Trim();
        return (code.Length == 0 ? null : code, [.. parts.Skip(2).Take(4).Select(p => p.Trim()).Where(p => p.Length > 0)]);
    }

    private static DateOnly? DtpDate(X12Segment dtp, List<ValidationFinding> findings)
    {
        var value = dtp.Value(3);
        if (value is null)
        {
            return null;
        }

        // RD8 is a range "CCYYMMDD-CCYYMMDD"; the service date is its start.
        if (dtp.Value(2) == "RD8" && value.IndexOf('-', StringComparison.Ordinal) is var dash and > 0)
        {
            value = value[..dash];
        }

        return ParseDate(value, PathOf(dtp, 3), findings);
    }

    // ---- shared ----------------------------------------------------------------------------------------------

    private static ItemLine Line(X12Loop loop, int ordinal, List<ValidationFinding> findings)
    {
        var segment = loop.Opening!;
        var builder = new LineBuilder(segment.Value(1) ?? ordinal.ToString(CultureInfo.InvariantCulture))
        {
            Quantity = Decimal(segment, 2, findings),
            Uom = segment.Value(3),
            UnitPrice = Decimal(segment, 4, findings),
        };
        builder.ApplyIds(segment, 6);
        foreach (var s in loop.AllSegments().Skip(1))
        {
            if (s.Id == "PID")
            {
                builder.Description ??= s.Value(5);
            }
        }

        return builder.Build();
    }

    private static List<(string Qualifier, Party Party)> Parties(X12Loop root)
    {
        var parties = new List<(string, Party)>();
        foreach (var loop in root.Children.Where(c => c.Opening?.Id == "N1"))
        {
            if (N1Party(loop.Opening!) is { } party)
            {
                parties.Add(party);
            }
        }

        return parties;
    }

    private static (string Qualifier, Party Party)? N1Party(X12Segment n1) =>
        n1.Value(1) is { } qualifier ? (qualifier, new Party(n1.Value(4), n1.Value(2), n1.Value(3))) : null;

    private static Party Nm1Party(X12Segment nm1) => new(nm1.Value(9), nm1.Value(2) == "1" ? PersonName(nm1) : nm1.Value(3), nm1.Value(8));

    private static string? PersonName(X12Segment? nm1)
    {
        if (nm1 is null)
        {
            return null;
        }

        var last = nm1.Value(3);
        var given = string.Join(' ', new[] { nm1.Value(4), nm1.Value(5) }.Where(v => v is not null));
        return last is null ? (given.Length == 0 ? null : given) : given.Length == 0 ? last : $"{last}, {given}";
    }

    private static Party? Pick(List<(string Qualifier, Party Party)> parties, params string[] qualifiers)
    {
        foreach (var q in qualifiers)
        {
            foreach (var (qualifier, party) in parties)
            {
                if (qualifier == q)
                {
                    return party;
                }
            }
        }

        return null;
    }

    private static string? Currency(X12Loop root) =>
        root.Segments.FirstOrDefault(s => s.Id == "CUR")?.Value(2);

    private static X12Segment? Required(X12Loop root, string segmentId, List<ValidationFinding> findings)
    {
        var segment = root.Segments.FirstOrDefault(s => s.Id == segmentId);
        if (segment is null)
        {
            findings.Add(new ValidationFinding($"{segmentId}[2]", FindingCodes.Required, $"Required segment {segmentId} is missing."));
        }

        return segment;
    }

    private static string? RequiredValue(X12Segment segment, int n, List<ValidationFinding> findings)
    {
        var value = segment.Value(n);
        if (value is null)
        {
            findings.Add(new ValidationFinding(PathOf(segment, n), FindingCodes.Required, $"{segment.Id}-{n:00} is required."));
        }

        return value;
    }

    internal static string PathOf(X12Segment segment, int n) => $"{segment.Id}[{segment.Position}]-{n:00}";

    private static decimal? Decimal(X12Segment segment, int n, List<ValidationFinding> findings)
    {
        var value = segment.Value(n);
        if (value is null)
        {
            return null;
        }

        if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            return d;
        }

        findings.Add(new ValidationFinding(PathOf(segment, n), FindingCodes.InvalidNumber, $"{segment.Id}-{n:00} \"{value}\" is not a number."));
        return null;
    }

    private static DateOnly? Date(X12Segment segment, int n, List<ValidationFinding> findings) =>
        segment.Value(n) is { } value ? ParseDate(value, PathOf(segment, n), findings) : null;

    private static DateOnly? ParseDate(string value, string path, List<ValidationFinding> findings)
    {
        if (value.Length == 8 && DateOnly.TryParseExact(value, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        if (value.Length == 6 && DateOnly.TryParseExact(value, "yyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out d))
        {
            return d;
        }

        findings.Add(new ValidationFinding(path, FindingCodes.InvalidDate, $"\"{value}\" is not a date (CCYYMMDD)."));
        return null;
    }

    /// <summary>Collects one item line; product ids come as qualifier/value pairs (PO1-06/07, ..., LIN-02/03, ...).</summary>
    private sealed class LineBuilder(string lineNumber)
    {
        private int _buyerRank = int.MaxValue;
        private int _vendorRank = int.MaxValue;
        private int _gtinRank = int.MaxValue;

        public string? BuyerItem { get; private set; }

        public string? VendorItem { get; private set; }

        public string? Gtin { get; private set; }

        public string? Description { get; set; }

        public decimal? Quantity { get; set; }

        public string? Uom { get; set; }

        public decimal? UnitPrice { get; set; }

        public string? Lot { get; set; }

        public string? Serial { get; set; }

        public DateOnly? Expiry { get; set; }

        private string? _fallbackDescription;

        public void ApplyIds(X12Segment segment, int first)
        {
            for (var n = first; n < segment.Count; n += 2)
            {
                if (segment.Value(n) is not { } qualifier || segment.Value(n + 1) is not { } id)
                {
                    continue;
                }

                // Lower index in each list wins: BP (buyer part) over IN (buyer item) over catalog numbers, and so on.
                Take(BuyerQualifiers, qualifier, id, ref _buyerRank, v => BuyerItem = v);
                Take(VendorQualifiers, qualifier, id, ref _vendorRank, v => VendorItem = v);
                Take(GtinQualifiers, qualifier, id, ref _gtinRank, v => Gtin = v);
                switch (qualifier)
                {
                    case "LT":
                        Lot ??= id;
                        break;
                    case "SN":
                        Serial ??= id;
                        break;
                    case "PD":
                        _fallbackDescription ??= id;
                        break;
                    default:
                        break;
                }
            }
        }

        public ItemLine Build() => new(lineNumber, BuyerItem, VendorItem, Gtin, Description ?? _fallbackDescription, Quantity, Uom, UnitPrice, null, Lot, Serial, Expiry);

        private static void Take(string[] qualifiers, string qualifier, string id, ref int rank, Action<string> set)
        {
            var index = Array.IndexOf(qualifiers, qualifier);
            if (index >= 0 && index < rank)
            {
                rank = index;
                set(id);
            }
        }
    }
}
