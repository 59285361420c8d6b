using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Reconciliation;

public class AgingTests
{
    private static readonly DateTime Now = new(2026, 11, 21, 12, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan AckSla = TimeSpan.FromHours(24);
    private static readonly TimeSpan ShipSla = TimeSpan.FromHours(72);

    private static HashSet<string> Set(params string[] items) => new(items, StringComparer.Ordinal);

    private static SentOrder Sent(string po, TimeSpan ago, string vendor = "ACME") => new(po, Now - ago, vendor);

    [Fact]
    public void An_order_exactly_at_the_ack_sla_is_not_overdue_and_one_tick_later_it_is()
    {
        AckAging.Find([Sent("PO-1", AckSla)], Set(), Set(), Now, AckSla, ShipSla).ShouldBeEmpty();

        var o = AckAging.Find([Sent("PO-1", AckSla + TimeSpan.FromTicks(1))], Set(), Set(), Now, AckSla, ShipSla).ShouldHaveSingleItem();
        o.Awaiting.ShouldBe(EdiAwaiting.Acknowledgement);
        o.Age.ShouldBe(AckSla + TimeSpan.FromTicks(1));
        o.OverdueBy.ShouldBe(TimeSpan.FromTicks(1));
        o.Vendor.ShouldBe("ACME");
    }

    [Fact]
    public void An_acknowledged_order_is_overdue_only_for_its_ship_notice()
    {
        AckAging.Find([Sent("PO-1", ShipSla)], Set("PO-1"), Set(), Now, AckSla, ShipSla).ShouldBeEmpty();

        var o = AckAging.Find([Sent("PO-1", ShipSla + TimeSpan.FromHours(1))], Set("PO-1"), Set(), Now, AckSla, ShipSla).ShouldHaveSingleItem();
        o.Awaiting.ShouldBe(EdiAwaiting.ShipNotice);
        o.OverdueBy.ShouldBe(TimeSpan.FromHours(1));
    }

    [Fact]
    public void An_order_with_neither_document_past_both_slas_is_overdue_for_both()
    {
        AckAging.Find([Sent("PO-1", TimeSpan.FromDays(4))], Set(), Set(), Now, AckSla, ShipSla)
            .Select(o => (o.Awaiting, o.OverdueBy))
            .ShouldBe([(EdiAwaiting.Acknowledgement, TimeSpan.FromDays(3)), (EdiAwaiting.ShipNotice, TimeSpan.FromDays(1))]);
    }

    [Fact]
    public void A_ship_notice_supersedes_a_missing_acknowledgement()
    {
        AckAging.Find([Sent("PO-1", TimeSpan.FromDays(10))], Set(), Set("PO-1"), Now, AckSla, ShipSla).ShouldBeEmpty();
    }

    [Fact]
    public void A_resent_order_ages_from_its_first_send()
    {
        var o = AckAging.Find([Sent("PO-1", TimeSpan.FromHours(2)), Sent("PO-1", TimeSpan.FromHours(30))], Set(), Set(), Now, AckSla, ShipSla).ShouldHaveSingleItem();

        o.Age.ShouldBe(TimeSpan.FromHours(30));
    }

    [Fact]
    public void Overdue_orders_are_listed_oldest_first_whatever_the_input_order()
    {
        SentOrder[] orders = [Sent("PO-B", TimeSpan.FromHours(30)), Sent("PO-A", TimeSpan.FromHours(30)), Sent("PO-C", TimeSpan.FromHours(50)), Sent("PO-D", TimeSpan.FromHours(1))];
        var expected = AckAging.Find(orders, Set(), Set(), Now, AckSla, ShipSla);

        expected.Select(o => o.PoNumber).ShouldBe(["PO-C", "PO-A", "PO-B"]);
        AckAging.Find(orders.Reverse().ToArray(), Set(), Set(), Now, AckSla, ShipSla).ShouldBe(expected);
    }

    [Fact]
    public void A_claim_exactly_at_the_sla_is_not_overdue_and_one_tick_later_it_is()
    {
        var sla = TimeSpan.FromDays(30);
        ClaimAging.Find([new("C1", Now - sla, "AETNA", 500m)], Set(), Now, sla).ShouldBeEmpty();

        var c = ClaimAging.Find([new("C1", Now - sla - TimeSpan.FromTicks(1), "AETNA", 500m)], Set(), Now, sla).ShouldHaveSingleItem();
        c.Payer.ShouldBe("AETNA");
        c.Amount.ShouldBe(500m);
        c.OverdueBy.ShouldBe(TimeSpan.FromTicks(1));
    }

    [Fact]
    public void A_claim_paid_or_denied_is_never_overdue_and_the_rest_are_listed_oldest_first()
    {
        var sla = TimeSpan.FromDays(30);
        SubmittedClaim[] claims =
        [
            new("C2", Now.AddDays(-40), "BCBS", 100m),
            new("C1", Now.AddDays(-45), "AETNA", 200m),
            new("C3", Now.AddDays(-60), "CIGNA", 300m),
            new("C4", Now.AddDays(-5), "CIGNA", 50m),
            new("C2", Now.AddDays(-35), "BCBS", 100m),
        ];

        var overdue = ClaimAging.Find(claims, Set("C3"), Now, sla);

        overdue.Select(c => (c.ClaimId, c.Age)).ShouldBe([("C1", TimeSpan.FromDays(45)), ("C2", TimeSpan.FromDays(40))]);
        ClaimAging.Find(claims.Reverse().ToArray(), Set("C3"), Now, sla).ShouldBe(overdue);
    }
}
