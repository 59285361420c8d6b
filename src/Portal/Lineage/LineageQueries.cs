using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

/// <summary>Lineage search and the lineage of one transaction, as the pages and the API show them.</summary>
public static class LineageQueries
{
    /// <summary>Key types that identify one transaction rather than a business object; they lead to its own page, not to a chain.</summary>
    private static readonly HashSet<string> TransactionIdentities = [KeyTypes.MessageControlId, KeyTypes.SourceEvent, KeyTypes.File];

    public static async Task<TransactionLineage?> GetAsync(HealthSyncDb db, Guid correlationId, bool seesPhi, CancellationToken ct)
    {
        var loaded = (await TransactionLoader.LoadAsync(db, [correlationId], allSteps: true, ct)).GetValueOrDefault(correlationId);
        if (loaded is null) return null;
        var patientValues = loaded.PatientValues.ToList();
        var t = loaded.MaskedFor(seesPhi, patientValues);
        var m = loaded.Message;
        var chains = loaded.Keys
            .Where(k => LineageKeys.Find(k.Type) is { Links: true } && !TransactionIdentities.Contains(k.Type) && (seesPhi || !KeyTypes.IsPatientIdentifier(k.Type)))
            .Select(k => new ChainLink(k.Type, LineageKeys.Label(k.Type), k.Value, LineageKeys.ChainUrl(k.Type, k.Value)))
            .ToList();
        var replays = t.Steps.Where(s => s.Step == Steps.Replayed).ToList();
        var tone = Tone(t.Outcome);
        if (m is null)
        {
            // A posting the engine started itself (a day's journal entry, an AP batch): its outbound body is what there is to show.
            var delivery = await db.OutboxMessages.AsNoTracking().Where(o => o.CorrelationId == correlationId).OrderBy(o => o.Id)
                .Select(o => new { o.Operation, o.Payload, o.CreatedAt, o.Status }).FirstAsync(ct);
            return new TransactionLineage(correlationId, "engine", "json", "engine", delivery.Operation, delivery.CreatedAt, delivery.Status.ToString(),
                delivery.Payload.Length, t.Keys, t.Steps, t.Deliveries, t.Exceptions, t.Documents, delivery.Payload, false,
                t.Outcome.Label, tone, t.Verdicts, replays, 1, [], chains);
        }

        var payload = await db.InboxMessages.AsNoTracking().Where(x => x.Id == m.Id).Select(x => x.Payload).FirstAsync(ct);
        var text = PayloadMasking.Text(payload);
        if (!seesPhi) text = PayloadMasking.Mask(m.Format, text, patientValues);
        var versions = await db.PayloadVersions.AsNoTracking().Where(v => v.InboxMessageId == m.Id).OrderBy(v => v.Version)
            .Select(v => new PayloadVersionView(v.Version, v.CreatedAt, v.CreatedBy, v.Reason)).ToListAsync(ct);
        return new TransactionLineage(correlationId, m.SourceSystem, m.Format, m.Transport, m.MessageType, m.ReceivedAt, m.Status.ToString(),
            m.PayloadBytes, t.Keys, t.Steps, t.Deliveries, t.Exceptions, t.Documents, PayloadMasking.ForDisplay(m.Format, text), !seesPhi,
            t.Outcome.Label, tone, t.Verdicts, replays, m.PayloadVersion, versions, chains);
    }

    /// <summary>
    /// Finds transactions by correlation id or by any business key, newest first. Patient identifiers (encounter, patient
    /// account, MRN) are searched only for roles that may see them. <paramref name="query"/> may name the key type
    /// (<c>po:PO-123</c>); <paramref name="keyType"/> does the same. The value is matched as typed and in upper case.
    /// </summary>
    /// <remarks>
    /// Uses the (key_type, key_value) index with the searchable types as an IN list. The newest matching key ids are
    /// picked from the index alone and only those rows are read, so an item found in a hundred thousand transactions
    /// costs an index range count, not a hundred thousand row reads.
    /// </remarks>
    public static async Task<IReadOnlyList<LineageHit>> SearchAsync(HealthSyncDb db, string query, bool seesPhi, CancellationToken ct, int limit = 50, string? keyType = null)
    {
        var parsed = LineageKeys.Parse(query, keyType);
        if (parsed is null) return [];
        if (parsed.CorrelationId is { } id)
        {
            var byId = await db.InboxMessages.AsNoTracking().Where(m => m.CorrelationId == id).Select(m => m.CorrelationId).ToListAsync(ct);
            if (byId.Count == 0)
                byId = await db.OutboxMessages.AsNoTracking().Where(o => o.CorrelationId == id).Select(o => o.CorrelationId).Take(1).ToListAsync(ct);
            return await HitsAsync(db, byId.Select(c => (c, "correlation id", (string?)null)).ToList(), ct);
        }
        var types = parsed.KeyType is { } t ? [t] : LineageKeys.Searchable(seesPhi);
        if (!seesPhi && types.Any(KeyTypes.IsPatientIdentifier)) return [];
        var value = parsed.Value;
        var upper = value.ToUpperInvariant();
        var newest = await db.BusinessKeys.AsNoTracking()
            .Where(k => EF.Constant(types).Contains(k.KeyType) && (k.KeyValue == value || k.KeyValue == upper))
            .OrderByDescending(k => k.Id).Select(k => k.Id).Take(limit * 2).ToListAsync(ct);
        var rows = await db.BusinessKeys.AsNoTracking().Where(k => newest.Contains(k.Id)).OrderByDescending(k => k.Id)
            .Select(k => new { k.CorrelationId, k.KeyType, k.KeyValue }).ToListAsync(ct);
        var matches = rows.DistinctBy(r => r.CorrelationId).Take(limit).Select(r => (r.CorrelationId, r.KeyType, (string?)r.KeyValue)).ToList();
        return await HitsAsync(db, matches, ct);
    }

    private static async Task<IReadOnlyList<LineageHit>> HitsAsync(HealthSyncDb db, List<(Guid CorrelationId, string MatchedOn, string? MatchedKey)> matches, CancellationToken ct)
    {
        var loaded = await TransactionLoader.LoadAsync(db, matches.Select(m => m.CorrelationId).ToList(), allSteps: false, ct);
        var hits = new List<LineageHit>(matches.Count);
        foreach (var (cid, on, key) in matches)
        {
            if (!loaded.TryGetValue(cid, out var t)) continue;
            var m = t.Message;
            hits.Add(new LineageHit(cid, m?.ReceivedAt ?? t.FirstActivity ?? default, m?.SourceSystem ?? "engine", m?.MessageType ?? t.Deliveries.FirstOrDefault()?.Operation,
                m?.Status.ToString() ?? t.Deliveries.FirstOrDefault()?.Status ?? "", on, key, t.FirstActivity, t.LastActivity, t.Outcome.Label, Tone(t.Outcome)));
        }
        return hits;
    }

    /// <summary>The 25 newest transactions, for the lineage page before anything was searched.</summary>
    public static async Task<IReadOnlyList<LineageHit>> RecentAsync(HealthSyncDb db, CancellationToken ct)
    {
        var ids = await db.InboxMessages.AsNoTracking().OrderByDescending(m => m.Id).Take(25).Select(m => m.CorrelationId).ToListAsync(ct);
        return await HitsAsync(db, ids.Select(c => (c, "", (string?)null)).ToList(), ct);
    }

    public static string Tone(Outcome outcome) => outcome.Tone switch
    {
        OutcomeTone.Problem => "problem",
        OutcomeTone.InProgress => "in-progress",
        _ => "done",
    };
}
