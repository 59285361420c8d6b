using HealthSync.Engine.Workflows.SupplyCharge;
using Known = HealthSync.Engine.Outbox.Systems;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>
/// The entities the ownership matrix covers and the systems that may be named as their system of record, so an
/// administrator cannot name an entity the engine never looks up or a system that does not exist in the estate.
/// </summary>
public static class OwnershipCatalog
{
    public const string Procurement = "procurement";

    public static readonly IReadOnlyList<string> Systems =
        [Known.Erp, Known.Billing, Known.Warehouse, Known.Supplier, Known.Gateway, Procurement];

    public static readonly IReadOnlyList<string> Entities =
    [
        "supplier", "item", "location", "charge-code", "patient-account", "purchase-order", "receipt", "invoice", "payment", "journal-posting",
        SupplyChargeHandler.InventoryEntity, SupplyChargeHandler.ChargeEntity, "replenishment",
    ];
}
