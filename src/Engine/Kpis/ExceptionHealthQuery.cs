using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis;

/// <summary>
/// Exception health beyond its ratio: open exceptions by age and by team, facility, owner and workflow (now), SLA
/// breaches, and over the window the exceptions raised and resolved and the mean time to resolve.
/// </summary>
/// <remarks>
/// Age is now minus raised: under 1 day, 1 to 3 days, 3 to 7 days, over 7 days (a boundary belongs to the older bucket).
/// A breach is an open exception past its SLA due time; "resolved late" are those resolved in the window after it.
/// Mean time to resolve is resolved minus raised, averaged over the exceptions resolved in the window.
/// </remarks>
internal static class ExceptionHealthQuery
{
    public static readonly IReadOnlyList<string> AgeLabels = ["< 1 d", "1–3 d", "3–7 d", "> 7 d"];

    private static string Cuts(KpiFilter f) =>
        (f.Facility is null ? "" : " AND e.facility = @facility") + (f.Workflow is null ? "" : " AND e.workflow = @workflow");

    public static async Task<ExceptionHealthDetail> GetAsync(HealthSyncDb db, KpiFilter f, DateTime now, CancellationToken ct)
    {
        var sql = KpiSql.Dialect(db);
        var p = KpiSql.Parameters(sql, f, now);
        p["@d1"] = sql.Time(now.AddDays(-1));
        p["@d3"] = sql.Time(now.AddDays(-3));
        p["@d7"] = sql.Time(now.AddDays(-7));
        var open = await KpiSql.QueryAsync(db, $"""
            SELECT e.team, e.facility, e.owner, e.workflow,
                   CASE WHEN e.created_at > @d1 THEN 0 WHEN e.created_at > @d3 THEN 1 WHEN e.created_at > @d7 THEN 2 ELSE 3 END,
                   {sql.Flag("e.sla_due_at < @now")}, COUNT(*)
            FROM exceptions e WHERE e.status = 'Open'{Cuts(f)}
            GROUP BY 1, 2, 3, 4, 5, 6
            """, p, r => (Team: r.Text(0), Facility: r.Text(1), Owner: r.Text(2), Workflow: r.Text(3), Age: r.Int(4), Breached: r.Int(5) == 1, Count: r.Int(6)), ct);

        var raised = await KpiSql.QueryAsync(db, $"""
            SELECT {KpiSql.Bucket(sql, "e.created_at", f.Grain)}, COUNT(*) FROM exceptions e
            WHERE e.status IN ('Open', 'Resolved') AND e.created_at >= @lo AND e.created_at < @hi{Cuts(f)} GROUP BY 1
            """, p, r => (Bucket: r.Time(0), Count: r.Int(1)), ct);
        var resolved = await KpiSql.QueryAsync(db, $"""
            SELECT {KpiSql.Bucket(sql, "e.resolved_at", f.Grain)}, COUNT(*), SUM({sql.Flag("e.resolved_at > e.sla_due_at")}), SUM({sql.Hours("e.resolved_at", "e.created_at")})
            FROM exceptions e WHERE e.status = 'Resolved' AND e.resolved_at >= @lo AND e.resolved_at < @hi{Cuts(f)} GROUP BY 1
            """, p, r => (Bucket: r.Time(0), Count: r.Int(1), Late: r.Int(2), Hours: r.Real(3) ?? 0), ct);

        IReadOnlyList<ExceptionGroupCount> By(Func<(string? Team, string? Facility, string? Owner, string? Workflow, int Age, bool Breached, int Count), string?> key) =>
            [.. open.GroupBy(key).Select(g => new ExceptionGroupCount(g.Key, g.Sum(x => x.Count), g.Where(x => x.Breached).Sum(x => x.Count)))
                .OrderByDescending(g => g.Open).ThenBy(g => g.Key, StringComparer.Ordinal)];
        var resolvedCount = resolved.Sum(x => x.Count);
        return new ExceptionHealthDetail(
            open.Sum(x => x.Count),
            open.Where(x => x.Breached).Sum(x => x.Count),
            [.. AgeLabels.Select((label, i) => new AgeBucket(label, open.Where(x => x.Age == i).Sum(x => x.Count), open.Where(x => x.Age == i && x.Breached).Sum(x => x.Count)))],
            raised.Sum(x => x.Count),
            resolvedCount,
            resolved.Sum(x => x.Late),
            resolvedCount == 0 ? null : resolved.Sum(x => x.Hours) / resolvedCount,
            Series(f, raised.Select(x => (x.Bucket, x.Count))),
            Series(f, resolved.Select(x => (x.Bucket, x.Count))),
            By(x => x.Team), By(x => x.Facility), By(x => x.Owner), By(x => x.Workflow));
    }

    /// <summary>Counts per bucket over every bucket of the window (zero where nothing happened).</summary>
    internal static IReadOnlyList<TrendCount> Series(KpiFilter f, IEnumerable<(DateTime Bucket, int Count)> counts)
    {
        var byStart = counts.GroupBy(c => c.Bucket).ToDictionary(g => g.Key, g => g.Sum(c => c.Count));
        return [.. KpiSql.Buckets(f).Select(start => new TrendCount(start, byStart.GetValueOrDefault(start)))];
    }
}
