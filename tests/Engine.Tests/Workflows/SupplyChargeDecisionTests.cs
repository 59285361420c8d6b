using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Workflows.SupplyCharge;

namespace HealthSync.Engine.Tests.Workflows;

public class SupplyChargeDecisionTests
{
    private static readonly DateTime Jan1 = new(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    private static readonly DateTime Now = new(2026, 11, 21, 10, 0, 0, DateTimeKind.Utc);

    private static MappingSnapshot Map(IEnumerable<ItemMapping>? extraItems = null, IEnumerable<ChargeCodeMapping>? extraCharges = null) => new(
        [
            new ItemMapping { ItemCode = "STENT", Sku = "SKU-1", Description = "Stent", LotTracked = true, Billable = true, BaseUom = "EA", ParLevel = 4, EffectiveFrom = Jan1 },
            new ItemMapping { ItemCode = "SUTURE", Sku = "SKU-2", Description = "Suture", Billable = true, BaseUom = "EA", EffectiveFrom = Jan1 },
            new ItemMapping { ItemCode = "GAUZE", Sku = "SKU-3", Description = "Gauze", BaseUom = "EA", EffectiveFrom = Jan1 },
            new ItemMapping { ItemCode = "OLDCLIP", Sku = "SKU-9", Description = "Clip", Active = false, Billable = true, BaseUom = "EA", EffectiveFrom = Jan1 },
            new ItemMapping { ItemCode = "VCD", Sku = "SKU-5", Description = "Closure device", Billable = true, BaseUom = "EA", EffectiveFrom = Jan1 },
            .. extraItems ?? [],
        ],
        [
            new ChargeCodeMapping { Sku = "SKU-1", ChargeCode = "CDM-1", UnitPrice = 1350m, EffectiveFrom = Jan1 },
            new ChargeCodeMapping { Sku = "SKU-2", ChargeCode = "CDM-2", UnitPrice = 18m, EffectiveFrom = Jan1 },
            new ChargeCodeMapping { Sku = "SKU-9", ChargeCode = "CDM-9", UnitPrice = 60m, EffectiveFrom = Jan1 },
            .. extraCharges ?? [],
        ],
        [new LocationMapping { Facility = "NGH", LocationCode = "CATH", CostCenter = "CC-7020", ErpLocation = "NGH-CATH-STOCK" }],
        [new UomConversion { Sku = "SKU-2", FromUom = "BX", Factor = 12m }],
        [
            new RoutingRule { Category = "*", Team = "revenue-cycle" },
            new RoutingRule { Category = Categories.MappingGap, Team = "master-data" },
            new RoutingRule { Category = Categories.MappingGap, Facility = "SCH", Team = "south-master-data" },
        ]);

    private static SupplyUsage Usage(string item, decimal qty = 1, string uom = "EA", string? lot = "L1", string location = "CATH", DateTimeOffset? at = null) =>
        new("T1", UsageKind.Consumption, at ?? new DateTimeOffset(Now.AddHours(-1)), "NGH", location, item, null, qty, uom, null, lot, null, null, "MRN1", "ACC1", "ENC1", null);

    [Fact]
    public void Maps_a_billable_implant_to_sku_cost_center_and_charge()
    {
        var d = SupplyChargeDecision.Decide(Usage("STENT"), Map(), Now);

        d.Clean.ShouldBeTrue();
        d.Mapped!.Sku.ShouldBe("SKU-1");
        d.Mapped.CostCenter.ShouldBe("CC-7020");
        d.Mapped.ErpLocation.ShouldBe("NGH-CATH-STOCK");
        d.Mapped.ChargeCode.ShouldBe("CDM-1");
        d.Mapped.ChargeAmount.ShouldBe(1350m);
        d.Mapped.ParLevel.ShouldBe(4m);
    }

    [Fact]
    public void Converts_boxes_to_the_base_unit_before_charging()
    {
        var d = SupplyChargeDecision.Decide(Usage("SUTURE", qty: 2, uom: "BX", lot: null), Map(), Now);

        d.Clean.ShouldBeTrue();
        d.Mapped!.BaseQuantity.ShouldBe(24m);
        d.Mapped.ChargeAmount.ShouldBe(432m);
    }

    [Fact]
    public void A_non_billable_supply_decrements_inventory_without_a_charge()
    {
        var d = SupplyChargeDecision.Decide(Usage("GAUZE", lot: null), Map(), Now);

        d.Clean.ShouldBeTrue();
        d.Mapped!.Billable.ShouldBeFalse();
        d.Mapped.ChargeCode.ShouldBeNull();
    }

    [Theory]
    [InlineData("STENT", "EA", null, "CATH", Categories.Validation, "missing-lot")]
    [InlineData("OLDCLIP", "EA", null, "CATH", Categories.MappingGap, "inactive-sku")]
    [InlineData("VCD", "EA", null, "CATH", Categories.MappingGap, "unmapped-charge-code")]
    [InlineData("GAUZE", "BX", null, "CATH", Categories.MappingGap, "uom-mismatch")]
    [InlineData("GAUZE", "EA", null, "PACU-3", Categories.MappingGap, "unknown-location")]
    [InlineData("NOSUCHITEM", "EA", null, "CATH", Categories.MappingGap, "unmapped-item")]
    public void Each_bad_data_case_becomes_a_specific_problem(string item, string uom, string? lot, string location, string category, string code)
    {
        var d = SupplyChargeDecision.Decide(Usage(item, uom: uom, lot: lot, location: location), Map(), Now);

        d.Clean.ShouldBeFalse();
        d.Problems.ShouldContain(p => p.Category == category && p.Code == code);
        d.Problems.Single(p => p.Code == code).Detail.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Amount_at_risk_of_a_held_billable_usage_is_its_charge()
    {
        var d = SupplyChargeDecision.Decide(Usage("STENT", lot: null), Map(), Now);

        d.AmountAtRisk.ShouldBe(1350m);
    }

    [Fact]
    public void The_mapping_valid_at_the_event_time_is_used()
    {
        var june = new DateTime(2026, 6, 1, 0, 0, 0, DateTimeKind.Utc);
        var map = Map(extraCharges:
        [
            new ChargeCodeMapping { Sku = "SKU-3", ChargeCode = "CDM-OLD", UnitPrice = 1m, EffectiveFrom = Jan1, EffectiveTo = june },
            new ChargeCodeMapping { Sku = "SKU-3", ChargeCode = "CDM-NEW", UnitPrice = 2m, EffectiveFrom = june },
        ]);
        map.ChargeCode("SKU-3", "NGH", june.AddDays(-1))!.ChargeCode.ShouldBe("CDM-OLD");
        map.ChargeCode("SKU-3", "NGH", june.AddDays(1))!.ChargeCode.ShouldBe("CDM-NEW");
    }

    [Fact]
    public void A_facility_override_wins_over_the_network_wide_mapping()
    {
        var map = Map(extraCharges: [new ChargeCodeMapping { Sku = "SKU-1", Facility = "NGH", ChargeCode = "CDM-1-NGH", UnitPrice = 1400m, EffectiveFrom = Jan1 }]);

        var d = SupplyChargeDecision.Decide(Usage("STENT"), map, Now);

        d.Mapped!.ChargeCode.ShouldBe("CDM-1-NGH");
        map.ChargeCode("SKU-1", "SCH", Now)!.ChargeCode.ShouldBe("CDM-1");
    }

    [Fact]
    public void Routing_picks_the_most_specific_rule()
    {
        var map = Map();
        map.RouteTeam(Categories.MappingGap, WorkflowNames.SupplyCharge, "SCH").ShouldBe("south-master-data");
        map.RouteTeam(Categories.MappingGap, WorkflowNames.SupplyCharge, "NGH").ShouldBe("master-data");
        map.RouteTeam(Categories.Duplicate, WorkflowNames.SupplyCharge, "NGH").ShouldBe("revenue-cycle");
    }
}
