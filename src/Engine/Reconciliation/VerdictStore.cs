using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Reconciliation;

/// <summary>One reconciliation verdict about one item, and the exception it calls for when it did not match.</summary>
/// <param name="Reference">The record the verdict points to, where it names one (the AP batch an aggregated invoice was posted in).</param>
public sealed record Verdict(
    string SubjectKey,
    string Outcome,
    bool Matched,
    string? Facility,
    string? Partner,
    decimal Amount,
    decimal Variance,
    string Detail,
    DateTime SubjectDate,
    Problem? Problem = null,
    Guid? CorrelationId = null,
    (string Type, string Value)? BusinessKey = null,
    string? Reference = null);

/// <summary>
/// Writes verdicts idempotently: one row per (reconciliation, subject), updated in place; an exception is raised the
/// first time an item fails to match and never again while it is open, and an open one is closed when the item matches.
/// Running a job twice therefore changes nothing the second time.
/// </summary>
public static class VerdictStore
{
    public sealed record Counts(int Examined, int Matched, int ExceptionsRaised, int ExceptionsClosed);

    public static async Task<Counts> SaveAsync(HealthSyncDb db, string reconciliation, string workflow, IReadOnlyList<Verdict> verdicts, Guid runId,
        MappingSnapshot map, DateTime now, JobProgress? progress, CancellationToken ct)
    {
        int raised = 0, closed = 0, done = 0;
        foreach (var chunk in verdicts.Chunk(1000))
        {
            var keys = chunk.Select(v => v.SubjectKey).ToList();
            var existing = await db.ReconciliationResults.Where(r => r.Reconciliation == reconciliation && keys.Contains(r.SubjectKey)).ToDictionaryAsync(r => r.SubjectKey, ct);
            // A list of nullable ids: SQLite compares the stored text form, which a list of Guid parameters does not match.
            var exceptionIds = existing.Values.Where(r => r.ExceptionId != null).Select(r => r.ExceptionId).ToList();
            var exceptions = await db.Exceptions.Where(e => exceptionIds.Contains((Guid?)e.Id)).ToDictionaryAsync(e => e.Id, ct);
            foreach (var v in chunk)
            {
                if (!existing.TryGetValue(v.SubjectKey, out var row))
                {
                    row = new ReconciliationResult { Reconciliation = reconciliation, SubjectKey = v.SubjectKey, Outcome = v.Outcome };
                    db.ReconciliationResults.Add(row);
                }
                row.Outcome = v.Outcome;
                row.Matched = v.Matched;
                row.Facility = v.Facility;
                row.Partner = v.Partner;
                row.Amount = v.Amount;
                row.Variance = v.Variance;
                row.Detail = v.Detail;
                row.Reference = v.Reference;
                row.SubjectDate = v.SubjectDate;
                row.EvaluatedAt = now;
                row.RunId = runId;
                var open = row.ExceptionId is { } id && exceptions.TryGetValue(id, out var e) && e.Status == ExceptionStatus.Open ? e : null;
                if (v.Problem is { } problem && open is null)
                {
                    var exception = ExceptionFactory.Create(problem, workflow, v.CorrelationId ?? Guid.Empty, "reconciliation:" + reconciliation, v.Facility,
                        Math.Max(v.Amount, Math.Abs(v.Variance)), v.BusinessKey, map, now);
                    db.Exceptions.Add(exception);
                    row.ExceptionId = exception.Id;
                    raised++;
                }
                else if (v.Problem is null && open is not null)
                {
                    open.Status = ExceptionStatus.Resolved;
                    open.ResolvedAt = now;
                    open.ResolvedBy = "reconciliation";
                    open.ResolutionCode = "matched";
                    open.ResolutionNote = $"{reconciliation}: {v.Detail}";
                    open.UpdatedAt = now;
                    closed++;
                }
                if (v.CorrelationId is { } cid && v.Problem is not null && open is null)
                {
                    db.LineageSteps.Add(new LineageStep
                    {
                        CorrelationId = cid, Step = Steps.Validated, System = "reconciliation", Outcome = Steps.Error, At = now,
                        Detail = $"{reconciliation}: {v.Outcome} — {v.Detail}",
                    });
                }
            }
            await db.SaveChangesAsync(ct);
            done += chunk.Length;
            if (progress is not null) await progress.ReportAsync(50 + done * 50 / Math.Max(1, verdicts.Count), done, ct);
        }
        return new Counts(verdicts.Count, verdicts.Count(v => v.Matched), raised, closed);
    }
}
