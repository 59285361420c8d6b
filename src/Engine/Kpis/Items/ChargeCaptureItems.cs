using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Charge capture completeness: billable usage with a finalized (posted) charge / all billable usage, by occurrence.
/// </summary>
/// <remarks>
/// Per usage event the verdict is the charge-capture reconciliation's (<see cref="Reconciliation.Matching.ChargeCapture"/>)
/// evaluated now, so the KPI and the job agree on every usage:
/// <list type="bullet">
/// <item>Denominator: consumption usage events with <c>billable</c> set that occurred in the window and have not been
/// reversed (a reversal event with the same facility and source event id). A reversed usage owes nothing, so it leaves
/// both numerator and denominator, as in the job.</item>
/// <item>Numerator: those whose charges with status Posted net above zero. A credit posted against the usage's own
/// charge nets it out. Late postings count: a charge posted after the window counts for the window the usage occurred
/// in, so a past window's completeness can still rise as billing catches up.</item>
/// <item>Usage still inside the job's grace period has no posted charge yet: it is in the denominator and not the
/// numerator, exactly as the job's "pending".</item>
/// <item>Also in the denominator: billable usage that never became a usage event because an open exception of the
/// supply-charge workflow holds its message (a validation or mapping gap raised at intake with money at risk, and no
/// usage event recorded under that transaction), one per held transaction, dated when the exception was raised.</item>
/// </list>
/// An item not in the numerator is blocked (counts in "if resolved") when an open exception is raised on its transaction:
/// a held usage always, a recorded one when, for example, its charge delivery failed or the job flagged it as missed.
/// </remarks>
internal sealed class ChargeCaptureItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.ChargeCaptureKpi;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By facility", "facility")];

    private const string Net = "(SELECT SUM(c.amount) FROM charges c WHERE c.usage_event_id = u.id AND c.status = 'Posted')";
    private const string OnTransaction = "e.correlation_id = u.correlation_id";

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail) => $"""
        SELECT u.occurred_at AS at,
               CASE WHEN COALESCE({Net}, 0) > 0 THEN {Counted} WHEN {OpenException(sql, OnTransaction)} THEN {Blocked} ELSE {Uncounted} END AS state,
               u.facility AS facility, NULL AS partner, {(detail ? "u.sku" : "NULL")} AS item{When(detail, $"""
               u.id AS key, u.source_event_id || ' · ' || u.item_code AS label, u.charge_amount AS amount, {Net} AS measure,
               CASE WHEN COALESCE({Net}, 0) > 0 THEN 'captured' WHEN {OpenException(sql, OnTransaction)} THEN 'held by open exception' ELSE 'no posted charge' END AS outcome,
               u.sku || ' x' || u.base_quantity || ' at ' || u.location || COALESCE(', charge ' || u.charge_code, '') AS detail,
               u.correlation_id AS correlation_id,
               CASE WHEN COALESCE({Net}, 0) > 0 THEN NULL ELSE (SELECT e.id FROM exceptions e WHERE {OnTransaction} AND {OpenStatus(sql)} ORDER BY e.sla_due_at LIMIT 1) END AS exception_id,
               COALESCE(u.encounter, u.patient_account) AS patient_key
               """)}
        FROM usage_events u
        WHERE u.occurred_at >= @lo AND u.occurred_at < @hi AND u.kind = 'Consumption' AND u.billable = {sql.True}
          {Cut(f.Facility, "u.facility = @facility")}
          AND NOT EXISTS (SELECT 1 FROM usage_events r WHERE r.facility = u.facility AND r.source_event_id = u.source_event_id AND r.kind = 'Reversal')
        UNION ALL
        SELECT MIN(e.created_at) AS at, {Blocked} AS state, {sql.Same("e.facility")} AS facility, NULL AS partner, NULL AS item{When(detail, $"""
               e.correlation_id AS key, {sql.DistinctList("e.error_code")} AS label, MAX(e.amount_at_risk) AS amount, NULL AS measure,
               'held before it became a usage event' AS outcome, MIN(e.error_detail) AS detail,
               e.correlation_id AS correlation_id, {sql.MinGuid("e.id")} AS exception_id,
               MAX(CASE WHEN e.business_key_type IN ('encounter', 'patient-account') THEN e.business_key END) AS patient_key
               """)}
        FROM exceptions e
        WHERE e.status = 'Open' AND e.created_at >= @lo AND e.created_at < @hi AND e.workflow = '{WorkflowNames.SupplyCharge}'
          AND e.inbox_message_id IS NOT NULL AND e.category IN ('{Categories.Validation}', '{Categories.MappingGap}') AND e.amount_at_risk > 0
          {Cut(f.Facility, "e.facility = @facility")}
          AND NOT EXISTS (SELECT 1 FROM usage_events x WHERE x.correlation_id = e.correlation_id)
        GROUP BY e.correlation_id
        """;
}
