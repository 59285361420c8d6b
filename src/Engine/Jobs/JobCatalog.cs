using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Jobs;

/// <summary>A scheduled job as the product knows it: its default schedule and what happens when a run is missed.</summary>
/// <param name="Misfire">The misfire policy in words, as configured on the trigger.</param>
/// <param name="Run">The job's work, in the run's own DI scope. Must be idempotent: running twice changes nothing the second time.</param>
public sealed record JobDefinition(string Name, string Title, string Description, string DefaultCron, string Misfire,
    Func<IServiceProvider, JobProgress, CancellationToken, Task<JobOutcome>> Run);

/// <summary>Every scheduled job, registered in one place. Schedules are cron expressions in UTC; admins can change them.</summary>
public static class JobCatalog
{
    public const string Group = "healthsync";
    public const string FireOnceNow = "If runs were missed (the engine was down), one catch-up run is fired at once; the rest are skipped.";

    public static readonly IReadOnlyList<JobDefinition> All =
    [
        new("three-way-match", "Three-way match", "Matches every invoice line to its PO line and receipts (UoM conversion, price and quantity tolerance); raises variances, duplicates and invoices before receipt.",
            "0 0/5 * * * ?", FireOnceNow, Recon((r, p, ct) => r.ThreeWayMatchAsync(p, ct))),
        new("charge-capture", "Charge capture completeness", "Finds billable usage without a posted charge after the capture window.",
            "0 0/15 * * * ?", FireOnceNow, Recon((r, p, ct) => r.ChargeCaptureAsync(p, ct))),
        new("daily-cash", "Daily cash", "Matches gateway settlements to billing receipts; posts matched totals to the ERP as journal entries.",
            "0 0 6 * * ?", FireOnceNow, Recon((r, p, ct) => r.DailyCashAsync(p, ct))),
        new("inventory-drift", "Inventory drift", "Compares ERP and warehouse on-hand per item and location; variances become exceptions or corrections per the ownership matrix.",
            "0 0 * * * ?", FireOnceNow, Recon((r, p, ct) => r.InventoryDriftAsync(p, ct))),
        new("remittance-import", "Remittance import", "Micro-batch: imports 835 and FHIR remittances since its checkpoint, posts payments to billing, raises an exception per denied claim.",
            "0 * * * * ?", FireOnceNow, Batch((b, p, ct) => b.RemittanceImportAsync(p, ct))),
        new("invoice-aggregation", "Invoice aggregation", "Micro-batch: aggregates the invoices received since its checkpoint into one AP batch per vendor and day, posted to the ERP.",
            "0 0/10 * * * ?", FireOnceNow, Batch((b, p, ct) => b.InvoiceAggregationAsync(p, ct))),
        new("edi-ack-aging", "EDI acknowledgements", "Purchase orders without an 855 (or 856) past their SLA, claims without an 835 past N days.",
            "0 0/15 * * * ?", FireOnceNow, Recon((r, p, ct) => r.AckAgingAsync(p, ct))),
        new(Settings.DataRetention.JobName, "Data retention", "Removes processed payloads and lineage, resolved exceptions, job runs and audit entries past the retention settings, in batches; never anything of an open exception, never audit younger than 6 years.",
            "0 30 2 * * ?", FireOnceNow, (services, progress, ct) => ActivatorUtilities.CreateInstance<Settings.DataRetention>(services).RunAsync(progress, ct)),
        new(Kpis.KpiRollup.JobName, "KPI day totals", "Recounts every KPI per closed day and cut from the stored facts, so dashboards over more than 48 hours add up days; today and partial days are always counted live.",
            "0 0/5 * * * ?", FireOnceNow, (services, progress, ct) => ActivatorUtilities.CreateInstance<Kpis.KpiRollup>(services).RunAsync(progress, ct)),
    ];

    public static JobDefinition? Find(string name) => All.FirstOrDefault(j => j.Name == name);

    private static Func<IServiceProvider, JobProgress, CancellationToken, Task<JobOutcome>> Recon(
        Func<Reconciliation.Reconciliations, JobProgress, CancellationToken, Task<JobOutcome>> run) =>
        (services, progress, ct) => run(services.GetRequiredService<Reconciliation.Reconciliations>(), progress, ct);

    private static Func<IServiceProvider, JobProgress, CancellationToken, Task<JobOutcome>> Batch(
        Func<Reconciliation.MicroBatches, JobProgress, CancellationToken, Task<JobOutcome>> run) =>
        (services, progress, ct) => run(services.GetRequiredService<Reconciliation.MicroBatches>(), progress, ct);
}
