using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Health;

/// <summary>One flow into an endpoint: a source system sending over one transport in one format.</summary>
/// <param name="ErrorRate">Rejected or quarantined share of the last 24 hours; null when nothing arrived.</param>
/// <param name="NormalIntervalSeconds">The gap this flow usually stays within, learned from its own history; null with too little history.</param>
public sealed record InboundFlow(string SourceSystem, int LastHour, int Last24Hours, int Rejected24Hours, double? ErrorRate,
    DateTime? LastReceivedAt, DateTime? LastSuccessAt, double? NormalIntervalSeconds, double? SilentForSeconds, bool Silent);

/// <summary>An inbound endpoint with the totals of its flows.</summary>
public sealed record InboundEndpointHealth(string Name, string Transport, string Format, string Address, int LastHour, int Last24Hours,
    int Rejected24Hours, double? ErrorRate, DateTime? LastReceivedAt, DateTime? LastSuccessAt, IReadOnlyList<InboundFlow> Flows);

/// <summary>An outbound target: stored delivery numbers, and the live state of its circuit breaker.</summary>
/// <param name="ErrorRate">Deliveries of the last 24 hours that needed a retry or failed, over all that finished; null when none did.</param>
/// <param name="LatencySource">"stored" when the latencies come from recorded delivery attempts, "live" when from this node's counters.</param>
/// <param name="TimeToDeliverP95Seconds">From queued to delivered (retries included), over the same recent deliveries.</param>
public sealed record OutboundTargetHealth(string Name, string Circuit, DateTime? CircuitOpenedAt, int DeliveredLastHour, int Delivered24Hours,
    int Retried24Hours, int Failed24Hours, int Pending, double? ErrorRate, double? LatencyP50Ms, double? LatencyP95Ms, int LatencySamples,
    string LatencySource, double? TimeToDeliverP95Seconds, DateTime? LastSuccessAt, string? LastError);

/// <summary>A flow that has been quiet for longer than it usually is.</summary>
public sealed record SilenceAlert(string Endpoint, string SourceSystem, DateTime LastReceivedAt, double SilentForSeconds, double NormalIntervalSeconds, string Message);

/// <summary>Integration health as the page and the API show it.</summary>
public sealed record IntegrationHealth(DateTime GeneratedAt, IReadOnlyList<SilenceAlert> Alerts, IReadOnlyList<InboundEndpointHealth> Inbound,
    IReadOnlyList<OutboundTargetHealth> Outbound);

/// <summary>
/// Integration health from stored rows: every inbound endpoint and flow (from the inbox) and every outbound target (from
/// the outbox and the recorded delivery attempts), plus each target's live circuit. Each flow and target is read through
/// its own index range (see migration 0008), so the cost follows the number of flows and the recent traffic, not history.
/// </summary>
public static class IntegrationHealthQuery
{
    public static async Task<IntegrationHealth> GetAsync(HealthSyncDb db, DeliveryTargets targets, TimeProvider time, SilenceOptions options, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var inbound = await InboundAsync(db, now, options, ct);
        var alerts = inbound.SelectMany(e => e.Flows.Where(f => f.Silent).Select(f => Alert(e, f))).OrderByDescending(a => a.SilentForSeconds / a.NormalIntervalSeconds).ToList();
        var outbound = new List<OutboundTargetHealth>();
        foreach (var target in targets.All) outbound.Add(await OutboundAsync(db, target, now, ct));
        return new IntegrationHealth(now, alerts, inbound, outbound);
    }

    private static SilenceAlert Alert(InboundEndpointHealth e, InboundFlow f)
    {
        var silent = TimeSpan.FromSeconds(f.SilentForSeconds!.Value);
        var normal = TimeSpan.FromSeconds(f.NormalIntervalSeconds!.Value);
        return new SilenceAlert(e.Name, f.SourceSystem, f.LastReceivedAt!.Value, f.SilentForSeconds.Value, f.NormalIntervalSeconds.Value,
            $"{e.Name} from {f.SourceSystem}: silent for {Durations.Describe(silent)}, usually every {Durations.Describe(normal)}");
    }

    private sealed record FlowKey(string SourceSystem, string Transport, string Format);

    /// <summary>
    /// Every distinct (source system, transport, format) in the inbox by a loose index scan: from each flow, the next one
    /// is the first index entry after it (a later format of the same system and transport, else a later transport, else a
    /// later system), each an index seek, so finding twenty flows among millions of messages costs some sixty seeks.
    /// </summary>
    private static Task<List<FlowKey>> FlowsAsync(HealthSyncDb db, CancellationToken ct) =>
        db.Database.SqlQueryRaw<FlowKey>("""
            WITH RECURSIVE flow(id) AS (
                SELECT (SELECT id FROM inbox_messages ORDER BY source_system, transport, format LIMIT 1)
                UNION ALL
                SELECT (SELECT COALESCE(
                        (SELECT n.id FROM inbox_messages AS n WHERE n.source_system = c.source_system AND n.transport = c.transport AND n.format > c.format
                         ORDER BY n.format LIMIT 1),
                        (SELECT n.id FROM inbox_messages AS n WHERE n.source_system = c.source_system AND n.transport > c.transport
                         ORDER BY n.transport, n.format LIMIT 1),
                        (SELECT n.id FROM inbox_messages AS n WHERE n.source_system > c.source_system
                         ORDER BY n.source_system, n.transport, n.format LIMIT 1))
                    FROM inbox_messages AS c WHERE c.id = flow.id)
                FROM flow WHERE flow.id IS NOT NULL
            )
            SELECT m.source_system AS "SourceSystem", m.transport AS "Transport", m.format AS "Format"
            FROM flow JOIN inbox_messages AS m ON m.id = flow.id
            """).ToListAsync(ct);

    private static async Task<List<InboundEndpointHealth>> InboundAsync(HealthSyncDb db, DateTime now, SilenceOptions options, CancellationToken ct)
    {
        var flows = new List<(InboundEndpointName Endpoint, InboundFlow Flow)>();
        foreach (var key in await FlowsAsync(db, ct))
            flows.Add((InboundEndpoints.Name(key.Transport, key.Format), await FlowAsync(db, key, now, options, ct)));
        var endpoints = InboundEndpoints.Known.Concat(flows.Select(f => f.Endpoint)).DistinctBy(e => (e.Transport, e.Format)).ToList();
        return endpoints.Select(e =>
        {
            var mine = flows.Where(f => f.Endpoint.Transport == e.Transport && f.Endpoint.Format == e.Format).Select(f => f.Flow).OrderBy(f => f.SourceSystem, StringComparer.Ordinal).ToList();
            var day = mine.Sum(f => f.Last24Hours);
            var rejected = mine.Sum(f => f.Rejected24Hours);
            return new InboundEndpointHealth(e.Name, e.Transport, e.Format, e.Address, mine.Sum(f => f.LastHour), day, rejected,
                day == 0 ? null : (double)rejected / day, mine.Max(f => f.LastReceivedAt), mine.Max(f => f.LastSuccessAt), mine);
        }).ToList();
    }

    private static async Task<InboundFlow> FlowAsync(HealthSyncDb db, FlowKey key, DateTime now, SilenceOptions options, CancellationToken ct)
    {
        var rows = db.InboxMessages.AsNoTracking().Where(m => m.SourceSystem == key.SourceSystem && m.Transport == key.Transport && m.Format == key.Format);
        var hourAgo = now.AddHours(-1);
        var dayAgo = now.AddDays(-1);
        var counts = await rows.Where(m => m.ReceivedAt >= dayAgo)
            .GroupBy(m => new { m.Status, Recent = m.ReceivedAt >= hourAgo })
            .Select(g => new { g.Key.Status, g.Key.Recent, Count = g.Count() }).ToListAsync(ct);
        var last = await rows.OrderByDescending(m => m.ReceivedAt).Select(m => (DateTime?)m.ReceivedAt).FirstOrDefaultAsync(ct);
        var lastSuccess = await rows.Where(m => m.Status != InboxStatus.Rejected).OrderByDescending(m => m.ReceivedAt).Select(m => (DateTime?)m.ReceivedAt).FirstOrDefaultAsync(ct);
        TimeSpan? normal = null;
        if (last is { } l)
        {
            var since = l.AddDays(-options.HistoryDays);
            var history = await rows.Where(m => m.ReceivedAt >= since).OrderByDescending(m => m.ReceivedAt).Select(m => m.ReceivedAt).Take(options.MaxSamples).ToListAsync(ct);
            normal = SilenceRules.NormalInterval(history, options);
        }
        var day = counts.Sum(c => c.Count);
        var rejected = counts.Where(c => c.Status == InboxStatus.Rejected).Sum(c => c.Count);
        var silentFor = last is { } seen ? (now - seen).TotalSeconds : (double?)null;
        return new InboundFlow(key.SourceSystem, counts.Where(c => c.Recent).Sum(c => c.Count), day, rejected, day == 0 ? null : (double)rejected / day,
            last, lastSuccess, normal?.TotalSeconds, silentFor, last is { } at && SilenceRules.IsSilent(at, now, normal));
    }

    /// <summary>How many recent deliveries per target the latency percentiles are taken over.</summary>
    private const int LatencySample = 200;

    private static async Task<OutboundTargetHealth> OutboundAsync(HealthSyncDb db, TargetHealth live, DateTime now, CancellationToken ct)
    {
        var target = live.Name;
        var hourAgo = now.AddHours(-1);
        var dayAgo = now.AddDays(-1);
        var delivered = await db.OutboxMessages.AsNoTracking().Where(o => o.TargetSystem == target && o.DeliveredAt >= dayAgo)
            .GroupBy(o => new { Recent = o.DeliveredAt >= hourAgo, Retried = o.Attempts > 1 })
            .Select(g => new { g.Key.Recent, g.Key.Retried, Count = g.Count() }).ToListAsync(ct);
        // A failed row's last scheduled attempt is when it failed for good.
        var failed = await db.OutboxMessages.AsNoTracking().CountAsync(o => o.Status == OutboxStatus.Failed && o.NextAttemptAt >= dayAgo && o.TargetSystem == target, ct);
        var pending = await db.OutboxMessages.AsNoTracking().CountAsync(o => o.Status == OutboxStatus.Pending && o.TargetSystem == target, ct);
        var recent = await db.OutboxMessages.AsNoTracking().Where(o => o.TargetSystem == target && o.DeliveredAt != null)
            .OrderByDescending(o => o.DeliveredAt).Take(LatencySample)
            .Select(o => new { o.CreatedAt, DeliveredAt = o.DeliveredAt!.Value, o.CallMilliseconds }).ToListAsync(ct);
        var latencies = recent.Select(r => r.CallMilliseconds).OfType<double>().ToList();

        var day = delivered.Sum(d => d.Count);
        var retried = delivered.Where(d => d.Retried).Sum(d => d.Count);
        var finished = day + failed;
        var stored = latencies.Count > 0;
        return new OutboundTargetHealth(target, live.State, live.CircuitOpenedAt, delivered.Where(d => d.Recent).Sum(d => d.Count), day, retried, failed, pending,
            finished == 0 ? null : (double)(retried + failed) / finished,
            stored ? Percentiles.NearestRank(latencies, 0.5) : live.Successes > 0 ? live.MeanLatencyMs : null,
            stored ? Percentiles.NearestRank(latencies, 0.95) : null,
            stored ? latencies.Count : (int)Math.Min(int.MaxValue, live.Successes), stored ? "stored" : "live",
            recent.Count == 0 ? null : Percentiles.NearestRank(recent.Select(r => (r.DeliveredAt - r.CreatedAt).TotalSeconds).ToList(), 0.95),
            recent.Count > 0 ? recent[0].DeliveredAt : live.LastSuccessAt, live.LastError);
    }
}
