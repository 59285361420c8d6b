namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>One purchase-order line as ordered: the contract the receipt and the invoice are held to.</summary>
/// <param name="LineNumber">PO1-01; null when the source does not number lines (the line is then found by item).</param>
/// <param name="Item">The hospital's item (ERP SKU / buyer item).</param>
/// <param name="UnitPrice">Contract unit price per <paramref name="Uom"/>.</param>
public sealed record PoLine(string PoNumber, string? LineNumber, string Item, decimal Quantity, string Uom, decimal UnitPrice);

/// <summary>Goods received against a purchase order, for one item.</summary>
public sealed record ReceiptLine(string ReceiptId, string PoNumber, string Item, decimal Quantity, string Uom, DateTime ReceivedAt);

/// <summary>One line of a supplier invoice (X12 810 IT1), naming the PO it bills.</summary>
/// <param name="LineNumber">The PO line number the vendor quotes, when it quotes one.</param>
public sealed record InvoiceLine(
    string InvoiceNumber,
    string Vendor,
    string PoNumber,
    string? LineNumber,
    string Item,
    decimal Quantity,
    string Uom,
    decimal UnitPrice,
    DateOnly InvoiceDate);

/// <summary>
/// How far an invoice line may stray from the PO and the receipts and still be paid without review.
/// </summary>
/// <param name="PricePercent">Allowed unit-price difference as a percentage of the contract price (2 means 2 %); null: no percentage rule.</param>
/// <param name="PriceAbsolute">Allowed unit-price difference in currency per PO unit of measure; null: no absolute rule.</param>
/// <param name="QuantityUnits">Units (in the PO line's unit of measure) an invoice may bill beyond what is received or ordered.</param>
/// <remarks>
/// The price allowance per PO unit is the <em>smaller</em> of the two rules when both are set (the absolute amount caps
/// the percentage on expensive items; the percentage governs cheap ones), the one that is set when only one is, and
/// zero when neither is. It applies in both directions and is not rounded: a difference exactly equal to the allowance
/// matches, anything beyond it is a variance.
/// </remarks>
public sealed record MatchTolerances(decimal? PricePercent, decimal? PriceAbsolute, decimal QuantityUnits = 0m)
{
    /// <summary>No tolerance at all: quantities and prices must agree exactly.</summary>
    public static MatchTolerances Exact { get; } = new(null, null);

    /// <summary>Allowed absolute unit-price difference per PO unit for a given contract price.</summary>
    public decimal PriceAllowance(decimal contractUnitPrice)
    {
        decimal? percent = PricePercent is { } p ? Math.Abs(contractUnitPrice) * p / 100m : null;
        return (percent, PriceAbsolute) switch
        {
            ({ } a, { } b) => Math.Min(a, b),
            ({ } a, null) => a,
            (null, { } b) => b,
            _ => 0m,
        };
    }
}

/// <summary>The outcome of matching one invoice line, in order of precedence (the first that applies wins).</summary>
public enum MatchOutcome
{
    /// <summary>Quantity covered by receipts and the order, unit price within tolerance: payable.</summary>
    Matched,
    /// <summary>Quantity fine, unit price beyond the tolerance (above or below contract).</summary>
    PriceVariance,
    /// <summary>The line bills more than the PO line ordered (plus tolerance); more receipts cannot cure it.</summary>
    QuantityVariance,
    /// <summary>Hold: nothing received yet for this quantity (no receipt at all, or every receipt already billed).</summary>
    InvoiceBeforeReceipt,
    /// <summary>Hold: some, not all, of the billed quantity is received and the PO line still has goods outstanding.</summary>
    PartialReceipt,
    /// <summary>No PO line for the PO number and item.</summary>
    NoPurchaseOrder,
    /// <summary>The same vendor invoice line was seen before, or the PO line is billed a second time beyond what was ordered.</summary>
    DuplicateInvoice,
    /// <summary>The invoice's or a receipt's unit of measure cannot be converted to the PO line's.</summary>
    UomUnconvertible,
}

/// <summary>The match of one invoice line against its PO line and the receipts.</summary>
/// <param name="PoLine">The PO line the invoice line was held to, when one was found.</param>
/// <param name="InvoicedQuantity">Invoice quantity in the PO line's unit of measure, when convertible.</param>
/// <param name="ReceivedQuantity">Everything received against the PO line, in its unit of measure.</param>
/// <param name="InvoicedAmount">Invoice quantity times invoice unit price, to the cent.</param>
/// <param name="ExpectedAmount">The supported quantity (received, ordered and not already billed) times the contract price, to the cent.</param>
/// <param name="VarianceAmount">Invoiced minus expected: positive when the vendor bills more than is owed.</param>
public sealed record InvoiceLineMatch(
    InvoiceLine Invoice,
    MatchOutcome Outcome,
    PoLine? PoLine,
    decimal? InvoicedQuantity,
    decimal? ReceivedQuantity,
    decimal InvoicedAmount,
    decimal ExpectedAmount,
    decimal VarianceAmount,
    string Reason)
{
    public bool IsMatched => Outcome == MatchOutcome.Matched;

    /// <summary>Holds wait for goods and clear themselves on a later run; everything else unmatched needs a person.</summary>
    public bool IsHold => Outcome is MatchOutcome.InvoiceBeforeReceipt or MatchOutcome.PartialReceipt;

    /// <summary>Zero for a matched line, otherwise the size of the variance (either direction).</summary>
    public decimal AmountAtRisk => IsMatched ? 0m : Math.Abs(VarianceAmount);
}

/// <summary>Invoice match rate KPI over a set of matched lines.</summary>
public sealed record InvoiceMatchSummary(int Lines, int Matched, decimal AmountAtRisk, IReadOnlyDictionary<MatchOutcome, int> ByOutcome)
{
    /// <summary>Lines matched within tolerance / lines received; null when there are no lines.</summary>
    public decimal? MatchRate => Lines == 0 ? null : (decimal)Matched / Lines;
}

/// <summary>
/// Procure to pay: three-way match of invoice lines against PO lines and goods receipts, with unit-of-measure conversion
/// into the PO line's unit and price and quantity tolerances. Pure and deterministic: the lines are processed in a
/// canonical order (invoice date, vendor, invoice number, line number, ...) whatever the input order, so the same facts
/// always give the same results, returned in that canonical order.
/// </summary>
/// <remarks>
/// Lines are keyed by PO number + item, and by PO line number when the invoice quotes one that exists for that item
/// (otherwise the item's first PO line with quantity not yet billed, or its last line). Receipts carry no line number:
/// all receipts for a PO + item fill that item's PO lines in line order, the last line taking any excess. Receipts are
/// counted whatever their date; the match is re-run as receipts arrive, which is what clears a hold.
/// Quantities, in the PO unit (O ordered, R received, B billed by earlier accepted lines of the PO line,
/// C billed by earlier matched or price-variance lines, Q this line, t quantity tolerance):
/// <list type="number">
/// <item>B &gt; 0 and Q &gt; O − B + t: <see cref="MatchOutcome.DuplicateInvoice"/> (PO line billed twice beyond ordered).</item>
/// <item>Q &gt; O − B + t: <see cref="MatchOutcome.QuantityVariance"/>. A fully received line always lands here when over-billed.</item>
/// <item>R = 0, or Q &gt; R − C + t with nothing left (R − C ≤ 0): <see cref="MatchOutcome.InvoiceBeforeReceipt"/> (hold).</item>
/// <item>Q &gt; R − C + t with some left: <see cref="MatchOutcome.PartialReceipt"/>, a hold rather than a variance because the
/// quantity is within the order and the rest of the goods are still due.</item>
/// <item>Then the price rule (<see cref="MatchTolerances"/>): <see cref="MatchOutcome.PriceVariance"/> or <see cref="MatchOutcome.Matched"/>.</item>
/// </list>
/// Lines with any of these outcomes except QuantityVariance and DuplicateInvoice count towards B; only Matched and
/// PriceVariance lines count towards C (they use up received goods).
/// </remarks>
public static class ThreeWayMatch
{
    public static IReadOnlyList<InvoiceLineMatch> Match(
        IReadOnlyList<PoLine> poLines,
        IReadOnlyList<ReceiptLine> receipts,
        IReadOnlyList<InvoiceLine> invoiceLines,
        MatchTolerances tolerances,
        Func<string, string, string, decimal?> uomFactor)
    {
        var (groups, poNumbers) = IndexPurchaseOrders(poLines);
        AllocateReceipts(groups, receipts, uomFactor);

        var ordered = new InvoiceLine[invoiceLines.Count];
        for (var i = 0; i < ordered.Length; i++) ordered[i] = invoiceLines[i];
        Array.Sort(ordered, CanonicalInvoiceOrder.Instance);

        var seen = new HashSet<DuplicateKey>(ordered.Length);
        var results = new InvoiceLineMatch[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
            results[i] = MatchLine(ordered[i], groups, poNumbers, seen, tolerances, uomFactor);
        return results;
    }

    public static InvoiceMatchSummary Summarize(IReadOnlyList<InvoiceLineMatch> matches)
    {
        var byOutcome = Enum.GetValues<MatchOutcome>().ToDictionary(o => o, _ => 0);
        var atRisk = 0m;
        foreach (var m in matches)
        {
            byOutcome[m.Outcome]++;
            atRisk += m.AmountAtRisk;
        }
        return new(matches.Count, byOutcome[MatchOutcome.Matched], atRisk, byOutcome);
    }

    private static InvoiceLineMatch MatchLine(
        InvoiceLine inv,
        Dictionary<ItemKey, PoGroup> groups,
        HashSet<string> poNumbers,
        HashSet<DuplicateKey> seen,
        MatchTolerances tol,
        Func<string, string, string, decimal?> uomFactor)
    {
        var invoiced = MatchText.Money(inv.Quantity * inv.UnitPrice);
        var po = MatchText.Key(inv.PoNumber);
        var item = MatchText.Key(inv.Item);

        var lineKey = string.IsNullOrWhiteSpace(inv.LineNumber) ? "PO:" + po + "|" + item : MatchText.Key(inv.LineNumber);
        if (!seen.Add(new(MatchText.Key(inv.Vendor), MatchText.InvoiceNumberKey(inv.InvoiceNumber), lineKey)))
        {
            return Unsupported(inv, MatchOutcome.DuplicateInvoice, null, invoiced,
                $"Vendor {inv.Vendor} already billed invoice {inv.InvoiceNumber} line {DescribeLine(inv)}; this line is a resubmission.");
        }

        if (!groups.TryGetValue(new(po, item), out var group))
        {
            return Unsupported(inv, MatchOutcome.NoPurchaseOrder, null, invoiced, poNumbers.Contains(po)
                ? $"PO {inv.PoNumber} has no line for item {inv.Item}."
                : $"PO {inv.PoNumber} is not a known purchase order.");
        }

        var slot = group.Pick(inv.LineNumber);
        var line = slot.Line;
        if (MatchText.Factor(uomFactor, line.Item, inv.Uom, line.Uom) is not { } f)
        {
            return Unsupported(inv, MatchOutcome.UomUnconvertible, line, invoiced,
                $"Invoice unit '{inv.Uom}' cannot be converted to PO {line.PoNumber} line {line.LineNumber ?? "-"} unit '{line.Uom}' for item {line.Item}.");
        }
        if (slot.ReceiptProblem is { } problem)
            return Unsupported(inv, MatchOutcome.UomUnconvertible, line, invoiced, problem);

        var q = inv.Quantity * f;
        var o = line.Quantity;
        var r = slot.Received;
        var b = slot.Billed;
        var c = slot.Claimed;
        var t = tol.QuantityUnits;
        var uom = line.Uom;
        var supported = Math.Clamp(Math.Min(r - c, o - b), 0m, Math.Max(q, 0m));

        InvoiceLineMatch Quantity(MatchOutcome outcome, string reason)
        {
            var expected = MatchText.Money(supported * line.UnitPrice);
            return new(inv, outcome, line, q, r, invoiced, expected, invoiced - expected, reason);
        }

        if (q > o - b + t)
        {
            if (b > 0)
            {
                return Quantity(MatchOutcome.DuplicateInvoice,
                    $"PO {line.PoNumber} line {line.LineNumber ?? line.Item} is already billed for {MatchText.Qty(b)} of {MatchText.Qty(o)} {uom} ordered; "
                    + $"another {MatchText.Qty(q)} {uom} would exceed the order by {MatchText.Qty(q + b - o)} {uom}.");
            }
            return Quantity(MatchOutcome.QuantityVariance,
                $"Billed {MatchText.Qty(q)} {uom} against {MatchText.Qty(o)} {uom} ordered ({MatchText.Qty(r)} received); "
                + $"{MatchText.Qty(q - o)} {uom} beyond the order, tolerance {MatchText.Qty(t)} {uom}.");
        }

        if (r == 0 || q > r - c + t)
        {
            slot.Billed += q;
            if (r - c <= 0)
            {
                return Quantity(MatchOutcome.InvoiceBeforeReceipt, r == 0
                    ? $"Nothing received yet against PO {line.PoNumber} for item {line.Item}; held until the goods arrive."
                    : $"All {MatchText.Qty(r)} {uom} received against PO {line.PoNumber} for item {line.Item} are already billed; held until more goods arrive.");
            }
            return Quantity(MatchOutcome.PartialReceipt,
                $"Billed {MatchText.Qty(q)} {uom} but only {MatchText.Qty(r - c)} {uom} received and not yet billed "
                + $"({MatchText.Qty(r)} of {MatchText.Qty(o)} ordered received); held until the rest arrives.");
        }

        slot.Billed += q;
        slot.Claimed += q;
        var expectedAll = MatchText.Money(q * line.UnitPrice);
        var contractInInvoiceUnit = line.UnitPrice * f;
        var diff = inv.UnitPrice - contractInInvoiceUnit;
        var allowance = tol.PriceAllowance(line.UnitPrice);
        // Compared in the invoice's unit (prices scaled by the factor) so a box price is never divided into
        // a repeating fraction: |P_inv / f − P_po| ≤ a  ⇔  |P_inv − P_po·f| ≤ a·f.
        if (Math.Abs(diff) > allowance * f)
        {
            var perPoUnit = inv.UnitPrice / f;
            return new(inv, MatchOutcome.PriceVariance, line, q, r, invoiced, expectedAll, invoiced - expectedAll,
                $"Unit price {MatchText.Amt(perPoUnit)} per {uom} is {MatchText.Amt(Math.Abs(perPoUnit - line.UnitPrice))} "
                + $"{(diff > 0 ? "above" : "below")} the contract price {MatchText.Amt(line.UnitPrice)}; "
                + $"tolerance {allowance:0.00##} per {uom}.");
        }
        return new(inv, MatchOutcome.Matched, line, q, r, invoiced, expectedAll, invoiced - expectedAll,
            $"Billed {MatchText.Qty(q)} {uom} within {MatchText.Qty(r)} received and {MatchText.Qty(o)} ordered; "
            + $"unit price within {allowance:0.00##} of the contract price {MatchText.Amt(line.UnitPrice)}.");
    }

    private static InvoiceLineMatch Unsupported(InvoiceLine inv, MatchOutcome outcome, PoLine? line, decimal invoiced, string reason) =>
        new(inv, outcome, line, null, null, invoiced, 0m, invoiced, reason);

    private static string DescribeLine(InvoiceLine inv) =>
        string.IsNullOrWhiteSpace(inv.LineNumber) ? $"for PO {inv.PoNumber} item {inv.Item}" : inv.LineNumber;

    private static (Dictionary<ItemKey, PoGroup> Groups, HashSet<string> PoNumbers) IndexPurchaseOrders(IReadOnlyList<PoLine> poLines)
    {
        var groups = new Dictionary<ItemKey, PoGroup>(poLines.Count);
        var poNumbers = new HashSet<string>();
        foreach (var line in poLines)
        {
            var po = MatchText.Key(line.PoNumber);
            poNumbers.Add(po);
            var key = new ItemKey(po, MatchText.Key(line.Item));
            if (!groups.TryGetValue(key, out var group)) groups[key] = group = new PoGroup();
            group.Add(line);
        }
        foreach (var group in groups.Values) group.Seal();
        return (groups, poNumbers);
    }

    private static void AllocateReceipts(Dictionary<ItemKey, PoGroup> groups, IReadOnlyList<ReceiptLine> receipts, Func<string, string, string, decimal?> uomFactor)
    {
        foreach (var receipt in receipts)
        {
            // Receipts for items never ordered on the PO are not an invoice question; they are left to the receiving checks.
            if (groups.TryGetValue(new(MatchText.Key(receipt.PoNumber), MatchText.Key(receipt.Item)), out var group))
                group.Receive(receipt, uomFactor);
        }
        foreach (var group in groups.Values) group.Allocate(uomFactor);
    }

    private readonly record struct ItemKey(string Po, string Item);

    private readonly record struct DuplicateKey(string Vendor, string InvoiceNumber, string Line);

    /// <summary>Run state of one PO line while the invoice lines are walked in canonical order.</summary>
    private sealed class Slot(PoLine line)
    {
        public PoLine Line { get; } = line;
        public decimal Received { get; set; }
        public decimal Billed { get; set; }
        public decimal Claimed { get; set; }
        public string? ReceiptProblem { get; set; }
    }

    /// <summary>The PO lines of one PO for one item (nearly always exactly one) and the receipts pooled for them.</summary>
    private sealed class PoGroup
    {
        private Slot[] _slots = [];
        private List<Slot>? _building = [];
        // Receipts are pooled in the unit of the group's first line; unconvertible receipts are named by their
        // smallest receipt id so the reason text does not depend on input order.
        private decimal _pool;
        private string? _badReceipt;
        private string? _badUom;

        public void Add(PoLine line) => _building!.Add(new Slot(line));

        public void Seal()
        {
            var slots = _building!.ToArray();
            Array.Sort(slots, static (a, b) =>
            {
                var c = MatchText.CompareLineNumbers(a.Line.LineNumber, b.Line.LineNumber);
                if (c != 0) return c;
                c = a.Line.Quantity.CompareTo(b.Line.Quantity);
                if (c != 0) return c;
                c = a.Line.UnitPrice.CompareTo(b.Line.UnitPrice);
                return c != 0 ? c : MatchText.CompareText(a.Line.Uom, b.Line.Uom);
            });
            _slots = slots;
            _building = null;
        }

        private Slot First => _slots[0];

        public void Receive(ReceiptLine receipt, Func<string, string, string, decimal?> uomFactor)
        {
            if (MatchText.Factor(uomFactor, First.Line.Item, receipt.Uom, First.Line.Uom) is { } f)
            {
                _pool += receipt.Quantity * f;
            }
            else if (_badReceipt is null || string.CompareOrdinal(receipt.ReceiptId, _badReceipt) < 0)
            {
                _badReceipt = receipt.ReceiptId;
                _badUom = receipt.Uom;
            }
        }

        public void Allocate(Func<string, string, string, decimal?> uomFactor)
        {
            if (_badReceipt is not null)
            {
                foreach (var s in _slots)
                {
                    s.ReceiptProblem = $"Receipt {_badReceipt} is in unit '{_badUom}', which cannot be converted to PO {s.Line.PoNumber} unit '{First.Line.Uom}' for item {s.Line.Item}; the quantity received is unknown.";
                }
                return;
            }
            if (_slots.Length == 1)
            {
                First.Received = _pool;
                return;
            }
            var left = _pool;
            for (var i = 0; i < _slots.Length; i++)
            {
                var s = _slots[i];
                // toSlot turns pool units into this line's unit.
                if (MatchText.Factor(uomFactor, s.Line.Item, First.Line.Uom, s.Line.Uom) is not { } toSlot)
                {
                    s.ReceiptProblem = $"PO {s.Line.PoNumber} line {s.Line.LineNumber} unit '{s.Line.Uom}' cannot be converted to unit '{First.Line.Uom}' of the item's other lines; receipts cannot be shared out.";
                    continue;
                }
                var take = i == _slots.Length - 1 ? left : Math.Min(left, s.Line.Quantity / toSlot);
                take = Math.Max(take, 0m);
                s.Received = take * toSlot;
                left -= take;
            }
        }

        /// <summary>The quoted line when it exists for this item, else the first line not fully billed, else the last.</summary>
        public Slot Pick(string? lineNumber)
        {
            if (!string.IsNullOrWhiteSpace(lineNumber))
            {
                var wanted = lineNumber.Trim();
                foreach (var s in _slots)
                {
                    if (string.Equals(s.Line.LineNumber?.Trim(), wanted, StringComparison.OrdinalIgnoreCase)) return s;
                }
            }
            foreach (var s in _slots)
            {
                if (s.Billed < s.Line.Quantity) return s;
            }
            return _slots[^1];
        }
    }

    /// <summary>Chronological, then by document identity; the final ordinal comparisons make the order total.</summary>
    private sealed class CanonicalInvoiceOrder : IComparer<InvoiceLine>
    {
        public static readonly CanonicalInvoiceOrder Instance = new();

        public int Compare(InvoiceLine? x, InvoiceLine? y)
        {
            if (ReferenceEquals(x, y)) return 0;
            if (x is null) return -1;
            if (y is null) return 1;
            var c = x.InvoiceDate.CompareTo(y.InvoiceDate);
            if (c != 0) return c;
            c = MatchText.CompareText(x.Vendor, y.Vendor);
            if (c != 0) return c;
            c = MatchText.CompareText(x.InvoiceNumber, y.InvoiceNumber);
            if (c != 0) return c;
            c = MatchText.CompareLineNumbers(x.LineNumber, y.LineNumber);
            if (c != 0) return c;
            c = MatchText.CompareText(x.PoNumber, y.PoNumber);
            if (c != 0) return c;
            c = MatchText.CompareText(x.Item, y.Item);
            if (c != 0) return c;
            c = MatchText.CompareText(x.Uom, y.Uom);
            if (c != 0) return c;
            c = x.Quantity.CompareTo(y.Quantity);
            return c != 0 ? c : x.UnitPrice.CompareTo(y.UnitPrice);
        }
    }
}
