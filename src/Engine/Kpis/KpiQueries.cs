using HealthSync.Engine.Kpis.Items;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis;

/// <summary>
/// The KPIs, computed from the stored facts on every call (no counters kept anywhere): the dashboard, one KPI with its
/// breakdowns, and the drill-down lists behind each number.
/// </summary>
public static class KpiQueries
{
    private static readonly IReadOnlyDictionary<string, KpiItems> ItemSets = new KpiItems[]
    {
        new ChargeCaptureItems(), new InvoiceMatchItems(), new InventoryAccuracyItems(), new PaymentTimelinessItems(), new ExceptionSlaItems(), new FlowDeliveryItems(),
    }.ToDictionary(i => i.Definition.Id);

    /// <summary>Every KPI with its trend and the previous window's value. Circuit states are left out (no live targets given).</summary>
    public static Task<KpiDashboard> DashboardAsync(HealthSyncDb db, KpiFilter filter, DateTime now, CancellationToken ct) =>
        DashboardAsync(db, filter, now, null, ct);

    /// <summary>
    /// Every KPI with its trend and the previous window's value; flow health shows the live circuit state of <paramref name="targets"/>.
    /// A window trended by day adds the closed days the <c>kpi-rollup</c> job has counted and counts the rest from the facts.
    /// </summary>
    public static async Task<KpiDashboard> DashboardAsync(HealthSyncDb db, KpiFilter filter, DateTime now, DeliveryTargets? targets, CancellationToken ct)
    {
        var plan = filter.Grain == TrendGrain.Day ? DayPlan.For(filter, await KpiDayTotals.CoverageAsync(db, ct)) : null;
        var results = new List<KpiResult>(KpiCatalog.All.Count);
        foreach (var kpi in KpiCatalog.All)
            results.Add(await KpiAsync(db, kpi.Id, filter, now, targets, withBreakdowns: false, plan, ct));
        return new KpiDashboard(filter, now, filter.Grain, results, plan?.ComputedAt);
    }

    /// <summary>One KPI, counted from the facts; with its breakdowns (by facility, item, vendor, payer, team...) when asked.</summary>
    public static Task<KpiResult> KpiAsync(HealthSyncDb db, string kpiId, KpiFilter filter, DateTime now, DeliveryTargets? targets, bool withBreakdowns, CancellationToken ct) =>
        KpiAsync(db, kpiId, filter, now, targets, withBreakdowns, null, ct);

    private static async Task<KpiResult> KpiAsync(HealthSyncDb db, string kpiId, KpiFilter filter, DateTime now, DeliveryTargets? targets, bool withBreakdowns,
        DayPlan? plan, CancellationToken ct)
    {
        var items = ItemSets[kpiId];
        var definition = items.Definition;
        var uncut = definition.Unsupported(filter);
        // Cuts a KPI's facts do not carry are not applied (and the page says so); a workflow cut naming another workflow selects nothing.
        var effective = filter with
        {
            Facility = definition.Supports(KpiCut.Facility) ? filter.Facility : null,
            Vendor = definition.Supports(KpiCut.Vendor) ? filter.Vendor : null,
            Payer = definition.Supports(KpiCut.Payer) ? filter.Payer : null,
        };
        if (definition.OutsideWorkflow(filter))
            return new KpiResult(definition, Ratio.Empty, Ratio.Empty, [.. KpiSql.Buckets(filter).Select(b => new TrendPoint(b, 0, 0))], uncut, true, []);

        var (current, previous, trend) = await RatioQueries.SummaryAsync(db, items, effective, now, ct, plan);
        var breakdowns = new List<Breakdown>();
        if (withBreakdowns)
        {
            foreach (var (name, column) in items.Breakdowns)
                breakdowns.Add(await RatioQueries.BreakdownAsync(db, items, name, column, effective, now, ct));
        }
        return new KpiResult(definition, current, previous, trend, uncut, false, breakdowns,
            PaymentLag: kpiId == KpiCatalog.PaymentTimeliness ? await PaymentLagAsync(db, items, effective, now, plan, ct) : null,
            Exceptions: kpiId == KpiCatalog.ExceptionHealth ? await ExceptionHealthQuery.GetAsync(db, effective, now, ct) : null,
            Flow: kpiId == KpiCatalog.FlowHealth ? await FlowHealthQuery.GetAsync(db, effective, now, targets, ct, plan) : null);
    }

    private static async Task<PaymentLag> PaymentLagAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DateTime now, DayPlan? plan, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        Task<List<double>> LiveAsync(DateTime lo, DateTime hi) => KpiSql.QueryAsync(db,
            $"SELECT t.measure FROM ({items.Sql(sql, f, true)}) t WHERE t.measure IS NOT NULL ORDER BY 1", KpiSql.Parameters(sql, f, now, lo, hi), r => r.Real(0) ?? 0, ct);
        if (plan is null)
        {
            var lags = await LiveAsync(f.From, f.To);
            return new PaymentLag(lags.Count, FlowHealthQuery.Percentile(lags, 0.5), f.CashSla.TotalHours);
        }
        var histogram = await KpiDayTotals.LagHistogramAsync(db, KpiCatalog.PaymentTimeliness, plan, f, ct);
        foreach (var (lo, hi) in plan.LiveWithin(f))
            foreach (var hours in await LiveAsync(lo, hi)) KpiDayTotals.Add(histogram, KpiDayTotals.LagBucket(hours * 3600), 1);
        return new PaymentLag(histogram.Values.Sum(), KpiDayTotals.Percentile(histogram, 0.5) / 3600, f.CashSla.TotalHours);
    }

    /// <summary>
    /// One page of a KPI's numerator, denominator or gap list, with the KPI's ratio and the open exceptions behind its gap.
    /// The numerator list's total plus the gap list's total is the denominator list's total, by construction.
    /// </summary>
    /// <returns>Null for an unknown KPI.</returns>
    public static async Task<KpiDrillPage?> DrillAsync(HealthSyncDb db, string kpiId, KpiFilter filter, DrillList list, int page, int pageSize, DateTime now, CancellationToken ct)
    {
        if (KpiCatalog.Find(kpiId) is not { } definition) return null;
        var items = ItemSets[definition.Id];
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, 500);
        var effective = filter with
        {
            Facility = definition.Supports(KpiCut.Facility) ? filter.Facility : null,
            Vendor = definition.Supports(KpiCut.Vendor) ? filter.Vendor : null,
            Payer = definition.Supports(KpiCut.Payer) ? filter.Payer : null,
        };
        if (definition.OutsideWorkflow(filter))
            return new KpiDrillPage(definition, filter, list, page, pageSize, 0, [], Ratio.Empty, []);
        var (current, _, _) = await RatioQueries.SummaryAsync(db, items, effective, now, ct);
        var (total, rows) = await RatioQueries.ListAsync(db, items, effective, list, page, pageSize, now, ct);
        var causes = await RatioQueries.GapCausesAsync(db, items, effective, now, ct);
        return new KpiDrillPage(definition, filter, list, page, pageSize, total, rows, current, causes);
    }
}
