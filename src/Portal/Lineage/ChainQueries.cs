using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Reconciliation.Matching;
using HealthSync.Engine.Workflows.Documents;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

/// <summary>One transaction of a chain: its system, documents, steps, deliveries, verdicts and outcome, and why it belongs.</summary>
/// <param name="LinkedBy">The shared keys that brought this transaction into the chain ("po PO-123").</param>
public sealed record ChainLane(
    Guid CorrelationId, string Title, string SourceSystem, string? MessageType, string Transport, DateTime FirstActivity, DateTime LastActivity,
    string Outcome, string OutcomeTone, IReadOnlyList<string> LinkedBy, IReadOnlyList<KeyView> Keys, IReadOnlyList<DocumentView> Documents, IReadOnlyList<LineageStepView> Steps,
    IReadOnlyList<OutboxView> Deliveries, IReadOnlyList<VerdictView> Verdicts, IReadOnlyList<ExceptionSummary> Exceptions);

/// <summary>
/// Every transaction that carries a business key, and the later answers that live in other transactions (the 855
/// acknowledging an 850, the ship notice, receipt and invoice of the same PO, the remittance paying a claim, the billing
/// receipt of a settlement, the ERP postings that batch them), in time order, with the outcome of the whole chain.
/// </summary>
/// <param name="Truncated">More transactions carry the key than the chain shows (the newest are shown).</param>
/// <param name="OutcomeWhere">The lane that decides the chain's outcome.</param>
public sealed record ChainView(string KeyType, string KeyLabel, string Key, string Outcome, string OutcomeTone, string? OutcomeWhere,
    bool Truncated, IReadOnlyList<string> Systems, IReadOnlyList<ChainLane> Lanes);

/// <summary>A chain that may not be shown: patient identifiers searched by a role without need for them.</summary>
public sealed record ChainRefusal(string Reason);

/// <summary>
/// Builds a chain by walking shared keys: the transactions carrying the key, then those sharing the identity of their
/// documents (each document's own number and the number it answers: an invoice's PO, a settlement's payment reference),
/// two steps deep. Only documents that concern the chain lead on, and only through their own numbers, so a remittance
/// found through one claim does not pull in every other claim it pays, nor a settlement file every other settlement.
/// Broad keys (item, SKU, lot, MRN, device) list their own transactions without walking.
/// </summary>
public static class ChainQueries
{
    public const int MaxLanes = 100;
    private const int Depth = 2;

    /// <summary>How many documents of a transaction found by a key none of them carries (a file name) the chain follows.</summary>
    private const int UnkeyedDocuments = 20;

    public static async Task<(ChainView? Chain, ChainRefusal? Refusal)> BuildAsync(HealthSyncDb db, string type, string key, bool seesPhi, CancellationToken ct)
    {
        var kind = LineageKeys.Find(type);
        key = key.Trim();
        if (kind is null || key.Length == 0) return (null, new ChainRefusal($"'{type}' is not a business key type."));
        if (KeyTypes.IsPatientIdentifier(kind.Type) && !seesPhi)
            return (null, new ChainRefusal("Patient identifiers cannot be searched with your role."));

        var linkedBy = new Dictionary<Guid, HashSet<string>>();
        var seeds = await CarryingAsync(db, kind.Type, key, MaxLanes + 1, ct);
        var truncated = seeds.Count > MaxLanes;
        foreach (var s in seeds.Take(MaxLanes)) Link(linkedBy, s, kind.Type, key);

        var followed = new HashSet<(string Type, string Value)> { (kind.Type, key) };
        var relevant = new List<ChainDocument>();
        var frontier = kind.Links ? linkedBy.Keys.ToList() : [];
        for (var depth = 0; depth <= Depth && frontier.Count > 0; depth++)
        {
            var documents = await RelevantDocumentsAsync(db, frontier, followed, firstStep: depth == 0, ct);
            relevant.AddRange(documents);
            frontier = [];
            if (depth == Depth) break;
            foreach (var (t, v) in documents.SelectMany(d => d.Identities()).Where(k => seesPhi || !KeyTypes.IsPatientIdentifier(k.Type)).Where(followed.Add).ToList())
            {
                foreach (var cid in await CarryingAsync(db, t, v, MaxLanes, ct))
                {
                    if (!linkedBy.ContainsKey(cid) && linkedBy.Count >= MaxLanes) { truncated = true; break; }
                    if (!linkedBy.ContainsKey(cid)) frontier.Add(cid);
                    Link(linkedBy, cid, t, v);
                }
            }
        }
        var postingTitles = new Dictionary<Guid, string>();
        foreach (var (cid, reason, title) in await EnginePostingsAsync(db, relevant, ct))
        {
            linkedBy.TryAdd(cid, []);
            linkedBy[cid].Add(reason);
            postingTitles[cid] = title;
        }

        var loaded = await TransactionLoader.LoadAsync(db, linkedBy.Keys.ToList(), allSteps: true, ct);
        var patientValues = loaded.Values.SelectMany(t => t.PatientValues).Distinct().ToList();
        var concerning = relevant.ToLookup(d => d.CorrelationId, d => d.BusinessKey);
        var lanes = loaded.Values
            .Select(t => Lane(t.ConcerningOnly(concerning[t.CorrelationId].ToHashSet(StringComparer.Ordinal)).MaskedFor(seesPhi, patientValues),
                linkedBy[t.CorrelationId], concerning[t.CorrelationId].ToHashSet(StringComparer.Ordinal), postingTitles.GetValueOrDefault(t.CorrelationId), seesPhi))
            .OrderBy(l => l.Lane.FirstActivity).ThenBy(l => l.Lane.CorrelationId).ToList();
        var outcome = Outcomes.ForChain(lanes.Select(l => l.Outcome));
        var where = lanes.FirstOrDefault(l => l.Outcome == outcome).Lane?.Title;
        var shownKey = KeyTypes.IsPatientIdentifier(kind.Type) && !seesPhi ? Security.PhiMask.Mask(key, false)! : key;
        return (new ChainView(kind.Type, kind.Label, shownKey, outcome.Label, LineageQueries.Tone(outcome), where, truncated,
            lanes.Select(l => l.Lane.SourceSystem).Concat(lanes.SelectMany(l => l.Lane.Deliveries.Select(d => d.Target))).Distinct().ToList(),
            lanes.Select(l => l.Lane).ToList()), null);
    }

    private static void Link(Dictionary<Guid, HashSet<string>> linkedBy, Guid cid, string type, string value)
    {
        if (!linkedBy.TryGetValue(cid, out var reasons)) linkedBy[cid] = reasons = [];
        reasons.Add($"{type} {value}");
    }

    /// <summary>The newest transactions carrying a key, through the (key_type, key_value) index.</summary>
    private static Task<List<Guid>> CarryingAsync(HealthSyncDb db, string type, string value, int take, CancellationToken ct) =>
        db.BusinessKeys.AsNoTracking().Where(k => k.KeyType == type && k.KeyValue == value)
            .OrderByDescending(k => k.Id).Select(k => k.CorrelationId).Take(take).ToListAsync(ct);

    /// <summary>A document of a chain transaction: the numbers it is known by.</summary>
    private sealed record ChainDocument(Guid CorrelationId, string Kind, string BusinessKey, string? Reference, string? Partner)
    {
        /// <summary>The number it answers, without a path prefix (a receipt may name its order as <c>SupplyRequest/PO123</c>).</summary>
        public (string Type, string Value)? Answers =>
            LineageKeys.ReferenceKeyOf(Kind) is { } type && !string.IsNullOrWhiteSpace(Reference) ? (type, Reference[(Reference.LastIndexOf('/') + 1)..]) : null;

        public (string Type, string Value) Own => (DocumentHandler.KeyFor(Kind), BusinessKey);

        public IEnumerable<(string Type, string Value)> Identities() => Answers is { } a ? [Own, a] : [Own];
    }

    /// <summary>
    /// The documents of these transactions that concern the chain: those numbered by, or answering, a key already
    /// followed. A settlement file carries hundreds of settlements; only the one searched for leads on. Where none
    /// concerns it (a transaction found by its message control id or file name), the first step follows all of them.
    /// </summary>
    private static async Task<List<ChainDocument>> RelevantDocumentsAsync(HealthSyncDb db, List<Guid> correlationIds, HashSet<(string Type, string Value)> followed,
        bool firstStep, CancellationToken ct)
    {
        var documents = (await db.BusinessDocuments.AsNoTracking().Where(d => correlationIds.Contains(d.CorrelationId))
            .Select(d => new { d.CorrelationId, d.Kind, d.BusinessKey, d.Reference, d.Partner }).ToListAsync(ct))
            .Select(d => new ChainDocument(d.CorrelationId, d.Kind, d.BusinessKey, d.Reference, d.Partner)).ToList();
        var concerned = documents.Where(d => followed.Contains(d.Own) || (d.Answers is { } a && followed.Contains(a))).ToList();
        return concerned.Count > 0 || !firstStep ? concerned : documents.Take(UnkeyedDocuments).ToList();
    }

    /// <summary>
    /// Postings the engine made itself on behalf of these transactions, which carry no inbound message of their own: the
    /// AP batch an invoice was aggregated into (the aggregation verdict's reference), and the day's journal entry of a
    /// matched settlement (its entry id derives from facility and day, <see cref="DailyCash.EntryId"/>).
    /// </summary>
    private static async Task<List<(Guid CorrelationId, string Reason, string Title)>> EnginePostingsAsync(HealthSyncDb db, List<ChainDocument> documents, CancellationToken ct)
    {
        var aggregated = documents.Where(d => d.Kind == FactKinds.Invoice).Select(d => $"{d.Partner}|{d.BusinessKey}").Distinct().ToList();
        var settled = documents.Where(d => d.Kind == FactKinds.PaymentSettlement).Select(d => d.BusinessKey).Distinct().ToList();
        if (aggregated.Count == 0 && settled.Count == 0) return [];
        var verdicts = await db.ReconciliationResults.AsNoTracking()
            .Where(r => (r.Reconciliation == MicroBatches.InvoiceAggregation && aggregated.Contains(r.SubjectKey))
                || (r.Reconciliation == Reconciliations.Cash && r.Matched && settled.Contains(r.SubjectKey)))
            .Select(r => new { r.Reconciliation, r.SubjectKey, r.Reference, r.Facility, r.SubjectDate }).ToListAsync(ct);
        var postings = new List<(string IdempotencyKey, string Reason, string Title)>();
        foreach (var v in verdicts)
        {
            if (v.Reconciliation == MicroBatches.InvoiceAggregation)
            {
                if (v.Reference is not { } batch) continue;
                postings.Add(("ap:" + batch, $"invoice {v.SubjectKey.Split('|')[^1]}", $"AP batch {batch}"));
            }
            else
            {
                var entry = DailyCash.EntryId(v.Facility ?? "", DateOnly.FromDateTime(v.SubjectDate));
                postings.Add(("journal:" + entry, $"settlement {v.SubjectKey}", $"Journal entry {entry}"));
            }
        }
        var idempotencyKeys = postings.Select(p => p.IdempotencyKey).Distinct().ToList();
        var rows = await db.OutboxMessages.AsNoTracking().Where(o => idempotencyKeys.Contains(o.IdempotencyKey))
            .Select(o => new { o.IdempotencyKey, o.CorrelationId }).ToListAsync(ct);
        return (from p in postings join r in rows on p.IdempotencyKey equals r.IdempotencyKey select (r.CorrelationId, p.Reason, p.Title)).ToList();
    }

    /// <param name="concerning">The numbers of the lane's documents that concern the chain; its title names those.</param>
    private static (ChainLane Lane, Outcome Outcome) Lane(LoadedTransaction t, HashSet<string> linkedBy, HashSet<string> concerning, string? postingTitle, bool seesPhi)
    {
        var m = t.Message;
        var named = t.Documents.Where(d => concerning.Contains(d.BusinessKey)).ToList() is { Count: > 0 } subset ? subset : t.Documents;
        var title = postingTitle is not null ? $"{postingTitle} to {t.Deliveries.FirstOrDefault()?.Target}"
            : named.Count > 0
            ? string.Join(", ", named.Take(2).Select(d => $"{DocumentHandler.Describe(d.Kind)} {d.BusinessKey}")) + (named.Count > 2 ? $" and {named.Count - 2} more" : "")
                + (named.Count < t.Documents.Count ? $" (of {t.Documents.Count} documents in the message)" : "")
            : m is null ? $"{t.Deliveries.FirstOrDefault()?.Target} {t.Deliveries.FirstOrDefault()?.Operation}"
            : $"{m.MessageType ?? m.Format} from {m.SourceSystem}";
        var reasons = linkedBy.Select(r => seesPhi ? r : MaskReason(r)).Order(StringComparer.Ordinal).ToList();
        return (new ChainLane(t.CorrelationId, title, m?.SourceSystem ?? "engine", m?.MessageType ?? t.Deliveries.FirstOrDefault()?.Operation, m?.Transport ?? "engine",
            t.FirstActivity ?? default, t.LastActivity ?? default, t.Outcome.Label, LineageQueries.Tone(t.Outcome), reasons,
            t.Keys, t.Documents, t.Steps, t.Deliveries, t.Verdicts, t.Exceptions), t.Outcome);
    }

    /// <summary>"encounter E123" as "encounter ••••23" for roles without need for patient identifiers.</summary>
    private static string MaskReason(string reason)
    {
        var space = reason.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && KeyTypes.IsPatientIdentifier(reason[..space]) ? reason[..space] + " " + Security.PhiMask.Mask(reason[(space + 1)..], false) : reason;
    }
}
