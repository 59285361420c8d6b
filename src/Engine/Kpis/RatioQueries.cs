using HealthSync.Engine.Kpis.Items;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis;

/// <summary>Counting, trending, breaking down and listing the items of a ratio KPI, all over its one item statement.</summary>
internal static class RatioQueries
{
    private static readonly string CountColumns = $"COUNT(*) AS den, SUM(t.state = {KpiItems.Counted}) AS num, SUM(t.state >= {KpiItems.Blocked}) AS resolved";

    /// <summary>
    /// The window's ratio and trend, and the previous window's ratio, in one pass over both windows: items before the
    /// window's start fall in the unnamed bucket that is the previous window.
    /// </summary>
    public static async Task<(Ratio Current, Ratio? Previous, IReadOnlyList<TrendPoint> Trend)> SummaryAsync(
        HealthSyncDb db, KpiItems items, KpiFilter f, DateTime now, CancellationToken ct)
    {
        if (!items.Windowed)
        {
            var rows = await KpiSql.QueryAsync(db, $"SELECT {CountColumns} FROM ({items.Sql(f, false)}) t", KpiSql.Parameters(f, now), ReadRatio, ct);
            return (rows[0] with { IfResolved = null }, null, []);
        }
        var n = KpiSql.BucketLength(f.Grain);
        var sql = $"SELECT CASE WHEN t.at < @split THEN NULL ELSE substr(t.at, 1, {n}) END AS bucket, {CountColumns} FROM ({items.Sql(f, false)}) t GROUP BY 1";
        var buckets = await KpiSql.QueryAsync(db, sql, KpiSql.Parameters(f, now, lo: f.Previous.From),
            r => (Bucket: r.Text(0), Ratio: new Ratio(r.Int(2), r.Int(1), r.Int(3))), ct);
        var previous = buckets.Where(b => b.Bucket is null).Select(b => b.Ratio).FirstOrDefault() ?? Ratio.Empty;
        var current = buckets.Where(b => b.Bucket is not null).Select(b => b.Ratio)
            .Aggregate(Ratio.Empty, (a, b) => new Ratio(a.Numerator + b.Numerator, a.Denominator + b.Denominator, a.IfResolved + b.IfResolved));
        var byStart = buckets.Where(b => b.Bucket is not null).ToDictionary(b => KpiSql.BucketStart(b.Bucket!), b => b.Ratio);
        var trend = KpiSql.Buckets(f).Select(start => byStart.TryGetValue(start, out var r)
            ? new TrendPoint(start, r.Numerator, r.Denominator)
            : new TrendPoint(start, 0, 0)).ToList();
        return (current, previous, trend);
    }

    private static Ratio ReadRatio(System.Data.Common.DbDataReader r) => new(r.Int(1), r.Int(0), r.Int(2));

    /// <summary>The window's ratio per value of one item column, worst first (lowest ratio, then most items).</summary>
    public static async Task<Breakdown> BreakdownAsync(HealthSyncDb db, KpiItems items, string name, string column, KpiFilter f, DateTime now, CancellationToken ct)
    {
        var sql = $"SELECT t.{column}, {CountColumns} FROM ({items.Sql(f, KpiItems.IsDetailColumn(column))}) t GROUP BY 1 ORDER BY 1.0 * num / den, den DESC, 1 LIMIT 200";
        var rows = await KpiSql.QueryAsync(db, sql, KpiSql.Parameters(f, now), r => new BreakdownRow(r.Text(0) ?? "(none)", r.Int(2), r.Int(1)), ct);
        return new Breakdown(name, rows);
    }

    private static string ListCondition(DrillList list) => list switch
    {
        DrillList.Numerator => $"t.state = {KpiItems.Counted}",
        DrillList.Gap => $"t.state < {KpiItems.Counted}",
        _ => "1",
    };

    /// <summary>One page of a drill-down list, newest first, and how many items the whole list holds.</summary>
    public static async Task<(int Total, IReadOnlyList<KpiRow> Rows)> ListAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DrillList list, int page, int pageSize,
        DateTime now, CancellationToken ct)
    {
        var where = ListCondition(list);
        var total = (await KpiSql.QueryAsync(db, $"SELECT COUNT(*) FROM ({items.Sql(f, false)}) t WHERE {where}", KpiSql.Parameters(f, now), r => r.Int(0), ct))[0];
        var parameters = KpiSql.Parameters(f, now);
        parameters["@take"] = pageSize;
        parameters["@skip"] = (page - 1) * pageSize;
        var rows = await KpiSql.QueryAsync(db,
            $"""
            SELECT t.key, t.label, t.at, t.facility, t.partner, t.item, t.amount, t.measure, t.outcome, t.detail, t.correlation_id, t.exception_id, t.state, t.patient_key
            FROM ({items.Sql(f, true)}) t WHERE {where} ORDER BY t.at DESC, t.key LIMIT @take OFFSET @skip
            """,
            parameters,
            r => new KpiRow(r.Text(0) ?? "", r.Text(1) ?? "", KpiSql.ReadTime(r.GetString(2)), r.Text(3), r.Text(4), r.Text(5), (decimal?)r.Real(6), r.Real(7),
                r.Text(8) ?? "", r.Text(9), r.Id(10), r.Id(11), r.Int(12) == KpiItems.Counted, r.Int(12) == KpiItems.Blocked, r.Text(13)),
            ct);
        return (total, rows);
    }

    /// <summary>The open exceptions standing against the gap's items, grouped by category and error code, most items first.</summary>
    public static Task<List<GapCause>> GapCausesAsync(HealthSyncDb db, KpiItems items, KpiFilter f, DateTime now, CancellationToken ct) =>
        KpiSql.QueryAsync(db,
            $"""
            SELECT e.category, e.error_code, e.workflow, COUNT(*), SUM(e.amount_at_risk)
            FROM ({items.Sql(f, true)}) t JOIN exceptions e ON e.id = t.exception_id
            WHERE t.state < {KpiItems.Counted} AND +e.status = 'Open'
            GROUP BY e.category, e.error_code, e.workflow ORDER BY 4 DESC, 1, 2 LIMIT 50
            """,
            KpiSql.Parameters(f, now),
            r => new GapCause(r.Text(0) ?? "", r.Text(1) ?? "", r.Text(2) ?? "", r.Int(3), (decimal)(r.Real(4) ?? 0)),
            ct);
}
