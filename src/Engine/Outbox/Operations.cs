namespace HealthSync.Engine.Outbox;

/// <summary>Every kind of outbound call the engine makes: which target system and which path on it.</summary>
public static class Operations
{
    public const string ErpInventoryDecrement = "erp.inventory.decrement";
    public const string ErpInventoryReturn = "erp.inventory.return";
    public const string BillingChargePost = "billing.charge.post";
    public const string BillingChargeCredit = "billing.charge.credit";
    public const string WarehouseReplenish = "warehouse.replenishment.request";
    public const string SupplierPurchaseOrder = "supplier.purchase-order.send";
    public const string ErpJournalPost = "erp.journal.post";
    public const string ErpApBatchPost = "erp.ap-batch.post";
    public const string BillingPaymentPost = "billing.payment.post";

    public static (string Target, string Path) Route(string operation) => operation switch
    {
        ErpInventoryDecrement => (Systems.Erp, "inventory/decrements"),
        ErpInventoryReturn => (Systems.Erp, "inventory/returns"),
        BillingChargePost => (Systems.Billing, "charges"),
        BillingChargeCredit => (Systems.Billing, "charges/credits"),
        WarehouseReplenish => (Systems.Warehouse, "replenishments"),
        SupplierPurchaseOrder => (Systems.Supplier, "x12"),
        ErpJournalPost => (Systems.Erp, "journal"),
        ErpApBatchPost => (Systems.Erp, "ap-batches"),
        BillingPaymentPost => (Systems.Billing, "payments"),
        _ => throw new ArgumentOutOfRangeException(nameof(operation), operation, "Unknown outbound operation."),
    };
}

public static class Systems
{
    public const string Erp = "erp";
    public const string Billing = "billing";
    public const string Warehouse = "warehouse";
    public const string Gateway = "gateway";
    public const string Supplier = "supplier";
    public const string Engine = "engine";
    public static readonly IReadOnlyList<string> Targets = [Erp, Billing, Warehouse, Supplier];
}
