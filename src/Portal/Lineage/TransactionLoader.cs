using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

/// <summary>The inbound message of a transaction, without its payload.</summary>
public sealed record MessageHeader(long Id, Guid CorrelationId, string SourceSystem, string Format, string Transport, string? MessageType,
    DateTime ReceivedAt, InboxStatus Status, int PayloadBytes, int PayloadVersion);

/// <summary>Everything stored about one transaction except its payload, with its outcome decided.</summary>
/// <param name="Message">Null for a posting the engine started itself (a journal entry, an AP batch).</param>
/// <param name="Steps">Every step in time order; empty when only the first and last activity were asked for.</param>
public sealed record LoadedTransaction(
    Guid CorrelationId, MessageHeader? Message, IReadOnlyList<KeyView> Keys, IReadOnlyList<LineageStepView> Steps,
    DateTime? FirstActivity, DateTime? LastActivity, IReadOnlyList<OutboxView> Deliveries, IReadOnlyList<ExceptionSummary> Exceptions,
    IReadOnlyList<DocumentView> Documents, IReadOnlyList<VerdictView> Verdicts, Outcome Outcome, OutcomeFacts Facts)
{
    /// <summary>
    /// The transaction as far as it concerns some of its documents only (one settlement of a settlement file): their
    /// verdicts, the exceptions the others' verdicts raised left out, and the outcome that decides. Verdict subjects name
    /// the documents they judge (vendor|invoice|line|item, payment|claim, the settlement id), so a verdict concerns a
    /// document when one part of its subject is its number.
    /// </summary>
    public LoadedTransaction ConcerningOnly(IReadOnlyCollection<string> documentNumbers)
    {
        if (documentNumbers.Count == 0 || documentNumbers.Count >= Documents.Count) return this;
        var verdicts = Verdicts.ToLookup(v => v.SubjectKey.Split('|').Any(documentNumbers.Contains));
        var othersRaised = verdicts[false].Select(v => v.ExceptionId).OfType<Guid>().ToHashSet();
        var exceptions = Exceptions.Where(e => !othersRaised.Contains(e.Id)).ToList();
        var facts = Facts with { Verdicts = verdicts[true].ToList(), OpenExceptions = exceptions.Count(e => e.Status == nameof(ExceptionStatus.Open)) };
        return this with { Verdicts = facts.Verdicts, Exceptions = exceptions, Facts = facts, Outcome = Outcomes.For(facts) };
    }

    /// <summary>The values of this transaction's patient keys, which are blanked wherever they appear for roles without need.</summary>
    public IEnumerable<string> PatientValues => Keys.Where(k => KeyTypes.IsPatientIdentifier(k.Type)).Select(k => k.Value);

    /// <summary>
    /// The same transaction as a role without need for patient identifiers may see it: patient keys shortened to their last
    /// two characters, visit numbers masked, and every patient value blanked in step details, exceptions and verdicts.
    /// </summary>
    public LoadedTransaction MaskedFor(bool seesPhi, IReadOnlyCollection<string> patientValues)
    {
        if (seesPhi) return this;
        string Blank(string text) => PayloadMasking.Mask("text", text, patientValues);
        return this with
        {
            Keys = Keys.Select(k => KeyTypes.IsPatientIdentifier(k.Type) ? k with { Value = PhiMask.Mask(k.Value, false)! } : k).ToList(),
            Documents = Documents.Select(d => d.Kind == FactKinds.PatientVisit ? d with { BusinessKey = PhiMask.Mask(d.BusinessKey, false)! } : d).ToList(),
            Steps = Steps.Select(s => s with { Detail = s.Detail is null ? null : Blank(s.Detail) }).ToList(),
            Exceptions = Exceptions.Select(e => e with { ErrorDetail = Blank(e.ErrorDetail) }).ToList(),
            Verdicts = Verdicts.Select(v => v with { Detail = v.Detail is null ? null : Blank(v.Detail) }).ToList(),
        };
    }
}

/// <summary>
/// Loads many transactions at once: one query per table for all of them, each through its correlation id index, so a
/// search page of fifty hits or a chain of a hundred lanes costs a fixed handful of queries, not a handful per transaction.
/// </summary>
public static class TransactionLoader
{
    public static async Task<Dictionary<Guid, LoadedTransaction>> LoadAsync(HealthSyncDb db, IReadOnlyCollection<Guid> correlationIds, bool allSteps, CancellationToken ct)
    {
        var ids = correlationIds.Distinct().ToList();
        if (ids.Count == 0) return [];
        var messages = await db.InboxMessages.AsNoTracking().Where(m => ids.Contains(m.CorrelationId))
            .Select(m => new MessageHeader(m.Id, m.CorrelationId, m.SourceSystem, m.Format, m.Transport, m.MessageType, m.ReceivedAt, m.Status, m.Payload.Length, m.PayloadVersion))
            .ToListAsync(ct);
        var keys = (await db.BusinessKeys.AsNoTracking().Where(k => ids.Contains(k.CorrelationId)).OrderBy(k => k.Id)
            .Select(k => new { k.CorrelationId, View = new KeyView(k.KeyType, k.KeyValue) }).ToListAsync(ct)).ToLookup(k => k.CorrelationId, k => k.View);
        var deliveryRows = await db.OutboxMessages.AsNoTracking().Where(o => ids.Contains(o.CorrelationId)).OrderBy(o => o.Id)
            .Select(o => new
            {
                o.CorrelationId, o.FactId,
                View = new OutboxView(o.Id, o.TargetSystem, o.Operation, o.Status.ToString(), o.Attempts, o.RemoteReference, o.LastError, o.DeliveredAt, o.LastStatusCode, o.CreatedAt),
            }).ToListAsync(ct);
        var deliveries = deliveryRows.ToLookup(d => d.CorrelationId, d => d.View);
        var exceptions = (await db.Exceptions.AsNoTracking().Where(e => ids.Contains(e.CorrelationId)).OrderBy(e => e.CreatedAt)
            .Select(e => new { e.CorrelationId, View = new ExceptionSummary(e.Id, e.Category, e.ErrorCode, e.ErrorDetail, e.Status.ToString(), e.Team, e.CreatedAt, e.AmountAtRisk) })
            .ToListAsync(ct)).ToLookup(e => e.CorrelationId, e => e.View);
        var documentRows = await db.BusinessDocuments.AsNoTracking().Where(d => ids.Contains(d.CorrelationId)).OrderBy(d => d.Id)
            .Select(d => new { d.CorrelationId, View = new DocumentView(d.Kind, d.BusinessKey, d.Reference, d.Partner, d.Amount, d.LineCount) })
            .ToListAsync(ct);
        var documents = documentRows.ToLookup(d => d.CorrelationId, d => d.View);
        var verdicts = await VerdictLookup.FindAsync(db,
            documentRows.Select(d => new DocumentKey(d.CorrelationId, d.View.Kind, d.View.BusinessKey, d.View.Partner)).ToList(),
            deliveryRows.Select(d => (d.CorrelationId, new OutboxMessageRef(d.View.Operation, d.FactId))).ToList(), ct);
        var answers = await AnswersAsync(db, documentRows.Select(d => d.View).ToList(), ct);

        ILookup<Guid, LineageStepView> steps;
        Dictionary<Guid, (DateTime First, DateTime Last)> activity;
        if (allSteps)
        {
            steps = (await db.LineageSteps.AsNoTracking().Where(s => ids.Contains(s.CorrelationId)).OrderBy(s => s.At).ThenBy(s => s.Id)
                .Select(s => new { s.CorrelationId, View = new LineageStepView(s.At, s.Step, s.System, s.Outcome, s.Detail, s.PayloadVersion) })
                .ToListAsync(ct)).ToLookup(s => s.CorrelationId, s => s.View);
            activity = steps.ToDictionary(g => g.Key, g => (g.Min(s => s.At), g.Max(s => s.At)));
        }
        else
        {
            steps = Array.Empty<(Guid, LineageStepView)>().ToLookup(s => s.Item1, s => s.Item2);
            activity = (await db.LineageSteps.AsNoTracking().Where(s => ids.Contains(s.CorrelationId))
                .GroupBy(s => s.CorrelationId).Select(g => new { g.Key, First = g.Min(s => s.At), Last = g.Max(s => s.At) }).ToListAsync(ct))
                .ToDictionary(a => a.Key, a => (a.First, a.Last));
        }

        var byId = messages.GroupBy(m => m.CorrelationId).ToDictionary(g => g.Key, g => g.First());
        var result = new Dictionary<Guid, LoadedTransaction>();
        foreach (var id in ids)
        {
            var message = byId.GetValueOrDefault(id);
            var d = deliveries[id].ToList();
            if (message is null && d.Count == 0) continue;
            var docs = documents[id].ToList();
            var v = verdicts[id].ToList();
            var ex = exceptions[id].ToList();
            var (awaited, received) = answers.For(docs, d);
            var facts = new OutcomeFacts(message?.Status, d, ex.Count(e => e.Status == nameof(ExceptionStatus.Open)), docs.Count, v, awaited, received);
            var outcome = Outcomes.For(facts);
            var (first, last) = activity.TryGetValue(id, out var a) ? a : (message?.ReceivedAt ?? d.Min(x => x.CreatedAt), message?.ReceivedAt ?? d.Max(x => x.DeliveredAt ?? x.CreatedAt));
            result[id] = new LoadedTransaction(id, message, keys[id].ToList(), steps[id].ToList(), first, last, d, ex, docs, v, outcome, facts);
        }
        return result;
    }

    /// <summary>Which purchase orders have their acknowledgement (855, or an 856 that implies it) and which claims their remittance.</summary>
    private static async Task<PartnerAnswers> AnswersAsync(HealthSyncDb db, IReadOnlyList<DocumentView> documents, CancellationToken ct)
    {
        var orders = documents.Where(d => d.Kind == FactKinds.PurchaseOrder).Select(d => d.BusinessKey).Distinct().ToList();
        var claims = documents.Where(d => d.Kind == FactKinds.Claim).Select(d => d.BusinessKey).Distinct().ToList();
        var acknowledged = orders.Count == 0 ? [] : await db.BusinessDocuments.AsNoTracking()
            .Where(d => (d.Kind == FactKinds.PurchaseOrderAck && orders.Contains(d.BusinessKey)) || (d.Kind == FactKinds.ShipNotice && orders.Contains(d.Reference!)))
            .Select(d => d.Kind == FactKinds.PurchaseOrderAck ? d.BusinessKey : d.Reference!).Distinct().ToListAsync(ct);
        var remitted = claims.Count == 0 ? [] : await db.BusinessKeys.AsNoTracking()
            .Where(k => k.KeyType == KeyTypes.Claim && claims.Contains(k.KeyValue))
            .Join(db.BusinessDocuments.Where(d => d.Kind == FactKinds.Remittance), k => k.CorrelationId, d => d.CorrelationId, (k, d) => k.KeyValue)
            .Distinct().ToListAsync(ct);
        return new PartnerAnswers(acknowledged.ToHashSet(StringComparer.Ordinal), remitted.ToHashSet(StringComparer.Ordinal));
    }

    private sealed record PartnerAnswers(HashSet<string> Acknowledged, HashSet<string> Remitted)
    {
        /// <summary>
        /// A PO sent to its supplier awaits an acknowledgement until one arrives; a claim awaits its remittance. A PO not
        /// sent yet awaits nothing from the supplier (its delivery outcome speaks for it).
        /// </summary>
        public (List<string> Awaited, List<string> Received) For(IReadOnlyList<DocumentView> documents, IReadOnlyList<OutboxView> deliveries)
        {
            List<string> awaited = [], received = [];
            var sent = deliveries.Any(d => d.Operation == Operations.SupplierPurchaseOrder && d.Status == nameof(OutboxStatus.Delivered));
            foreach (var po in documents.Where(d => d.Kind == FactKinds.PurchaseOrder))
            {
                if (Acknowledged.Contains(po.BusinessKey)) received.Add(Outcomes.Acknowledgement);
                else if (sent) awaited.Add(Outcomes.Acknowledgement);
            }
            foreach (var claim in documents.Where(d => d.Kind == FactKinds.Claim))
                (Remitted.Contains(claim.BusinessKey) ? received : awaited).Add(Outcomes.Remittance);
            return (awaited, received);
        }
    }
}
