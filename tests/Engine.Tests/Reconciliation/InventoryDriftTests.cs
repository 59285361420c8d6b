using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Engine.Tests.Reconciliation;

public class InventoryDriftTests
{
    private static decimal? Uom(string item, string from, string to) => (from, to) switch
    {
        ("BX", "EA") => 10m,
        ("CS", "EA") => 12m,
        ("EA", "BX") => 0.1m,
        _ => null,
    };

    private static OnHand H(decimal qty, string uom = "EA", string item = "SKU-1", string location = "CATH", string facility = "NGH") =>
        new(facility, location, item, qty, uom);

    private static DriftResult One(OnHand[] erp, OnHand[] wh, decimal tolerance = 0m, InventorySystem sor = InventorySystem.Erp) =>
        InventoryDrift.Compare(erp, wh, Uom, tolerance, sor).ShouldHaveSingleItem();

    [Fact]
    public void Equal_positions_agree()
    {
        var d = One([H(10)], [H(10)]);

        d.Outcome.ShouldBe(DriftOutcome.Agree);
        d.Correction.ShouldBeNull();
        d.Difference.ShouldBe(0m);
    }

    [Fact]
    public void A_difference_exactly_at_the_tolerance_agrees_and_one_unit_more_is_a_variance()
    {
        One([H(10)], [H(12)], tolerance: 2m).Outcome.ShouldBe(DriftOutcome.Agree);
        One([H(10)], [H(13)], tolerance: 2m).Outcome.ShouldBe(DriftOutcome.Variance);
        One([H(10)], [H(7)], tolerance: 2m).Outcome.ShouldBe(DriftOutcome.Variance);
    }

    [Fact]
    public void With_the_erp_as_system_of_record_the_warehouse_is_corrected()
    {
        var d = One([H(10)], [H(13)], sor: InventorySystem.Erp);

        d.Outcome.ShouldBe(DriftOutcome.Variance);
        d.Difference.ShouldBe(3m);
        d.SystemOfRecord.ShouldBe(InventorySystem.Erp);
        d.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Warehouse, -3m, 10m, "EA"));
        d.Reason.ShouldContain("remove 3 EA in the warehouse to show 10");
    }

    [Fact]
    public void With_the_warehouse_as_system_of_record_the_erp_is_corrected()
    {
        var d = One([H(10)], [H(13)], sor: InventorySystem.Warehouse);

        d.Difference.ShouldBe(3m);
        d.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Erp, 3m, 13m, "EA"));
        d.Reason.ShouldContain("add 3 EA in the ERP to show 13");
    }

    [Fact]
    public void Boxes_and_cases_are_converted_into_the_system_of_record_unit()
    {
        var d = One([H(2, "BX"), H(5)], [H(25)]);

        d.Outcome.ShouldBe(DriftOutcome.Agree);
        d.Uom.ShouldBe("BX");
        d.ErpQuantity.ShouldBe(2.5m);
        d.WarehouseQuantity.ShouldBe(2.5m);

        var cases = One([H(24)], [H(2, "CS")]);
        cases.Outcome.ShouldBe(DriftOutcome.Agree);
        cases.WarehouseQuantity.ShouldBe(24m);
    }

    [Fact]
    public void The_tolerance_is_in_the_comparison_unit()
    {
        // 25 EA in the ERP vs 2 BX in the warehouse: 0.5 BX apart, or 5 EA apart.
        var inBoxes = One([H(25)], [H(2, "BX")], tolerance: 0.5m, sor: InventorySystem.Warehouse);
        inBoxes.Uom.ShouldBe("BX");
        inBoxes.Difference.ShouldBe(-0.5m);
        inBoxes.Outcome.ShouldBe(DriftOutcome.Agree);

        var inEaches = One([H(25)], [H(2, "BX")], tolerance: 0.5m, sor: InventorySystem.Erp);
        inEaches.Uom.ShouldBe("EA");
        inEaches.Difference.ShouldBe(-5m);
        inEaches.Outcome.ShouldBe(DriftOutcome.Variance);
        inEaches.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Warehouse, 5m, 25m, "EA"));

        One([H(25)], [H(2, "BX")], tolerance: 5m, sor: InventorySystem.Erp).Outcome.ShouldBe(DriftOutcome.Agree);
    }

    [Fact]
    public void A_unit_without_a_conversion_cannot_be_compared()
    {
        var d = One([H(10)], [H(1, "PAL")]);

        d.Outcome.ShouldBe(DriftOutcome.UomUnconvertible);
        d.Correction.ShouldBeNull();
        d.Reason.ShouldContain("'PAL' cannot be converted to 'EA'");
    }

    [Fact]
    public void A_position_only_the_warehouse_reports_is_missing_in_the_erp()
    {
        var erpRecord = One([], [H(4)], sor: InventorySystem.Erp);
        erpRecord.Outcome.ShouldBe(DriftOutcome.MissingInErp);
        erpRecord.ErpQuantity.ShouldBeNull();
        erpRecord.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Warehouse, -4m, 0m, "EA"));

        var whRecord = One([], [H(4)], sor: InventorySystem.Warehouse);
        whRecord.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Erp, 4m, 4m, "EA"));
    }

    [Fact]
    public void A_position_only_the_erp_reports_is_missing_in_the_warehouse()
    {
        var d = One([H(6)], [], sor: InventorySystem.Erp);

        d.Outcome.ShouldBe(DriftOutcome.MissingInWarehouse);
        d.Difference.ShouldBe(-6m);
        d.Correction.ShouldBe(new InventoryCorrection(InventorySystem.Warehouse, 6m, 6m, "EA"));
    }

    [Fact]
    public void Positions_are_keyed_by_facility_location_and_item_ignoring_case_and_padding()
    {
        var r = InventoryDrift.Compare(
            [H(1), H(2, location: "OR"), H(3, facility: "SCH")],
            [H(1, item: "sku-1 ", location: "cath"), H(2, location: "OR"), H(3, facility: "SCH", item: "SKU-2")], Uom, 0m, InventorySystem.Erp);

        r.Select(d => (d.Facility, d.Location, d.Item, d.Outcome)).ShouldBe(
        [
            ("NGH", "CATH", "SKU-1", DriftOutcome.Agree),
            ("NGH", "OR", "SKU-1", DriftOutcome.Agree),
            ("SCH", "CATH", "SKU-1", DriftOutcome.MissingInWarehouse),
            ("SCH", "CATH", "SKU-2", DriftOutcome.MissingInErp),
        ]);
    }

    [Fact]
    public void Accuracy_is_agreeing_over_every_item_location_compared()
    {
        var r = InventoryDrift.Compare([H(1), H(2, item: "B"), H(3, item: "C")], [H(1), H(5, item: "B"), H(1, item: "D")], Uom, 0m, InventorySystem.Erp);

        var s = InventoryDrift.Summarize(r);
        s.Agreeing.ShouldBe(1);
        s.Compared.ShouldBe(4);
        s.Accuracy.ShouldBe(0.25m);
        InventoryDrift.Summarize([]).Accuracy.ShouldBeNull();
    }

    [Fact]
    public void The_same_positions_in_any_order_give_the_same_result()
    {
        OnHand[] erp = [H(1), H(2, "BX", item: "B"), H(5, item: "B"), H(3, item: "C"), H(7, location: "OR")];
        OnHand[] wh = [H(1), H(25, item: "B"), H(4, item: "D"), H(6, location: "OR")];
        var expected = InventoryDrift.Compare(erp, wh, Uom, 0m, InventorySystem.Warehouse);

        var rng = new Random(5);
        for (var i = 0; i < 20; i++)
            InventoryDrift.Compare(erp.OrderBy(_ => rng.Next()).ToArray(), wh.OrderBy(_ => rng.Next()).ToArray(), Uom, 0m, InventorySystem.Warehouse).ShouldBe(expected);
    }
}
