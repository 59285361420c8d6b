using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Inventory sync accuracy: item-locations whose ERP and warehouse on-hand agree / item-locations compared, from the
/// inventory drift reconciliation's latest verdict per item-location (subject <c>FACILITY|LOCATION|SKU</c>).
/// </summary>
/// <remarks>
/// Agreement is what the reconciliation stored: it converted both sides into one unit before comparing, and an
/// unconvertible unit is compared-but-not-agreeing. The variance shown is the stored one, in that comparison unit.
/// The reconciliation keeps only the latest comparison of an item-location, so the window selects the item-locations
/// whose latest comparison ran in it. A variance is blocked when its exception is still open.
/// </remarks>
internal sealed class InventoryAccuracyItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.InventoryAccuracyKpi;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By facility", "facility"), ("By item", "item")];

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail) => $"""
        SELECT rr.evaluated_at AS at,
               CASE WHEN rr.matched THEN {Counted} WHEN {OpenVerdictException(sql)} THEN {Blocked} ELSE {Uncounted} END AS state,
               rr.facility AS facility, NULL AS partner, {Segment(sql, "rr.subject_key", 2, last: true)} AS item{When(detail, $"""
               rr.subject_key AS key, {Segment(sql, "rr.subject_key", 2, last: true)} || ' at ' || {Segment(sql, "rr.subject_key", 1, last: false)} AS label,
               NULL AS amount, rr.variance AS measure, rr.outcome AS outcome, rr.detail AS detail, NULL AS correlation_id,
               CASE WHEN rr.matched THEN NULL WHEN {OpenVerdictException(sql)} THEN rr.exception_id END AS exception_id, NULL AS patient_key
               """)}
        FROM reconciliation_results rr
        WHERE rr.reconciliation = '{Reconciliations.Drift}' AND rr.evaluated_at >= @lo AND rr.evaluated_at < @hi
          {Cut(f.Facility, "upper(rr.facility) = upper(@facility)")}
        """;
}
