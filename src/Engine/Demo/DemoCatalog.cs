namespace HealthSync.Engine.Demo;

/// <summary>The simulated hospital network's master data: facilities, locations and the supply catalogue.</summary>
public static class DemoCatalog
{
    public sealed record DemoFacility(string Code, string Name, int CostCenterBase);
    public sealed record DemoLocation(string Code, string Name, int Offset);

    /// <summary>An item as clinical systems know it. <c>Fault</c> marks items whose master data is deliberately broken.</summary>
    public sealed record DemoItem(string ItemCode, string Sku, string Description, bool Implant, bool Billable, decimal Price, string BaseUom,
        decimal Par, decimal Stock, (string Uom, decimal Factor)? Pack = null, string? Fault = null);

    public static readonly IReadOnlyList<DemoFacility> Facilities =
    [
        new("NGH", "North General Hospital", 7000),
        new("SCH", "South Community Hospital", 8000),
        new("CMC", "Children's Medical Center", 9000),
    ];

    public static readonly IReadOnlyList<DemoLocation> Locations =
    [
        new("OR1", "Main OR suite 1", 10),
        new("OR2", "Main OR suite 2", 11),
        new("CATH", "Cardiac cath lab", 20),
        new("ED", "Emergency department", 30),
        new("ICU", "Intensive care unit", 40),
        new("MEDSURG", "Medical-surgical unit", 50),
    ];

    public static readonly IReadOnlyList<DemoItem> Items =
    [
        new("ITM-IMP-HIP01", "SKU-40001", "Hip stem, cemented, size 12", true, true, 2450m, "EA", 3, 6),
        new("ITM-IMP-KNEE01", "SKU-40002", "Knee tibial tray, cruciate retaining", true, true, 1980m, "EA", 3, 6),
        new("ITM-IMP-STENT01", "SKU-40010", "Coronary stent, drug-eluting 3.0x18", true, true, 1350m, "EA", 4, 7),
        new("ITM-IMP-PACE01", "SKU-40020", "Pacemaker, dual chamber", true, true, 6200m, "EA", 2, 4),
        new("ITM-IMP-SCREW01", "SKU-40030", "Cortical bone screw 4.5 mm", true, true, 145m, "EA", 10, 16),
        new("ITM-IMP-MESH01", "SKU-40040", "Hernia mesh 15x15 cm", true, true, 320m, "EA", 4, 7),
        new("ITM-SUP-CVC01", "SKU-41001", "Central venous catheter kit", false, true, 210m, "EA", 10, 16, ("BX", 5m)),
        new("ITM-SUP-SUT01", "SKU-41002", "Absorbable suture 3-0", false, true, 18m, "EA", 48, 60, ("BX", 12m)),
        new("ITM-SUP-STAP01", "SKU-41003", "Skin stapler, 35 wide", false, true, 95m, "EA", 10, 15),
        new("ITM-SUP-GW01", "SKU-41004", "Hydrophilic guidewire 0.035", false, true, 140m, "EA", 10, 15),
        new("ITM-SUP-DRAPE01", "SKU-41005", "Surgical drape pack", false, true, 45m, "EA", 20, 28),
        new("ITM-SUP-FOLEY01", "SKU-41006", "Foley catheter 16 Fr", false, true, 38m, "EA", 20, 30, ("BX", 10m)),
        new("ITM-SUP-IV01", "SKU-41007", "IV start kit", false, true, 22m, "EA", 50, 70, ("CS", 50m)),
        new("ITM-SUP-GAUZE01", "SKU-42001", "Gauze sponge 4x4", false, false, 0m, "EA", 200, 260, ("BX", 100m)),
        new("ITM-SUP-GLOVE01", "SKU-42002", "Nitrile exam gloves", false, false, 0m, "EA", 300, 380, ("BX", 100m)),
        new("ITM-SUP-SYR01", "SKU-42003", "Syringe 10 mL", false, false, 0m, "EA", 200, 260, ("BX", 100m)),
        new("ITM-SUP-PREP01", "SKU-42004", "Alcohol prep pad", false, false, 0m, "EA", 400, 480, ("BX", 200m)),
        new("ITM-SUP-CLIP01", "SKU-49990", "Ligation clip (discontinued)", false, true, 60m, "EA", 10, 30, null, "inactive-sku"),
        new("ITM-SUP-VCD01", "SKU-41050", "Vascular closure device", false, true, 480m, "EA", 6, 20, null, "unmapped-charge-code"),
    ];

    /// <summary>The suppliers the network buys from, as EDI trading partners (ISA/GS sender ids).</summary>
    public static readonly IReadOnlyList<(string Id, string Name)> Vendors =
    [
        ("MEDLINE", "Medline Industries"),
        ("STRYKER", "Stryker Orthopaedics"),
        ("CARDINAL", "Cardinal Health"),
    ];

    /// <summary>Implants come from the orthopaedic supplier, the rest from the two distributors.</summary>
    public static (string Id, string Name) VendorOf(DemoItem item) =>
        item.Implant ? Vendors[1] : Vendors[Math.Abs(item.Sku.GetHashCode(StringComparison.Ordinal)) % 2 == 0 ? 0 : 2];

    /// <summary>Contract (purchase) price per base unit: what the hospital pays, below what it charges.</summary>
    public static decimal ContractPrice(DemoItem item) => item.Price > 0 ? decimal.Round(item.Price * 0.55m, 2) : 0.12m;

    public static string CostCenter(DemoFacility f, DemoLocation l) => $"CC-{f.CostCenterBase + l.Offset}";
    public static string ErpLocation(DemoFacility f, DemoLocation l) => $"{f.Code}-{l.Code}-STOCK";
    public static string ChargeCode(DemoItem i) => "CDM-" + i.Sku[4..];

    /// <summary>Exception routing; the last rule is the fallback, so no exception goes to nobody.</summary>
    public static readonly IReadOnlyList<(string Category, string? Workflow, string Team)> Routing =
    [
        ("*", "supply-charge", "revenue-cycle"),
        ("mapping-gap", null, "master-data"),
        ("downstream-unavailable", null, "integration-ops"),
        ("upstream-data", null, "supply-chain"),
        ("validation", "supply-charge", "revenue-cycle"),
        ("*", "procure-to-pay", "supply-chain"),
        ("*", "payment-posting", "revenue-cycle"),
        ("*", "discharge-to-revenue", "revenue-cycle"),
        ("validation", "procure-to-pay", "supply-chain"),
        ("validation", "payment-posting", "revenue-cycle"),
        ("duplicate", "procure-to-pay", "supply-chain"),
        ("duplicate", "payment-posting", "revenue-cycle"),
        ("*", null, "integration-ops"),
    ];

    /// <summary>
    /// The ownership matrix: the system of record and business owner of every entity the engine moves, with
    /// field-level rows where one field is mastered elsewhere than its entity.
    /// </summary>
    public static readonly IReadOnlyList<(string Entity, string? Field, string System, string Owner)> Ownership =
    [
        ("supplier", null, "procurement", "Procurement Manager"),
        ("supplier", "remit-to", "erp", "Accounts Payable Manager"),
        ("item", null, "erp", "Director of Supply Chain"),
        ("item", "price", "erp", "Contracts Manager"),
        ("item", "description", "procurement", "Procurement Manager"),
        ("location", null, "erp", "Controller"),
        ("charge-code", null, "billing", "Revenue Integrity Manager"),
        ("patient-account", null, "billing", "Patient Access Manager"),
        ("purchase-order", null, "procurement", "Procurement Manager"),
        ("receipt", null, "warehouse", "Warehouse Manager"),
        ("invoice", null, "erp", "Accounts Payable Manager"),
        ("payment", null, "gateway", "Cash Posting Supervisor"),
        ("journal-posting", null, "erp", "Controller"),
        ("inventory-balance", null, "erp", "Director of Supply Chain"),
        ("patient-charge", null, "billing", "Revenue Cycle Director"),
        ("replenishment", null, "warehouse", "Warehouse Manager"),
    ];

    /// <summary>The named business owner of every workflow: who decides when its exceptions need a business call.</summary>
    public static readonly IReadOnlyList<(string Workflow, string Owner, string Contact)> WorkflowOwners =
    [
        ("supply-charge", "Dana Whitfield, Revenue Cycle Director", "dana.whitfield@hospital.example"),
        ("procure-to-pay", "Marcus Oyelaran, Director of Supply Chain", "marcus.oyelaran@hospital.example"),
        ("payment-posting", "Priya Raman, Patient Financial Services Manager", "priya.raman@hospital.example"),
        ("discharge-to-revenue", "Helen Kowalski, Health Information Management Director", "helen.kowalski@hospital.example"),
        ("master-data", "Tomás Reyes, Master Data Governance Lead", "tomas.reyes@hospital.example"),
    ];
}
