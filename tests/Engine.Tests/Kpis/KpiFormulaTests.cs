using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Kpis;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Kpis;

/// <summary>Each KPI formula on hand-built facts in a migrated database, and the drill-down lists adding up to it.</summary>
public class KpiFormulaTests
{
    private static readonly DateTime Now = KpiFacts.Now;
    private static readonly KpiFilter Day = new(Now.AddHours(-24), Now);
    private static readonly KpiFilter Week = new(Now.AddDays(-7), Now);

    private static async Task<KpiResult> KpiAsync(KpiFacts f, string id, KpiFilter filter, DateTime? now = null) =>
        await KpiQueries.KpiAsync(f.Db, id, filter, now ?? Now, null, withBreakdowns: true, CancellationToken.None);

    /// <summary>Reads every page of the three lists and checks they are the KPI's numerator, denominator and gap exactly.</summary>
    private static async Task<(List<KpiRow> Numerator, List<KpiRow> Denominator, List<KpiRow> Gap)> ListsAddUpAsync(KpiFacts f, string id, KpiFilter filter, Ratio ratio, DateTime? now = null)
    {
        async Task<List<KpiRow>> All(DrillList list)
        {
            var rows = new List<KpiRow>();
            for (var page = 1; ; page++)
            {
                var p = (await KpiQueries.DrillAsync(f.Db, id, filter, list, page, 2, now ?? Now, CancellationToken.None))!;
                p.Ratio.ShouldBe(ratio);
                rows.AddRange(p.Rows);
                if (page >= p.Pages) return rows;
            }
        }
        var numerator = await All(DrillList.Numerator);
        var denominator = await All(DrillList.Denominator);
        var gap = await All(DrillList.Gap);
        numerator.Count.ShouldBe(ratio.Numerator);
        denominator.Count.ShouldBe(ratio.Denominator);
        gap.Count.ShouldBe(ratio.Denominator - ratio.Numerator);
        numerator.Select(r => r.Key).Concat(gap.Select(r => r.Key)).Order().ShouldBe(denominator.Select(r => r.Key).Order());
        numerator.ShouldAllBe(r => r.InNumerator);
        gap.ShouldAllBe(r => !r.InNumerator);
        if (ratio.IfResolved is { } resolved) (ratio.Numerator + gap.Count(r => r.BlockedByOpenException)).ShouldBe(resolved);
        return (numerator, denominator, gap);
    }

    [Fact]
    public async Task Charge_capture_counts_posted_usage_including_late_postings_nets_credits_and_drops_reversed_usage()
    {
        await using var f = await KpiFacts.CreateAsync();
        var captured = f.Usage("A", Now.AddHours(-5));
        f.Charge(captured, PostingStatus.Posted);
        var pending = f.Usage("B", Now.AddHours(-4));
        f.Charge(pending, PostingStatus.Pending);
        var failed = f.Usage("C", Now.AddHours(-3));
        f.Charge(failed, PostingStatus.Failed);
        f.Exception(failed.CorrelationId, WorkflowNames.SupplyCharge, Categories.DownstreamUnavailable, Now.AddHours(-2), code: "retries-exhausted");
        var reversed = f.Usage("D", Now.AddHours(-2));
        f.Charge(reversed, PostingStatus.Posted);
        var reversal = f.Usage("D", Now.AddHours(-1), kind: "Reversal");
        f.Charge(reversal, PostingStatus.Posted);
        var late = f.Usage("E", Now.AddHours(-6));
        f.Charge(late, PostingStatus.Posted, postedAt: Now.AddHours(2));
        var credited = f.Usage("F", Now.AddHours(-7));
        f.Charge(credited, PostingStatus.Posted);
        f.Charge(credited, PostingStatus.Posted, amount: -100m);
        f.Charge(f.Usage("G", Now.AddHours(-30)), PostingStatus.Posted);
        f.Usage("H", Now.AddHours(-2), billable: false);
        var held = Guid.NewGuid();
        f.Exception(held, WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-8), amount: 80m);
        f.Exception(held, WorkflowNames.SupplyCharge, Categories.Validation, Now.AddHours(-8), amount: 80m, code: "missing-lot");
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-9), facility: "SMH", amount: 50m);
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.Duplicate, Now.AddHours(-9), code: "duplicate-event");
        f.Charge(f.Usage("L", Now.AddHours(-3), facility: "SMH"), PostingStatus.Posted);
        await f.SaveAsync();
        // Evaluated three hours after the window: E's charge, posted two hours after the window, counts for it.
        var evaluatedAt = Now.AddHours(3);

        var all = await KpiAsync(f, KpiCatalog.ChargeCapture, Day, evaluatedAt);
        all.Current.ShouldBe(new Ratio(3, 8, 6));
        all.Previous.ShouldBe(new Ratio(1, 1, 1));
        all.Trend.Sum(t => t.Denominator).ShouldBe(8);
        all.Trend.Count.ShouldBe(24);

        var ngh = await KpiAsync(f, KpiCatalog.ChargeCapture, Day with { Facility = "NGH" }, evaluatedAt);
        ngh.Current.ShouldBe(new Ratio(2, 6, 4));
        ngh.Current.Value.ShouldBe(2.0 / 6);
        ngh.Current.IfResolvedValue.ShouldBe(4.0 / 6);
        var (numerator, _, gap) = await ListsAddUpAsync(f, KpiCatalog.ChargeCapture, Day with { Facility = "NGH" }, ngh.Current, evaluatedAt);
        numerator.Select(r => r.Key).Order().ShouldBe(new[] { captured.Id, late.Id }.Select(i => i.ToString().ToUpperInvariant()).Order());
        gap.Single(r => r.CorrelationId == held).BlockedByOpenException.ShouldBeTrue();
        gap.Single(r => r.Key == failed.Id.ToString().ToUpperInvariant()).ExceptionId.ShouldNotBeNull();
        gap.Single(r => r.Key == credited.Id.ToString().ToUpperInvariant()).BlockedByOpenException.ShouldBeFalse();
        numerator.ShouldAllBe(r => r.PatientKey != null);

        // The reconciliation job's own matcher agrees on every recorded usage of the window.
        var job = ChargeCapture.Evaluate(
            [.. new[] { captured, pending, failed, reversed, late, credited }.Select(u => new BillableUsage(u.Id.ToString(), u.Facility, u.OccurredAt, u.ChargeAmount)),
                new BillableUsage(reversal.Id.ToString(), "NGH", reversal.OccurredAt, 100m, reversed.Id.ToString())],
            f.Db.Charges.Where(c => c.Facility == "NGH").AsEnumerable().Select(c => new ChargeFact(c.Id.ToString(), c.UsageEventId.ToString(), c.Status, c.Amount, c.CreatedAt, c.PostedAt)).ToList(),
            evaluatedAt, TimeSpan.FromHours(2));
        job.Usages.Where(u => u.Outcome == CaptureOutcome.Captured).Select(u => u.Usage.UsageId.ToUpperInvariant()).Order()
            .ShouldBe(numerator.Select(r => r.Key).Order());
        job.Denominator.ShouldBe(ngh.Current.Denominator - 1); // the held usage never became a usage event

        var causes = (await KpiQueries.DrillAsync(f.Db, KpiCatalog.ChargeCapture, Day with { Facility = "NGH" }, DrillList.Gap, 1, 50, evaluatedAt, CancellationToken.None))!.GapCauses;
        causes.Sum(c => c.Items).ShouldBe(2);
    }

    [Fact]
    public async Task An_empty_window_is_no_data_for_every_KPI_never_zero_or_a_hundred_percent()
    {
        await using var f = await KpiFacts.CreateAsync();
        f.Charge(f.Usage("A", Now.AddHours(-5)), PostingStatus.Posted);
        await f.SaveAsync();
        var empty = new KpiFilter(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), new DateTime(2020, 1, 2, 0, 0, 0, DateTimeKind.Utc));

        var dashboard = await KpiQueries.DashboardAsync(f.Db, empty, Now, CancellationToken.None);

        dashboard.Kpis.Count.ShouldBe(KpiCatalog.All.Count);
        foreach (var kpi in dashboard.Kpis.Where(k => k.Id != KpiCatalog.ExceptionHealth))
        {
            kpi.Current.Denominator.ShouldBe(0, kpi.Id);
            kpi.Current.Value.ShouldBeNull(kpi.Id);
            kpi.Current.IfResolvedValue.ShouldBeNull(kpi.Id);
            kpi.Delta.ShouldBeNull(kpi.Id);
            kpi.Trend.ShouldAllBe(t => t.Value == null);
        }
        dashboard[KpiCatalog.ExceptionHealth].Current.Value.ShouldBeNull();
        dashboard[KpiCatalog.ExceptionHealth].Exceptions!.MeanHoursToResolve.ShouldBeNull();
        dashboard[KpiCatalog.FlowHealth].Flow!.LagP50Seconds.ShouldBeNull();
        dashboard[KpiCatalog.PaymentTimeliness].PaymentLag!.MedianHours.ShouldBeNull();
        (await KpiQueries.DrillAsync(f.Db, KpiCatalog.ChargeCapture, empty, DrillList.Denominator, 1, 50, Now, CancellationToken.None))!.Total.ShouldBe(0);
    }

    [Fact]
    public async Task A_workflow_cut_of_another_workflow_selects_nothing_and_cuts_a_KPI_does_not_carry_are_named()
    {
        await using var f = await KpiFacts.CreateAsync();
        f.Charge(f.Usage("A", Now.AddHours(-5)), PostingStatus.Posted);
        await f.SaveAsync();

        var other = await KpiAsync(f, KpiCatalog.ChargeCapture, Day with { Workflow = WorkflowNames.ProcureToPay });
        other.OutsideWorkflow.ShouldBeTrue();
        other.Current.Value.ShouldBeNull();
        var uncut = await KpiAsync(f, KpiCatalog.ChargeCapture, Day with { Vendor = "V1", Payer = "P1" });
        uncut.UncutBy.ShouldBe([KpiCut.Vendor, KpiCut.Payer]);
        uncut.Current.ShouldBe(new Ratio(1, 1, 1));
    }

    private static Verdict ThreeWay(string vendor, string invoice, string line, bool matched, DateTime invoiceDate, string outcome = "Matched") =>
        new($"{vendor}|{invoice}|{line}|SKU-{line}", outcome, matched, null, vendor, 100m, matched ? 0m : 8m, matched ? "matched" : "price over tolerance", invoiceDate,
            matched ? null : new Problem(Categories.UpstreamData, "match-price-variance", $"{invoice} line {line}"), null, ("invoice", invoice));

    [Fact]
    public async Task Invoice_match_rate_is_matched_lines_over_lines_received_cut_by_vendor_and_the_purchase_orders_facility()
    {
        await using var f = await KpiFacts.CreateAsync();
        var invoice = f.Document("invoice", "INV-1", partner: "V1", reference: "PO-1");
        f.Document("purchase-order", "PO-1", partner: "V1", facility: "NGH");
        f.Document("invoice", "INV-2", partner: "V2", reference: "PO-2");
        f.Document("purchase-order", "PO-2", partner: "V2", facility: "SMH");
        await f.SaveAsync();
        await VerdictStore.SaveAsync(f.Db, Reconciliations.ThreeWay, WorkflowNames.ProcureToPay,
        [
            ThreeWay("V1", "INV-1", "1", true, Now.Date),
            ThreeWay("V1", "INV-1", "2", false, Now.Date, "PriceVariance"),
            ThreeWay("V2", "INV-2", "1", false, Now.Date, "QuantityVariance"),
            ThreeWay("V2", "INV-3", "1", true, Now.Date.AddDays(-5)),
        ], Guid.NewGuid(), MappingSnapshot.Empty, Now, null, CancellationToken.None);
        var resolvedOne = f.Db.Exceptions.Single(e => e.BusinessKey == "INV-2");
        resolvedOne.Status = ExceptionStatus.Resolved;
        await f.SaveAsync();

        var all = await KpiAsync(f, KpiCatalog.InvoiceMatch, Day);
        all.Current.ShouldBe(new Ratio(1, 3, 2));
        all.Breakdowns.Single(b => b.Name == "By facility").Rows.ShouldContain(new BreakdownRow("NGH", 1, 2));
        (await KpiAsync(f, KpiCatalog.InvoiceMatch, Day with { Vendor = "V1" })).Current.ShouldBe(new Ratio(1, 2, 2));
        (await KpiAsync(f, KpiCatalog.InvoiceMatch, Day with { Facility = "SMH" })).Current.ShouldBe(new Ratio(0, 1, 0));
        (await KpiAsync(f, KpiCatalog.InvoiceMatch, Week)).Current.ShouldBe(new Ratio(2, 4, 3));

        var (numerator, _, gap) = await ListsAddUpAsync(f, KpiCatalog.InvoiceMatch, Day with { Vendor = "V1" }, new Ratio(1, 2, 2));
        numerator.Single().CorrelationId.ShouldBe(invoice.CorrelationId);
        numerator.Single().Facility.ShouldBe("NGH");
        gap.Single().Outcome.ShouldBe("PriceVariance");
        gap.Single().ExceptionId.ShouldNotBeNull();
    }

    private static decimal? Uom(string item, string from, string to) => (from, to) switch
    {
        ("BX", "EA") => 10m,
        ("EA", "BX") => 0.1m,
        _ => null,
    };

    [Fact]
    public async Task Inventory_accuracy_counts_the_item_locations_that_agree_after_unit_conversion_by_facility_and_item()
    {
        await using var f = await KpiFacts.CreateAsync();
        // As the inventory drift job does: compare with unit conversion, then store one verdict per item-location.
        var results = InventoryDrift.Compare(
            [new OnHand("NGH", "CATH", "SKU-1", 2m, "BX"), new OnHand("NGH", "OR", "SKU-2", 5m, "EA"), new OnHand("SMH", "CATH", "SKU-1", 1m, "CS"), new OnHand("SMH", "OR", "SKU-3", 4m, "EA")],
            [new OnHand("NGH", "CATH", "SKU-1", 20m, "EA"), new OnHand("NGH", "OR", "SKU-2", 7m, "EA"), new OnHand("SMH", "CATH", "SKU-1", 1m, "EA"), new OnHand("SMH", "OR", "SKU-3", 4m, "EA")],
            Uom, 0m, InventorySystem.Erp);
        await VerdictStore.SaveAsync(f.Db, Reconciliations.Drift, WorkflowNames.SupplyCharge,
            [.. results.Select(r => new Verdict($"{r.Facility}|{r.Location}|{r.Item}", r.Outcome.ToString(), r.Outcome == DriftOutcome.Agree, r.Facility, null,
                Math.Abs(r.Difference), r.Difference, r.Reason, Now.Date,
                r.Outcome == DriftOutcome.Agree ? null : new Problem(Categories.UpstreamData, "inventory-variance", r.Reason)))],
            Guid.NewGuid(), MappingSnapshot.Empty, Now.AddHours(-1), null, CancellationToken.None);

        var all = await KpiAsync(f, KpiCatalog.InventoryAccuracy, Day);
        all.Current.ShouldBe(new Ratio(2, 4, 4));
        all.Breakdowns.Single(b => b.Name == "By item").Rows.OrderBy(r => r.Key).ShouldBe(
            [new BreakdownRow("SKU-1", 1, 2), new BreakdownRow("SKU-2", 0, 1), new BreakdownRow("SKU-3", 1, 1)]);
        all.Breakdowns.Single(b => b.Name == "By facility").Rows.OrderBy(r => r.Key).ShouldBe([new BreakdownRow("NGH", 1, 2), new BreakdownRow("SMH", 1, 2)]);
        var ngh = await KpiAsync(f, KpiCatalog.InventoryAccuracy, Day with { Facility = "ngh" });
        ngh.Current.ShouldBe(new Ratio(1, 2, 2));

        var (numerator, _, gap) = await ListsAddUpAsync(f, KpiCatalog.InventoryAccuracy, Day with { Facility = "NGH" }, ngh.Current);
        numerator.Single().Key.ShouldBe("NGH|CATH|SKU-1"); // 2 BX against 20 EA agree once converted
        gap.Single().Measure.ShouldBe(2d);
        gap.Single().Item.ShouldBe("SKU-2");
        // Compared more than a day ago: not in today's window.
        (await KpiAsync(f, KpiCatalog.InventoryAccuracy, Day with { From = Now.AddHours(-24).AddDays(-2), To = Now.AddDays(-2) })).Current.Value.ShouldBeNull();
    }

    [Fact]
    public async Task Payment_timeliness_counts_matched_payments_whose_journal_reached_the_ERP_within_the_SLA_with_the_median_lag()
    {
        await using var f = await KpiFacts.CreateAsync();
        var d8 = new DateTime(2026, 3, 8, 0, 0, 0, DateTimeKind.Utc);
        var d5 = new DateTime(2026, 3, 5, 0, 0, 0, DateTimeKind.Utc);
        var d9 = new DateTime(2026, 3, 9, 0, 0, 0, DateTimeKind.Utc);
        f.Document("payment-settlement", "S1", partner: "BATCH-A", facility: "NGH", date: d8.AddHours(18));
        f.Document("payment-settlement", "S2", partner: "BATCH-A", facility: "NGH", date: d8.AddHours(20));
        f.Document("payment-settlement", "S3", partner: "BATCH-B", facility: "SMH", date: d5.AddHours(18));
        f.Document("payment-settlement", "S4", partner: "BATCH-B", facility: "NGH", date: d8.AddHours(19));
        f.Document("payment-settlement", "S5", partner: "BATCH-B", facility: "SMH", date: d9.AddHours(18));
        f.Outbox(Operations.ErpJournalPost, Systems.Erp, d9.AddHours(6), OutboxStatus.Delivered, deliveredAt: d9.AddHours(6), idempotencyKey: "journal:JE-NGH-20260308");
        f.Outbox(Operations.ErpJournalPost, Systems.Erp, d8, OutboxStatus.Delivered, deliveredAt: d8, idempotencyKey: "journal:JE-SMH-20260305");
        var failedJournal = f.Outbox(Operations.ErpJournalPost, Systems.Erp, Now.AddHours(-6), OutboxStatus.Failed, attempts: 5, idempotencyKey: "journal:JE-SMH-20260309");
        await f.SaveAsync();
        f.Exception(failedJournal.CorrelationId, WorkflowNames.PaymentPosting, Categories.DownstreamUnavailable, Now.AddHours(-5), facility: "SMH", outboxMessageId: failedJournal.Id, code: "retries-exhausted");
        await f.SaveAsync();
        Verdict Cash(string id, string facility, DateTime day, bool matched) => new(id, matched ? "Matched" : "NoReceipt", matched, facility, "gateway", 50m, matched ? 0m : 50m, "test", day,
            matched ? null : new Problem(Categories.UpstreamData, "cash-no-receipt", id));
        await VerdictStore.SaveAsync(f.Db, Reconciliations.Cash, WorkflowNames.PaymentPosting,
            [Cash("S1", "NGH", d8, true), Cash("S2", "NGH", d8, true), Cash("S3", "SMH", d5, true), Cash("S4", "NGH", d8, false), Cash("S5", "SMH", d9, true)],
            Guid.NewGuid(), MappingSnapshot.Empty, Now, null, CancellationToken.None);

        var week = await KpiAsync(f, KpiCatalog.PaymentTimeliness, Week);
        week.Current.ShouldBe(new Ratio(2, 5, 4));
        week.PaymentLag!.Posted.ShouldBe(3);
        week.PaymentLag.MedianHours!.Value.ShouldBe(12d, 0.001);
        week.PaymentLag.SlaHours.ShouldBe(48d);
        (await KpiAsync(f, KpiCatalog.PaymentTimeliness, Week with { Payer = "BATCH-A" })).Current.ShouldBe(new Ratio(2, 2, 2));
        (await KpiAsync(f, KpiCatalog.PaymentTimeliness, Week with { Facility = "SMH" })).Current.ShouldBe(new Ratio(0, 2, 1));
        // A longer SLA takes the late posting (54 h after settlement) in.
        (await KpiAsync(f, KpiCatalog.PaymentTimeliness, Week with { CashPostingSla = TimeSpan.FromHours(60) })).Current.ShouldBe(new Ratio(3, 5, 5));

        var (_, _, gap) = await ListsAddUpAsync(f, KpiCatalog.PaymentTimeliness, Week, week.Current);
        gap.Single(r => r.Key == "S3").Outcome.ShouldBe("posted late");
        gap.Single(r => r.Key == "S5").ExceptionId.ShouldNotBeNull();
        gap.Single(r => r.Key == "S4").BlockedByOpenException.ShouldBeTrue();
    }

    [Fact]
    public async Task Exception_health_buckets_open_exceptions_by_age_counts_breaches_and_the_mean_time_to_resolve()
    {
        await using var f = await KpiFacts.CreateAsync();
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-2), slaDueAt: Now.AddHours(20), owner: "riley");
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddDays(-2), slaDueAt: Now.AddDays(-1));
        f.Exception(Guid.NewGuid(), WorkflowNames.ProcureToPay, Categories.UpstreamData, Now.AddDays(-5), facility: "SMH", team: "supply-chain");
        f.Exception(Guid.NewGuid(), WorkflowNames.ProcureToPay, Categories.UpstreamData, Now.AddDays(-10), slaDueAt: Now.AddHours(1), team: null);
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-10), status: ExceptionStatus.Resolved, resolvedAt: Now.AddHours(-4), slaDueAt: Now.AddHours(10));
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-30), status: ExceptionStatus.Resolved, resolvedAt: Now.AddHours(-2), slaDueAt: Now.AddHours(-6));
        f.Exception(Guid.NewGuid(), WorkflowNames.SupplyCharge, Categories.MappingGap, Now.AddHours(-40), status: ExceptionStatus.Resolved, resolvedAt: Now.AddHours(-30));
        await f.SaveAsync();

        var health = await KpiAsync(f, KpiCatalog.ExceptionHealth, Day);
        health.Current.ShouldBe(new Ratio(2, 4, null));
        health.Previous.ShouldBeNull();
        var d = health.Exceptions!;
        (d.Open, d.Breached).ShouldBe((4, 2));
        d.Ages.Select(a => a.Open).ShouldBe([1, 1, 1, 1]);
        d.Ages.Select(a => a.Breached).ShouldBe([0, 1, 1, 0]);
        (d.RaisedInWindow, d.ResolvedInWindow, d.ResolvedLateInWindow).ShouldBe((2, 2, 1));
        d.MeanHoursToResolve!.Value.ShouldBe(17d, 0.001);
        d.ByTeam.ShouldContain(new ExceptionGroupCount("revenue-cycle", 2, 1));
        d.ByTeam.ShouldContain(new ExceptionGroupCount(null, 1, 0));
        d.ByOwner.ShouldContain(new ExceptionGroupCount("riley", 1, 0));
        d.ByWorkflow.ShouldContain(new ExceptionGroupCount(WorkflowNames.ProcureToPay, 2, 1));
        var smh = await KpiAsync(f, KpiCatalog.ExceptionHealth, Day with { Facility = "SMH" });
        smh.Current.ShouldBe(new Ratio(0, 1, null));
        await ListsAddUpAsync(f, KpiCatalog.ExceptionHealth, Day, health.Current);
    }

    [Fact]
    public async Task Flow_health_counts_deliveries_retries_dead_letters_attempt_errors_lag_and_throughput()
    {
        await using var f = await KpiFacts.CreateAsync();
        f.Inbox(Now.AddHours(-3));
        f.Inbox(Now.AddHours(-2));
        f.Inbox(Now.AddHours(-1), "x12", "810");
        f.Inbox(Now.AddHours(-30));
        var t1 = Guid.NewGuid();
        var t2 = Guid.NewGuid();
        var src = Now.AddHours(-3);
        f.Outbox(Operations.BillingChargePost, Systems.Billing, src, OutboxStatus.Delivered, deliveredAt: src.AddSeconds(30), sourceReceivedAt: src, correlationId: t1);
        f.Outbox(Operations.ErpInventoryDecrement, Systems.Erp, src, OutboxStatus.Delivered, deliveredAt: src.AddSeconds(90), sourceReceivedAt: src, correlationId: t1);
        f.Outbox(Operations.ErpInventoryDecrement, Systems.Erp, src, OutboxStatus.Delivered, attempts: 3, deliveredAt: src.AddSeconds(600), sourceReceivedAt: src, correlationId: t2);
        var dead = f.Outbox(Operations.BillingChargePost, Systems.Billing, src, OutboxStatus.Failed, attempts: 5);
        f.Outbox(Operations.WarehouseReplenish, Systems.Warehouse, src, OutboxStatus.Pending, attempts: 2);
        f.Outbox(Operations.SupplierPurchaseOrder, Systems.Supplier, src, OutboxStatus.Delivered, facility: "SMH");
        await f.SaveAsync();
        f.Exception(dead.CorrelationId, WorkflowNames.SupplyCharge, Categories.DownstreamUnavailable, src.AddHours(1), outboxMessageId: dead.Id, code: "retries-exhausted");
        await f.SaveAsync();

        var flow = await KpiAsync(f, KpiCatalog.FlowHealth, Day with { Facility = "NGH" });
        flow.Current.ShouldBe(new Ratio(3, 5, 4));
        var d = flow.Flow!;
        (d.Retried, d.DeadLetters, d.Pending).ShouldBe((3, 1, 1));
        d.Transactions.ShouldBe(2);
        d.LagP50Seconds!.Value.ShouldBe(90d, 0.01);
        d.LagP95Seconds!.Value.ShouldBe(600d, 0.01);
        var billing = d.Endpoints.Single(e => e.Target == Systems.Billing);
        (billing.Messages, billing.Attempts, billing.FailedAttempts).ShouldBe((2, 6, 5));
        billing.AttemptErrorRate!.Value.ShouldBe(5d / 6, 0.0001);
        billing.Circuit.ShouldBeNull();
        d.Received.ShouldBe(3);
        d.Throughput.Sum(t => t.Count).ShouldBe(3);
        await ListsAddUpAsync(f, KpiCatalog.FlowHealth, Day with { Facility = "NGH" }, flow.Current);

        var p2p = await KpiAsync(f, KpiCatalog.FlowHealth, Day with { Workflow = WorkflowNames.ProcureToPay });
        p2p.Current.ShouldBe(new Ratio(1, 1, 1));
        p2p.Flow!.Received.ShouldBe(1);
    }
}
