using HealthSync.Engine.Kpis.Items;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis;

/// <summary>Counting, trending, breaking down and listing the items of a ratio KPI, all over its one item statement.</summary>
internal static class RatioQueries
{
    private static string Numerator(SqlDialect sql) => $"SUM({sql.Flag($"t.state = {KpiItems.Counted}")})";

    private static string CountColumns(SqlDialect sql) => $"COUNT(*) AS den, {Numerator(sql)} AS num, SUM({sql.Flag($"t.state >= {KpiItems.Blocked}")}) AS resolved";

    /// <summary>
    /// The window's ratio and trend, and the previous window's ratio, in one pass over both windows: items before the
    /// window's start fall in the unnamed bucket that is the previous window.
    /// </summary>
    public static async Task<(Ratio Current, Ratio? Previous, IReadOnlyList<TrendPoint> Trend)> SummaryAsync(
        HealthSyncDb db, KpiItems items, KpiFilter f, DateTime now, CancellationToken ct, DayPlan? plan = null)
    {
        var sql = KpiSql.Dialect(db);
        if (!items.Windowed)
        {
            var rows = await KpiSql.QueryAsync(db, $"SELECT {CountColumns(sql)} FROM ({items.Sql(sql, f, false)}) t", KpiSql.Parameters(sql, f, now), ReadRatio, ct);
            return (rows[0] with { IfResolved = null }, null, []);
        }
        var buckets = new List<(DateTime? Bucket, Ratio Ratio)>();
        if (plan is null)
        {
            buckets.AddRange(await LiveBucketsAsync(db, items, f, f.Previous.From, f.To, now, ct));
        }
        else
        {
            foreach (var (lo, hi) in plan.Live) buckets.AddRange(await LiveBucketsAsync(db, items, f, lo, hi, now, ct));
            foreach (var day in await KpiDayTotals.ReadAsync(db, items.Definition.Id, KpiDayTotals.Ratio, plan, f, ct))
                buckets.Add((day.Day < f.From ? null : day.Day, new Ratio(day.Counted, day.Items, day.CountedIfResolved)));
        }
        static Ratio Sum(IEnumerable<Ratio> ratios) =>
            ratios.Aggregate(Ratio.Empty, (a, b) => new Ratio(a.Numerator + b.Numerator, a.Denominator + b.Denominator, a.IfResolved + b.IfResolved));
        var previous = Sum(buckets.Where(b => b.Bucket is null).Select(b => b.Ratio));
        var current = Sum(buckets.Where(b => b.Bucket is not null).Select(b => b.Ratio));
        var byStart = buckets.Where(b => b.Bucket is not null).GroupBy(b => b.Bucket!.Value).ToDictionary(g => g.Key, g => Sum(g.Select(b => b.Ratio)));
        var trend = KpiSql.Buckets(f).Select(start => byStart.TryGetValue(start, out var r)
            ? new TrendPoint(start, r.Numerator, r.Denominator)
            : new TrendPoint(start, 0, 0)).ToList();
        return (current, previous, trend);
    }

    /// <summary>
    /// The items in [<paramref name="lo"/>, <paramref name="hi"/>) counted from the facts per trend bucket; items before
    /// the window's start fall in the unnamed bucket that is the previous window.
    /// </summary>
    private static Task<List<(DateTime? Bucket, Ratio Ratio)>> LiveBucketsAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DateTime lo, DateTime hi, DateTime now, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        var statement = $"SELECT CASE WHEN t.at < @split THEN NULL ELSE {KpiSql.Bucket(sql, "t.at", f.Grain)} END AS bucket, {CountColumns(sql)} FROM ({items.Sql(sql, f, false)}) t GROUP BY 1";
        return KpiSql.QueryAsync(db, statement, KpiSql.Parameters(sql, f, now, lo, hi),
            r => (Bucket: r.BucketStart(0), Ratio: new Ratio(r.Int(2), r.Int(1), r.Int(3))), ct);
    }

    private static Ratio ReadRatio(System.Data.Common.DbDataReader r) => new(r.Int(1), r.Int(0), r.Int(2));

    /// <summary>The window's ratio per value of one item column, worst first (lowest ratio, then most items).</summary>
    public static async Task<Breakdown> BreakdownAsync(HealthSyncDb db, KpiItems items, string name, string column, KpiFilter f, DateTime now, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        var statement = $"SELECT t.{column}, {CountColumns(sql)} FROM ({items.Sql(sql, f, KpiItems.IsDetailColumn(column))}) t GROUP BY 1 ORDER BY 1.0 * {Numerator(sql)} / COUNT(*), COUNT(*) DESC, 1 LIMIT 200";
        var rows = await KpiSql.QueryAsync(db, statement, KpiSql.Parameters(sql, f, now), r => new BreakdownRow(r.Text(0) ?? "(none)", r.Int(2), r.Int(1)), ct);
        return new Breakdown(name, rows);
    }

    private static string ListCondition(SqlDialect sql, DrillList list) => list switch
    {
        DrillList.Numerator => $"t.state = {KpiItems.Counted}",
        DrillList.Gap => $"t.state < {KpiItems.Counted}",
        _ => sql.True,
    };

    /// <summary>One page of a drill-down list, newest first, and how many items the whole list holds.</summary>
    public static async Task<(int Total, IReadOnlyList<KpiRow> Rows)> ListAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DrillList list, int page, int pageSize,
        DateTime now, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        var where = ListCondition(sql, list);
        var total = (await KpiSql.QueryAsync(db, $"SELECT COUNT(*) FROM ({items.Sql(sql, f, false)}) t WHERE {where}", KpiSql.Parameters(sql, f, now), r => r.Int(0), ct))[0];
        var parameters = KpiSql.Parameters(sql, f, now);
        parameters["@take"] = pageSize;
        parameters["@skip"] = (page - 1) * pageSize;
        var rows = await KpiSql.QueryAsync(db,
            $"""
            SELECT t.key, t.label, t.at, t.facility, t.partner, t.item, t.amount, t.measure, t.outcome, t.detail, t.correlation_id, t.exception_id, t.state, t.patient_key
            FROM ({items.Sql(sql, f, true)}) t WHERE {where} ORDER BY t.at DESC, t.key LIMIT @take OFFSET @skip
            """,
            parameters,
            r => new KpiRow(r.Text(0) ?? "", r.Text(1) ?? "", r.Time(2), r.Text(3), r.Text(4), r.Text(5), (decimal?)r.Real(6), r.Real(7),
                r.Text(8) ?? "", r.Text(9), r.Id(10), r.Id(11), r.Int(12) == KpiItems.Counted, r.Int(12) == KpiItems.Blocked, r.Text(13)),
            ct);
        return (total, rows);
    }

    /// <summary>The open exceptions standing against the gap's items, grouped by category and error code, most items first.</summary>
    public static Task<List<GapCause>> GapCausesAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DateTime now, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        return KpiSql.QueryAsync(db,
            $"""
            SELECT e.category, e.error_code, e.workflow, COUNT(*), SUM(e.amount_at_risk)
            FROM ({items.Sql(sql, f, true)}) t JOIN exceptions e ON e.id = t.exception_id
            WHERE t.state < {KpiItems.Counted} AND {sql.NoIndex("e.status")} = 'Open'
            GROUP BY e.category, e.error_code, e.workflow ORDER BY 4 DESC, 1, 2 LIMIT 50
            """,
            KpiSql.Parameters(sql, f, now),
            r => new GapCause(r.Text(0) ?? "", r.Text(1) ?? "", r.Text(2) ?? "", r.Int(3), (decimal)(r.Real(4) ?? 0)),
            ct);
    }
}
