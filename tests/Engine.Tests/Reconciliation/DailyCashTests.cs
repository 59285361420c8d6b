using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Reconciliation;

public class DailyCashTests
{
    private static readonly DateOnly Day = new(2026, 11, 21);

    private static Settlement S(string id, string reference, decimal amount, decimal fee = 0m, string facility = "NGH", DateOnly? date = null) =>
        new(id, facility, date ?? Day, reference, amount, fee);

    private static Receipt R(string id, string reference, decimal amount, string facility = "NGH") => new(id, facility, reference, amount);

    private static JournalEntry Je(string facility, decimal gross, decimal fees, int count) =>
        new($"JE-{facility}-20261121", facility, Day, gross, fees, gross - fees, count);

    [Fact]
    public void Matched_payments_summarize_into_one_journal_entry_per_facility_and_day()
    {
        var r = DailyCash.Reconcile(
            [S("T1", "PAY-1", 100m, 2.90m), S("T2", "PAY-2", 50m, 1.45m), S("T3", "PAY-3", 75m, 2.18m, facility: "SCH")],
            [R("B1", "PAY-1", 100m), R("B2", "pay-2 ", 50m), R("B3", "PAY-3", 75m, facility: "SCH")], [], Day, 0m);

        r.Matched.Count.ShouldBe(3);
        r.Entries.ShouldBe([Je("NGH", 150m, 4.35m, 2), Je("SCH", 75m, 2.18m, 1)]);
        r.Entries[0].EntryId.ShouldBe("JE-NGH-20261121");
        r.Entries[0].Net.ShouldBe(145.65m);
        r.ToPost.ShouldBe(r.Entries);
        r.UnmatchedSettlements.ShouldBeEmpty();
        r.UnmatchedReceipts.ShouldBeEmpty();
        r.Disagreements.ShouldBeEmpty();
    }

    [Fact]
    public void Fractional_cent_fees_are_summed_before_rounding_and_the_entry_balances()
    {
        var r = DailyCash.Reconcile(
            [S("T1", "P1", 10m, 0.333m), S("T2", "P2", 10m, 0.333m), S("T3", "P3", 10.005m, 0.334m)],
            [R("B1", "P1", 10m), R("B2", "P2", 10m), R("B3", "P3", 10.01m)], [], Day, 0.01m);

        var e = r.Entries.ShouldHaveSingleItem();
        e.Fees.ShouldBe(1.00m);   // 1.000, not 3 × 0.33
        e.Gross.ShouldBe(30.01m); // 30.005 rounds half away from zero
        e.Net.ShouldBe(29.01m);
        (e.Gross - e.Fees).ShouldBe(e.Net);
    }

    [Fact]
    public void A_difference_exactly_at_the_tolerance_matches_and_one_cent_more_is_an_amount_mismatch()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 100.05m), S("T2", "P2", 100.06m)], [R("B1", "P1", 100m), R("B2", "P2", 100m)], [], Day, 0.05m);

        r.Matched.ShouldHaveSingleItem().Settlement.TransactionId.ShouldBe("T1");
        r.Matched[0].Difference.ShouldBe(0.05m);
        var mismatch = r.AmountMismatches.ShouldHaveSingleItem();
        mismatch.Settlement.TransactionId.ShouldBe("T2");
        mismatch.Receipt.ReceiptId.ShouldBe("B2");
        mismatch.Difference.ShouldBe(0.06m);
        r.Entries.ShouldHaveSingleItem().Gross.ShouldBe(100.05m); // the cash actually received
        r.UnmatchedReceipts.ShouldBeEmpty();
    }

    [Fact]
    public void Payments_without_a_counterpart_are_reported_on_their_side()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m), S("T2", "", 20m), S("T3", "P9", 30m)], [R("B1", "P1", 10m), R("B2", "P2", 40m), R("B3", "", 5m)], [], Day, 0m);

        r.UnmatchedSettlements.Select(s => s.TransactionId).ShouldBe(["T2", "T3"]);
        r.UnmatchedReceipts.Select(x => x.ReceiptId).ShouldBe(["B2", "B3"]);
    }

    [Fact]
    public void Only_the_days_settlements_are_reconciled()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m, date: Day.AddDays(-1)), S("T2", "P2", 20m)], [R("B1", "P1", 10m), R("B2", "P2", 20m)], [], Day, 0m);

        r.Matched.ShouldHaveSingleItem().Settlement.TransactionId.ShouldBe("T2");
        r.UnmatchedReceipts.ShouldHaveSingleItem().ReceiptId.ShouldBe("B1");
    }

    [Fact]
    public void Among_receipts_with_the_same_reference_the_closest_amount_is_taken()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 25m)], [R("B1", "P1", 40m), R("B2", "P1", 25m), R("B3", "P1", 25m)], [], Day, 0m);

        r.Matched.ShouldHaveSingleItem().Receipt.ReceiptId.ShouldBe("B2");
        r.UnmatchedReceipts.Select(x => x.ReceiptId).ShouldBe(["B1", "B3"]);
    }

    [Fact]
    public void A_settlement_row_repeated_in_a_resent_file_is_counted_once()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m), S("T1", "P1", 10m)], [R("B1", "P1", 10m)], [], Day, 0m);

        r.Matched.Count.ShouldBe(1);
        r.DuplicateSettlements.Count.ShouldBe(1);
        r.Entries.ShouldHaveSingleItem().Count.ShouldBe(1);
    }

    [Fact]
    public void An_entry_already_posted_with_the_same_totals_is_not_posted_again()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m, 0.3m)], [R("B1", "P1", 10m)], [Je("NGH", 10m, 0.3m, 1)], Day, 0m);

        r.Entries.Count.ShouldBe(1);
        r.ToPost.ShouldBeEmpty();
        r.Disagreements.ShouldBeEmpty();
    }

    [Fact]
    public void A_posted_entry_that_disagrees_with_the_matched_totals_is_reported_and_not_reposted()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m, 0.3m), S("T2", "P2", 5m, 0.15m)], [R("B1", "P1", 10m), R("B2", "P2", 5m)],
            [Je("NGH", 10m, 0.3m, 1)], Day, 0m);

        r.ToPost.ShouldBeEmpty();
        var d = r.Disagreements.ShouldHaveSingleItem();
        d.EntryId.ShouldBe("JE-NGH-20261121");
        d.Expected.ShouldBe(Je("NGH", 15m, 0.45m, 2));
        d.Reason.ShouldContain("matched payments give gross 15.00");
    }

    [Fact]
    public void A_posted_entry_no_matched_payment_supports_and_a_double_posting_are_disagreements()
    {
        var r = DailyCash.Reconcile([S("T1", "P1", 10m)], [R("B1", "P1", 10m)],
            [Je("NGH", 10m, 0m, 1), Je("NGH", 10m, 0m, 1), Je("SCH", 5m, 0m, 1), Je("SCH", 5m, 0m, 1) with { Day = Day.AddDays(-1) }], Day, 0m);

        r.Disagreements.Select(d => (d.EntryId, d.Expected is null)).ShouldBe([("JE-NGH-20261121", false), ("JE-SCH-20261121", true)]);
        r.Disagreements[0].Reason.ShouldContain("more than once");
        r.ToPost.ShouldBeEmpty();
    }

    [Fact]
    public void The_same_facts_in_any_order_give_the_same_result()
    {
        Settlement[] settlements = [S("T1", "P1", 10m, 0.3m), S("T2", "P1", 10m, 0.3m), S("T3", "P3", 7m, facility: "SCH"), S("T4", "P4", 9m), S("T5", "P5", 1m)];
        Receipt[] receipts = [R("B1", "P1", 10m), R("B2", "P1", 9.99m), R("B3", "P3", 7m, facility: "SCH"), R("B4", "P4", 8m), R("B6", "P6", 3m)];
        var expected = DailyCash.Reconcile(settlements, receipts, [], Day, 0.01m);

        var rng = new Random(3);
        for (var i = 0; i < 20; i++)
        {
            var r = DailyCash.Reconcile(settlements.OrderBy(_ => rng.Next()).ToArray(), receipts.OrderBy(_ => rng.Next()).ToArray(), [], Day, 0.01m);
            r.Matched.ShouldBe(expected.Matched);
            r.AmountMismatches.ShouldBe(expected.AmountMismatches);
            r.UnmatchedSettlements.ShouldBe(expected.UnmatchedSettlements);
            r.UnmatchedReceipts.ShouldBe(expected.UnmatchedReceipts);
            r.Entries.ShouldBe(expected.Entries);
        }
        expected.Matched.Select(m => (m.Settlement.TransactionId, m.Receipt.ReceiptId)).ShouldBe([("T1", "B1"), ("T2", "B2"), ("T3", "B3")]);
        expected.AmountMismatches.ShouldHaveSingleItem().Settlement.TransactionId.ShouldBe("T4");
    }
}
