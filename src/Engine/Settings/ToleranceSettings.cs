using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Settings;

/// <summary>
/// Which stored setting overrides which value of <see cref="ReconciliationOptions"/>. One table, so the settings page,
/// the validation and the reconciliations can never disagree about what a key means; the configuration value is the
/// default an administrator sees and returns to.
/// </summary>
public static class ToleranceSettings
{
    /// <summary>One reconciliation option that administrators may change.</summary>
    public sealed record Binding(string Key, string Label, string Unit, SettingKind Kind, decimal Min, decimal Max, bool MinExclusive, string Help,
        Func<ReconciliationOptions, decimal> Read, Action<ReconciliationOptions, decimal> Write);

    public const string PricePercent = "match.price.percent";
    public const string PriceAbsolute = "match.price.absolute";
    public const string QuantityUnits = "match.quantity.units";
    public const string InventoryUnits = "match.inventory.units";
    public const string CashAmount = "match.cash.amount";
    public const string ChargeGraceHours = "match.charge-grace.hours";
    public const string LookbackDays = "match.lookback.days";
    public const string AckSlaHours = "match.ack-sla.hours";
    public const string ShipSlaHours = "match.ship-sla.hours";
    public const string ClaimSlaDays = "match.claim-sla.days";

    /// <summary>
    /// The longest look-back a reconciliation may use. Processed payloads are kept at least this long
    /// (<see cref="RetentionSettings"/>), so a reconciliation never looks for a transaction that retention already removed.
    /// </summary>
    public const int MaxLookbackDays = 180;

    public static readonly IReadOnlyList<Binding> All =
    [
        new(PricePercent, "Price tolerance", "%", SettingKind.Number, 0, 50, false,
            "How far an invoiced unit price may differ from the PO price, as a share of the PO price, and still match. Where both price rules are set the smaller allowance wins.",
            o => o.PriceTolerancePercent, (o, v) => o.PriceTolerancePercent = v),
        new(PriceAbsolute, "Price tolerance cap", "per unit", SettingKind.Number, 0, 10_000, false,
            "The most an invoiced unit price may differ from the PO price in currency, whatever the percentage allows (caps the tolerance on expensive items).",
            o => o.PriceToleranceAbsolute, (o, v) => o.PriceToleranceAbsolute = v),
        new(QuantityUnits, "Quantity tolerance", "units", SettingKind.Number, 0, 1_000, false,
            "How many units an invoice may bill beyond what was ordered and received (in the PO's unit) and still match.",
            o => o.QuantityToleranceUnits, (o, v) => o.QuantityToleranceUnits = v),
        new(InventoryUnits, "Inventory tolerance", "units", SettingKind.Number, 0, 100_000, false,
            "How far ERP and warehouse on-hand may differ for an item and location before the difference is raised as drift.",
            o => o.InventoryTolerance, (o, v) => o.InventoryTolerance = v),
        new(CashAmount, "Daily cash tolerance", "currency", SettingKind.Number, 0, 1_000, false,
            "How far a billing receipt may differ from its gateway settlement and still match.",
            o => o.CashTolerance, (o, v) => o.CashTolerance = v),
        new(ChargeGraceHours, "Charge capture window", "hours", SettingKind.Number, 0, 168, false,
            "How long billable usage may go without a posted charge before it is raised as a missed charge.",
            o => (decimal)o.ChargeGraceHours, (o, v) => o.ChargeGraceHours = (double)v),
        new(LookbackDays, "Look-back", "days", SettingKind.Integer, 1, MaxLookbackDays, false,
            "How many days of purchase orders, receipts, invoices and sent orders the reconciliations read on each run.",
            o => o.LookbackDays, (o, v) => o.LookbackDays = (int)v),
        new(AckSlaHours, "855 acknowledgement due", "hours", SettingKind.Number, 0, 720, true,
            "How long a supplier has to acknowledge a purchase order (855) before it is raised as overdue.",
            o => (decimal)o.AckSlaHours, (o, v) => o.AckSlaHours = (double)v),
        new(ShipSlaHours, "856 ship notice due", "hours", SettingKind.Number, 0, 2_160, true,
            "How long a supplier has to send the ship notice (856) for a purchase order before it is raised as overdue.",
            o => (decimal)o.ShipSlaHours, (o, v) => o.ShipSlaHours = (double)v),
        new(ClaimSlaDays, "835 remittance due", "days", SettingKind.Integer, 1, 365, false,
            "How many days a payer has to answer a claim with an 835 before it is raised as overdue.",
            o => o.ClaimSlaDays, (o, v) => o.ClaimSlaDays = (int)v),
    ];
}
