using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Reconciliation;

public class ThreeWayMatchTests
{
    private static readonly DateOnly Day1 = new(2026, 11, 2);
    private static readonly DateOnly Day2 = new(2026, 11, 3);
    private static readonly DateTime Received = new(2026, 11, 1, 9, 0, 0, DateTimeKind.Utc);

    // 2 % of contract, capped at 1.00 per PO unit; no quantity tolerance.
    private static readonly MatchTolerances Standard = new(PricePercent: 2m, PriceAbsolute: 1.00m);

    private static decimal? Uom(string item, string from, string to) => (from, to) switch
    {
        ("BX", "EA") => 10m,   // box of 10
        ("CS", "EA") => 12m,   // case of 12
        ("EA", "BX") => 0.1m,
        _ => null,
    };

    private static PoLine Po(decimal qty = 10, decimal price = 10.00m, string uom = "EA", string item = "SKU-1", string? line = "1", string po = "PO-1") =>
        new(po, line, item, qty, uom, price);

    private static ReceiptLine Rcv(decimal qty, string uom = "EA", string item = "SKU-1", string id = "R-1", string po = "PO-1") =>
        new(id, po, item, qty, uom, Received);

    private static InvoiceLine Inv(decimal qty = 10, decimal price = 10.00m, string uom = "EA", string number = "INV-1", string? line = "1",
        string item = "SKU-1", string po = "PO-1", string vendor = "ACME", DateOnly? date = null) =>
        new(number, vendor, po, line, item, qty, uom, price, date ?? Day1);

    private static InvoiceLineMatch One(PoLine[] po, ReceiptLine[] receipts, InvoiceLine invoice, MatchTolerances? tol = null) =>
        ThreeWayMatch.Match(po, receipts, [invoice], tol ?? Standard, Uom).ShouldHaveSingleItem();

    [Fact]
    public void Matches_a_line_billed_exactly_as_ordered_and_received()
    {
        var m = One([Po()], [Rcv(10)], Inv());

        m.Outcome.ShouldBe(MatchOutcome.Matched);
        m.IsMatched.ShouldBeTrue();
        m.InvoicedQuantity.ShouldBe(10m);
        m.ReceivedQuantity.ShouldBe(10m);
        m.InvoicedAmount.ShouldBe(100.00m);
        m.ExpectedAmount.ShouldBe(100.00m);
        m.VarianceAmount.ShouldBe(0m);
        m.AmountAtRisk.ShouldBe(0m);
        m.PoLine.ShouldBe(Po());
    }

    [Fact]
    public void A_unit_price_exactly_at_the_percentage_tolerance_matches()
    {
        // 2 % of 10.00 = 0.20, below the 1.00 cap, so the percentage governs.
        var m = One([Po()], [Rcv(10)], Inv(price: 10.20m));

        m.Outcome.ShouldBe(MatchOutcome.Matched);
        m.VarianceAmount.ShouldBe(2.00m);
        m.AmountAtRisk.ShouldBe(0m);
    }

    [Fact]
    public void One_cent_beyond_the_percentage_tolerance_is_a_price_variance()
    {
        var m = One([Po()], [Rcv(10)], Inv(price: 10.21m));

        m.Outcome.ShouldBe(MatchOutcome.PriceVariance);
        m.InvoicedAmount.ShouldBe(102.10m);
        m.ExpectedAmount.ShouldBe(100.00m);
        m.VarianceAmount.ShouldBe(2.10m);
        m.AmountAtRisk.ShouldBe(2.10m);
        m.Reason.ShouldContain("above the contract price 10.00");
    }

    [Fact]
    public void A_price_below_contract_is_held_to_the_same_tolerance()
    {
        One([Po()], [Rcv(10)], Inv(price: 9.80m)).Outcome.ShouldBe(MatchOutcome.Matched);

        var m = One([Po()], [Rcv(10)], Inv(price: 9.79m));
        m.Outcome.ShouldBe(MatchOutcome.PriceVariance);
        m.VarianceAmount.ShouldBe(-2.10m);
        m.AmountAtRisk.ShouldBe(2.10m);
        m.Reason.ShouldContain("below");
    }

    [Fact]
    public void The_absolute_cap_limits_the_percentage_on_expensive_items()
    {
        // 2 % of 100.00 = 2.00, capped at 1.00.
        One([Po(price: 100m)], [Rcv(10)], Inv(price: 101.00m)).Outcome.ShouldBe(MatchOutcome.Matched);
        One([Po(price: 100m)], [Rcv(10)], Inv(price: 101.01m)).Outcome.ShouldBe(MatchOutcome.PriceVariance);
        One([Po(price: 100m)], [Rcv(10)], Inv(price: 98.99m)).Outcome.ShouldBe(MatchOutcome.PriceVariance);
    }

    [Fact]
    public void The_price_allowance_is_the_smaller_rule_or_the_only_rule_or_nothing()
    {
        Standard.PriceAllowance(10m).ShouldBe(0.20m);
        Standard.PriceAllowance(50m).ShouldBe(1.00m);
        Standard.PriceAllowance(100m).ShouldBe(1.00m);
        new MatchTolerances(2m, null).PriceAllowance(100m).ShouldBe(2.00m);
        new MatchTolerances(null, 1.00m).PriceAllowance(10m).ShouldBe(1.00m);
        MatchTolerances.Exact.PriceAllowance(10m).ShouldBe(0m);
    }

    [Fact]
    public void Only_an_absolute_rule_applies_in_full_to_cheap_items()
    {
        var tol = new MatchTolerances(null, 1.00m);
        One([Po()], [Rcv(10)], Inv(price: 11.00m), tol).Outcome.ShouldBe(MatchOutcome.Matched);
        One([Po()], [Rcv(10)], Inv(price: 11.01m), tol).Outcome.ShouldBe(MatchOutcome.PriceVariance);
    }

    [Fact]
    public void Without_tolerances_any_price_difference_is_a_variance()
    {
        One([Po()], [Rcv(10)], Inv(price: 10.00m), MatchTolerances.Exact).Outcome.ShouldBe(MatchOutcome.Matched);
        One([Po()], [Rcv(10)], Inv(price: 10.01m), MatchTolerances.Exact).Outcome.ShouldBe(MatchOutcome.PriceVariance);
    }

    [Fact]
    public void Billing_exactly_the_quantity_tolerance_beyond_received_matches_and_one_more_unit_is_a_quantity_variance()
    {
        var tol = Standard with { QuantityUnits = 1m };

        var atEdge = One([Po()], [Rcv(10)], Inv(qty: 11), tol);
        atEdge.Outcome.ShouldBe(MatchOutcome.Matched);
        atEdge.ExpectedAmount.ShouldBe(110.00m);

        var beyond = One([Po()], [Rcv(10)], Inv(qty: 12), tol);
        beyond.Outcome.ShouldBe(MatchOutcome.QuantityVariance);
        beyond.ExpectedAmount.ShouldBe(100.00m);
        beyond.VarianceAmount.ShouldBe(20.00m);
        beyond.AmountAtRisk.ShouldBe(20.00m);
    }

    [Fact]
    public void Billing_one_unit_more_than_was_ordered_and_received_is_a_quantity_variance()
    {
        var m = One([Po()], [Rcv(10)], Inv(qty: 11));

        m.Outcome.ShouldBe(MatchOutcome.QuantityVariance);
        m.IsHold.ShouldBeFalse();
        m.InvoicedAmount.ShouldBe(110.00m);
        m.ExpectedAmount.ShouldBe(100.00m);
        m.VarianceAmount.ShouldBe(10.00m);
        m.Reason.ShouldContain("1 EA beyond the order");
    }

    [Fact]
    public void Over_delivery_does_not_make_billing_beyond_the_order_payable()
    {
        var m = One([Po()], [Rcv(12)], Inv(qty: 12));

        m.Outcome.ShouldBe(MatchOutcome.QuantityVariance);
        m.ExpectedAmount.ShouldBe(100.00m);
    }

    [Fact]
    public void A_partly_received_line_billed_in_full_is_held_as_a_partial_receipt()
    {
        var m = One([Po()], [Rcv(6)], Inv(qty: 10));

        m.Outcome.ShouldBe(MatchOutcome.PartialReceipt);
        m.IsHold.ShouldBeTrue();
        m.ReceivedQuantity.ShouldBe(6m);
        m.ExpectedAmount.ShouldBe(60.00m);
        m.VarianceAmount.ShouldBe(40.00m);
        m.Reason.ShouldContain("held until the rest arrives");
    }

    [Fact]
    public void A_partial_receipt_within_the_quantity_tolerance_matches()
    {
        One([Po()], [Rcv(9)], Inv(qty: 10), Standard with { QuantityUnits = 1m }).Outcome.ShouldBe(MatchOutcome.Matched);
        One([Po()], [Rcv(8)], Inv(qty: 10), Standard with { QuantityUnits = 1m }).Outcome.ShouldBe(MatchOutcome.PartialReceipt);
    }

    [Fact]
    public void An_invoice_with_no_receipt_at_all_is_held_before_receipt()
    {
        var m = One([Po()], [], Inv());

        m.Outcome.ShouldBe(MatchOutcome.InvoiceBeforeReceipt);
        m.IsHold.ShouldBeTrue();
        m.ReceivedQuantity.ShouldBe(0m);
        m.ExpectedAmount.ShouldBe(0m);
        m.AmountAtRisk.ShouldBe(100.00m);
        m.Reason.ShouldContain("Nothing received yet");
    }

    [Fact]
    public void Receipts_for_another_item_or_po_do_not_count()
    {
        One([Po()], [Rcv(10, item: "SKU-2"), Rcv(10, po: "PO-2")], Inv()).Outcome.ShouldBe(MatchOutcome.InvoiceBeforeReceipt);
    }

    [Fact]
    public void A_hold_takes_precedence_over_a_price_variance()
    {
        One([Po()], [Rcv(6)], Inv(qty: 10, price: 12m)).Outcome.ShouldBe(MatchOutcome.PartialReceipt);
        One([Po()], [], Inv(price: 12m)).Outcome.ShouldBe(MatchOutcome.InvoiceBeforeReceipt);
    }

    [Fact]
    public void Two_invoices_sharing_the_received_quantity_both_match()
    {
        var r = ThreeWayMatch.Match([Po()], [Rcv(6, id: "R-1"), Rcv(4, id: "R-2")],
            [Inv(qty: 4, number: "INV-2", date: Day2), Inv(qty: 6, number: "INV-1")], Standard, Uom);

        r.Select(m => (m.Invoice.InvoiceNumber, m.Outcome)).ShouldBe([("INV-1", MatchOutcome.Matched), ("INV-2", MatchOutcome.Matched)]);
        r[1].ReceivedQuantity.ShouldBe(10m);
    }

    [Fact]
    public void A_second_invoice_once_every_receipt_is_billed_waits_for_more_goods()
    {
        var r = ThreeWayMatch.Match([Po()], [Rcv(6)],
            [Inv(qty: 6, number: "INV-1"), Inv(qty: 4, number: "INV-2", date: Day2)], Standard, Uom);

        r[0].Outcome.ShouldBe(MatchOutcome.Matched);
        r[1].Outcome.ShouldBe(MatchOutcome.InvoiceBeforeReceipt);
        r[1].ExpectedAmount.ShouldBe(0m);
        r[1].Reason.ShouldContain("already billed");
    }

    [Fact]
    public void The_same_vendor_invoice_number_and_line_seen_again_is_a_duplicate_even_when_punctuated_differently()
    {
        var r = ThreeWayMatch.Match([Po()], [Rcv(10)],
            [Inv(number: "inv 0042", date: Day2), Inv(number: "INV-0042")], Standard, Uom);

        r[0].Invoice.InvoiceNumber.ShouldBe("INV-0042");
        r[0].Outcome.ShouldBe(MatchOutcome.Matched);
        r[1].Outcome.ShouldBe(MatchOutcome.DuplicateInvoice);
        r[1].ExpectedAmount.ShouldBe(0m);
        r[1].VarianceAmount.ShouldBe(100.00m);
        r[1].Reason.ShouldContain("resubmission");
    }

    [Fact]
    public void The_same_invoice_number_from_another_vendor_is_not_a_duplicate()
    {
        var r = ThreeWayMatch.Match([Po(), Po(po: "PO-2")], [Rcv(10), Rcv(10, po: "PO-2")],
            [Inv(number: "1001"), Inv(number: "1001", vendor: "OTHER", po: "PO-2")], Standard, Uom);

        r.ShouldAllBe(m => m.Outcome == MatchOutcome.Matched);
    }

    [Fact]
    public void Lines_of_one_invoice_without_line_numbers_are_told_apart_by_po_and_item()
    {
        var r = ThreeWayMatch.Match([Po(), Po(item: "SKU-2", line: "2")], [Rcv(10), Rcv(10, item: "SKU-2")],
            [Inv(line: null), Inv(line: null, item: "SKU-2")], Standard, Uom);

        r.ShouldAllBe(m => m.Outcome == MatchOutcome.Matched);
    }

    [Fact]
    public void A_po_line_billed_again_beyond_what_was_ordered_is_a_duplicate_invoice()
    {
        var r = ThreeWayMatch.Match([Po()], [Rcv(10)],
            [Inv(number: "INV-1"), Inv(number: "INV-9", date: Day2)], Standard, Uom);

        r[0].Outcome.ShouldBe(MatchOutcome.Matched);
        r[1].Outcome.ShouldBe(MatchOutcome.DuplicateInvoice);
        r[1].ExpectedAmount.ShouldBe(0m);
        r[1].AmountAtRisk.ShouldBe(100.00m);
        r[1].Reason.ShouldContain("already billed for 10 of 10 EA");
    }

    [Fact]
    public void A_po_line_billed_twice_before_any_receipt_is_still_caught_as_a_duplicate()
    {
        var r = ThreeWayMatch.Match([Po()], [],
            [Inv(number: "INV-1"), Inv(number: "INV-9", date: Day2)], Standard, Uom);

        r[0].Outcome.ShouldBe(MatchOutcome.InvoiceBeforeReceipt);
        r[1].Outcome.ShouldBe(MatchOutcome.DuplicateInvoice);
    }

    [Fact]
    public void A_rejected_line_does_not_use_up_the_order()
    {
        // INV-1 bills beyond the order and is rejected; INV-2 then bills the order correctly.
        var r = ThreeWayMatch.Match([Po()], [Rcv(10)],
            [Inv(qty: 15, number: "INV-1"), Inv(number: "INV-2", date: Day2)], Standard, Uom);

        r[0].Outcome.ShouldBe(MatchOutcome.QuantityVariance);
        r[1].Outcome.ShouldBe(MatchOutcome.Matched);
    }

    [Fact]
    public void An_unknown_po_has_no_purchase_order()
    {
        var m = One([Po()], [Rcv(10)], Inv(po: "PO-404"));

        m.Outcome.ShouldBe(MatchOutcome.NoPurchaseOrder);
        m.PoLine.ShouldBeNull();
        m.ExpectedAmount.ShouldBe(0m);
        m.AmountAtRisk.ShouldBe(100.00m);
        m.Reason.ShouldBe("PO PO-404 is not a known purchase order.");
    }

    [Fact]
    public void An_item_not_on_the_po_has_no_purchase_order()
    {
        One([Po()], [Rcv(10)], Inv(item: "SKU-7")).Reason.ShouldBe("PO PO-1 has no line for item SKU-7.");
    }

    [Fact]
    public void Boxes_of_ten_are_converted_to_eaches_before_comparing()
    {
        // Contract 10.00 per EA = 100.00 per box of 10.
        var m = One([Po(qty: 20)], [Rcv(2, uom: "BX")], Inv(qty: 2, uom: "BX", price: 100.00m));

        m.Outcome.ShouldBe(MatchOutcome.Matched);
        m.InvoicedQuantity.ShouldBe(20m);
        m.ReceivedQuantity.ShouldBe(20m);
        m.InvoicedAmount.ShouldBe(200.00m);
        m.ExpectedAmount.ShouldBe(200.00m);
    }

    [Fact]
    public void The_price_tolerance_is_per_po_unit_and_scales_with_the_invoice_unit()
    {
        // Contract 2.50 per EA; 2 % = 0.05 per EA = 0.60 per case of 12: 30.60 matches, 30.61 does not.
        One([Po(qty: 24, price: 2.50m)], [Rcv(24)], Inv(qty: 2, uom: "CS", price: 30.60m)).Outcome.ShouldBe(MatchOutcome.Matched);

        var m = One([Po(qty: 24, price: 2.50m)], [Rcv(24)], Inv(qty: 2, uom: "CS", price: 30.61m));
        m.Outcome.ShouldBe(MatchOutcome.PriceVariance);
        m.InvoicedAmount.ShouldBe(61.22m);
        m.ExpectedAmount.ShouldBe(60.00m);
    }

    [Fact]
    public void Receipts_in_cases_count_against_a_po_in_eaches()
    {
        var m = One([Po(qty: 24, price: 2.50m)], [Rcv(1, uom: "CS", id: "R-1"), Rcv(12, id: "R-2")], Inv(qty: 24, price: 2.50m));

        m.Outcome.ShouldBe(MatchOutcome.Matched);
        m.ReceivedQuantity.ShouldBe(24m);
    }

    [Fact]
    public void A_partial_receipt_in_boxes_is_measured_in_the_po_unit()
    {
        var m = One([Po(qty: 30)], [Rcv(2, uom: "BX")], Inv(qty: 3, uom: "BX", price: 100m));

        m.Outcome.ShouldBe(MatchOutcome.PartialReceipt);
        m.InvoicedQuantity.ShouldBe(30m);
        m.ReceivedQuantity.ShouldBe(20m);
        m.ExpectedAmount.ShouldBe(200.00m);
    }

    [Fact]
    public void An_invoice_unit_without_a_conversion_is_unconvertible()
    {
        var m = One([Po()], [Rcv(10)], Inv(qty: 1, uom: "PAL", price: 100m));

        m.Outcome.ShouldBe(MatchOutcome.UomUnconvertible);
        m.InvoicedQuantity.ShouldBeNull();
        m.ExpectedAmount.ShouldBe(0m);
        m.AmountAtRisk.ShouldBe(100m);
        m.Reason.ShouldContain("'PAL' cannot be converted");
    }

    [Fact]
    public void A_receipt_unit_without_a_conversion_makes_the_received_quantity_unknown()
    {
        var m = One([Po()], [Rcv(5), Rcv(1, uom: "PAL", id: "R-9")], Inv());

        m.Outcome.ShouldBe(MatchOutcome.UomUnconvertible);
        m.Reason.ShouldContain("Receipt R-9 is in unit 'PAL'");
    }

    [Fact]
    public void A_zero_factor_counts_as_no_conversion()
    {
        var m = ThreeWayMatch.Match([Po()], [Rcv(10)], [Inv(uom: "BX")], Standard, (_, _, _) => 0m).ShouldHaveSingleItem();

        m.Outcome.ShouldBe(MatchOutcome.UomUnconvertible);
    }

    [Fact]
    public void The_quoted_line_number_picks_the_po_line_and_receipts_fill_the_item_lines_in_order()
    {
        PoLine[] po = [Po(qty: 10, line: "1"), Po(qty: 5, line: "2", price: 9m)];
        var r = ThreeWayMatch.Match(po, [Rcv(12)], [Inv(qty: 5, line: "2", price: 9m), Inv(qty: 10, line: "1", number: "INV-2")], Standard, Uom);

        r[0].PoLine!.LineNumber.ShouldBe("2");
        r[0].ReceivedQuantity.ShouldBe(2m);
        r[0].Outcome.ShouldBe(MatchOutcome.PartialReceipt);
        r[1].PoLine!.LineNumber.ShouldBe("1");
        r[1].ReceivedQuantity.ShouldBe(10m);
        r[1].Outcome.ShouldBe(MatchOutcome.Matched);
    }

    [Fact]
    public void Without_a_line_number_the_first_po_line_not_yet_billed_is_used()
    {
        PoLine[] po = [Po(qty: 10, line: "10"), Po(qty: 10, line: "2")];
        var r = ThreeWayMatch.Match(po, [Rcv(20)],
            [Inv(line: null, number: "INV-1"), Inv(line: null, number: "INV-2", date: Day2)], Standard, Uom);

        r.Select(m => m.PoLine!.LineNumber).ShouldBe(["2", "10"]);
        r.ShouldAllBe(m => m.Outcome == MatchOutcome.Matched);
    }

    [Fact]
    public void A_quoted_line_number_the_po_does_not_have_falls_back_to_the_item()
    {
        var m = One([Po()], [Rcv(10)], Inv(line: "0007"));

        m.Outcome.ShouldBe(MatchOutcome.Matched);
        m.PoLine!.LineNumber.ShouldBe("1");
    }

    [Fact]
    public void Po_numbers_and_items_match_trimmed_and_case_insensitively()
    {
        One([Po(po: "PO-1", item: "SKU-1")], [Rcv(10, po: "po-1 ", item: "sku-1")], Inv(po: " Po-1", item: "Sku-1")).Outcome.ShouldBe(MatchOutcome.Matched);
    }

    [Fact]
    public void The_same_facts_in_any_order_give_the_same_results_in_the_same_order()
    {
        PoLine[] po = [Po(), Po(item: "SKU-2", line: "2", qty: 24, price: 2.5m), Po(po: "PO-2", qty: 5)];
        ReceiptLine[] receipts = [Rcv(6, id: "R-1"), Rcv(1, uom: "CS", item: "SKU-2", id: "R-2"), Rcv(5, po: "PO-2", id: "R-3")];
        InvoiceLine[] invoices =
        [
            Inv(qty: 6, number: "A-1"),
            Inv(qty: 4, number: "A-2", date: Day2),
            Inv(qty: 2, uom: "CS", item: "SKU-2", line: "2", price: 31m, number: "A-1"),
            Inv(qty: 5, po: "PO-2", number: "B-1", vendor: "BETA"),
            Inv(qty: 5, po: "PO-2", number: "B-1", vendor: "BETA", date: Day2),
            Inv(qty: 1, po: "PO-9", number: "C-1", vendor: "GAMMA"),
            Inv(qty: 1, uom: "PAL", number: "C-2", vendor: "GAMMA"),
        ];
        var expected = ThreeWayMatch.Match(po, receipts, invoices, Standard, Uom);

        var rng = new Random(7);
        for (var i = 0; i < 25; i++)
        {
            var shuffled = ThreeWayMatch.Match(
                po.OrderBy(_ => rng.Next()).ToArray(),
                receipts.OrderBy(_ => rng.Next()).ToArray(),
                invoices.OrderBy(_ => rng.Next()).ToArray(), Standard, Uom);
            shuffled.ShouldBe(expected);
        }
        expected.Select(m => m.Outcome).ShouldBe(
        [
            MatchOutcome.Matched,              // A-1 line 1: 6 of 6 received
            MatchOutcome.PartialReceipt,       // A-1 line 2: 24 EA billed, 12 received
            MatchOutcome.Matched,              // B-1 PO-2
            MatchOutcome.NoPurchaseOrder,      // C-1 PO-9
            MatchOutcome.UomUnconvertible,     // C-2 in pallets
            MatchOutcome.InvoiceBeforeReceipt, // every receipt already billed
            MatchOutcome.DuplicateInvoice,     // B-1 resubmitted
        ]);
    }

    [Fact]
    public void The_summary_gives_the_invoice_match_rate_and_the_amount_at_risk()
    {
        var r = ThreeWayMatch.Match([Po(), Po(po: "PO-2")], [Rcv(10), Rcv(10, po: "PO-2")],
            [Inv(), Inv(po: "PO-2", price: 10.50m, number: "INV-2"), Inv(po: "PO-3", number: "INV-3"), Inv(po: "PO-2", number: "INV-4", date: Day2)], Standard, Uom);

        var s = ThreeWayMatch.Summarize(r);
        s.Lines.ShouldBe(4);
        s.Matched.ShouldBe(1);
        s.MatchRate.ShouldBe(0.25m);
        s.ByOutcome[MatchOutcome.PriceVariance].ShouldBe(1);
        s.ByOutcome[MatchOutcome.NoPurchaseOrder].ShouldBe(1);
        s.ByOutcome[MatchOutcome.DuplicateInvoice].ShouldBe(1);
        s.AmountAtRisk.ShouldBe(5.00m + 100.00m + 100.00m);
        ThreeWayMatch.Summarize([]).MatchRate.ShouldBeNull();
    }
}
