using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Payment reconciliation timeliness: payments matched and posted to the ERP within the SLA / payments settled, from the
/// daily cash reconciliation's verdict per settlement (subject = gateway transaction id), dated by settlement day.
/// </summary>
/// <remarks>
/// A settlement is posted when the summarized journal entry of its facility and day (the outbox row keyed
/// <c>journal:JE-{FACILITY}-{yyyyMMdd}</c>, see <see cref="Reconciliation.Matching.DailyCash.EntryId"/>) was delivered.
/// Lag = that delivery minus the settlement time of the stored settlement document (its day when it has no time).
/// Numerator: verdict matched, entry delivered, lag within <see cref="KpiFilter.CashSla"/>. Payer is the stored
/// settlement's partner. A payment not counted is blocked when its verdict's exception, or the exception raised on its
/// journal entry's failed delivery, is open; a payment posted late cannot be cured by resolving anything and is not.
/// </remarks>
internal sealed class PaymentTimelinessItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.PaymentTimelinessKpi;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By facility", "facility"), ("By payer", "partner")];

    /// <summary>Hours from settlement to delivery of the journal entry (the measure of a matched payment; null while not delivered).</summary>
    public static string LagHours(SqlDialect sql) => sql.Hours("o.delivered_at", "COALESCE(s.document_date, rr.subject_date)");

    private static string Timely(SqlDialect sql) => $"rr.matched AND o.status = 'Delivered' AND {LagHours(sql)} <= @sla_hours";

    private static string Blocking(SqlDialect sql) => $"({OpenVerdictException(sql)} OR {OpenException(sql, OnJournalRow)})";

    private const string OnJournalRow = "e.outbox_message_id = o.id";

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail) => $"""
        SELECT x.* FROM (
        SELECT rr.subject_date AS at,
               CASE WHEN {Timely(sql)} THEN {Counted} WHEN {Blocking(sql)} THEN {Blocked} ELSE {Uncounted} END AS state,
               rr.facility AS facility, s.partner AS partner, NULL AS item{When(detail, $"""
               rr.subject_key AS key, rr.subject_key AS label, rr.amount AS amount,
               CASE WHEN rr.matched AND o.status = 'Delivered' THEN {LagHours(sql)} END AS measure,
               CASE WHEN {Timely(sql)} THEN 'posted within SLA' WHEN NOT rr.matched THEN rr.outcome WHEN o.status = 'Delivered' THEN 'posted late'
                    WHEN o.id IS NULL THEN 'matched, journal not queued' ELSE 'matched, journal ' || lower(o.status) END AS outcome,
               rr.detail AS detail, s.correlation_id AS correlation_id,
               CASE WHEN {Timely(sql)} THEN NULL WHEN {OpenVerdictException(sql)} THEN rr.exception_id
                    ELSE (SELECT e.id FROM exceptions e WHERE {OnJournalRow} AND {OpenStatus(sql)} LIMIT 1) END AS exception_id,
               NULL AS patient_key
               """)}
        FROM reconciliation_results rr
        LEFT JOIN business_documents s ON s.id = (SELECT d.id FROM business_documents d WHERE d.kind = 'payment-settlement' AND d.business_key = rr.subject_key ORDER BY d.id LIMIT 1)
        LEFT JOIN outbox_messages o ON o.idempotency_key = 'journal:JE-' || upper(trim(rr.facility)) || '-' || {sql.DayStamp("rr.subject_date")}
             AND o.operation = '{Operations.ErpJournalPost}'
        WHERE rr.reconciliation = '{Reconciliations.Cash}' AND rr.subject_date >= @lo AND rr.subject_date < @hi
          {Cut(f.Facility, "upper(rr.facility) = upper(@facility)")}
        ) x
        WHERE {sql.True} {Cut(f.Payer, "x.partner = @payer")}
        """;
}
