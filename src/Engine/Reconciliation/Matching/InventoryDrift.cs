namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>On-hand quantity of one item at one location as one system reports it.</summary>
public sealed record OnHand(string Facility, string Location, string Item, decimal Quantity, string Uom);

/// <summary>The two systems holding inventory positions.</summary>
public enum InventorySystem { Erp, Warehouse }

public enum DriftOutcome
{
    /// <summary>Both sides within tolerance after unit conversion.</summary>
    Agree,
    /// <summary>Both sides report the item-location and differ by more than the tolerance.</summary>
    Variance,
    /// <summary>Only the warehouse reports the item-location.</summary>
    MissingInErp,
    /// <summary>Only the ERP reports the item-location.</summary>
    MissingInWarehouse,
    /// <summary>A row's unit cannot be converted to the comparison unit.</summary>
    UomUnconvertible,
}

/// <summary>What to apply to the side that is not the system of record to make it agree.</summary>
/// <param name="Delta">Quantity to add (negative: remove), in <paramref name="Uom"/>.</param>
/// <param name="SetTo">The quantity the side should show afterwards.</param>
public sealed record InventoryCorrection(InventorySystem Apply, decimal Delta, decimal SetTo, string Uom);

/// <param name="Uom">The comparison unit: the system of record's unit (the other side's when the record side has no row).</param>
/// <param name="ErpQuantity">ERP on-hand in <paramref name="Uom"/>; null when the ERP has no row (or it cannot be converted).</param>
/// <param name="Difference">Warehouse minus ERP, with a missing side counted as zero.</param>
/// <param name="Correction">Set for every outcome except <see cref="DriftOutcome.Agree"/> and <see cref="DriftOutcome.UomUnconvertible"/>.</param>
public sealed record DriftResult(
    string Facility,
    string Location,
    string Item,
    DriftOutcome Outcome,
    string Uom,
    decimal? ErpQuantity,
    decimal? WarehouseQuantity,
    decimal Difference,
    InventorySystem SystemOfRecord,
    InventoryCorrection? Correction,
    string Reason);

/// <summary>Inventory sync accuracy: item-locations agreeing / item-locations compared (every item-location either side reports).</summary>
public sealed record DriftSummary(int Agreeing, int Compared)
{
    public decimal? Accuracy => Compared == 0 ? null : (decimal)Agreeing / Compared;
}

/// <summary>
/// Inventory drift: ERP and warehouse on-hand per facility + location + item (keys trimmed, case-insensitive), rows of a
/// side summed after converting each into the comparison unit. <c>|warehouse − erp| ≤ tolerance</c> (in the comparison
/// unit) agrees; a missing side counts as zero for the correction but is always reported as missing. The correction
/// always goes to the side that is not the system of record.
/// </summary>
public static class InventoryDrift
{
    public static IReadOnlyList<DriftResult> Compare(
        IReadOnlyList<OnHand> erp,
        IReadOnlyList<OnHand> warehouse,
        Func<string, string, string, decimal?> uomFactor,
        decimal tolerance,
        InventorySystem systemOfRecord)
    {
        var positions = new Dictionary<(string Facility, string Location, string Item), Position>();
        void Collect(IReadOnlyList<OnHand> rows, bool isErp)
        {
            foreach (var row in rows)
            {
                var key = (MatchText.Key(row.Facility), MatchText.Key(row.Location), MatchText.Key(row.Item));
                if (!positions.TryGetValue(key, out var p)) positions[key] = p = new Position();
                (isErp ? p.Erp : p.Warehouse).Add(row);
            }
        }
        Collect(erp, isErp: true);
        Collect(warehouse, isErp: false);

        var results = new List<DriftResult>(positions.Count);
        foreach (var (key, p) in positions.OrderBy(k => k.Key.Facility, StringComparer.Ordinal)
                     .ThenBy(k => k.Key.Location, StringComparer.Ordinal).ThenBy(k => k.Key.Item, StringComparer.Ordinal))
        {
            results.Add(CompareOne(key.Facility, key.Location, key.Item, p, uomFactor, tolerance, systemOfRecord));
        }
        return results;
    }

    public static DriftSummary Summarize(IReadOnlyList<DriftResult> results) =>
        new(results.Count(r => r.Outcome == DriftOutcome.Agree), results.Count);

    private static DriftResult CompareOne(string facility, string location, string item, Position p,
        Func<string, string, string, decimal?> uomFactor, decimal tolerance, InventorySystem sor)
    {
        var recordRows = sor == InventorySystem.Erp ? p.Erp : p.Warehouse;
        var basis = recordRows.Count > 0 ? recordRows : (sor == InventorySystem.Erp ? p.Warehouse : p.Erp);
        // The comparison unit is the smallest unit name among the deciding side's rows, so it does not depend on row order.
        var uom = basis.Select(r => r.Uom.Trim()).Min(StringComparer.OrdinalIgnoreCase)!;

        string? bad = null;
        decimal? Total(List<OnHand> rows)
        {
            if (rows.Count == 0) return null;
            var sum = 0m;
            foreach (var r in rows)
            {
                if (MatchText.Factor(uomFactor, r.Item, r.Uom, uom) is { } f) sum += r.Quantity * f;
                else bad ??= r.Uom;
            }
            return sum;
        }
        var erpQty = Total(p.Erp);
        var whQty = Total(p.Warehouse);
        var difference = (whQty ?? 0m) - (erpQty ?? 0m);
        var other = sor == InventorySystem.Erp ? InventorySystem.Warehouse : InventorySystem.Erp;
        var sorName = Name(sor);

        if (bad is not null)
        {
            return new(facility, location, item, DriftOutcome.UomUnconvertible, uom, null, null, 0m, sor, null,
                $"Unit '{bad.Trim()}' cannot be converted to '{uom}' for item {item}; the positions cannot be compared.");
        }

        var recordQty = (sor == InventorySystem.Erp ? erpQty : whQty) ?? 0m;
        var otherQty = (sor == InventorySystem.Erp ? whQty : erpQty) ?? 0m;
        var correction = new InventoryCorrection(other, recordQty - otherQty, recordQty, uom);

        if (erpQty is null)
        {
            return new(facility, location, item, DriftOutcome.MissingInErp, uom, null, whQty, difference, sor, correction,
                $"The warehouse holds {MatchText.Qty(whQty!.Value)} {uom}; the ERP has no position. {sorName} is the system of record: "
                + Describe(correction));
        }
        if (whQty is null)
        {
            return new(facility, location, item, DriftOutcome.MissingInWarehouse, uom, erpQty, null, difference, sor, correction,
                $"The ERP holds {MatchText.Qty(erpQty.Value)} {uom}; the warehouse has no position. {sorName} is the system of record: "
                + Describe(correction));
        }
        if (Math.Abs(difference) <= tolerance)
        {
            return new(facility, location, item, DriftOutcome.Agree, uom, erpQty, whQty, difference, sor, null,
                $"ERP {MatchText.Qty(erpQty.Value)} and warehouse {MatchText.Qty(whQty.Value)} {uom} agree within {MatchText.Qty(tolerance)}.");
        }
        return new(facility, location, item, DriftOutcome.Variance, uom, erpQty, whQty, difference, sor, correction,
            $"ERP {MatchText.Qty(erpQty.Value)} vs warehouse {MatchText.Qty(whQty.Value)} {uom} (difference {MatchText.Qty(difference)}, tolerance {MatchText.Qty(tolerance)}). "
            + $"{sorName} is the system of record: " + Describe(correction));
    }

    private static string Name(InventorySystem s) => s == InventorySystem.Erp ? "ERP" : "Warehouse";

    private static string Describe(InventoryCorrection c) =>
        $"{(c.Delta >= 0 ? "add" : "remove")} {MatchText.Qty(Math.Abs(c.Delta))} {c.Uom} in the {(c.Apply == InventorySystem.Erp ? "ERP" : "warehouse")} to show {MatchText.Qty(c.SetTo)}.";

    private sealed class Position
    {
        public List<OnHand> Erp { get; } = [];
        public List<OnHand> Warehouse { get; } = [];
    }
}
