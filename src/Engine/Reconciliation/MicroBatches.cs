using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Reconciliation;

/// <summary>Outbound postings a job derives from facts, queued at most once per idempotency key.</summary>
public static class KeyedPostings
{
    /// <summary>
    /// Queues the posting unless one with the same key is queued already (in this unit of work or stored): a re-run of
    /// a job, or of a window after a crash, adds nothing.
    /// </summary>
    public static bool Queue(HealthSyncDb db, string operation, string key, string orderingKey, decimal amount, string facility, DateTime now, Guid correlationId, object body)
    {
        if (db.OutboxMessages.Local.Any(o => o.IdempotencyKey == key) || db.OutboxMessages.Any(o => o.IdempotencyKey == key)) return false;
        db.OutboxMessages.Add(new OutboxMessage
        {
            CorrelationId = correlationId, TargetSystem = Operations.Route(operation).Target, Operation = operation,
            Payload = System.Text.Json.JsonSerializer.Serialize(body), IdempotencyKey = key, OrderingKey = orderingKey,
            Status = OutboxStatus.Pending, CreatedAt = now, NextAttemptAt = now, SourceReceivedAt = now, AmountAtRisk = amount, Facility = facility,
        });
        return true;
    }
}

/// <summary>
/// A fault drill for the micro-batches: armed, it throws after the given number of items inside the next batch's
/// transaction, as a crash would. Only tests and drills arm it.
/// </summary>
public sealed class MicroBatchFaults
{
    private int _after = -1;

    public void ArmAfter(int items) => Interlocked.Exchange(ref _after, items);

    public void Check(int processed)
    {
        if (processed > 0 && Interlocked.CompareExchange(ref _after, -1, processed) == processed)
            throw new InvalidOperationException($"Fault drill: the batch stopped after {processed} item(s).");
    }
}

/// <summary>
/// Micro-batches over the recorded documents: a window of new documents at a time (by document id, past the
/// checkpoint), de-duplicated, and committed with the checkpoint's advance in one transaction. A crash mid-batch rolls
/// the whole window back; the next run takes the same window again and, because every output is keyed, counts nothing twice.
/// </summary>
public sealed class MicroBatches(HealthSyncDb db, MappingCatalog catalog, MicroBatchFaults faults, TimeProvider time)
{
    public const string RemittanceImport = "remittance-import";
    public const string InvoiceAggregation = "invoice-aggregation";
    public const int Window = 200;

    /// <summary>Imports remittances: a verdict per claim payment (paid, denied, reversed), the payment posted to billing, an exception per denial.</summary>
    public Task<JobOutcome> RemittanceImportAsync(JobProgress progress, CancellationToken ct) =>
        RunAsync(RemittanceImport, FactKinds.Remittance, progress, async (docs, now, map) =>
        {
            var verdicts = new List<Verdict>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var processed = 0;
            foreach (var (row, fact) in docs)
            {
                if (fact is not Remittance r) continue;
                foreach (var c in r.Claims)
                {
                    var key = $"{r.PaymentId}|{c.ClaimId}";
                    if (!seen.Add(key)) continue;
                    var denied = c.Status == "4" || (c.PaidAmount is 0m && c.ChargeAmount > 0m);
                    var reversed = c.Status == "22";
                    var outcome = reversed ? "Reversed" : denied ? "Denied" : "Paid";
                    verdicts.Add(new Verdict(key, outcome, !denied, row.Facility, r.Payer?.Name ?? r.Payer?.Id ?? row.Partner, c.PaidAmount ?? 0m,
                        (c.ChargeAmount ?? 0m) - (c.PaidAmount ?? 0m),
                        $"claim {c.ClaimId}: charged {c.ChargeAmount:N2}, paid {c.PaidAmount:N2}, patient responsibility {c.PatientResponsibility:N2}",
                        (r.PaymentDate ?? DateOnly.FromDateTime(row.RecordedAt)).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                        denied ? new Problem(Categories.UpstreamData, "claim-denied",
                            $"Claim {c.ClaimId} was denied by {r.Payer?.Name ?? r.Payer?.Id} in payment {r.PaymentId} (charged {c.ChargeAmount:N2}); adjustments: {string.Join(", ", c.Adjustments.Select(a => $"{a.Group}-{a.Reason} {a.Amount:N2}"))}.")
                            : null,
                        row.CorrelationId, (Lineage.KeyTypes.Claim, c.ClaimId)));
                    if (!denied && c.PaidAmount is > 0m)
                        Post(Operations.BillingPaymentPost, "remit:" + key, $"{Systems.Billing}:payments", c.PaidAmount.Value, row.Facility ?? "", now, row.CorrelationId,
                            new { paymentId = r.PaymentId, claimId = c.ClaimId, paid = c.PaidAmount, charged = c.ChargeAmount, patientResponsibility = c.PatientResponsibility, payer = r.Payer?.Name ?? r.Payer?.Id, paymentDate = r.PaymentDate });
                    faults.Check(++processed);
                }
            }
            return (verdicts, WorkflowNames.PaymentPosting);
        }, ct);

    /// <summary>Aggregates the invoices of each window per vendor and invoice date into one AP batch posted to the ERP.</summary>
    public Task<JobOutcome> InvoiceAggregationAsync(JobProgress progress, CancellationToken ct) =>
        RunAsync(InvoiceAggregation, FactKinds.Invoice, progress, async (docs, now, map) =>
        {
            var invoices = docs.Where(d => d.Fact is Invoice).Select(d => (d.Row, Invoice: (Invoice)d.Fact))
                .GroupBy(d => (Vendor: d.Invoice.Vendor?.Id ?? d.Row.Partner ?? "", d.Invoice.InvoiceNumber)).Select(g => g.First()).ToList();
            var verdicts = new List<Verdict>();
            var processed = 0;
            foreach (var group in invoices.GroupBy(i => (i.Invoice.Vendor?.Id ?? i.Row.Partner ?? "", i.Invoice.InvoiceDate ?? DateOnly.FromDateTime(i.Row.RecordedAt))))
            {
                var (vendor, day) = group.Key;
                // The batch is named by its vendor, day and first document, so re-running the same window names it the same.
                var batch = $"AP-{vendor}-{day:yyyyMMdd}-{group.Min(i => i.Row.Id)}";
                var total = group.Sum(i => i.Invoice.TotalAmount ?? i.Row.Amount ?? 0m);
                Post(Operations.ErpApBatchPost, "ap:" + batch, $"{Systems.Erp}:ap:{vendor}", total, group.First().Row.Facility ?? "", now, Guid.CreateVersion7(),
                    new { batchId = batch, vendor, day, invoices = group.Select(i => i.Invoice.InvoiceNumber).Order(StringComparer.Ordinal).ToList(), total });
                foreach (var (row, invoice) in group)
                {
                    verdicts.Add(new Verdict($"{vendor}|{invoice.InvoiceNumber}", "Aggregated", true, row.Facility, vendor, invoice.TotalAmount ?? row.Amount ?? 0m, 0m,
                        $"in AP batch {batch}", day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), null, row.CorrelationId, (Lineage.KeyTypes.Invoice, invoice.InvoiceNumber),
                        Reference: batch));
                    faults.Check(++processed);
                }
            }
            return (verdicts, WorkflowNames.ProcureToPay);
        }, ct);

    private void Post(string operation, string key, string orderingKey, decimal amount, string facility, DateTime now, Guid correlationId, object body) =>
        KeyedPostings.Queue(db, operation, key, orderingKey, amount, facility, now, correlationId, body);

    private async Task<JobOutcome> RunAsync(string name, string kind, JobProgress progress,
        Func<List<(BusinessDocument Row, ICanonicalFact Fact)>, DateTime, MappingSnapshot, Task<(List<Verdict> Verdicts, string Workflow)>> apply, CancellationToken ct)
    {
        int windows = 0, examined = 0, matched = 0, raised = 0;
        var map = await catalog.CurrentAsync(ct);
        while (!ct.IsCancellationRequested)
        {
            var checkpoint = await db.Checkpoints.FirstOrDefaultAsync(c => c.Name == name, ct);
            var from = checkpoint?.Position ?? 0;
            var rows = await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == kind && d.Id > from).OrderBy(d => d.Id).Take(Window).ToListAsync(ct);
            if (rows.Count == 0) break;
            var docs = rows.Select(r => (Row: r, Fact: CanonicalJson.Deserialize(r.Canonical))).Where(x => x.Fact is not null).Select(x => (x.Row, x.Fact!)).ToList();
            var now = time.GetUtcNow().UtcDateTime;
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var (verdicts, workflow) = await apply(docs, now, map);
            var counts = await VerdictStore.SaveAsync(db, name, workflow, verdicts, progress.RunId, map, now, null, ct);
            if (checkpoint is null)
            {
                checkpoint = new Checkpoint { Name = name };
                db.Checkpoints.Add(checkpoint);
            }
            checkpoint.Position = rows[^1].Id;
            checkpoint.UpdatedAt = now;
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
            windows++;
            examined += counts.Examined;
            matched += counts.Matched;
            raised += counts.ExceptionsRaised;
            await progress.ReportAsync(Math.Min(95, windows * 10), examined, ct);
        }
        return new JobOutcome(examined, matched, raised, $"{windows} window(s) of up to {Window} document(s); checkpoint {(await db.Checkpoints.AsNoTracking().Where(c => c.Name == name).Select(c => (long?)c.Position).FirstOrDefaultAsync(ct)) ?? 0}");
    }
}
