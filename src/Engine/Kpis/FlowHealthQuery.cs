using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Kpis.Items;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis;

/// <summary>
/// Flow health beyond its ratio, from stored rows: throughput (inbox messages received), source-to-last-posting lag,
/// retries, dead letters and per-target attempt error rates (outbox rows), plus each target's live circuit state.
/// </summary>
/// <remarks>
/// Lag of a transaction = its last delivered outbound message's delivery minus the receipt of the message that caused it
/// (<c>source_received_at</c>), counted in the window its last delivery fell in; percentiles are nearest-rank.
/// Retried = outbound messages that needed more than one attempt; dead letters = those given up on (Failed).
/// Attempt error rate = failed attempts / attempts (a delivered message's last attempt succeeded, every other failed).
/// Throughput is not cut by facility: an inbox message is counted before anything is read from it.
/// </remarks>
internal static class FlowHealthQuery
{
    public static async Task<FlowHealthDetail> GetAsync(HealthSyncDb db, KpiFilter f, DateTime now, DeliveryTargets? targets, CancellationToken ct, DayPlan? plan = null)
    {
        var sql = KpiSql.Dialect(db);
        List<(DateTime Lo, DateTime Hi)> ranges = plan is null ? [(f.From, f.To)] : [.. plan.LiveWithin(f)];
        var inbox = new List<(DateTime Bucket, string Workflow, int Count)>();
        var outbox = new List<(string Target, string Status, int Count, int Retried, int Attempts, int Failed)>();
        var lags = new List<double>();
        string Cuts(string row) => (f.Facility is null ? "" : $" AND {row}.facility = @facility") + " AND " + FlowDeliveryItems.WorkflowCondition(sql, f.Workflow, row);
        var cuts = Cuts("o");
        foreach (var (lo, hi) in ranges)
        {
            var p = KpiSql.Parameters(sql, f, now, lo, hi);
            inbox.AddRange(await KpiSql.QueryAsync(db, $"""
                SELECT {KpiSql.Bucket(sql, "m.received_at", f.Grain)}, m.format, m.message_type, COUNT(*) FROM inbox_messages m
                WHERE m.received_at >= @lo AND m.received_at < @hi GROUP BY 1, 2, 3
                """, p, r => (Bucket: r.Time(0), Workflow: WorkflowNames.ForMessage(r.GetString(1), r.Text(2)), Count: r.Int(3)), ct));

            outbox.AddRange(await KpiSql.QueryAsync(db, $"""
                SELECT o.target_system, o.status, COUNT(*), SUM({sql.Flag("o.attempts > 1")}), SUM(o.attempts), SUM(o.attempts - {sql.Flag("o.status = 'Delivered'")})
                FROM outbox_messages o WHERE o.created_at >= @lo AND o.created_at < @hi{cuts} GROUP BY 1, 2
                """, p, r => (Target: r.GetString(0), Status: r.GetString(1), Count: r.Int(2), Retried: r.Int(3), Attempts: r.Int(4), Failed: r.Int(5)), ct));

            // A transaction counts in the range its last delivery falls in: the range's deliveries are read, and a transaction
            // with a later delivery is looked up by its correlation id and left out, so the cost follows the range, not its age.
            // Grouped by correlation id kept off the index: otherwise SQLite walks the whole outbox in correlation order to skip a sort.
            lags.AddRange(await KpiSql.QueryAsync(db, $"""
                SELECT {sql.Seconds("MAX(o.delivered_at)", "MIN(o.source_received_at)")} AS lag
                FROM outbox_messages o WHERE o.delivered_at >= @lo AND o.delivered_at < @hi{cuts}
                GROUP BY {sql.NoIndex("o.correlation_id")}
                HAVING NOT EXISTS (SELECT 1 FROM outbox_messages later WHERE later.correlation_id = o.correlation_id AND later.delivered_at >= @hi{Cuts("later")})
                ORDER BY lag
                """, p, r => r.Real(0) ?? 0, ct));
        }
        inbox = [.. inbox.Where(m => !KpiFilter.Excludes(f.Workflow, m.Workflow))];
        lags.Sort();
        var (transactions, p50, p95) = (lags.Count, Percentile(lags, 0.50), Percentile(lags, 0.95));

        if (plan is not null)
        {
            // Closed days of the window from the day totals: messages received, outbound rows by target, lag histogram.
            foreach (var day in await KpiDayTotals.ReadAsync(db, KpiCatalog.FlowHealth, KpiDayTotals.Received, plan, f, ct, currentOnly: true))
                inbox.Add((day.Day, day.Item ?? "", day.Items));
            foreach (var day in await KpiDayTotals.ReadAsync(db, KpiCatalog.FlowHealth, KpiDayTotals.Outbox, plan, f, ct, currentOnly: true))
            {
                if (day.Partner is null) continue;
                outbox.Add((day.Partner, nameof(OutboxStatus.Delivered), day.Counted, day.Retried, day.Attempts, day.FailedAttempts));
                outbox.Add((day.Partner, nameof(OutboxStatus.Failed), day.Failed, 0, 0, 0));
                outbox.Add((day.Partner, nameof(OutboxStatus.Pending), day.Items - day.Counted - day.Failed, 0, 0, 0));
            }
            var histogram = await KpiDayTotals.LagHistogramAsync(db, KpiCatalog.FlowHealth, plan, f, ct);
            foreach (var lag in lags) KpiDayTotals.Add(histogram, KpiDayTotals.LagBucket(lag), 1);
            (transactions, p50, p95) = (histogram.Values.Sum(), KpiDayTotals.Percentile(histogram, 0.50), KpiDayTotals.Percentile(histogram, 0.95));
        }

        var endpoints = Systems.Targets.Union(outbox.Select(o => o.Target), StringComparer.OrdinalIgnoreCase).Select(target =>
        {
            var rows = outbox.Where(o => string.Equals(o.Target, target, StringComparison.OrdinalIgnoreCase)).ToList();
            int Count(string status) => rows.Where(r => r.Status == status).Sum(r => r.Count);
            return new EndpointFlow(target, rows.Sum(r => r.Count), Count(nameof(OutboxStatus.Delivered)), Count(nameof(OutboxStatus.Pending)), Count(nameof(OutboxStatus.Failed)),
                rows.Sum(r => r.Retried), rows.Sum(r => r.Attempts), rows.Sum(r => r.Failed), targets?.Health(target).State);
        }).ToList();

        var received = inbox.Sum(m => m.Count);
        return new FlowHealthDetail(
            received,
            f.Length.TotalHours <= 0 ? 0 : received / f.Length.TotalHours,
            ExceptionHealthQuery.Series(f, inbox.Select(m => (m.Bucket, m.Count))),
            transactions,
            p50,
            p95,
            outbox.Sum(o => o.Retried),
            outbox.Where(o => o.Status == nameof(OutboxStatus.Failed)).Sum(o => o.Count),
            outbox.Where(o => o.Status == nameof(OutboxStatus.Pending)).Sum(o => o.Count),
            endpoints);
    }

    /// <summary>Nearest-rank percentile of sorted values; null when there are none.</summary>
    internal static double? Percentile(IReadOnlyList<double> sorted, double p) =>
        sorted.Count == 0 ? null : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
