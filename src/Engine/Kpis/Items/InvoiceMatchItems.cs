using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Invoice match rate: invoice lines three-way matched within tolerance / invoice lines received, from the three-way match
/// reconciliation's latest verdict per line (subject <c>vendor|invoice|line|item</c>), dated by invoice date.
/// </summary>
/// <remarks>
/// Numerator: verdicts with Matched set (quantity within receipts and order, price within tolerance, after unit conversion).
/// Vendor is the verdict's partner. The invoice carries no facility, so the facility is the ship-to of the purchase order
/// the invoice bills. A line not matched is blocked when its verdict's exception is still open; holds clear on a later
/// run without one and so never are.
/// </remarks>
internal sealed class InvoiceMatchItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.InvoiceMatchKpi;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By outcome", "outcome"), ("By vendor", "partner"), ("By facility", "facility")];

    /// <summary>The subject key after the vendor: <c>invoice|line|item</c>.</summary>
    private const string AfterVendor = "substr(rr.subject_key, length(COALESCE(rr.partner, '')) + 2)";

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail)
    {
        var invoiceNumber = Segment(sql, AfterVendor, 0, last: false);
        return $"""
        SELECT x.* FROM (
        SELECT rr.subject_date AS at,
               CASE WHEN rr.matched THEN {Counted} WHEN {OpenVerdictException(sql)} THEN {Blocked} ELSE {Uncounted} END AS state,
               COALESCE(rr.facility, (SELECT po.facility FROM business_documents po WHERE po.kind = 'purchase-order' AND po.business_key = inv.reference ORDER BY po.id LIMIT 1)) AS facility,
               rr.partner AS partner, {Segment(sql, AfterVendor, 2, last: true)} AS item{When(detail, $"""
               rr.subject_key AS key, {invoiceNumber} || ' line ' || {Segment(sql, AfterVendor, 1, last: false)} AS label,
               rr.amount AS amount, rr.variance AS measure, rr.outcome AS outcome, rr.detail AS detail, inv.correlation_id AS correlation_id,
               CASE WHEN rr.matched THEN NULL WHEN {OpenVerdictException(sql)} THEN rr.exception_id END AS exception_id, NULL AS patient_key
               """)}
        FROM (SELECT rr.*, COALESCE(
                  (SELECT d.id FROM business_documents d WHERE d.kind = 'invoice' AND d.business_key = {invoiceNumber} AND d.partner = rr.partner ORDER BY d.id LIMIT 1),
                  (SELECT d.id FROM business_documents d WHERE d.kind = 'invoice' AND d.business_key = {invoiceNumber} ORDER BY d.id LIMIT 1)) AS invoice_id
              FROM reconciliation_results rr
              WHERE rr.reconciliation = '{Reconciliations.ThreeWay}' AND rr.subject_date >= @lo AND rr.subject_date < @hi {Cut(f.Vendor, "rr.partner = @vendor")}) rr
        LEFT JOIN business_documents inv ON inv.id = rr.invoice_id
        ) x
        WHERE {sql.True} {Cut(f.Facility, "upper(x.facility) = upper(@facility)")}
        """;
    }
}
