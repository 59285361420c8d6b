using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Exception health's ratio: open exceptions still within their SLA / open exceptions, as of now (not windowed).
/// </summary>
/// <remarks>
/// The gap is the SLA breaches. "If resolved" does not apply: resolving the open exceptions empties both lists.
/// </remarks>
internal sealed class ExceptionSlaItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.ExceptionHealthKpi;

    public override bool Windowed => false;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By team", "partner"), ("By workflow", "item"), ("By facility", "facility")];

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail) => $"""
        SELECT e.created_at AS at, CASE WHEN e.sla_due_at >= @now THEN {Counted} ELSE {Uncounted} END AS state,
               e.facility AS facility, e.team AS partner, e.workflow AS item{When(detail, $"""
               e.id AS key, e.error_code AS label, e.amount_at_risk AS amount,
               CASE WHEN e.sla_due_at < @now THEN {sql.Hours("@now", "e.sla_due_at")} END AS measure,
               e.category || CASE WHEN e.sla_due_at < @now THEN ', past SLA' ELSE ', within SLA' END AS outcome,
               e.error_detail AS detail, e.correlation_id AS correlation_id, e.id AS exception_id,
               CASE WHEN e.business_key_type IN ('{KeyTypes.Encounter}', '{KeyTypes.PatientAccount}', '{KeyTypes.Mrn}') THEN e.business_key END AS patient_key
               """)}
        FROM exceptions e
        WHERE e.status = 'Open' {Cut(f.Facility, "e.facility = @facility")} {Cut(f.Workflow, "e.workflow = @workflow")}
        """;
}
