using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Reconciliation;

public class ChargeCaptureTests
{
    private static readonly DateTime T0 = new(2026, 11, 20, 8, 0, 0, DateTimeKind.Utc);
    private static readonly TimeSpan Grace = TimeSpan.FromHours(24);

    private static BillableUsage Use(string id, DateTime? at = null, decimal amount = 100m, string facility = "NGH") =>
        new(id, facility, at ?? T0, amount);

    private static BillableUsage Reversal(string id, string of, DateTime at) => new(id, "NGH", at, 0m, of);

    private static ChargeFact Charge(string usage, decimal amount = 100m, PostingStatus status = PostingStatus.Posted, DateTime? postedAt = null, string? id = null) =>
        new(id ?? "CH-" + usage, usage, status, amount, T0, postedAt ?? T0.AddHours(1));

    [Fact]
    public void A_usage_with_a_posted_charge_is_captured()
    {
        var r = ChargeCapture.Evaluate([Use("U1")], [Charge("U1")], T0.AddDays(2), Grace);

        var u = r.Usages.ShouldHaveSingleItem();
        u.Outcome.ShouldBe(CaptureOutcome.Captured);
        u.ChargedAmount.ShouldBe(100m);
        r.Numerator.ShouldBe(1);
        r.Denominator.ShouldBe(1);
        r.Completeness.ShouldBe(1m);
    }

    [Fact]
    public void A_usage_charged_within_the_grace_period_is_captured_not_pending()
    {
        ChargeCapture.Evaluate([Use("U1")], [Charge("U1")], T0.AddHours(2), Grace).Usages[0].Outcome.ShouldBe(CaptureOutcome.Captured);
    }

    [Fact]
    public void Exactly_at_the_end_of_the_grace_period_an_uncharged_usage_is_still_pending()
    {
        var r = ChargeCapture.Evaluate([Use("U1")], [], T0 + Grace, Grace);

        r.Usages[0].Outcome.ShouldBe(CaptureOutcome.Pending);
        r.Usages[0].DueBy.ShouldBe(T0 + Grace);
        r.Pending.ShouldBe(1);
        r.PendingAmount.ShouldBe(100m);
        r.Denominator.ShouldBe(1);
        r.Completeness.ShouldBe(0m);
    }

    [Fact]
    public void One_tick_after_the_grace_period_an_uncharged_usage_is_missing()
    {
        var r = ChargeCapture.Evaluate([Use("U1", amount: 1350m)], [], T0 + Grace + TimeSpan.FromTicks(1), Grace);

        r.Usages[0].Outcome.ShouldBe(CaptureOutcome.Missing);
        r.Missing.ShouldBe(1);
        r.MissingAmount.ShouldBe(1350m);
        r.Usages[0].Reason.ShouldContain("1350.00 not billed");
    }

    [Fact]
    public void Pending_failed_and_unposted_charges_are_not_finalized()
    {
        var end = T0.AddDays(3);
        var r = ChargeCapture.Evaluate([Use("U1"), Use("U2"), Use("U3")],
            [Charge("U1", status: PostingStatus.Pending), Charge("U2", status: PostingStatus.Failed), Charge("U3", postedAt: end.AddTicks(1))], end, Grace);

        r.Usages.ShouldAllBe(u => u.Outcome == CaptureOutcome.Missing);
        r.MissingAmount.ShouldBe(300m);
    }

    [Fact]
    public void A_charge_posted_exactly_at_the_window_end_counts()
    {
        var end = T0.AddDays(3);
        ChargeCapture.Evaluate([Use("U1")], [Charge("U1", postedAt: end)], end, Grace).Usages[0].Outcome.ShouldBe(CaptureOutcome.Captured);
    }

    [Fact]
    public void A_charge_fully_credited_back_no_longer_captures_the_usage()
    {
        var r = ChargeCapture.Evaluate([Use("U1")], [Charge("U1", id: "CH-1"), Charge("U1", -100m, id: "CH-2")], T0.AddDays(3), Grace);

        r.Usages[0].Outcome.ShouldBe(CaptureOutcome.Missing);
        r.Usages[0].ChargedAmount.ShouldBe(0m);
    }

    [Fact]
    public void A_reversed_usage_expects_no_charge_and_leaves_the_kpi()
    {
        var r = ChargeCapture.Evaluate([Use("U1"), Use("U2"), Reversal("X1", "U1", T0.AddHours(1))], [Charge("U2")], T0.AddDays(3), Grace);

        r.Usages.Select(u => (u.Usage.UsageId, u.Outcome)).ShouldBe([("U1", CaptureOutcome.Reversed), ("U2", CaptureOutcome.Captured)]);
        r.Reversed.ShouldBe(1);
        r.Numerator.ShouldBe(1);
        r.Denominator.ShouldBe(1);
        r.MissingAmount.ShouldBe(0m);
    }

    [Fact]
    public void A_reversed_usage_that_was_still_charged_says_so()
    {
        var r = ChargeCapture.Evaluate([Use("U1"), Reversal("X1", "U1", T0.AddHours(2))], [Charge("U1")], T0.AddDays(3), Grace);

        r.Usages[0].Outcome.ShouldBe(CaptureOutcome.Reversed);
        r.Usages[0].Reason.ShouldContain("100.00 is still posted");
    }

    [Fact]
    public void A_reversal_after_the_window_end_is_not_yet_effective()
    {
        var end = T0.AddDays(2);
        ChargeCapture.Evaluate([Use("U1"), Reversal("X1", "U1", end.AddMinutes(1))], [], end, Grace).Usages[0].Outcome.ShouldBe(CaptureOutcome.Missing);
    }

    [Fact]
    public void Charges_for_usage_outside_the_facts_are_reported_as_orphans()
    {
        var r = ChargeCapture.Evaluate([Use("U1")], [Charge("U1"), Charge("U9", id: "CH-Z"), Charge("U8", id: "CH-A")], T0.AddDays(3), Grace);

        r.OrphanCharges.Select(c => c.ChargeId).ShouldBe(["CH-A", "CH-Z"]);
    }

    [Fact]
    public void A_usage_repeated_under_the_same_id_is_counted_once()
    {
        var r = ChargeCapture.Evaluate([Use("U1"), Use("U1", at: T0.AddMinutes(5))], [], T0.AddDays(3), Grace);

        r.Usages.ShouldHaveSingleItem().Usage.OccurredAt.ShouldBe(T0);
        r.DuplicateUsages.ShouldHaveSingleItem().OccurredAt.ShouldBe(T0.AddMinutes(5));
        r.Denominator.ShouldBe(1);
    }

    [Fact]
    public void The_kpi_counts_captured_over_captured_missing_and_pending()
    {
        var end = T0.AddDays(1).AddHours(12);
        var r = ChargeCapture.Evaluate(
            [Use("A"), Use("B"), Use("C"), Use("D", at: end.AddHours(-1), amount: 40m), Use("E"), Reversal("R", "E", T0)],
            [Charge("A"), Charge("B")], end, Grace);

        (r.Captured, r.Missing, r.Pending, r.Reversed).ShouldBe((2, 1, 1, 1));
        r.Completeness.ShouldBe(0.5m);
        r.MissingAmount.ShouldBe(100m);
        r.PendingAmount.ShouldBe(40m);
    }

    [Fact]
    public void No_billable_usage_gives_no_completeness_figure()
    {
        ChargeCapture.Evaluate([], [], T0, Grace).Completeness.ShouldBeNull();
    }

    [Fact]
    public void The_same_facts_in_any_order_give_the_same_result()
    {
        BillableUsage[] usages = [Use("U3", T0.AddHours(3)), Use("U1"), Use("U2", T0.AddHours(1)), Reversal("X", "U2", T0.AddHours(2)), Use("U4", T0)];
        ChargeFact[] charges = [Charge("U1"), Charge("U4", status: PostingStatus.Failed), Charge("U9", id: "CH-B"), Charge("U8", id: "CH-A")];
        var expected = ChargeCapture.Evaluate(usages, charges, T0.AddDays(2), Grace);

        var rng = new Random(11);
        for (var i = 0; i < 20; i++)
        {
            var r = ChargeCapture.Evaluate(usages.OrderBy(_ => rng.Next()).ToArray(), charges.OrderBy(_ => rng.Next()).ToArray(), T0.AddDays(2), Grace);
            r.Usages.ShouldBe(expected.Usages);
            r.OrphanCharges.ShouldBe(expected.OrphanCharges);
            (r.Captured, r.Missing, r.Pending, r.Reversed, r.MissingAmount).ShouldBe((expected.Captured, expected.Missing, expected.Pending, expected.Reversed, expected.MissingAmount));
        }
        expected.Usages.Select(u => u.Usage.UsageId).ShouldBe(["U1", "U4", "U2", "U3"]);
    }
}
