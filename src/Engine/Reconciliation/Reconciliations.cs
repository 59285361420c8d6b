using System.Net.Http.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation.Matching;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Reconciliation;

/// <summary>
/// Tolerances and windows of the reconciliations (<c>Engine:Reconciliation</c>): the defaults. Administrators override
/// them per value in the settings; a run reads the values in force from its mapping snapshot (<see cref="Settings.EngineSettings.Reconciliation"/>).
/// </summary>
public sealed class ReconciliationOptions
{
    public decimal PriceTolerancePercent { get; set; } = 2m;
    public decimal PriceToleranceAbsolute { get; set; } = 5m;
    public decimal QuantityToleranceUnits { get; set; }
    public double ChargeGraceHours { get; set; } = 2;
    public int LookbackDays { get; set; } = 30;
    public double AckSlaHours { get; set; } = 4;
    public double ShipSlaHours { get; set; } = 72;
    public int ClaimSlaDays { get; set; } = 30;
    public decimal CashTolerance { get; set; } = 0.01m;
    public decimal InventoryTolerance { get; set; }

    /// <summary>A copy, for applying the administrators' overrides without changing the configured values.</summary>
    public ReconciliationOptions Clone() => (ReconciliationOptions)MemberwiseClone();
}

/// <summary>
/// The shell of each reconciliation: load the facts, run the pure matcher, store one verdict per item and an exception for
/// every item that does not match (see <see cref="VerdictStore"/>). Each is idempotent.
/// </summary>
public sealed class Reconciliations(HealthSyncDb db, MappingCatalog catalog, IHttpClientFactory http, Microsoft.Extensions.Options.IOptions<ReconciliationOptions> options, TimeProvider time)
{
    private readonly ReconciliationOptions _configured = options.Value;

    public const string ThreeWay = "three-way-match";
    public const string Capture = "charge-capture";
    public const string Cash = "daily-cash";
    public const string Drift = "inventory-drift";
    public const string Acks = "edi-ack-aging";

    /// <summary>The snapshot a run decides with, and the tolerances in force in it (administrators' settings over the configuration).</summary>
    private async Task<(MappingSnapshot Map, ReconciliationOptions Options)> EffectiveAsync(CancellationToken ct)
    {
        var map = await catalog.CurrentAsync(ct);
        return (map, map.Settings.Reconciliation(_configured));
    }

    private async Task<List<(BusinessDocument Row, T Fact)>> DocumentsAsync<T>(string kind, DateTime since, CancellationToken ct) where T : class, ICanonicalFact =>
        (await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == kind && d.RecordedAt >= since).ToListAsync(ct))
            .Select(d => (Row: d, Fact: CanonicalJson.Deserialize(d.Canonical) as T)).Where(x => x.Fact is not null).Select(x => (x.Row, x.Fact!)).ToList();

    private static Func<string, string, string, decimal?> Uom(MappingSnapshot map, DateTime at) => (item, from, to) =>
    {
        if (string.Equals(from, to, StringComparison.OrdinalIgnoreCase)) return 1m;
        if (map.UomFactor(item, from, to, null, at) is { } f) return f;
        return map.UomFactor(item, to, from, null, at) is { } g && g != 0 ? 1m / g : null;
    };

    public async Task<JobOutcome> ThreeWayMatchAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (map, limits) = await EffectiveAsync(ct);
        var since = now.AddDays(-limits.LookbackDays);
        var pos = await DocumentsAsync<PurchaseOrder>(FactKinds.PurchaseOrder, since, ct);
        var receipts = await DocumentsAsync<GoodsReceipt>(FactKinds.GoodsReceipt, since, ct);
        var invoices = await DocumentsAsync<Invoice>(FactKinds.Invoice, since, ct);
        await progress.ReportAsync(20, invoices.Count, ct);

        var poLines = pos.SelectMany(p => p.Fact.Lines.Select(l => new PoLine(p.Fact.PoNumber, l.LineNumber, l.BuyerItem ?? l.VendorItem ?? "", l.Quantity ?? 0m, l.Uom ?? "EA", l.UnitPrice ?? 0m))).ToList();
        var receiptLines = receipts.Where(r => r.Fact.PoNumber is not null)
            .SelectMany(r => r.Fact.Lines.Select(l => new ReceiptLine(r.Fact.ReceiptId, PoNumberOf(r.Fact.PoNumber!), l.BuyerItem ?? l.VendorItem ?? "", l.Quantity ?? 0m, l.Uom ?? "EA", r.Fact.ReceivedAt?.UtcDateTime ?? r.Row.RecordedAt))).ToList();
        var invoiceLines = invoices.SelectMany(i => i.Fact.Lines.Select(l => (Doc: i.Row, Line: new InvoiceLine(i.Fact.InvoiceNumber, i.Fact.Vendor?.Id ?? i.Fact.Vendor?.Name ?? i.Row.Partner ?? "", i.Fact.PoNumber ?? "",
            l.LineNumber, l.BuyerItem ?? l.VendorItem ?? "", l.Quantity ?? 0m, l.Uom ?? "EA", l.UnitPrice ?? 0m, i.Fact.InvoiceDate ?? DateOnly.FromDateTime(i.Row.RecordedAt))))).ToList();
        var matches = ThreeWayMatch.Match(poLines, receiptLines, invoiceLines.Select(x => x.Line).ToList(),
            new MatchTolerances(limits.PriceTolerancePercent, limits.PriceToleranceAbsolute, limits.QuantityToleranceUnits), Uom(map, now));
        var origin = invoiceLines.GroupBy(x => (x.Line.Vendor, x.Line.InvoiceNumber)).ToDictionary(g => g.Key, g => g.First().Doc);
        await progress.ReportAsync(50, invoiceLines.Count, ct);

        var verdicts = matches.Select((m, i) =>
        {
            var inv = m.Invoice;
            var doc = origin.GetValueOrDefault((inv.Vendor, inv.InvoiceNumber));
            return new Verdict($"{inv.Vendor}|{inv.InvoiceNumber}|{inv.LineNumber ?? (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}|{inv.Item}",
                m.Outcome.ToString(), m.IsMatched, doc?.Facility, inv.Vendor, m.InvoicedAmount, m.VarianceAmount, m.Reason,
                inv.InvoiceDate.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                m.IsMatched ? null : new Problem(m.Outcome switch
                {
                    MatchOutcome.DuplicateInvoice => Categories.Duplicate,
                    MatchOutcome.InvoiceBeforeReceipt or MatchOutcome.PartialReceipt => Categories.Sequencing,
                    MatchOutcome.UomUnconvertible => Categories.MappingGap,
                    _ => Categories.UpstreamData,
                }, "match-" + Kebab(m.Outcome.ToString()), $"Invoice {inv.InvoiceNumber} for PO {inv.PoNumber}, line {inv.LineNumber} ({inv.Item}) from {inv.Vendor}: {m.Reason}"),
                doc?.CorrelationId, (Lineage.KeyTypes.Invoice, inv.InvoiceNumber));
        }).ToList();
        var counts = await VerdictStore.SaveAsync(db, ThreeWay, WorkflowNames.ProcureToPay, verdicts, progress.RunId, map, now, progress, ct);
        var summary = ThreeWayMatch.Summarize(matches);
        return new JobOutcome(counts.Examined, counts.Matched, counts.ExceptionsRaised,
            $"{summary.Lines} invoice line(s): match rate {summary.MatchRate:P1}; {counts.ExceptionsClosed} exception(s) closed by a later match");
    }

    /// <summary>A receipt may name its order as a reference (<c>SupplyRequest/PO123</c>); the order number is the last segment.</summary>
    private static string PoNumberOf(string reference) => reference.Contains('/', StringComparison.Ordinal) ? reference[(reference.LastIndexOf('/') + 1)..] : reference;

    private static string Kebab(string pascal) => string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    public async Task<JobOutcome> ChargeCaptureAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (map, limits) = await EffectiveAsync(ct);
        var since = now.AddDays(-Math.Min(limits.LookbackDays, 7));
        var usages = await db.UsageEvents.AsNoTracking().Where(u => u.Billable && u.RecordedAt >= since)
            .Select(u => new { u.Id, u.Facility, u.OccurredAt, u.RecordedAt, u.ChargeAmount, u.Kind, u.SourceEventId, u.CorrelationId, u.Encounter }).ToListAsync(ct);
        var ids = usages.Select(u => u.Id).ToList();
        var charges = new List<ChargeFact>();
        foreach (var chunk in ids.Chunk(1000))
        {
            // Ids are formatted here, not in SQL: the database's text form of a Guid is upper case, .NET's is lower case.
            var rows = await db.Charges.AsNoTracking().Where(c => chunk.Contains(c.UsageEventId))
                .Select(c => new { c.Id, c.UsageEventId, c.Status, c.Amount, c.CreatedAt, c.PostedAt }).ToListAsync(ct);
            charges.AddRange(rows.Select(c => new ChargeFact(c.Id.ToString(), c.UsageEventId.ToString(), c.Status, c.Amount, c.CreatedAt, c.PostedAt)));
        }
        await progress.ReportAsync(30, usages.Count, ct);
        var consumptions = usages.Where(u => u.Kind == nameof(UsageKind.Consumption)).ToDictionary(u => (u.Facility, u.SourceEventId), u => u.Id);
        var billable = usages.Select(u => new BillableUsage(u.Id.ToString(), u.Facility, u.RecordedAt, Math.Abs(u.ChargeAmount),
            u.Kind == nameof(UsageKind.Reversal) && consumptions.TryGetValue((u.Facility, u.SourceEventId), out var original) ? original.ToString() : null)).ToList();
        var result = ChargeCapture.Evaluate(billable, charges, now, TimeSpan.FromHours(limits.ChargeGraceHours));
        var byId = usages.ToDictionary(u => u.Id.ToString());
        var verdicts = result.Usages.Where(c => c.Outcome != CaptureOutcome.Pending).Select(c =>
        {
            var u = byId[c.Usage.UsageId];
            return new Verdict(c.Usage.UsageId, c.Outcome.ToString(), c.Outcome is CaptureOutcome.Captured or CaptureOutcome.Reversed, u.Facility, null,
                c.Usage.ExpectedAmount, c.Usage.ExpectedAmount - c.ChargedAmount, c.Reason, u.OccurredAt,
                c.Outcome == CaptureOutcome.Missing
                    ? new Problem(Categories.UpstreamData, "missed-charge", $"Billable usage {u.SourceEventId} at {u.Facility} has no posted charge {limits.ChargeGraceHours:0.#} h after it was recorded: {c.Reason}")
                    : null,
                u.CorrelationId, u.Encounter is null ? null : (Lineage.KeyTypes.Encounter, u.Encounter));
        }).ToList();
        var counts = await VerdictStore.SaveAsync(db, Capture, WorkflowNames.SupplyCharge, verdicts, progress.RunId, map, now, progress, ct);
        return new JobOutcome(usages.Count, result.Captured, counts.ExceptionsRaised,
            $"completeness {result.Completeness:P1} ({result.Numerator}/{result.Denominator}); {result.Pending} within the capture window; missing {result.MissingAmount:N2}");
    }

    public async Task<JobOutcome> AckAgingAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (map, limits) = await EffectiveAsync(ct);
        var since = now.AddDays(-limits.LookbackDays);
        var sent = await db.OutboxMessages.AsNoTracking().Where(o => o.Operation == Operations.SupplierPurchaseOrder && o.Status == OutboxStatus.Delivered && o.DeliveredAt >= since)
            .Select(o => new { o.IdempotencyKey, o.DeliveredAt, o.CorrelationId }).ToListAsync(ct);
        var orders = sent.Select(o => (PoNumber: o.IdempotencyKey.Split(':')[1], o.DeliveredAt, o.CorrelationId)).ToList();
        var vendors = await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == FactKinds.PurchaseOrder && d.RecordedAt >= since)
            .Select(d => new { d.BusinessKey, d.Partner, d.Amount }).ToListAsync(ct);
        var vendorOf = vendors.GroupBy(v => v.BusinessKey).ToDictionary(g => g.Key, g => g.First());
        var acked = (await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == FactKinds.PurchaseOrderAck).Select(d => d.BusinessKey).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var shipped = (await db.BusinessKeys.AsNoTracking().Where(k => k.KeyType == Lineage.KeyTypes.PurchaseOrder)
            .Join(db.BusinessDocuments.Where(d => d.Kind == FactKinds.ShipNotice), k => k.CorrelationId, d => d.CorrelationId, (k, d) => k.KeyValue).ToListAsync(ct)).ToHashSet(StringComparer.Ordinal);
        var overdue = AckAging.Find(orders.Select(o => new SentOrder(o.PoNumber, o.DeliveredAt ?? now, vendorOf.GetValueOrDefault(o.PoNumber)?.Partner ?? "")).ToList(),
            acked, shipped, now, TimeSpan.FromHours(limits.AckSlaHours), TimeSpan.FromHours(limits.ShipSlaHours));
        var overdueKeys = overdue.ToDictionary(o => $"{o.PoNumber}|{o.Awaiting}");
        // Every order sent gets a verdict per awaited answer, so an acknowledgement that arrives late closes its exception.
        var verdicts = orders.SelectMany(o => new[] { EdiAwaiting.Acknowledgement, EdiAwaiting.ShipNotice }.Select(kind =>
        {
            var key = $"{o.PoNumber}|{kind}";
            var late = overdueKeys.GetValueOrDefault(key);
            var answered = kind == EdiAwaiting.Acknowledgement ? acked.Contains(o.PoNumber) || shipped.Contains(o.PoNumber) : shipped.Contains(o.PoNumber);
            var vendor = vendorOf.GetValueOrDefault(o.PoNumber);
            return new Verdict(key, late is not null ? "overdue" : answered ? "answered" : "waiting", answered, null, vendor?.Partner, vendor?.Amount ?? 0m, 0m,
                late is null ? (answered ? $"{kind} received" : $"{kind} awaited, within SLA")
                    : $"PO {o.PoNumber} to {late.Vendor}: no {(kind == EdiAwaiting.Acknowledgement ? "855 acknowledgement" : "856 ship notice")} {late.Age.TotalHours:0.#} h after it was sent (SLA {(kind == EdiAwaiting.Acknowledgement ? limits.AckSlaHours : limits.ShipSlaHours):0.#} h)",
                o.DeliveredAt ?? now,
                late is null ? null : new Problem(Categories.Sequencing, kind == EdiAwaiting.Acknowledgement ? "missing-855" : "missing-856",
                    $"PO {o.PoNumber} to {late.Vendor} has no {(kind == EdiAwaiting.Acknowledgement ? "855 acknowledgement" : "856 ship notice")} {late.Age.TotalHours:0.#} h after it was sent."),
                o.CorrelationId, (Lineage.KeyTypes.PurchaseOrder, o.PoNumber));
        })).ToList();
        var counts = await VerdictStore.SaveAsync(db, Acks, WorkflowNames.ProcureToPay, verdicts, progress.RunId, map, now, progress, ct);

        // Claims (837 / FHIR Claim) without a payment or denial (835 / remittance) after the payer's window.
        var claims = await DocumentsAsync<Claim>(FactKinds.Claim, now.AddDays(-Math.Max(limits.LookbackDays, limits.ClaimSlaDays * 3)), ct);
        var answered = (await DocumentsAsync<Remittance>(FactKinds.Remittance, now.AddDays(-365), ct))
            .SelectMany(r => r.Fact.Claims.Select(c => c.ClaimId)).ToHashSet(StringComparer.Ordinal);
        var lateClaims = ClaimAging.Find(claims.Select(c => new SubmittedClaim(c.Fact.ClaimId, c.Row.RecordedAt, c.Row.Partner ?? "", c.Fact.TotalCharge ?? 0m)).ToList(),
            answered, now, TimeSpan.FromDays(limits.ClaimSlaDays)).ToDictionary(c => c.ClaimId);
        var claimVerdicts = claims.GroupBy(c => c.Fact.ClaimId).Select(g => g.First()).Select(c =>
        {
            var late = lateClaims.GetValueOrDefault(c.Fact.ClaimId);
            var paid = answered.Contains(c.Fact.ClaimId);
            return new Verdict("claim|" + c.Fact.ClaimId, late is not null ? "overdue" : paid ? "answered" : "waiting", paid, c.Row.Facility, c.Row.Partner,
                c.Fact.TotalCharge ?? 0m, 0m,
                late is null ? (paid ? "835 received" : "awaiting the payer's 835") : $"no 835 {late.Age.TotalDays:0} days after submission (SLA {limits.ClaimSlaDays} days)",
                c.Row.RecordedAt,
                late is null ? null : new Problem(Categories.Sequencing, "missing-835",
                    $"Claim {c.Fact.ClaimId} to {late.Payer} ({late.Amount:N2}) has no remittance {late.Age.TotalDays:0} days after it was submitted."),
                c.Row.CorrelationId, (Lineage.KeyTypes.Claim, c.Fact.ClaimId));
        }).ToList();
        var claimCounts = await VerdictStore.SaveAsync(db, Acks, WorkflowNames.PaymentPosting, claimVerdicts, progress.RunId, map, now, progress, ct);
        return new JobOutcome(orders.Count + claimVerdicts.Count, orders.Count(o => acked.Contains(o.PoNumber)) + claimVerdicts.Count(v => v.Matched),
            counts.ExceptionsRaised + claimCounts.ExceptionsRaised,
            $"{overdue.Count} overdue answer(s) across {orders.Count} order(s) sent; {lateClaims.Count} of {claimVerdicts.Count} claim(s) without an 835 past {limits.ClaimSlaDays} days");
    }

    public async Task<JobOutcome> DailyCashAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (map, limits) = await EffectiveAsync(ct);
        var since = now.AddDays(-7);
        var settlements = (await DocumentsAsync<PaymentSettlement>(FactKinds.PaymentSettlement, since, ct))
            .Select(s => (s.Row, Value: new Settlement(s.Fact.TransactionId, s.Fact.Facility ?? "", s.Fact.SettlementDate, s.Fact.MerchantReference, s.Fact.Amount, s.Fact.Fee))).ToList();
        var receipts = (await DocumentsAsync<BillingReceipt>(FactKinds.BillingReceipt, since, ct))
            .Select(r => new Receipt(r.Fact.ReceiptId, r.Fact.Facility ?? "", r.Fact.PaymentReference, r.Fact.Amount)).ToList();
        var posted = await PostedJournalAsync(ct);
        var verdicts = new List<Verdict>();
        int examined = 0, matched = 0;
        foreach (var day in settlements.Select(s => s.Value.SettlementDate).Distinct().Where(d => d <= DateOnly.FromDateTime(now)).Order())
        {
            var result = DailyCash.Reconcile(settlements.Select(s => s.Value).ToList(), receipts, posted, day, limits.CashTolerance);
            var origin = settlements.Where(s => s.Value.SettlementDate == day).GroupBy(s => s.Value.TransactionId).ToDictionary(g => g.Key, g => g.First().Row);
            examined += origin.Count;
            matched += result.Matched.Count;
            verdicts.AddRange(result.Matched.Select(m => Cash_(m.Settlement, "Matched", true, 0m, $"receipt {m.Receipt.ReceiptId}", origin, day, null)));
            verdicts.AddRange(result.AmountMismatches.Select(m => Cash_(m.Settlement, "AmountMismatch", false, m.Difference,
                $"receipt {m.Receipt.ReceiptId} is {m.Receipt.Amount:N2}, settlement {m.Settlement.Amount:N2}", origin, day, "cash-amount-mismatch")));
            verdicts.AddRange(result.UnmatchedSettlements.Select(s => Cash_(s, "NoReceipt", false, s.Amount,
                $"no billing receipt with payment reference {s.MerchantReference}", origin, day, "cash-no-receipt")));
            verdicts.AddRange(result.DuplicateSettlements.Select(s => Cash_(s, "Duplicate", false, s.Amount, "settlement reported twice", origin, day, "cash-duplicate-settlement")));
            foreach (var entry in result.ToPost)
            {
                // Matched totals go to the ERP as one summarized journal entry per facility and day; the entry id is the
                // idempotency key, so a second run can never post the same day twice.
                KeyedPostings.Queue(db, Operations.ErpJournalPost, "journal:" + entry.EntryId, $"{Systems.Erp}:journal:{entry.Facility}", entry.Net, entry.Facility, now,
                    Guid.CreateVersion7(), new { entryId = entry.EntryId, facility = entry.Facility, day = entry.Day, gross = entry.Gross, fees = entry.Fees, net = entry.Net, count = entry.Count });
            }
        }
        var counts = await VerdictStore.SaveAsync(db, Cash, WorkflowNames.PaymentPosting, verdicts, progress.RunId, map, now, progress, ct);
        return new JobOutcome(examined, matched, counts.ExceptionsRaised, $"{matched} of {examined} settlement(s) matched to billing receipts");

        Verdict Cash_(Settlement s, string outcome, bool ok, decimal variance, string detail, Dictionary<string, BusinessDocument> origin, DateOnly day, string? code) =>
            new($"{s.TransactionId}", outcome, ok, s.Facility, "gateway", s.Amount, variance, detail, day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc),
                code is null ? null : new Problem(code == "cash-duplicate-settlement" ? Categories.Duplicate : Categories.UpstreamData, code,
                    $"Settlement {s.TransactionId} ({s.Amount:N2}, {s.Facility}, {day:yyyy-MM-dd}): {detail}"),
                origin.GetValueOrDefault(s.TransactionId)?.CorrelationId, (Lineage.KeyTypes.Settlement, s.TransactionId));
    }

    private async Task<List<JournalEntry>> PostedJournalAsync(CancellationToken ct)
    {
        var rows = await db.OutboxMessages.AsNoTracking().Where(o => o.Operation == Operations.ErpJournalPost && o.Status == OutboxStatus.Delivered)
            .Select(o => o.Payload).ToListAsync(ct);
        return rows.Select(p => System.Text.Json.JsonSerializer.Deserialize<JournalPayload>(p, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web))!)
            .Select(j => new JournalEntry(j.EntryId, j.Facility, j.Day, j.Gross, j.Fees, j.Net, j.Count)).ToList();
    }

    private sealed record JournalPayload(string EntryId, string Facility, DateOnly Day, decimal Gross, decimal Fees, decimal Net, int Count);

    public async Task<JobOutcome> InventoryDriftAsync(JobProgress progress, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var (map, limits) = await EffectiveAsync(ct);
        var erp = await OnHandAsync(Systems.Erp, ct);
        var warehouse = await OnHandAsync(Systems.Warehouse, ct);
        await progress.ReportAsync(40, erp.Count, ct);
        var owner = map.SystemOfRecord("inventory-balance") == Systems.Warehouse ? InventorySystem.Warehouse : InventorySystem.Erp;
        var results = InventoryDrift.Compare(erp, warehouse, Uom(map, now), limits.InventoryTolerance, owner);
        var verdicts = results.Select(r => new Verdict($"{r.Facility}|{r.Location}|{r.Item}", r.Outcome.ToString(), r.Outcome == DriftOutcome.Agree, r.Facility, null,
            Math.Abs(r.Difference), r.Difference, r.Reason, now.Date,
            r.Outcome == DriftOutcome.Agree ? null : new Problem(r.Outcome == DriftOutcome.UomUnconvertible ? Categories.MappingGap : Categories.UpstreamData, "inventory-" + Kebab(r.Outcome.ToString()),
                $"{r.Item} at {r.Location} ({r.Facility}): {r.Reason}" + (r.Correction is { } c ? $" The {owner.ToString().ToLowerInvariant()} is the system of record: set the {c.Apply.ToString().ToLowerInvariant()} to {c.SetTo:0.##} {c.Uom}." : "")),
            null, (Lineage.KeyTypes.Sku, r.Item))).ToList();
        var counts = await VerdictStore.SaveAsync(db, Drift, WorkflowNames.SupplyCharge, verdicts, progress.RunId, map, now, progress, ct);
        var summary = InventoryDrift.Summarize(results);
        return new JobOutcome(summary.Compared, summary.Agreeing, counts.ExceptionsRaised, $"inventory sync accuracy {summary.Accuracy:P1} ({summary.Agreeing}/{summary.Compared})");
    }

    private sealed record OnHandRow(string Facility, string Location, string Sku, decimal OnHand, string? Uom);

    /// <summary>On-hand balances as each system reports them, read over its API like any other integration.</summary>
    private async Task<List<OnHand>> OnHandAsync(string system, CancellationToken ct)
    {
        var client = http.CreateClient(OutboxDispatcher.HttpClientPrefix + system);
        var rows = await client.GetFromJsonAsync<List<OnHandRow>>("onhand", ct) ?? [];
        return rows.Select(r => new OnHand(r.Facility, r.Location, r.Sku, r.OnHand, r.Uom ?? "EA")).ToList();
    }
}
