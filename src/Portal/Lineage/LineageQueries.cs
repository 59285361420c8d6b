using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

public sealed record LineageStepView(DateTime At, string Step, string System, string Outcome, string? Detail, int PayloadVersion);
public sealed record KeyView(string Type, string Value);
public sealed record ExceptionSummary(Guid Id, string Category, string ErrorCode, string ErrorDetail, string Status, string? Team, DateTime CreatedAt, decimal AmountAtRisk);
public sealed record DocumentView(string Kind, string BusinessKey, string? Reference, string? Partner, decimal? Amount, int LineCount);
public sealed record OutboxView(long Id, string Target, string Operation, string Status, int Attempts, string? RemoteReference, string? LastError, DateTime? DeliveredAt);

/// <summary>One transaction end to end: the raw message, every step, its deliveries and its exceptions.</summary>
public sealed record TransactionLineage(
    Guid CorrelationId, string SourceSystem, string Format, string Transport, string? MessageType, DateTime ReceivedAt, string Status,
    int PayloadBytes, IReadOnlyList<KeyView> Keys, IReadOnlyList<LineageStepView> Steps, IReadOnlyList<OutboxView> Deliveries,
    IReadOnlyList<ExceptionSummary> Exceptions, IReadOnlyList<DocumentView> Documents, string Payload, bool PayloadMasked)
{
    /// <summary>Outcome in business terms, not transport terms.</summary>
    public string Outcome =>
        Exceptions.Any(e => e.Status == "Open") ? "needs attention"
        : Status == "Rejected" ? "rejected"
        : Deliveries.Count == 0 ? (Status == "Received" ? "waiting to be processed" : Documents.Count > 0 ? "recorded" : "nothing to post")
        : Deliveries.All(d => d.Status == "Delivered" && d.RemoteReference is not null) ? "posted"
        : Deliveries.Any(d => d.Status == "Pending") ? "posting in progress"
        : Deliveries.Any(d => d.Status == "Delivered" && d.RemoteReference is null) ? "delivered but not posted"
        : "failed";
}

public sealed record LineageHit(Guid CorrelationId, DateTime ReceivedAt, string SourceSystem, string? MessageType, string Status, string MatchedOn);

public static class LineageQueries
{
    public static async Task<TransactionLineage?> GetAsync(HealthSyncDb db, Guid correlationId, bool seesPhi, CancellationToken ct)
    {
        var message = await db.InboxMessages.AsNoTracking()
            .Where(m => m.CorrelationId == correlationId)
            .Select(m => new { m.SourceSystem, m.Format, m.Transport, m.MessageType, m.ReceivedAt, m.Status, m.Payload })
            .FirstOrDefaultAsync(ct);
        if (message is null) return null;
        var keys = await db.BusinessKeys.AsNoTracking().Where(k => k.CorrelationId == correlationId).OrderBy(k => k.Id)
            .Select(k => new KeyView(k.KeyType, k.KeyValue)).ToListAsync(ct);
        var steps = await db.LineageSteps.AsNoTracking().Where(s => s.CorrelationId == correlationId).OrderBy(s => s.At).ThenBy(s => s.Id)
            .Select(s => new LineageStepView(s.At, s.Step, s.System, s.Outcome, s.Detail, s.PayloadVersion)).ToListAsync(ct);
        var deliveries = await db.OutboxMessages.AsNoTracking().Where(o => o.CorrelationId == correlationId).OrderBy(o => o.Id)
            .Select(o => new OutboxView(o.Id, o.TargetSystem, o.Operation, o.Status.ToString(), o.Attempts, o.RemoteReference, o.LastError, o.DeliveredAt)).ToListAsync(ct);
        var exceptions = await db.Exceptions.AsNoTracking().Where(e => e.CorrelationId == correlationId).OrderBy(e => e.CreatedAt)
            .Select(e => new ExceptionSummary(e.Id, e.Category, e.ErrorCode, e.ErrorDetail, e.Status.ToString(), e.Team, e.CreatedAt, e.AmountAtRisk)).ToListAsync(ct);
        var documents = await db.BusinessDocuments.AsNoTracking().Where(d => d.CorrelationId == correlationId).OrderBy(d => d.Id)
            .Select(d => new DocumentView(d.Kind, d.BusinessKey, d.Reference, d.Partner, d.Amount, d.LineCount)).ToListAsync(ct);
        var text = PayloadMasking.Text(message.Payload);
        if (!seesPhi)
        {
            var patientValues = keys.Where(k => KeyTypes.IsPatientIdentifier(k.Type)).Select(k => k.Value).ToList();
            text = PayloadMasking.Mask(message.Format, text, patientValues);
            documents = documents.Select(d => d.Kind == "patient-visit" ? d with { BusinessKey = PhiMask.Mask(d.BusinessKey, false)! } : d).ToList();
            // Step details and exception texts name the patient keys they concern (a visit, an encounter's ordering key).
            steps = steps.Select(st => st with { Detail = st.Detail is null ? null : PayloadMasking.Mask("text", st.Detail, patientValues) }).ToList();
            exceptions = exceptions.Select(e => e with { ErrorDetail = PayloadMasking.Mask("text", e.ErrorDetail, patientValues) }).ToList();
        }
        return new TransactionLineage(correlationId, message.SourceSystem, message.Format, message.Transport, message.MessageType, message.ReceivedAt,
            message.Status.ToString(), message.Payload.Length,
            keys.Select(k => KeyTypes.IsPatientIdentifier(k.Type) ? k with { Value = PhiMask.Mask(k.Value, seesPhi)! } : k).ToList(),
            steps, deliveries, exceptions, documents, PayloadMasking.ForDisplay(message.Format, text), !seesPhi);
    }

    /// <summary>
    /// Finds transactions by correlation id or by any business key. Patient identifiers can only be searched by
    /// roles that may see them.
    /// </summary>
    public static async Task<IReadOnlyList<LineageHit>> SearchAsync(HealthSyncDb db, string query, bool seesPhi, CancellationToken ct, int limit = 50)
    {
        query = query.Trim();
        if (query.Length == 0) return [];
        if (Guid.TryParse(query, out var id))
        {
            return await db.InboxMessages.AsNoTracking().Where(m => m.CorrelationId == id)
                .Select(m => new LineageHit(m.CorrelationId, m.ReceivedAt, m.SourceSystem, m.MessageType, m.Status.ToString(), "correlation id"))
                .ToListAsync(ct);
        }
        var keys = db.BusinessKeys.AsNoTracking().Where(k => k.KeyValue == query);
        if (!seesPhi) keys = keys.Where(k => k.KeyType != KeyTypes.Encounter && k.KeyType != KeyTypes.PatientAccount && k.KeyType != KeyTypes.Mrn);
        return await keys
            .Join(db.InboxMessages, k => k.CorrelationId, m => m.CorrelationId, (k, m) => new { k.KeyType, m })
            .OrderByDescending(x => x.m.Id)
            .Take(limit)
            .Select(x => new LineageHit(x.m.CorrelationId, x.m.ReceivedAt, x.m.SourceSystem, x.m.MessageType, x.m.Status.ToString(), x.KeyType))
            .ToListAsync(ct);
    }
}
