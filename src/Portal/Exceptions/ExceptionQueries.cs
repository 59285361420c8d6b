using System.Globalization;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Exceptions;

/// <summary>
/// Every filter of the exception queues. The same record drives the page, the API, saved views and bulk actions, so
/// what a person sees listed, counted and acted on is always the same set. <see cref="ToQuery"/> and
/// <see cref="FromQuery"/> round-trip it through a URL query string (shareable links, saved views).
/// </summary>
public sealed record ExceptionFilter(
    string? Status = "Open",
    string? Category = null,
    string? Workflow = null,
    string? Facility = null,
    string? Team = null,
    string? Owner = null,
    string? Source = null,
    string? Age = null,
    string? Sla = null,
    decimal? MinAmount = null,
    string? Text = null,
    string? Cause = null,
    string? EntityType = null,
    string? Entity = null,
    string? Sort = null,
    int Page = 1,
    int PageSize = 50)
{
    public const string Unassigned = "(unassigned)";
    public static readonly IReadOnlyList<string> Ages = ["1h", "4h", "24h", "3d", "7d"];
    public static readonly IReadOnlyList<string> SlaStates = ["breached", "due-4h", "ok"];
    public static readonly IReadOnlyList<string> Sorts = ["priority", "newest", "oldest", "amount", "sla"];

    public static ExceptionFilter FromQuery(IQueryCollection q)
    {
        string? S(string k) => q.TryGetValue(k, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        return new ExceptionFilter(
            S("status") ?? "Open", S("category"), S("workflow"), S("facility"), S("team"), S("owner"), S("source"), S("age"), S("sla"),
            decimal.TryParse(S("minAmount"), NumberStyles.Number, CultureInfo.InvariantCulture, out var a) ? a : null,
            S("q"), S("cause"), S("entityType"), S("entity"), S("sort"),
            int.TryParse(S("page"), out var p) ? p : 1,
            int.TryParse(S("pageSize"), out var ps) ? ps : 50);
    }

    /// <summary>The filter as a query string (without paging unless asked).</summary>
    public string ToQuery(bool withPage = false)
    {
        var parts = new List<string>();
        void Add(string k, string? v)
        {
            if (!string.IsNullOrWhiteSpace(v)) parts.Add($"{k}={Uri.EscapeDataString(v)}");
        }
        Add("status", Status);
        Add("category", Category);
        Add("workflow", Workflow);
        Add("facility", Facility);
        Add("team", Team);
        Add("owner", Owner);
        Add("source", Source);
        Add("age", Age);
        Add("sla", Sla);
        Add("minAmount", MinAmount?.ToString(CultureInfo.InvariantCulture));
        Add("q", Text);
        Add("cause", Cause);
        Add("entityType", EntityType);
        Add("entity", Entity);
        Add("sort", Sort);
        if (withPage)
        {
            Add("page", Page.ToString(CultureInfo.InvariantCulture));
            if (PageSize != 50) Add("pageSize", PageSize.ToString(CultureInfo.InvariantCulture));
        }
        return string.Join('&', parts);
    }

    /// <summary>Plain words for what the filter selects, for confirmations and the audit trail.</summary>
    public string Describe()
    {
        var q = ToQuery();
        return q.Length == 0 ? "all exceptions" : Uri.UnescapeDataString(q.Replace("&", ", ", StringComparison.Ordinal).Replace("=", " = ", StringComparison.Ordinal));
    }
}

public sealed record ExceptionRow(
    Guid Id, Guid CorrelationId, string Category, string ErrorCode, string ErrorDetail, string Workflow, string? Facility, string SourceSystem,
    string Status, string? Team, string? Owner, DateTime SlaDueAt, decimal AmountAtRisk, string? BusinessKeyType, string? BusinessKey, DateTime CreatedAt,
    string CauseKey, string? ReplayState, string? LastReplayError);

public sealed record CategoryCount(string Category, int Count);

/// <param name="Key">The cause key, or the business key of an entity group (blank for patient keys a role may not see).</param>
/// <param name="EntityType">The business key type of an entity group; null for cause groups.</param>
public sealed record ExceptionGroup(string Key, string Title, int Count, decimal AmountAtRisk, DateTime EarliestSla, string? EntityType = null);

public sealed record ExceptionPage(IReadOnlyList<ExceptionRow> Rows, int Total, ExceptionFilter Filter)
{
    public int Pages => Math.Max(1, (Total + Filter.PageSize - 1) / Filter.PageSize);
}

/// <summary>Read side of the exception queues: one filtered query whose count, rows, groups and bulk selections share one predicate.</summary>
public static class ExceptionQueries
{
    public static IQueryable<ExceptionRecord> Apply(HealthSyncDb db, ExceptionFilter f, bool seesPhi, DateTime now) =>
        Apply(db, f, seesPhi, now, seekRanges: true);

    /// <summary>
    /// Above this many matches a page is found fastest by walking the index of the requested order and stopping after the
    /// page; at or below it, by seeking the filter's own index and sorting the (few) matches.
    /// </summary>
    private const int WalkOrderAbove = 10_000;

    /// <param name="seekRanges">
    /// False writes the age and minimum amount conditions so that SQLite cannot seek an index on them (a NOCASE comparison,
    /// which orders dates, held as digits and punctuation, and numbers exactly as the default does; results are the same).
    /// Without statistics SQLite would otherwise seek such a range and sort every match, even when most open exceptions
    /// match and walking the index of the requested order would stop after one page.
    /// </param>
    private static IQueryable<ExceptionRecord> Apply(HealthSyncDb db, ExceptionFilter f, bool seesPhi, DateTime now, bool seekRanges)
    {
        var q = db.Exceptions.AsNoTracking();
        if (Enum.TryParse<ExceptionStatus>(f.Status, true, out var status)) q = q.Where(e => e.Status == status);
        if (f.Category is { } category) q = q.Where(e => e.Category == category);
        if (f.Workflow is { } workflow) q = q.Where(e => e.Workflow == workflow);
        if (f.Facility is { } facility) q = q.Where(e => e.Facility == facility);
        if (f.Team is { } team) q = team == ExceptionFilter.Unassigned ? q.Where(e => e.Team == null) : q.Where(e => e.Team == team);
        if (f.Owner is { } owner) q = owner == ExceptionFilter.Unassigned ? q.Where(e => e.Owner == null) : q.Where(e => e.Owner == owner);
        if (f.Source is { } source) q = q.Where(e => e.SourceSystem == source);
        if (f.MinAmount is { } min)
            q = seekRanges ? q.Where(e => e.AmountAtRisk >= min) : q.Where(e => EF.Functions.Collate(e.AmountAtRisk, "NOCASE") >= min);
        if (f.Cause is { } cause) q = q.Where(e => e.CauseKey == cause);
        if (f.Entity is { } entity)
        {
            q = q.Where(e => e.BusinessKey == entity);
            if (f.EntityType is { } entityType) q = q.Where(e => e.BusinessKeyType == entityType);
            if (!seesPhi) q = q.Where(e => e.BusinessKeyType != KeyTypes.Encounter && e.BusinessKeyType != KeyTypes.PatientAccount && e.BusinessKeyType != KeyTypes.Mrn);
        }
        if (f.Age is { } age && AgeSpan(age) is { } span)
        {
            var before = now - span;
            q = seekRanges ? q.Where(e => e.CreatedAt <= before) : q.Where(e => EF.Functions.Collate(e.CreatedAt, "NOCASE") <= before);
        }
        switch (f.Sla)
        {
            case "breached": q = q.Where(e => e.SlaDueAt < now); break;
            case "due-4h":
                var soon = now.AddHours(4);
                q = q.Where(e => e.SlaDueAt >= now && e.SlaDueAt < soon);
                break;
            case "ok":
                var later = now.AddHours(4);
                q = q.Where(e => e.SlaDueAt >= later);
                break;
        }
        if (f.Text is { } text)
        {
            // Free text matches the error, or exactly any business key of the transaction (MSH-10, item, lot, PO, invoice,
            // encounter ...); patient keys only for roles that may see them.
            var keys = db.BusinessKeys.Where(k => k.KeyValue == text);
            if (!seesPhi) keys = keys.Where(k => k.KeyType != KeyTypes.Encounter && k.KeyType != KeyTypes.PatientAccount && k.KeyType != KeyTypes.Mrn);
            var byKey = keys.Select(k => k.CorrelationId);
            q = q.Where(e => e.ErrorDetail.Contains(text) || e.ErrorCode.Contains(text) || byKey.Contains(e.CorrelationId));
        }
        return q;
    }

    /// <summary>"Older than" buckets: 1h, 4h, 24h, 3d, 7d.</summary>
    public static TimeSpan? AgeSpan(string age) => age switch
    {
        "1h" => TimeSpan.FromHours(1),
        "4h" => TimeSpan.FromHours(4),
        "24h" => TimeSpan.FromHours(24),
        "3d" => TimeSpan.FromDays(3),
        "7d" => TimeSpan.FromDays(7),
        _ => null,
    };

    private static IQueryable<ExceptionRecord> Sorted(IQueryable<ExceptionRecord> q, string? sort) => sort switch
    {
        "newest" => q.OrderByDescending(e => e.CreatedAt).ThenBy(e => e.Id),
        "oldest" => q.OrderBy(e => e.CreatedAt).ThenBy(e => e.Id),
        "amount" => q.OrderByDescending(e => e.AmountAtRisk).ThenBy(e => e.SlaDueAt).ThenBy(e => e.Id),
        // Money and deadlines first: earliest SLA, then largest amount at risk.
        _ => q.OrderBy(e => e.SlaDueAt).ThenByDescending(e => e.AmountAtRisk).ThenBy(e => e.Id),
    };

    /// <summary>
    /// The same order as <see cref="Sorted"/>, with the leading key compared NOCASE (identical order for dates and
    /// amounts) so that no index can provide it: SQLite then seeks the most selective filter index and sorts the matches
    /// instead of walking the whole queue in order looking for a few rows.
    /// </summary>
    private static IQueryable<ExceptionRecord> SortedAfterSeek(IQueryable<ExceptionRecord> q, string? sort) => sort switch
    {
        "newest" => q.OrderByDescending(e => EF.Functions.Collate(e.CreatedAt, "NOCASE")).ThenBy(e => e.Id),
        "oldest" => q.OrderBy(e => EF.Functions.Collate(e.CreatedAt, "NOCASE")).ThenBy(e => e.Id),
        "amount" => q.OrderByDescending(e => EF.Functions.Collate(e.AmountAtRisk, "NOCASE")).ThenBy(e => e.SlaDueAt).ThenBy(e => e.Id),
        _ => q.OrderBy(e => EF.Functions.Collate(e.SlaDueAt, "NOCASE")).ThenByDescending(e => e.AmountAtRisk).ThenBy(e => e.Id),
    };

    public static async Task<ExceptionPage> ListAsync(HealthSyncDb db, ExceptionFilter filter, bool seesPhi, DateTime now, CancellationToken ct)
    {
        var total = await Apply(db, filter, seesPhi, now).CountAsync(ct);
        var size = Math.Clamp(filter.PageSize, 1, 500);
        var page = Math.Clamp(filter.Page, 1, Math.Max(1, (total + size - 1) / size));
        // The count says which plan finds the page fastest; both return the same rows in the same order. PostgreSQL keeps
        // statistics and chooses between these plans itself, so the hints (NOCASE, a SQLite collation) are SQLite's alone.
        var hinted = !db.Database.IsPostgres();
        var walk = total > WalkOrderAbove;
        var q = Apply(db, filter, seesPhi, now, seekRanges: !(hinted && walk));
        var rows = total == 0 ? [] : await (hinted && !walk ? SortedAfterSeek(q, filter.Sort) : Sorted(q, filter.Sort))
            .Skip((page - 1) * size).Take(size)
            .Select(e => new ExceptionRow(e.Id, e.CorrelationId, e.Category, e.ErrorCode, e.ErrorDetail, e.Workflow, e.Facility, e.SourceSystem,
                e.Status.ToString(), e.Team, e.Owner, e.SlaDueAt, e.AmountAtRisk, e.BusinessKeyType, e.BusinessKey, e.CreatedAt, e.CauseKey, e.ReplayState, e.LastReplayError))
            .ToListAsync(ct);
        return new ExceptionPage(rows.Select(r => Mask(r, seesPhi)).ToList(), total, filter with { Page = page, PageSize = size });
    }

    public static ExceptionRow Mask(ExceptionRow r, bool seesPhi) =>
        r.BusinessKeyType is { } t && KeyTypes.IsPatientIdentifier(t) ? r with { BusinessKey = PhiMask.Mask(r.BusinessKey, seesPhi) } : r;

    /// <summary>Groups of the filtered set by cause (failure classifier) or by business entity, largest first.</summary>
    public static async Task<IReadOnlyList<ExceptionGroup>> GroupsAsync(HealthSyncDb db, ExceptionFilter filter, string by, bool seesPhi, DateTime now, CancellationToken ct, int limit = 50)
    {
        var q = Apply(db, filter, seesPhi, now);
        if (by == "entity")
        {
            var groups = await q.Where(e => e.BusinessKey != null)
                .GroupBy(e => new { e.BusinessKeyType, e.BusinessKey })
                .Select(g => new { g.Key.BusinessKeyType, g.Key.BusinessKey, Count = g.Count(), Amount = g.Sum(e => e.AmountAtRisk), Sla = g.Min(e => e.SlaDueAt) })
                .OrderByDescending(g => g.Count).Take(limit).ToListAsync(ct);
            return groups.Select(g =>
            {
                var hidden = KeyTypes.IsPatientIdentifier(g.BusinessKeyType ?? "") && !seesPhi;
                return new ExceptionGroup(hidden ? "" : g.BusinessKey!,
                    $"{g.BusinessKeyType} {(hidden ? PhiMask.Mask(g.BusinessKey, false) : g.BusinessKey)}", g.Count, g.Amount, g.Sla, g.BusinessKeyType);
            }).ToList();
        }
        var causes = await q.GroupBy(e => e.CauseKey)
            .Select(g => new { g.Key, Count = g.Count(), Amount = g.Sum(e => e.AmountAtRisk), Sla = g.Min(e => e.SlaDueAt) })
            .OrderByDescending(g => g.Count).Take(limit).ToListAsync(ct);
        return causes.Select(g => new ExceptionGroup(g.Key, CauseClassifier.Title(g.Key), g.Count, g.Amount, g.Sla)).ToList();
    }

    /// <summary>The ids a bulk action will act on: every exception the filter selects, on every page.</summary>
    public static async Task<List<Guid>> SelectIdsAsync(HealthSyncDb db, ExceptionFilter filter, bool seesPhi, DateTime now, CancellationToken ct, int max = 200_000) =>
        await Sorted(Apply(db, filter, seesPhi, now), filter.Sort).Select(e => e.Id).Take(max).ToListAsync(ct);

    public static async Task<IReadOnlyList<CategoryCount>> OpenByCategoryAsync(HealthSyncDb db, CancellationToken ct) =>
        (await db.Exceptions.AsNoTracking().Where(e => e.Status == ExceptionStatus.Open).GroupBy(e => e.Category)
            .Select(g => new CategoryCount(g.Key, g.Count())).ToListAsync(ct))
        .OrderByDescending(x => x.Count).ToList();

    /// <summary>The values the filter drop-downs offer.</summary>
    public static async Task<FilterOptions> OptionsAsync(HealthSyncDb db, CancellationToken ct) => new(
        await db.Facilities.AsNoTracking().OrderBy(f => f.Name).Select(f => new KeyValuePair<string, string>(f.Code, f.Name)).ToListAsync(ct),
        (await db.RoutingRules.AsNoTracking().Select(r => r.Team).Distinct().ToListAsync(ct))
            .Concat(await db.Users.AsNoTracking().Where(u => u.Team != null).Select(u => u.Team!).Distinct().ToListAsync(ct)).Distinct().Order().ToList(),
        await db.Users.AsNoTracking().Where(u => !u.Disabled && u.Role != Roles.Integration).OrderBy(u => u.UserName).Select(u => u.UserName).ToListAsync(ct));
}

public sealed record FilterOptions(IReadOnlyList<KeyValuePair<string, string>> Facilities, IReadOnlyList<string> Teams, IReadOnlyList<string> Users);
