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

/// <summary>
/// The outcome of matching one invoice line. Precedence (the first that applies wins): a resubmitted line
/// (<see cref="DuplicateInvoice"/>), <see cref="NoPurchaseOrder"/>, <see cref="UomUnconvertible"/>, the PO line billed twice
/// beyond the order (<see cref="DuplicateInvoice"/>), <see cref="QuantityVariance"/>, the holds
/// (<see cref="InvoiceBeforeReceipt"/>, <see cref="PartialReceipt"/>), <see cref="PriceVariance"/>, <see cref="Matched"/>.
/// </summary>
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
    private const string MatchedReason = "Quantity within what is received and ordered, unit price within tolerance of the contract price.";

    public static IReadOnlyList<InvoiceLineMatch> Match(
        IReadOnlyList<PoLine> poLines,
        IReadOnlyList<ReceiptLine> receipts,
        IReadOnlyList<InvoiceLine> invoiceLines,
        MatchTolerances tolerances,
        Func<string, string, string, decimal?> uomFactor)
    {
        // Sequential on purpose: both halves are memory-bound, and on a shared two-core machine running them side by
        // side measured slower, not faster.
        var index = new PoIndex(poLines, uomFactor);
        foreach (var receipt in receipts) index.Receive(receipt);
        index.Allocate();
        return MatchAll(CanonicalOrder(invoiceLines), index, tolerances, uomFactor);
    }

    private static InvoiceLineMatch[] MatchAll(InvoiceLine[] ordered, PoIndex index, MatchTolerances tolerances, Func<string, string, string, decimal?> uomFactor)
    {
        var seen = new HashSet<InvoiceLine>(ordered.Length, DuplicateLineComparer.Instance);
        var results = new InvoiceLineMatch[ordered.Length];
        for (var i = 0; i < ordered.Length; i++)
            results[i] = MatchLine(ordered[i], index, seen, tolerances, uomFactor);
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

    private static InvoiceLineMatch MatchLine(InvoiceLine inv, PoIndex index, HashSet<InvoiceLine> seen, MatchTolerances tol,
        Func<string, string, string, decimal?> uomFactor)
    {
        var invoiced = MatchText.Money(inv.Quantity * inv.UnitPrice);
        if (!seen.Add(inv))
        {
            return Unsupported(inv, MatchOutcome.DuplicateInvoice, null, invoiced,
                $"Vendor {inv.Vendor} already billed invoice {inv.InvoiceNumber} line {DescribeLine(inv)}; this line is a resubmission.");
        }

        var po = MatchText.Key(inv.PoNumber);
        var slotIndex = index.Find(po, MatchText.Key(inv.Item), inv.LineNumber);
        if (slotIndex < 0)
        {
            return Unsupported(inv, MatchOutcome.NoPurchaseOrder, null, invoiced, index.KnowsPo(po)
                ? $"PO {inv.PoNumber} has no line for item {inv.Item}."
                : $"PO {inv.PoNumber} is not a known purchase order.");
        }

        ref var slot = ref index.Slot(slotIndex);
        var line = slot.Line;
        if (MatchText.Factor(uomFactor, line.Item, inv.Uom, line.Uom) is not { } f)
        {
            return Unsupported(inv, MatchOutcome.UomUnconvertible, line, invoiced,
                $"Invoice unit '{inv.Uom}' cannot be converted to PO {line.PoNumber} line {line.LineNumber ?? "-"} unit '{line.Uom}' for item {line.Item}.");
        }
        if (slot.Problem is { } problem)
            return Unsupported(inv, MatchOutcome.UomUnconvertible, line, invoiced, problem);

        var q = inv.Quantity * f;
        var o = line.Quantity;
        var r = slot.Received;
        var b = slot.Billed;
        var c = slot.Claimed;
        var t = tol.QuantityUnits;
        var uom = line.Uom;

        if (q > o - b + t)
        {
            var expected = Supported(q, o, r, b, c, line);
            if (b > 0)
            {
                return new(inv, MatchOutcome.DuplicateInvoice, line, q, r, invoiced, expected, invoiced - expected,
                    $"PO {line.PoNumber} line {line.LineNumber ?? line.Item} is already billed for {MatchText.Qty(b)} of {MatchText.Qty(o)} {uom} ordered; "
                    + $"another {MatchText.Qty(q)} {uom} would exceed the order by {MatchText.Qty(q + b - o)} {uom}.");
            }
            return new(inv, MatchOutcome.QuantityVariance, line, q, r, invoiced, expected, invoiced - expected,
                $"Billed {MatchText.Qty(q)} {uom} against {MatchText.Qty(o)} {uom} ordered ({MatchText.Qty(r)} received); "
                + $"{MatchText.Qty(q - o)} {uom} beyond the order, tolerance {MatchText.Qty(t)} {uom}.");
        }

        if (r == 0 || q > r - c + t)
        {
            var expected = Supported(q, o, r, b, c, line);
            slot.Billed += q;
            if (r - c <= 0)
            {
                return new(inv, MatchOutcome.InvoiceBeforeReceipt, line, q, r, invoiced, expected, invoiced - expected, r == 0
                    ? $"Nothing received yet against PO {line.PoNumber} for item {line.Item}; held until the goods arrive."
                    : $"All {MatchText.Qty(r)} {uom} received against PO {line.PoNumber} for item {line.Item} are already billed; held until more goods arrive.");
            }
            return new(inv, MatchOutcome.PartialReceipt, line, q, r, invoiced, expected, invoiced - expected,
                $"Billed {MatchText.Qty(q)} {uom} but only {MatchText.Qty(r - c)} {uom} received and not yet billed "
                + $"({MatchText.Qty(r)} of {MatchText.Qty(o)} ordered received); held until the rest arrives.");
        }

        slot.Billed += q;
        slot.Claimed += q;
        var expectedAll = MatchText.Money(q * line.UnitPrice);
        var diff = inv.UnitPrice - line.UnitPrice * f;
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
        // The matched majority shares one reason string: the figures are on the record, and a million formatted
        // sentences would cost more than the match itself.
        return new(inv, MatchOutcome.Matched, line, q, r, invoiced, expectedAll, invoiced - expectedAll, MatchedReason);
    }

    /// <summary>The billed quantity that receipts and the order support, not already billed, at the contract price.</summary>
    private static decimal Supported(decimal q, decimal o, decimal r, decimal b, decimal c, PoLine line) =>
        MatchText.Money(Math.Clamp(Math.Min(r - c, o - b), 0m, Math.Max(q, 0m)) * line.UnitPrice);

    private static InvoiceLineMatch Unsupported(InvoiceLine inv, MatchOutcome outcome, PoLine? line, decimal invoiced, string reason) =>
        new(inv, outcome, line, null, null, invoiced, 0m, invoiced, reason);

    private static string DescribeLine(InvoiceLine inv) =>
        string.IsNullOrWhiteSpace(inv.LineNumber) ? $"for PO {inv.PoNumber} item {inv.Item}" : inv.LineNumber;

    /// <summary>
    /// Sorts with <see cref="CompareLines"/> without a million-element comparison sort: lines are bucketed by
    /// invoice (date, vendor, number as given), the far fewer invoices are sorted, and each invoice's lines are sorted
    /// in place. Gives exactly the order a full sort with the same comparer would.
    /// </summary>
    private static InvoiceLine[] CanonicalOrder(IReadOnlyList<InvoiceLine> lines)
    {
        var n = lines.Count;
        var groupOf = new int[n];
        var ids = new Dictionary<(DateOnly, string, string), int>(Math.Min(n, 1 << 16));
        var representatives = new List<InvoiceLine>();
        var sizes = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var l = lines[i];
            var key = (l.InvoiceDate, l.Vendor, l.InvoiceNumber);
            if (!ids.TryGetValue(key, out var g))
            {
                ids[key] = g = representatives.Count;
                representatives.Add(l);
                sizes.Add(0);
            }
            groupOf[i] = g;
            sizes[g]++;
        }

        var byRank = new int[representatives.Count];
        for (var g = 0; g < byRank.Length; g++) byRank[g] = g;
        Array.Sort(byRank, (a, b) => CompareInvoices(representatives[a], representatives[b]));

        var start = new int[representatives.Count];
        var offset = 0;
        foreach (var g in byRank)
        {
            start[g] = offset;
            offset += sizes[g];
        }
        var ordered = new InvoiceLine[n];
        var next = (int[])start.Clone();
        for (var i = 0; i < n; i++) ordered[next[groupOf[i]]++] = lines[i];
        foreach (var g in byRank)
        {
            if (sizes[g] > 1) Array.Sort(ordered, start[g], sizes[g], LineOrder.Instance);
        }
        return ordered;
    }

    private static int CompareInvoices(InvoiceLine x, InvoiceLine y)
    {
        var c = x.InvoiceDate.CompareTo(y.InvoiceDate);
        if (c != 0) return c;
        c = MatchText.CompareText(x.Vendor, y.Vendor);
        return c != 0 ? c : MatchText.CompareText(x.InvoiceNumber, y.InvoiceNumber);
    }

    /// <summary>Chronological, then by document identity; the final ordinal comparisons make the order total.</summary>
    private static int CompareLines(InvoiceLine x, InvoiceLine y)
    {
        var c = CompareInvoices(x, y);
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

    private sealed class LineOrder : IComparer<InvoiceLine>
    {
        public static readonly LineOrder Instance = new();

        public int Compare(InvoiceLine? x, InvoiceLine? y) => ReferenceEquals(x, y) ? 0 : x is null ? -1 : y is null ? 1 : CompareLines(x, y);
    }

    /// <summary>
    /// The same invoice line of the same vendor: vendor trimmed and case-insensitive, invoice number by its letters
    /// and digits only, and the PO line number (trimmed, case-insensitive) or, when the invoice gives none, PO number + item.
    /// Compares in place so a million lines cost no normalised copies.
    /// </summary>
    private sealed class DuplicateLineComparer : IEqualityComparer<InvoiceLine>
    {
        public static readonly DuplicateLineComparer Instance = new();

        public bool Equals(InvoiceLine? x, InvoiceLine? y)
        {
            if (ReferenceEquals(x, y)) return true;
            if (x is null || y is null) return false;
            if (!SameKey(x.Vendor, y.Vendor) || !SameAlphanumerics(x.InvoiceNumber, y.InvoiceNumber)) return false;
            var xNumbered = !string.IsNullOrWhiteSpace(x.LineNumber);
            if (xNumbered != !string.IsNullOrWhiteSpace(y.LineNumber)) return false;
            return xNumbered ? SameKey(x.LineNumber, y.LineNumber) : SameKey(x.PoNumber, y.PoNumber) && SameKey(x.Item, y.Item);
        }

        public int GetHashCode(InvoiceLine obj)
        {
            var h = new HashCode();
            h.Add(KeyHash(obj.Vendor));
            foreach (var ch in obj.InvoiceNumber)
            {
                if (char.IsLetterOrDigit(ch)) h.Add(char.ToUpperInvariant(ch));
            }
            if (string.IsNullOrWhiteSpace(obj.LineNumber))
            {
                h.Add(KeyHash(obj.PoNumber));
                h.Add(KeyHash(obj.Item));
            }
            else
            {
                h.Add(KeyHash(obj.LineNumber));
            }
            return h.ToHashCode();
        }

        private static int KeyHash(string? s) => string.GetHashCode((s ?? "").AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

        private static bool SameKey(string? a, string? b) => (a ?? "").AsSpan().Trim().Equals((b ?? "").AsSpan().Trim(), StringComparison.OrdinalIgnoreCase);

        private static bool SameAlphanumerics(string a, string b)
        {
            int i = 0, j = 0;
            while (true)
            {
                while (i < a.Length && !char.IsLetterOrDigit(a[i])) i++;
                while (j < b.Length && !char.IsLetterOrDigit(b[j])) j++;
                if (i == a.Length || j == b.Length) return i == a.Length && j == b.Length;
                if (char.ToUpperInvariant(a[i]) != char.ToUpperInvariant(b[j])) return false;
                i++;
                j++;
            }
        }
    }

    /// <summary>Run state of one PO line while the invoice lines are walked in canonical order.</summary>
    private struct SlotState
    {
        public PoLine Line;
        /// <summary>Next line of the same PO and item, in line order; −1 at the end of the chain.</summary>
        public int Next;
        /// <summary>On the head of a chain, the pooled receipts (in the head's unit) until <see cref="PoIndex.Allocate"/>.</summary>
        public decimal Received;
        public decimal Billed;
        public decimal Claimed;
        public string? Problem;
    }

    /// <summary>
    /// PO lines by PO + item, as one array of states chained per key (nearly every chain has one line), so indexing a
    /// million lines allocates a handful of large arrays rather than millions of small objects.
    /// </summary>
    private sealed class PoIndex
    {
        private readonly SlotState[] _slots;
        private readonly Dictionary<(string Po, string Item), int> _heads;
        private readonly HashSet<string> _poNumbers = new(StringComparer.Ordinal);
        private readonly Func<string, string, string, decimal?> _uomFactor;
        // Unconvertible receipts per chain head, named by the smallest receipt id so reasons do not depend on input order.
        private readonly Dictionary<int, (string ReceiptId, string Uom)> _badReceipts = [];

        public PoIndex(IReadOnlyList<PoLine> lines, Func<string, string, string, decimal?> uomFactor)
        {
            _uomFactor = uomFactor;
            _slots = new SlotState[lines.Count];
            _heads = new(lines.Count);
            for (var i = 0; i < lines.Count; i++)
            {
                var line = lines[i];
                _slots[i] = new SlotState { Line = line, Next = -1 };
                var po = MatchText.Key(line.PoNumber);
                _poNumbers.Add(po);
                var key = (po, MatchText.Key(line.Item));
                if (!_heads.TryGetValue(key, out var head))
                {
                    _heads[key] = i;
                }
                else if (CompareSlots(line, _slots[head].Line) < 0)
                {
                    _slots[i].Next = head;
                    _heads[key] = i;
                }
                else
                {
                    var at = head;
                    while (_slots[at].Next >= 0 && CompareSlots(_slots[_slots[at].Next].Line, line) <= 0) at = _slots[at].Next;
                    _slots[i].Next = _slots[at].Next;
                    _slots[at].Next = i;
                }
            }
        }

        public ref SlotState Slot(int i) => ref _slots[i];

        public bool KnowsPo(string po) => _poNumbers.Contains(po);

        public void Receive(ReceiptLine receipt)
        {
            // Receipts for items never ordered on the PO are not an invoice question; the receiving checks own them.
            if (!_heads.TryGetValue((MatchText.Key(receipt.PoNumber), MatchText.Key(receipt.Item)), out var head)) return;
            ref var s = ref _slots[head];
            if (MatchText.Factor(_uomFactor, s.Line.Item, receipt.Uom, s.Line.Uom) is { } f)
                s.Received += receipt.Quantity * f;
            else if (!_badReceipts.TryGetValue(head, out var bad) || string.CompareOrdinal(receipt.ReceiptId, bad.ReceiptId) < 0)
                _badReceipts[head] = (receipt.ReceiptId, receipt.Uom);
        }

        /// <summary>Shares each chain's pooled receipts out over its lines in line order, the last line taking any excess.</summary>
        public void Allocate()
        {
            foreach (var (head, bad) in _badReceipts)
            {
                var poolUom = _slots[head].Line.Uom;
                for (var i = head; i >= 0; i = _slots[i].Next)
                {
                    var l = _slots[i].Line;
                    _slots[i].Problem = $"Receipt {bad.ReceiptId} is in unit '{bad.Uom}', which cannot be converted to PO {l.PoNumber} unit '{poolUom}' for item {l.Item}; the quantity received is unknown.";
                }
            }
            foreach (var head in _heads.Values)
            {
                if (_slots[head].Next < 0 || _badReceipts.ContainsKey(head)) continue;
                var poolUom = _slots[head].Line.Uom;
                var left = _slots[head].Received;
                for (var i = head; i >= 0; i = _slots[i].Next)
                {
                    ref var s = ref _slots[i];
                    // toSlot turns pool units into this line's unit.
                    if (MatchText.Factor(_uomFactor, s.Line.Item, poolUom, s.Line.Uom) is not { } toSlot)
                    {
                        s.Received = 0m;
                        s.Problem = $"PO {s.Line.PoNumber} line {s.Line.LineNumber} unit '{s.Line.Uom}' cannot be converted to unit '{poolUom}' of the item's other lines; receipts cannot be shared out.";
                        continue;
                    }
                    var take = Math.Max(s.Next < 0 ? left : Math.Min(left, s.Line.Quantity / toSlot), 0m);
                    s.Received = take * toSlot;
                    left -= take;
                }
            }
        }

        /// <summary>The quoted line when it exists for this item, else the first line not fully billed, else the last; −1 when none.</summary>
        public int Find(string po, string item, string? lineNumber)
        {
            if (!_heads.TryGetValue((po, item), out var head)) return -1;
            if (_slots[head].Next < 0) return head;
            if (!string.IsNullOrWhiteSpace(lineNumber))
            {
                var wanted = lineNumber.AsSpan().Trim();
                for (var i = head; i >= 0; i = _slots[i].Next)
                {
                    if (wanted.Equals((_slots[i].Line.LineNumber ?? "").AsSpan().Trim(), StringComparison.OrdinalIgnoreCase)) return i;
                }
            }
            var last = head;
            for (var i = head; i >= 0; i = _slots[i].Next)
            {
                if (_slots[i].Billed < _slots[i].Line.Quantity) return i;
                last = i;
            }
            return last;
        }

        private static int CompareSlots(PoLine a, PoLine b)
        {
            var c = MatchText.CompareLineNumbers(a.LineNumber, b.LineNumber);
            if (c != 0) return c;
            c = a.Quantity.CompareTo(b.Quantity);
            if (c != 0) return c;
            c = a.UnitPrice.CompareTo(b.UnitPrice);
            if (c != 0) return c;
            c = MatchText.CompareText(a.Uom, b.Uom);
            if (c != 0) return c;
            c = MatchText.CompareText(a.PoNumber, b.PoNumber);
            return c != 0 ? c : MatchText.CompareText(a.Item, b.Item);
        }
    }
}
