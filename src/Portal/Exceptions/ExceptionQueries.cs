using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Exceptions;

public sealed record ExceptionFilter(string? Status = "Open", string? Category = null, string? Facility = null, string? Team = null, string? Text = null, int Page = 1, int PageSize = 50);

public sealed record ExceptionRow(
    Guid Id, Guid CorrelationId, string Category, string ErrorCode, string ErrorDetail, string Workflow, string? Facility, string SourceSystem,
    string Status, string? Team, string? Owner, DateTime SlaDueAt, decimal AmountAtRisk, string? BusinessKeyType, string? BusinessKey, DateTime CreatedAt);

public sealed record CategoryCount(string Category, int Count);

public sealed record ExceptionPage(IReadOnlyList<ExceptionRow> Rows, int Total, ExceptionFilter Filter)
{
    public int Pages => Math.Max(1, (Total + Filter.PageSize - 1) / Filter.PageSize);
}

/// <summary>Read side of the exception queues: one filtered query whose count and rows come from the same predicate.</summary>
public static class ExceptionQueries
{
    public static async Task<ExceptionPage> ListAsync(HealthSyncDb db, ExceptionFilter filter, bool seesPhi, CancellationToken ct)
    {
        var q = db.Exceptions.AsNoTracking();
        if (Enum.TryParse<ExceptionStatus>(filter.Status, true, out var status)) q = q.Where(e => e.Status == status);
        if (!string.IsNullOrWhiteSpace(filter.Category)) q = q.Where(e => e.Category == filter.Category);
        if (!string.IsNullOrWhiteSpace(filter.Facility)) q = q.Where(e => e.Facility == filter.Facility);
        if (!string.IsNullOrWhiteSpace(filter.Team)) q = q.Where(e => e.Team == filter.Team);
        if (!string.IsNullOrWhiteSpace(filter.Text))
        {
            // Free text matches the error, or exactly any business key of the transaction (MSH-10, item, lot, encounter ...);
            // patient keys only for roles that may see them.
            var text = filter.Text.Trim();
            var keys = db.BusinessKeys.Where(k => k.KeyValue == text);
            if (!seesPhi) keys = keys.Where(k => k.KeyType != KeyTypes.Encounter && k.KeyType != KeyTypes.PatientAccount);
            var byKey = keys.Select(k => k.CorrelationId);
            q = q.Where(e => e.ErrorDetail.Contains(text) || e.ErrorCode.Contains(text) || byKey.Contains(e.CorrelationId));
        }
        var total = await q.CountAsync(ct);
        var page = Math.Max(1, filter.Page);
        var size = Math.Clamp(filter.PageSize, 1, 500);
        // Money and deadlines first: earliest SLA, then largest amount at risk.
        var rows = await q.OrderBy(e => e.SlaDueAt).ThenByDescending(e => e.AmountAtRisk).ThenBy(e => e.Id)
            .Skip((page - 1) * size).Take(size)
            .Select(e => new ExceptionRow(e.Id, e.CorrelationId, e.Category, e.ErrorCode, e.ErrorDetail, e.Workflow, e.Facility, e.SourceSystem,
                e.Status.ToString(), e.Team, e.Owner, e.SlaDueAt, e.AmountAtRisk, e.BusinessKeyType, e.BusinessKey, e.CreatedAt))
            .ToListAsync(ct);
        return new ExceptionPage(rows.Select(r => r with { BusinessKey = PhiMask.Mask(r.BusinessKey, seesPhi) }).ToList(), total, filter with { Page = page, PageSize = size });
    }

    public static async Task<IReadOnlyList<CategoryCount>> OpenByCategoryAsync(HealthSyncDb db, CancellationToken ct) =>
        (await db.Exceptions.AsNoTracking().Where(e => e.Status == ExceptionStatus.Open).GroupBy(e => e.Category)
            .Select(g => new CategoryCount(g.Key, g.Count())).ToListAsync(ct))
        .OrderByDescending(x => x.Count).ToList();
}
