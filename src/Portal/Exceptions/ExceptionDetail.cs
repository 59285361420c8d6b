using HealthSync.Adapters.Inspection;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Lineage;
using HealthSync.Portal.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Exceptions;

public sealed record CommentView(DateTime At, string Author, string Text);
public sealed record HistoryView(DateTime At, string Actor, string Action, string? Reason, string? Before, string? After);
public sealed record VersionView(int Version, DateTime CreatedAt, string CreatedBy, string? Reason, IReadOnlyList<DiffLine> DiffFromPrevious);

/// <summary>Everything the detail page and the API show for one exception.</summary>
public sealed record ExceptionView(
    ExceptionRow Exception,
    string? ResolutionCode, string? ResolutionNote, string? ResolvedBy, DateTime? ResolvedAt, int ReplayCount,
    bool CanAct, bool PatientIdentifiersShown, bool MayReveal,
    string? Format, string? Payload, string? Parsed,
    TransactionLineage? Lineage,
    IReadOnlyList<ExceptionRow> Related,
    IReadOnlyList<CommentView> Comments,
    IReadOnlyList<HistoryView> History,
    IReadOnlyList<VersionView> Versions);

public static class ExceptionDetail
{
    /// <param name="seesPhi">Whether the role may see patient identifiers (<see cref="UserExtensions.SeesPhi"/>).</param>
    /// <param name="reveal">Show patient identifiers in clear; honoured only for roles that may see them, and audited by the caller.</param>
    public static async Task<ExceptionView?> GetAsync(HealthSyncDb db, Guid id, string role, bool seesPhi, bool reveal, CancellationToken ct)
    {
        var e = await db.Exceptions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e is null) return null;
        var show = reveal && seesPhi;
        var row = ExceptionQueries.Mask(new ExceptionRow(e.Id, e.CorrelationId, e.Category, e.ErrorCode, e.ErrorDetail, e.Workflow, e.Facility, e.SourceSystem,
            e.Status.ToString(), e.Team, e.Owner, e.SlaDueAt, e.AmountAtRisk, e.BusinessKeyType, e.BusinessKey, e.CreatedAt, e.CauseKey, e.ReplayState, e.LastReplayError), show);

        var lineage = await LineageQueries.GetAsync(db, e.CorrelationId, show, ct);
        string? format = null, payload = null, parsed = null;
        var versions = new List<VersionView>();
        if (e.InboxMessageId is { } inboxId)
        {
            var message = await db.InboxMessages.AsNoTracking().Where(m => m.Id == inboxId).Select(m => new { m.Format, m.Payload }).FirstAsync(ct);
            format = message.Format;
            payload = lineage?.Payload ?? PayloadMasking.Text(message.Payload);
            var report = Inspector.Inspect(message.Payload, "payload");
            parsed = report.ToJson();
            var patientValues = show ? [] : await db.BusinessKeys.AsNoTracking().Where(k => k.CorrelationId == e.CorrelationId)
                .Where(k => k.KeyType == KeyTypes.Encounter || k.KeyType == KeyTypes.PatientAccount || k.KeyType == KeyTypes.Mrn)
                .Select(k => k.KeyValue).ToListAsync(ct);
            if (!show) parsed = PayloadMasking.MaskParsed(parsed, patientValues);
            var stored = await db.PayloadVersions.AsNoTracking().Where(v => v.InboxMessageId == inboxId).OrderBy(v => v.Version).ToListAsync(ct);
            string? previous = null;
            foreach (var v in stored)
            {
                var text = PayloadMasking.ForDisplay(message.Format, PayloadMasking.Text(v.Payload));
                if (!show) text = PayloadMasking.Mask(message.Format, text, patientValues);
                versions.Add(new VersionView(v.Version, v.CreatedAt, v.CreatedBy, v.Reason, previous is null ? [] : LineDiff.Compute(previous, text)));
                previous = text;
            }
        }

        var related = e.BusinessKey is null ? [] : await db.Exceptions.AsNoTracking()
            .Where(x => x.Id != e.Id && ((x.BusinessKey == e.BusinessKey && x.BusinessKeyType == e.BusinessKeyType) || x.CorrelationId == e.CorrelationId))
            .OrderByDescending(x => x.CreatedAt).Take(20)
            .Select(x => new ExceptionRow(x.Id, x.CorrelationId, x.Category, x.ErrorCode, x.ErrorDetail, x.Workflow, x.Facility, x.SourceSystem,
                x.Status.ToString(), x.Team, x.Owner, x.SlaDueAt, x.AmountAtRisk, x.BusinessKeyType, x.BusinessKey, x.CreatedAt, x.CauseKey, x.ReplayState, x.LastReplayError))
            .ToListAsync(ct);
        if (e.BusinessKey is null)
        {
            related = await db.Exceptions.AsNoTracking().Where(x => x.Id != e.Id && x.CorrelationId == e.CorrelationId).Take(20)
                .Select(x => new ExceptionRow(x.Id, x.CorrelationId, x.Category, x.ErrorCode, x.ErrorDetail, x.Workflow, x.Facility, x.SourceSystem,
                    x.Status.ToString(), x.Team, x.Owner, x.SlaDueAt, x.AmountAtRisk, x.BusinessKeyType, x.BusinessKey, x.CreatedAt, x.CauseKey, x.ReplayState, x.LastReplayError))
                .ToListAsync(ct);
        }
        var comments = await db.ExceptionComments.AsNoTracking().Where(c => c.ExceptionId == id).OrderBy(c => c.At)
            .Select(c => new CommentView(c.At, c.Author, c.Text)).ToListAsync(ct);
        var target = id.ToString();
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.TargetType == "exception" && a.TargetId == target).OrderBy(a => a.At).ThenBy(a => a.Id)
            .Select(a => new HistoryView(a.At, a.Actor, a.Action, a.Reason, a.Before, a.After)).ToListAsync(ct);
        if (e.ResolvedBy == "replay" && e.ResolvedAt is { } resolvedAt)
            history.Add(new HistoryView(resolvedAt, "engine", "exception.resolved-by-replay", null, "Open", e.ResolutionNote));

        return new ExceptionView(row, e.ResolutionCode, e.ResolutionNote, e.ResolvedBy, e.ResolvedAt, e.ReplayCount,
            QueuePermissions.CanAct(role, e.Team), show, seesPhi && !show,
            format, payload, parsed, lineage, related.Select(r => ExceptionQueries.Mask(r, show)).ToList(), comments,
            history.OrderBy(h => h.At).ToList(), versions);
    }
}

public sealed record DiffLine(char Kind, string Text);

/// <summary>A line diff (longest common subsequence) between two payload versions: ' ' same, '-' removed, '+' added.</summary>
public static class LineDiff
{
    public static IReadOnlyList<DiffLine> Compute(string before, string after)
    {
        var a = before.TrimEnd('\r', '\n').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        var b = after.TrimEnd('\r', '\n').Split('\n').Select(l => l.TrimEnd('\r')).ToArray();
        if ((long)a.Length * b.Length > 4_000_000)
            return [new DiffLine('-', $"({a.Length} lines)"), new DiffLine('+', $"({b.Length} lines; too large to compare line by line)")];
        var lcs = new int[a.Length + 1, b.Length + 1];
        for (var i = a.Length - 1; i >= 0; i--)
            for (var j = b.Length - 1; j >= 0; j--)
                lcs[i, j] = a[i] == b[j] ? lcs[i + 1, j + 1] + 1 : Math.Max(lcs[i + 1, j], lcs[i, j + 1]);
        var result = new List<DiffLine>();
        int x = 0, y = 0;
        while (x < a.Length && y < b.Length)
        {
            if (a[x] == b[y]) { result.Add(new DiffLine(' ', a[x])); x++; y++; }
            else if (lcs[x + 1, y] >= lcs[x, y + 1]) result.Add(new DiffLine('-', a[x++]));
            else result.Add(new DiffLine('+', b[y++]));
        }
        while (x < a.Length) result.Add(new DiffLine('-', a[x++]));
        while (y < b.Length) result.Add(new DiffLine('+', b[y++]));
        return result;
    }
}
