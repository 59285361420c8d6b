using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Kpis.Items;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Kpis;

/// <summary>
/// The <c>kpi-rollup</c> job: recomputes, from the stored facts, every KPI measure per closed UTC day and combination of
/// cuts for the last <see cref="KpiOptions.RollupDays"/> days, and replaces the stored day totals in one transaction.
/// </summary>
/// <remarks>
/// Each day total is counted by the same item statement the live KPI uses, evaluated at the run's time, so a day read
/// from here equals that day counted live at the moment of the run. A fact that changes a closed day afterwards (a late
/// posting, an exception resolved) shows on the dashboard at the next run; the drill-down lists are always live.
/// </remarks>
public sealed class KpiRollup(HealthSyncDb db, TimeProvider time, IOptions<KpiOptions> options)
{
    public const string JobName = "kpi-rollup";

    /// <summary>Checkpoint whose position is the first day covered (day number) and whose time is the run's.</summary>
    public const string CoverageCheckpoint = "kpi-rollup";

    /// <summary>Checkpoint holding the cash posting SLA, in minutes, the payment day totals were counted with.</summary>
    public const string CashSlaCheckpoint = "kpi-rollup/cash-sla-minutes";

    public async Task<JobOutcome> RunAsync(JobProgress progress, CancellationToken ct)
    {
        var (from, to, count) = await RefreshAsync(ct);
        await progress.ReportAsync(100, count, ct);
        return new JobOutcome(count, 0, 0, $"{count} day total(s) for {from:yyyy-MM-dd} to {to.AddDays(-1):yyyy-MM-dd}");
    }

    /// <summary>Recounts the closed days and replaces the stored totals; returns the days covered and how many totals were stored.</summary>
    public async Task<(DateTime From, DateTime To, int Totals)> RefreshAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var to = now.Date;
        var from = to.AddDays(-Math.Max(1, options.Value.RollupDays));
        var sla = TimeSpan.FromHours(options.Value.CashPostingSlaHours);
        var totals = await KpiDayTotals.ComputeAsync(db, from, to, now, sla, ct);

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.KpiDayTotals.ExecuteDeleteAsync(ct);
        db.KpiDayTotals.AddRange(totals);
        await SetCheckpointAsync(CoverageCheckpoint, DateOnly.FromDateTime(from).DayNumber, now, ct);
        await SetCheckpointAsync(CashSlaCheckpoint, (long)sla.TotalMinutes, now, ct);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        db.ChangeTracker.Clear();
        return (from, to, totals.Count);
    }

    private async Task SetCheckpointAsync(string name, long position, DateTime now, CancellationToken ct)
    {
        var checkpoint = await db.Checkpoints.FindAsync([name], ct);
        if (checkpoint is null) db.Checkpoints.Add(new Checkpoint { Name = name, Position = position, UpdatedAt = now });
        else
        {
            checkpoint.Position = position;
            checkpoint.UpdatedAt = now;
        }
    }
}

/// <summary>Counting and reading the stored day totals (<see cref="KpiDayTotal"/>).</summary>
internal static class KpiDayTotals
{
    public const string Ratio = "ratio";
    public const string Lag = "lag";
    public const string Received = "received";
    public const string Outbox = "outbox";

    /// <summary>The days [<see cref="From"/>, <see cref="To"/>) the stored totals cover, as of <see cref="ComputedAt"/>.</summary>
    public sealed record Coverage(DateTime From, DateTime To, DateTime ComputedAt, TimeSpan CashSla);

    public static async Task<Coverage?> CoverageAsync(HealthSyncDb db, CancellationToken ct)
    {
        var checkpoints = await db.Checkpoints.AsNoTracking()
            .Where(c => c.Name == KpiRollup.CoverageCheckpoint || c.Name == KpiRollup.CashSlaCheckpoint).ToListAsync(ct);
        var coverage = checkpoints.FirstOrDefault(c => c.Name == KpiRollup.CoverageCheckpoint);
        var sla = checkpoints.FirstOrDefault(c => c.Name == KpiRollup.CashSlaCheckpoint);
        if (coverage is null || sla is null) return null;
        var computedAt = DateTime.SpecifyKind(coverage.UpdatedAt, DateTimeKind.Utc);
        var from = DateOnly.FromDayNumber((int)coverage.Position).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        return new Coverage(from, computedAt.Date, computedAt, TimeSpan.FromMinutes(sla.Position));
    }

    // Lag histogram: bucket b holds lags in [1 ms × 1.05^b, 1 ms × 1.05^(b+1)); a percentile read from it is within 2.5 %.
    private const double LagBase = 0.001;
    private static readonly double LagStep = Math.Log(1.05);

    public static int LagBucket(double seconds) => seconds <= LagBase ? 0 : (int)Math.Floor(Math.Log(seconds / LagBase) / LagStep);

    /// <summary>The geometric middle of a bucket: the value a percentile falling in it is read as.</summary>
    public static double LagValue(int bucket) => LagBase * Math.Exp((bucket + 0.5) * LagStep);

    public static void Add(Dictionary<int, int> histogram, int bucket, int count) => histogram[bucket] = histogram.GetValueOrDefault(bucket) + count;

    /// <summary>Nearest-rank percentile over a histogram of (bucket, count); null when it is empty.</summary>
    public static double? Percentile(IReadOnlyDictionary<int, int> histogram, double p)
    {
        var total = histogram.Values.Sum();
        if (total == 0) return null;
        var rank = Math.Clamp((int)Math.Ceiling(p * total), 1, total);
        var seen = 0;
        foreach (var (bucket, count) in histogram.OrderBy(h => h.Key))
        {
            seen += count;
            if (seen >= rank) return LagValue(bucket);
        }
        return null;
    }

    private static readonly KpiItems[] RatioItems =
        [new ChargeCaptureItems(), new InvoiceMatchItems(), new InventoryAccuracyItems(), new PaymentTimelinessItems(), new FlowDeliveryItems()];

    /// <summary>SQL naming the workflow of outbox row <c>o</c> by its operation.</summary>
    internal static string WorkflowOfOperation => "CASE o.operation " + string.Join(" ", FlowDeliveryItems.AllOperations.Select(op => $"WHEN '{op}' THEN '{FlowDeliveryItems.WorkflowOf(op)}'"))
        + $" ELSE '{WorkflowNames.SupplyCharge}' END";

    /// <summary>Every measure of every day in [<paramref name="from"/>, <paramref name="to"/>), counted from the stored facts now.</summary>
    public static async Task<List<KpiDayTotal>> ComputeAsync(HealthSyncDb db, DateTime from, DateTime to, DateTime now, TimeSpan cashSla, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        var f = new KpiFilter(from, to, CashPostingSla: cashSla);
        var p = KpiSql.Parameters(sql, f, now);
        var day = (string time) => KpiSql.Bucket(sql, time, TrendGrain.Day);
        var totals = new List<KpiDayTotal>();

        foreach (var items in RatioItems)
        {
            var kpi = items.Definition.Id;
            var item = items is FlowDeliveryItems ? "t.item" : "NULL";
            totals.AddRange(await KpiSql.QueryAsync(db,
                $"""
                SELECT {day("t.at")}, t.facility, t.partner, {item}, COUNT(*), SUM({sql.Flag($"t.state = {KpiItems.Counted}")}), SUM({sql.Flag($"t.state >= {KpiItems.Blocked}")})
                FROM ({items.Sql(sql, f, false)}) t GROUP BY 1, 2, 3, 4
                """, p,
                r => new KpiDayTotal
                {
                    Day = r.Time(0), Kpi = kpi, Measure = Ratio, Facility = r.Text(1), Partner = r.Text(2), Item = r.Text(3),
                    Items = r.Int(4), Counted = r.Int(5), CountedIfResolved = r.Int(6),
                }, ct));
        }

        var payment = new PaymentTimelinessItems();
        var paymentLags = await KpiSql.QueryAsync(db,
            $"SELECT {day("t.at")}, t.facility, t.partner, t.measure FROM ({payment.Sql(sql, f, true)}) t WHERE t.measure IS NOT NULL", p,
            r => (Day: r.Time(0), Facility: r.Text(1), Partner: r.Text(2), Item: (string?)null, Seconds: (r.Real(3) ?? 0) * 3600), ct);
        totals.AddRange(Histogram(KpiCatalog.PaymentTimeliness, paymentLags));

        var flowLags = await KpiSql.QueryAsync(db,
            $"""
            SELECT {day("MAX(o.delivered_at)")}, o.facility, {WorkflowOfOperation}, {sql.Seconds("MAX(o.delivered_at)", "MIN(o.source_received_at)")}
            FROM outbox_messages o WHERE o.delivered_at >= @lo
            GROUP BY {sql.NoIndex("o.correlation_id")}, o.facility, {WorkflowOfOperation} HAVING MAX(o.delivered_at) < @hi
            """, p, r => (Day: r.Time(0), Facility: r.Text(1), Partner: (string?)null, Item: r.Text(2), Seconds: r.Real(3) ?? 0), ct);
        totals.AddRange(Histogram(KpiCatalog.FlowHealth, flowLags));

        var received = await KpiSql.QueryAsync(db,
            $"SELECT {day("m.received_at")}, m.format, m.message_type, COUNT(*) FROM inbox_messages m WHERE m.received_at >= @lo AND m.received_at < @hi GROUP BY 1, 2, 3", p,
            r => (Day: r.Time(0), Workflow: WorkflowNames.ForMessage(r.GetString(1), r.Text(2)), Count: r.Int(3)), ct);
        totals.AddRange(received.GroupBy(x => (x.Day, x.Workflow)).Select(g => new KpiDayTotal
        {
            Day = g.Key.Day, Kpi = KpiCatalog.FlowHealth, Measure = Received, Item = g.Key.Workflow, Items = g.Sum(x => x.Count),
        }));

        totals.AddRange(await KpiSql.QueryAsync(db,
            $"""
            SELECT {day("o.created_at")}, o.facility, o.target_system, o.operation, COUNT(*), SUM({sql.Flag("o.status = 'Delivered'")}), SUM({sql.Flag("o.status = 'Failed'")}),
                   SUM({sql.Flag("o.attempts > 1")}), SUM(o.attempts), SUM(o.attempts - {sql.Flag("o.status = 'Delivered'")})
            FROM outbox_messages o WHERE o.created_at >= @lo AND o.created_at < @hi GROUP BY 1, 2, 3, 4
            """, p,
            r => new KpiDayTotal
            {
                Day = r.Time(0), Kpi = KpiCatalog.FlowHealth, Measure = Outbox, Facility = r.Text(1), Partner = r.Text(2), Item = r.Text(3),
                Items = r.Int(4), Counted = r.Int(5), Failed = r.Int(6), Retried = r.Int(7), Attempts = r.Int(8), FailedAttempts = r.Int(9),
            }, ct));
        return totals;
    }

    private static IEnumerable<KpiDayTotal> Histogram(string kpi, IEnumerable<(DateTime Day, string? Facility, string? Partner, string? Item, double Seconds)> lags) =>
        lags.GroupBy(l => (l.Day, l.Facility, l.Partner, l.Item, Bucket: LagBucket(l.Seconds))).Select(g => new KpiDayTotal
        {
            Day = g.Key.Day, Kpi = kpi, Measure = Lag, Facility = g.Key.Facility, Partner = g.Key.Partner, Item = g.Key.Item, Bucket = g.Key.Bucket, Items = g.Count(),
        });

    /// <summary>
    /// The stored totals of one KPI measure on the plan's days, with the filter's cuts applied; only the current
    /// window's days when <paramref name="currentOnly"/> (figures without a previous-window value).
    /// </summary>
    public static Task<List<KpiDayTotal>> ReadAsync(HealthSyncDb db, string kpi, string measure, DayPlan plan, KpiFilter f, CancellationToken ct, bool currentOnly = false) =>
        Selected(db, kpi, measure, plan, f, currentOnly).ToListAsync(ct);

    /// <summary>
    /// The lag histogram (bucket → count) of one KPI over the current window's stored days, with the filter's cuts,
    /// summed in the database: a month of histograms is thousands of rows, a window's is a hundred.
    /// </summary>
    public static Task<Dictionary<int, int>> LagHistogramAsync(HealthSyncDb db, string kpi, DayPlan plan, KpiFilter f, CancellationToken ct) =>
        Selected(db, kpi, Lag, plan, f, currentOnly: true).GroupBy(x => x.Bucket).Select(g => new { g.Key, Count = g.Sum(x => x.Items) })
            .ToDictionaryAsync(g => g.Key, g => g.Count, ct);

    /// <summary>The stored totals of one measure on the plan's whole days (the split day is counted live), cut as the filter asks.</summary>
    private static IQueryable<KpiDayTotal> Selected(HealthSyncDb db, string kpi, string measure, DayPlan plan, KpiFilter f, bool currentOnly)
    {
        var from = currentOnly && f.From > plan.BodyFrom ? f.From : plan.BodyFrom;
        var q = db.KpiDayTotals.AsNoTracking().Where(x => x.Kpi == kpi && x.Measure == measure && x.Day >= from && x.Day < plan.BodyTo);
        if (plan.SplitDay is { } split) q = q.Where(x => x.Day != split);
        // Throughput is not cut by facility: an inbound message is counted before anything is read from it.
        if (f.Facility is { } facility && measure != Received) q = q.Where(x => x.Facility!.ToUpper() == facility.ToUpper());
        if (f.Vendor is { } vendor && kpi == KpiCatalog.InvoiceMatch) q = q.Where(x => x.Partner == vendor);
        if (f.Payer is { } payer && kpi == KpiCatalog.PaymentTimeliness) q = q.Where(x => x.Partner == payer);
        if (f.Workflow is { } workflow && kpi == KpiCatalog.FlowHealth)
        {
            // Delivery ratios and outbound rows are kept per operation; throughput and lag per workflow.
            if (measure is Ratio or Outbox)
            {
                var operations = FlowDeliveryItems.AllOperations.Where(op => FlowDeliveryItems.WorkflowOf(op) == workflow).ToList();
                q = q.Where(x => operations.Contains(x.Item!));
            }
            else q = q.Where(x => x.Item == workflow);
        }
        return q;
    }
}

/// <summary>
/// How a day-grain window (and the previous one) is counted: whole closed days the stored totals cover from them, and
/// the rest — partial days at the edges, the day the window starts in, days not covered — live from the facts.
/// </summary>
internal sealed record DayPlan(DateTime BodyFrom, DateTime BodyTo, DateTime? SplitDay, IReadOnlyList<(DateTime Lo, DateTime Hi)> Live, DateTime ComputedAt)
{
    /// <summary>The plan, or null when the window is trended by hour or fewer than two whole stored days fall in it.</summary>
    public static DayPlan? For(KpiFilter f, KpiDayTotals.Coverage? coverage)
    {
        if (coverage is null || f.Grain != TrendGrain.Day) return null;
        if (f.CashSla != coverage.CashSla) return null;
        var lo = f.Previous.From;
        var hi = f.To;
        var bodyFrom = Max(CeilingDay(lo), coverage.From);
        var bodyTo = Min(hi.Date, coverage.To);
        if (bodyTo - bodyFrom < TimeSpan.FromDays(2)) return null;
        DateTime? split = f.From != f.From.Date && f.From.Date >= bodyFrom && f.From.Date < bodyTo ? f.From.Date : null;
        var live = new List<(DateTime, DateTime)>();
        if (lo < bodyFrom) live.Add((lo, bodyFrom));
        if (split is { } s) live.Add((s, s.AddDays(1)));
        if (bodyTo < hi) live.Add((bodyTo, hi));
        return new DayPlan(bodyFrom, bodyTo, split, live, coverage.ComputedAt);
    }

    /// <summary>The live ranges clipped to the current window (for figures that have no previous-window value).</summary>
    public IEnumerable<(DateTime Lo, DateTime Hi)> LiveWithin(KpiFilter f) =>
        Live.Select(r => (Lo: Max(r.Lo, f.From), Hi: Min(r.Hi, f.To))).Where(r => r.Lo < r.Hi);

    private static DateTime CeilingDay(DateTime t) => t == t.Date ? t : t.Date.AddDays(1);

    private static DateTime Max(DateTime a, DateTime b) => a > b ? a : b;

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;
}
