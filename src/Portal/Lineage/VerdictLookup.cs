using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Reconciliation.Matching;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

/// <summary>A document as the verdict lookup needs it: whose transaction, what kind, its number and partner.</summary>
public sealed record DocumentKey(Guid CorrelationId, string Kind, string BusinessKey, string? Partner);

/// <summary>
/// Finds the reconciliation verdicts about what a set of transactions carries. Verdicts are stored per subject, not per
/// transaction, so the subject keys are derived here the way each reconciliation writes them (vendor|invoice|line|item for
/// the three-way match, the usage id for charge capture, ...), and looked up through the unique (reconciliation, subject)
/// index: exact keys in one query per reconciliation, key prefixes as index ranges.
/// </summary>
public static class VerdictLookup
{
    private sealed record Wanted(Guid CorrelationId, string Reconciliation, string Subject, bool Prefix);

    public static async Task<ILookup<Guid, VerdictView>> FindAsync(HealthSyncDb db, IReadOnlyList<DocumentKey> documents,
        IReadOnlyList<(Guid CorrelationId, OutboxMessageRef Delivery)> deliveries, CancellationToken ct)
    {
        var wanted = documents.SelectMany(Subjects).ToList();
        wanted.AddRange(await ChargeSubjectsAsync(db, deliveries, ct));
        var found = new List<(Guid, VerdictView)>();
        foreach (var group in wanted.Where(w => !w.Prefix).GroupBy(w => w.Reconciliation))
        {
            var subjects = group.Select(w => w.Subject).Distinct().ToList();
            var rows = await db.ReconciliationResults.AsNoTracking()
                .Where(r => r.Reconciliation == group.Key && subjects.Contains(r.SubjectKey))
                .Select(Project()).ToListAsync(ct);
            found.AddRange(from w in @group join r in rows on w.Subject equals r.SubjectKey select (w.CorrelationId, r));
        }
        foreach (var w in wanted.Where(w => w.Prefix).DistinctBy(w => (w.CorrelationId, w.Reconciliation, w.Subject)))
        {
            // A range on the unique index; LIKE would not use it (SQLite's LIKE is case-insensitive, the index is not).
            var upper = w.Subject[..^1] + (char)(w.Subject[^1] + 1);
            var rows = await db.ReconciliationResults.AsNoTracking()
                .Where(r => r.Reconciliation == w.Reconciliation && string.Compare(r.SubjectKey, w.Subject) >= 0 && string.Compare(r.SubjectKey, upper) < 0)
                .OrderBy(r => r.SubjectKey).Take(200)
                .Select(Project()).ToListAsync(ct);
            found.AddRange(rows.Select(r => (w.CorrelationId, r)));
        }
        return found.DistinctBy(f => (f.Item1, f.Item2.Reconciliation, f.Item2.SubjectKey)).ToLookup(f => f.Item1, f => f.Item2);
    }

    private static System.Linq.Expressions.Expression<Func<ReconciliationResult, VerdictView>> Project() =>
        r => new VerdictView(r.Reconciliation, r.SubjectKey, r.Outcome, r.Matched, r.Detail, r.Amount, r.Variance, r.EvaluatedAt, r.ExceptionId);

    /// <summary>Subject keys as <see cref="Reconciliations"/> and <see cref="MicroBatches"/> write them for each document kind.</summary>
    private static IEnumerable<Wanted> Subjects(DocumentKey d) => d.Kind switch
    {
        FactKinds.Invoice =>
        [
            new(d.CorrelationId, Reconciliations.ThreeWay, $"{d.Partner}|{d.BusinessKey}|", true),
            new(d.CorrelationId, MicroBatches.InvoiceAggregation, $"{d.Partner}|{d.BusinessKey}", false),
        ],
        FactKinds.PurchaseOrder =>
        [
            new(d.CorrelationId, Reconciliations.Acks, $"{d.BusinessKey}|{EdiAwaiting.Acknowledgement}", false),
            new(d.CorrelationId, Reconciliations.Acks, $"{d.BusinessKey}|{EdiAwaiting.ShipNotice}", false),
        ],
        FactKinds.Claim => [new(d.CorrelationId, Reconciliations.Acks, "claim|" + d.BusinessKey, false)],
        FactKinds.Remittance => [new(d.CorrelationId, MicroBatches.RemittanceImport, d.BusinessKey + "|", true)],
        FactKinds.PaymentSettlement => [new(d.CorrelationId, Reconciliations.Cash, d.BusinessKey, false)],
        _ => [],
    };

    /// <summary>Charge capture judges the usage event; a usage's deliveries name their charge or stock movement, which name the usage.</summary>
    private static async Task<List<Wanted>> ChargeSubjectsAsync(HealthSyncDb db, IReadOnlyList<(Guid CorrelationId, OutboxMessageRef Delivery)> deliveries, CancellationToken ct)
    {
        var charges = deliveries.Where(d => d.Delivery.FactId is not null && d.Delivery.Operation is Operations.BillingChargePost or Operations.BillingChargeCredit)
            .Select(d => d.Delivery.FactId!.Value).Distinct().ToList();
        var movements = deliveries.Where(d => d.Delivery.FactId is not null && d.Delivery.Operation is Operations.ErpInventoryDecrement or Operations.ErpInventoryReturn)
            .Select(d => d.Delivery.FactId!.Value).Distinct().ToList();
        if (charges.Count == 0 && movements.Count == 0) return [];
        var usages = await db.Charges.AsNoTracking().Where(c => charges.Contains(c.Id)).Select(c => new { c.CorrelationId, c.UsageEventId })
            .Concat(db.InventoryMovements.AsNoTracking().Where(m => movements.Contains(m.Id)).Select(m => new { m.CorrelationId, m.UsageEventId }))
            .ToListAsync(ct);
        // The usage id as .NET formats it: that is how charge capture wrote the subject key.
        return usages.Select(u => new Wanted(u.CorrelationId, Reconciliations.Capture, u.UsageEventId.ToString(), false)).DistinctBy(w => w.Subject).ToList();
    }
}

/// <summary>The parts of an outbox row the verdict lookup follows: its operation and the fact it posts.</summary>
public sealed record OutboxMessageRef(string Operation, Guid? FactId);
