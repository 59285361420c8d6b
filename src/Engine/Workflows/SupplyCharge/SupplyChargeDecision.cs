using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;

namespace HealthSync.Engine.Workflows.SupplyCharge;

/// <summary>A usage event after mapping: everything needed to post inventory and charge.</summary>
public sealed record MappedUsage(
    SupplyUsage Usage,
    string Facility,
    string Location,
    string CostCenter,
    string ErpLocation,
    string Sku,
    decimal BaseQuantity,
    bool Billable,
    string? ChargeCode,
    decimal ChargeAmount,
    decimal ParLevel,
    DateTime OccurredAt);

public sealed record UsageDecision(SupplyUsage Usage, MappedUsage? Mapped, IReadOnlyList<Problem> Problems, decimal AmountAtRisk)
{
    public bool Clean => Problems.Count == 0 && Mapped is not null;
}

/// <summary>
/// Supply consumption to charge capture: validate and map one usage event against a mapping snapshot.
/// Pure: the same event and snapshot always give the same decision, so intake (for the ACK) and the
/// processor (for the facts) agree.
/// </summary>
public static class SupplyChargeDecision
{
    public static UsageDecision Decide(SupplyUsage u, MappingSnapshot map, DateTime receivedAt)
    {
        var problems = new List<Problem>();
        var at = u.OccurredAt?.UtcDateTime ?? receivedAt;
        var qty = u.Quantity ?? 1m;
        var uom = string.IsNullOrWhiteSpace(u.Uom) ? "EA" : u.Uom!;
        var estimate = (u.UnitPrice ?? 0m) * qty;

        if (string.IsNullOrWhiteSpace(u.Facility))
            problems.Add(new(Categories.Validation, "missing-facility", "The message does not name the facility (MSH-4 / performingOrganization)."));
        if (string.IsNullOrWhiteSpace(u.ItemCode))
            problems.Add(new(Categories.Validation, "missing-item", "The usage does not name the item consumed (FT1-7 / FT1-34 / ChargeItem.code)."));
        if (qty <= 0)
            problems.Add(new(Categories.Validation, "invalid-quantity", $"Quantity {qty} is not positive."));
        if (problems.Count > 0) return new(u, null, problems, estimate);

        var facility = u.Facility!;
        var location = map.Location(facility, u.Location ?? "", at);
        if (location is null)
            problems.Add(new(Categories.MappingGap, "unknown-location",
                $"Location '{u.Location}' at facility {facility} has no cost-center mapping."));

        var item = map.Item(u.ItemCode!, facility, at);
        if (item is null)
        {
            problems.Add(new(Categories.MappingGap, "unmapped-item", $"Item '{u.ItemCode}' has no ERP SKU mapping valid on {at:yyyy-MM-dd} at {facility}."));
            return new(u, null, problems, estimate);
        }
        if (!item.Active)
            problems.Add(new(Categories.MappingGap, "inactive-sku", $"Item '{u.ItemCode}' maps to SKU {item.Sku}, which is inactive in the ERP."));
        if (item.LotTracked && string.IsNullOrWhiteSpace(u.Lot) && string.IsNullOrWhiteSpace(u.Serial))
            problems.Add(new(Categories.Validation, "missing-lot", $"Implant '{u.ItemCode}' ({item.Description}) is lot-tracked but the usage carries no lot or serial number."));

        var factor = map.UomFactor(item.Sku, uom, item.BaseUom, facility, at);
        if (factor is null)
            problems.Add(new(Categories.MappingGap, "uom-mismatch", $"Unit '{uom}' cannot be converted to {item.Sku}'s base unit '{item.BaseUom}': no conversion is defined."));
        var baseQty = qty * (factor ?? 1m);

        string? chargeCode = null;
        var amount = 0m;
        if (item.Billable)
        {
            var charge = map.ChargeCode(item.Sku, facility, at);
            if (charge is null)
                problems.Add(new(Categories.MappingGap, "unmapped-charge-code", $"Billable SKU {item.Sku} ({item.Description}) has no charge-description-master code at {facility}."));
            else
            {
                chargeCode = charge.ChargeCode;
                amount = Math.Round(charge.UnitPrice * baseQty, 2);
            }
        }

        var atRisk = amount > 0 ? amount : estimate;
        if (problems.Count > 0) return new(u, null, problems, atRisk);
        return new(u, new MappedUsage(u, facility, location!.LocationCode, location.CostCenter, location.ErpLocation, item.Sku, baseQty,
            item.Billable, chargeCode, amount, item.ParLevel, at), problems, atRisk);
    }
}
