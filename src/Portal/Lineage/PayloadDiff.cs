using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Exceptions;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Lineage;

/// <summary>
/// The difference between any two stored versions of a transaction's payload (not only consecutive ones), each shown
/// one segment per line and masked for roles without need for patient identifiers, compared with <see cref="LineDiff"/>.
/// </summary>
public static class PayloadDiff
{
    /// <returns>Null when the transaction or either version does not exist.</returns>
    public static async Task<PayloadDiffView?> GetAsync(HealthSyncDb db, Guid correlationId, int from, int to, bool seesPhi, CancellationToken ct)
    {
        var message = await db.InboxMessages.AsNoTracking().Where(m => m.CorrelationId == correlationId).Select(m => new { m.Id, m.Format }).FirstOrDefaultAsync(ct);
        if (message is null) return null;
        var versions = await db.PayloadVersions.AsNoTracking().Where(v => v.InboxMessageId == message.Id && (v.Version == from || v.Version == to))
            .Select(v => new { v.Version, v.Payload }).ToListAsync(ct);
        var before = versions.FirstOrDefault(v => v.Version == from)?.Payload;
        var after = versions.FirstOrDefault(v => v.Version == to)?.Payload;
        if (before is null || after is null) return null;
        var patientValues = seesPhi ? [] : await db.BusinessKeys.AsNoTracking().Where(k => k.CorrelationId == correlationId)
            .Where(k => k.KeyType == KeyTypes.Encounter || k.KeyType == KeyTypes.PatientAccount || k.KeyType == KeyTypes.Mrn)
            .Select(k => k.KeyValue).ToListAsync(ct);
        string Show(byte[] payload)
        {
            var text = PayloadMasking.ForDisplay(message.Format, PayloadMasking.Text(payload));
            return seesPhi ? text : PayloadMasking.Mask(message.Format, text, patientValues);
        }
        return new PayloadDiffView(from, to, LineDiff.Compute(Show(before), Show(after)));
    }
}
