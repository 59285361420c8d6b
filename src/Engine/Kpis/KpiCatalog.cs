using HealthSync.Engine.Exceptions;

namespace HealthSync.Engine.Kpis;

/// <summary>A cut a KPI can be sliced by.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<KpiCut>))]
public enum KpiCut { Facility, Vendor, Payer, Workflow }

/// <summary>
/// What a KPI is, as the dashboard, the drill-down and the API describe it: its id in URLs, its exact definition, the
/// workflow its facts belong to (null: facts from every workflow) and the cuts its facts carry.
/// </summary>
/// <param name="Unit">What one item of the denominator is, in plain words (billable usage events, invoice lines...).</param>
public sealed record KpiDefinition(
    string Id,
    string Title,
    string Unit,
    string Numerator,
    string Denominator,
    string? Workflow,
    IReadOnlyList<KpiCut> Cuts,
    string WindowBasis,
    string Notes)
{
    public bool Supports(KpiCut cut) => Cuts.Contains(cut);

    /// <summary>
    /// The cuts set in <paramref name="filter"/> that this KPI's facts do not carry: the value is shown uncut for them and the
    /// page says so, rather than silently ignoring the cut.
    /// </summary>
    public IReadOnlyList<KpiCut> Unsupported(KpiFilter filter) =>
        [.. new[] { (KpiCut.Facility, filter.Facility), (KpiCut.Vendor, filter.Vendor), (KpiCut.Payer, filter.Payer), (KpiCut.Workflow, filter.Workflow) }
            .Where(c => c.Item2 is not null && !Supports(c.Item1)).Select(c => c.Item1)];

    /// <summary>True when the workflow cut names another workflow than this KPI's: nothing of the KPI is in that cut.</summary>
    public bool OutsideWorkflow(KpiFilter filter) => Workflow is not null && KpiFilter.Excludes(filter.Workflow, Workflow);
}

/// <summary>Every KPI the portal computes, in the order the dashboard shows them.</summary>
public static class KpiCatalog
{
    public const string ChargeCapture = "charge-capture";
    public const string InvoiceMatch = "invoice-match";
    public const string InventoryAccuracy = "inventory-accuracy";
    public const string PaymentTimeliness = "payment-timeliness";
    public const string ExceptionHealth = "exception-health";
    public const string FlowHealth = "flow-health";

    public static readonly KpiDefinition ChargeCaptureKpi = new(ChargeCapture, "Charge capture completeness", "billable usage events",
        "billable usage events (not reversed) whose posted charges net above zero",
        "billable usage events (not reversed) that occurred in the window, plus billable usage held by an open supply-charge exception before it became a usage event",
        WorkflowNames.SupplyCharge, [KpiCut.Facility, KpiCut.Workflow], "usage occurred (held usage: exception raised)",
        "Evaluated now: a charge posted after the window still counts for the usage's window; a reversed usage leaves both numerator and denominator; a credit nets against its charge.");

    public static readonly KpiDefinition InvoiceMatchKpi = new(InvoiceMatch, "Invoice match rate", "invoice lines",
        "invoice lines three-way matched within tolerance",
        "invoice lines received (latest three-way match verdict per line)",
        WorkflowNames.ProcureToPay, [KpiCut.Facility, KpiCut.Vendor, KpiCut.Workflow], "invoice date",
        "Facility is the purchase order's ship-to facility. Holds (invoice before receipt, partial receipt) are unmatched until the goods arrive.");

    public static readonly KpiDefinition InventoryAccuracyKpi = new(InventoryAccuracy, "Inventory sync accuracy", "item-locations",
        "item-locations whose ERP and warehouse on-hand agree after unit conversion",
        "item-locations compared by the inventory drift reconciliation",
        WorkflowNames.SupplyCharge, [KpiCut.Facility, KpiCut.Workflow], "comparison run",
        "Each item-location keeps its latest comparison only, so the window selects the item-locations last compared in it.");

    public static readonly KpiDefinition PaymentTimelinessKpi = new(PaymentTimeliness, "Payment reconciliation timeliness", "payments settled",
        "settled payments matched to a billing receipt whose journal entry was delivered to the ERP within the SLA after settlement",
        "payments settled (daily cash verdict per settlement)",
        WorkflowNames.PaymentPosting, [KpiCut.Facility, KpiCut.Payer, KpiCut.Workflow], "settlement day",
        "Lag is journal delivery to the ERP minus settlement time. Payer is the settlement's partner (gateway batch).");

    public static readonly KpiDefinition ExceptionHealthKpi = new(ExceptionHealth, "Exception health", "open exceptions",
        "open exceptions still within their SLA",
        "open exceptions now",
        null, [KpiCut.Facility, KpiCut.Workflow], "open now; raised, resolved and time to resolve in the window",
        "Open exceptions are counted as of now; mean time to resolve covers exceptions resolved in the window.");

    public static readonly KpiDefinition FlowHealthKpi = new(FlowHealth, "Flow health", "outbound messages",
        "outbound messages delivered",
        "outbound messages created in the window",
        null, [KpiCut.Facility, KpiCut.Workflow], "outbound message created",
        "Throughput counts inbox messages received; lag is the last delivery of a transaction minus its receipt. Circuit states are live, not stored.");

    public static readonly IReadOnlyList<KpiDefinition> All =
        [ChargeCaptureKpi, InvoiceMatchKpi, InventoryAccuracyKpi, PaymentTimelinessKpi, ExceptionHealthKpi, FlowHealthKpi];

    public static KpiDefinition? Find(string? id) => All.FirstOrDefault(k => string.Equals(k.Id, id, StringComparison.OrdinalIgnoreCase));
}
