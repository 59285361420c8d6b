using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Kpis;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Tests.Kpis;

/// <summary>
/// Dashboards over more than 48 hours add up the closed days the kpi-rollup job counted and count the rest live: on a
/// fact set spread over weeks they must show exactly what counting every fact shows, for every window edge and cut.
/// </summary>
public class KpiRollupTests
{
    private static readonly DateTime Now = KpiFacts.Now;

    private sealed class At(DateTime now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    private static async Task RollUpAsync(KpiFacts f, DateTime now)
    {
        await using var db = f.NewDb();
        await new KpiRollup(db, new At(now), Options.Create(new KpiOptions { RollupDays = 40 })).RefreshAsync(CancellationToken.None);
    }

    /// <summary>Usage, charges, exceptions, inbound and outbound messages, invoice and cash verdicts on each of 25 days.</summary>
    private static async Task SeedAsync(KpiFacts f)
    {
        var threeWay = new List<Verdict>();
        var cash = new List<Verdict>();
        for (var d = 0; d < 25; d++)
        {
            var facility = d % 2 == 0 ? "NGH" : "SMH";
            for (var i = 0; i < 3; i++)
            {
                var at = Now.AddDays(-d).AddHours(-(d * 7 + i * 5) % 24).AddMinutes(-i * 13);
                var usage = f.Usage($"U{d}-{i}", at, facility);
                if ((d + i) % 3 != 0) f.Charge(usage, PostingStatus.Posted);
                else if (d % 2 == 0) f.Exception(usage.CorrelationId, WorkflowNames.SupplyCharge, Categories.DownstreamUnavailable, at.AddHours(1), facility);
                f.Inbox(at, i == 2 ? "x12" : "hl7v2", i == 2 ? "810" : "DFT^P03");
                var status = (d + i) % 5 == 0 ? OutboxStatus.Failed : (d + i) % 7 == 0 ? OutboxStatus.Pending : OutboxStatus.Delivered;
                var operation = i == 2 ? Operations.SupplierPurchaseOrder : Operations.BillingChargePost;
                f.Outbox(operation, i == 2 ? Systems.Supplier : Systems.Billing, at, status, attempts: 1 + (d + i) % 3,
                    deliveredAt: at.AddSeconds(5 + d * 37 + i * 11), sourceReceivedAt: at, correlationId: usage.CorrelationId, facility: facility);
                threeWay.Add(new Verdict($"V{i}|INV-{d}|{i}|SKU-{i}", i == 1 ? "PriceVariance" : "Matched", i != 1, facility, $"V{i}", 100m, i == 1 ? 8m : 0m, "test", at.Date,
                    i == 1 ? new Problem(Categories.UpstreamData, "match-price-variance", $"INV-{d} line {i}") : null, null, ("invoice", $"INV-{d}")));
                var day = at.Date;
                cash.Add(new Verdict($"S{d}-{i}", i == 0 ? "NoReceipt" : "Matched", i != 0, facility, i == 2 ? "gateway-b" : "gateway", 50m, 0m, "test", day,
                    i == 0 ? new Problem(Categories.UpstreamData, "cash-no-receipt", $"S{d}-{i}") : null));
                f.Document("payment-settlement", $"S{d}-{i}", partner: i == 2 ? "gateway-b" : "gateway", facility: facility, date: day);
            }
            if (d >= 2)
            {
                // A transaction whose last delivery falls on a later day than its first: it counts on the later day only.
                var started = Now.AddDays(-d).AddMinutes(1);
                var spanning = Guid.NewGuid();
                f.Outbox(Operations.BillingChargePost, Systems.Billing, started, OutboxStatus.Delivered, deliveredAt: started.AddSeconds(5), sourceReceivedAt: started,
                    correlationId: spanning, facility: facility);
                f.Outbox(Operations.ErpInventoryDecrement, Systems.Erp, started.AddHours(26), OutboxStatus.Delivered, deliveredAt: started.AddHours(26).AddSeconds(9),
                    sourceReceivedAt: started, correlationId: spanning, facility: facility);
            }
            var settled = Now.AddDays(-d).Date;
            f.Outbox(Operations.ErpJournalPost, Systems.Erp, settled.AddHours(20), OutboxStatus.Delivered, deliveredAt: settled.AddHours(d % 4 == 0 ? 70 : 20 + d),
                facility: facility, idempotencyKey: $"journal:JE-{facility}-{settled:yyyyMMdd}");
        }
        await f.SaveAsync();
        await VerdictStore.SaveAsync(f.Db, Reconciliations.ThreeWay, WorkflowNames.ProcureToPay, threeWay, Guid.NewGuid(), MappingSnapshot.Empty, Now, null, CancellationToken.None);
        await VerdictStore.SaveAsync(f.Db, Reconciliations.Cash, WorkflowNames.PaymentPosting, cash, Guid.NewGuid(), MappingSnapshot.Empty, Now, null, CancellationToken.None);
    }

    private static async Task ShouldEqualLiveAsync(KpiFacts f, KpiFilter filter)
    {
        await using var db = f.NewDb();
        var window = $"{filter.From:u} to {filter.To:u} {filter.Facility}{filter.Vendor}{filter.Payer}{filter.Workflow}";
        var dashboard = await KpiQueries.DashboardAsync(db, filter, Now, CancellationToken.None);
        dashboard.ClosedDaysAsOf.ShouldNotBeNull($"closed days of {window} read from the day totals");
        foreach (var fromTotals in dashboard.Kpis)
        {
            var live = await KpiQueries.KpiAsync(db, fromTotals.Id, filter, Now, null, withBreakdowns: false, CancellationToken.None);
            var what = $"{fromTotals.Id} over {window}";
            fromTotals.Current.ShouldBe(live.Current, what);
            fromTotals.Previous.ShouldBe(live.Previous, what);
            fromTotals.Trend.ShouldBe(live.Trend, what);
            if (live.PaymentLag is { } lag)
            {
                fromTotals.PaymentLag!.Posted.ShouldBe(lag.Posted, what);
                if (lag.MedianHours is { } median) fromTotals.PaymentLag.MedianHours!.Value.ShouldBe(median, median * 0.025, what);
            }
            if (live.Flow is { } flow)
            {
                var rolled = fromTotals.Flow!;
                (rolled.Received, rolled.Retried, rolled.DeadLetters, rolled.Pending, rolled.Transactions).ShouldBe((flow.Received, flow.Retried, flow.DeadLetters, flow.Pending, flow.Transactions), what);
                rolled.Throughput.ShouldBe(flow.Throughput, what);
                rolled.Endpoints.ShouldBe(flow.Endpoints, what);
                rolled.LagP50Seconds!.Value.ShouldBe(flow.LagP50Seconds!.Value, flow.LagP50Seconds.Value * 0.025, what);
                rolled.LagP95Seconds!.Value.ShouldBe(flow.LagP95Seconds!.Value, flow.LagP95Seconds.Value * 0.025, what);
            }
        }
    }

    [Fact]
    public async Task A_long_window_from_day_totals_shows_what_counting_every_fact_shows_for_every_cut()
    {
        await using var f = await KpiFacts.CreateAsync();
        await SeedAsync(f);
        await RollUpAsync(f, Now);
        (await f.NewDb().KpiDayTotals.CountAsync()).ShouldBeGreaterThan(0);

        var tenDays = new KpiFilter(Now.AddDays(-10), Now);
        await ShouldEqualLiveAsync(f, tenDays);
        await ShouldEqualLiveAsync(f, tenDays with { Facility = "SMH" });
        await ShouldEqualLiveAsync(f, tenDays with { Vendor = "V1" });
        await ShouldEqualLiveAsync(f, tenDays with { Payer = "gateway-b" });
        await ShouldEqualLiveAsync(f, tenDays with { Workflow = WorkflowNames.ProcureToPay });
        // A window starting at midnight (no day split between the windows) and one ending on a closed day.
        await ShouldEqualLiveAsync(f, new KpiFilter(Now.Date.AddDays(-7), Now, Facility: "NGH"));
        await ShouldEqualLiveAsync(f, new KpiFilter(Now.AddDays(-12).AddHours(-3), Now.AddDays(-2).AddHours(-5)));
    }

    [Fact]
    public async Task Hourly_windows_and_windows_the_totals_do_not_cover_are_counted_from_the_facts()
    {
        await using var f = await KpiFacts.CreateAsync();
        await SeedAsync(f);
        await using var db = f.NewDb();
        (await KpiQueries.DashboardAsync(db, new KpiFilter(Now.AddDays(-10), Now), Now, CancellationToken.None)).ClosedDaysAsOf.ShouldBeNull("no run yet");
        await RollUpAsync(f, Now);
        (await KpiQueries.DashboardAsync(db, new KpiFilter(Now.AddHours(-48), Now), Now, CancellationToken.None)).ClosedDaysAsOf.ShouldBeNull("trended by hour");
        (await KpiQueries.DashboardAsync(db, new KpiFilter(Now.AddDays(-10), Now, CashPostingSla: TimeSpan.FromHours(12)), Now, CancellationToken.None))
            .ClosedDaysAsOf.ShouldBeNull("another cash SLA than the totals were counted with");
    }

    [Fact]
    public async Task A_late_posting_for_a_closed_day_shows_after_the_next_run_and_at_once_in_the_drill_down()
    {
        await using var f = await KpiFacts.CreateAsync();
        await SeedAsync(f);
        var late = f.Usage("LATE-1", Now.AddDays(-5).AddHours(-2), "NGH");
        await f.SaveAsync();
        await RollUpAsync(f, Now);
        var window = new KpiFilter(Now.AddDays(-10), Now);
        await using (var db = f.NewDb())
        {
            var before = (await KpiQueries.DashboardAsync(db, window, Now, CancellationToken.None))[KpiCatalog.ChargeCapture].Current;
            f.Charge(late, PostingStatus.Posted, postedAt: Now.AddMinutes(-1));
            await f.SaveAsync();

            (await KpiQueries.DashboardAsync(db, window, Now, CancellationToken.None))[KpiCatalog.ChargeCapture].Current.ShouldBe(before, "as of the last run");
            var drill = (await KpiQueries.DrillAsync(db, KpiCatalog.ChargeCapture, window, DrillList.Numerator, 1, 10, Now, CancellationToken.None))!;
            drill.Ratio.Numerator.ShouldBe(before.Numerator + 1);
        }
        await RollUpAsync(f, Now.AddMinutes(5));
        await ShouldEqualLiveAsync(f, window);
    }
}
