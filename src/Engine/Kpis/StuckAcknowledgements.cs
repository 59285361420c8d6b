using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Kpis;

/// <summary>A purchase order whose 855 acknowledgement or 856 ship notice is past its SLA (EDI acknowledgement aging verdict).</summary>
public sealed record StuckAcknowledgement(string PoNumber, string Awaiting, string? Vendor, DateTime SentAt, decimal Amount, string Detail, Guid? ExceptionId);

/// <summary>
/// Stuck EDI acknowledgements for the supply chain lead: the EDI acknowledgement aging job's overdue verdicts on orders
/// (subject <c>PO|Acknowledgement</c> or <c>PO|ShipNotice</c>; claims awaiting an 835 are revenue cycle's and left out).
/// The verdict is the current state, so this is a list of now, not of a window; the vendor cut applies.
/// </summary>
public static class StuckAcknowledgements
{
    public static async Task<(int Total, IReadOnlyList<StuckAcknowledgement> Oldest)> ListAsync(HealthSyncDb db, string? vendor, int take, CancellationToken ct)
    {
        var where = $"rr.reconciliation = '{Reconciliations.Acks}' AND rr.outcome = 'overdue' AND rr.subject_key NOT LIKE 'claim|%'" + (vendor is null ? "" : " AND rr.partner = @vendor");
        var parameters = new Dictionary<string, object?> { ["@vendor"] = vendor, ["@take"] = take };
        var total = (await KpiSql.QueryAsync(db, $"SELECT COUNT(*) FROM reconciliation_results rr WHERE {where}", parameters, r => r.Int(0), ct))[0];
        var rows = await KpiSql.QueryAsync(db, $"""
            SELECT rr.subject_key, rr.partner, rr.subject_date, rr.amount, rr.detail, rr.exception_id
            FROM reconciliation_results rr WHERE {where} ORDER BY rr.subject_date, rr.subject_key LIMIT @take
            """, parameters, r =>
            {
                var key = r.GetString(0);
                var bar = key.LastIndexOf('|');
                return new StuckAcknowledgement(bar < 0 ? key : key[..bar], bar < 0 ? "" : key[(bar + 1)..], r.Text(1), r.Time(2),
                    (decimal)(r.Real(3) ?? 0), r.Text(4) ?? "", r.Id(5));
            }, ct);
        return (total, rows);
    }
}
