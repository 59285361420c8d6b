using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Mappings;

/// <summary>The mapping that would fix a mapping-gap exception, pre-filled from the usage that failed.</summary>
public sealed record FixSuggestion(Guid ExceptionId, string Type, IReadOnlyDictionary<string, string> Values, string Explanation);

public sealed record BlockedException(Guid Id, string ErrorCode, string? BusinessKey, string? Facility, decimal AmountAtRisk, DateTime CreatedAt, string? Team);

/// <summary>What a mapping would unblock: the open exceptions whose messages would map cleanly with it.</summary>
public sealed record FixPreview(string Type, IReadOnlyDictionary<string, string> Values, int Unblocked, IReadOnlyList<BlockedException> Exceptions, IReadOnlyList<FieldError> Errors);

/// <summary>A mapping fix carried out: the mapping change and the bulk replay of the exceptions it unblocked.</summary>
public sealed record FixOutcome(MappingResult Mapping, int Unblocked, Guid? BulkOperationId);

/// <summary>
/// Fixing a mapping gap in one move: suggest the missing mapping from the failed usage, count the open exceptions it
/// would unblock by re-deciding their stored messages against the crosswalks plus the candidate mapping, then create it
/// and replay exactly those exceptions through the exception replay (so nothing posts twice).
/// </summary>
public sealed class MappingFixes(MappingAdministration mappings, MappingCatalog catalog, BulkRunner bulk, TimeProvider time)
{
    /// <summary>Candidates examined per preview; a mapping gap rarely blocks more, and the preview stays fast.</summary>
    public const int MaxCandidates = 5_000;

    public async Task<FixSuggestion?> SuggestAsync(HealthSyncDb db, Guid exceptionId, CancellationToken ct)
    {
        var e = await db.Exceptions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == exceptionId, ct);
        if (e is null || e.Status != ExceptionStatus.Open || e.InboxMessageId is null || MappingType.Fixing(e.ErrorCode) is not { } type) return null;
        var message = await db.InboxMessages.AsNoTracking().FirstAsync(m => m.Id == e.InboxMessageId, ct);
        var map = await catalog.CurrentAsync(ct);
        var read = Intake.Read(message.Format, message.Payload, map, message.ReceivedAt);
        var failed = read.Decisions.FirstOrDefault(d => d.Problems.Any(p => p.Code == e.ErrorCode));
        if (failed is null) return null;
        var u = failed.Usage;
        var facility = u.Facility ?? "";
        var at = u.OccurredAt?.UtcDateTime ?? message.ReceivedAt;
        var item = u.ItemCode is null ? null : map.Item(u.ItemCode, facility, at);
        var values = new Dictionary<string, string>();
        string explanation;
        switch (type.Name)
        {
            case "item":
                values["item_code"] = u.ItemCode ?? "";
                values["sku"] = item?.Sku ?? "";
                values["description"] = item?.Description ?? u.ItemDescription ?? "";
                values["base_uom"] = item?.BaseUom ?? u.Uom ?? "EA";
                values["active"] = "true";
                values["billable"] = (item?.Billable ?? true) ? "true" : "false";
                values["lot_tracked"] = (item?.LotTracked ?? false) ? "true" : "false";
                explanation = e.ErrorCode == "inactive-sku"
                    ? $"Item {u.ItemCode} maps to inactive SKU {item?.Sku}: map it to an active SKU."
                    : $"Item {u.ItemCode} has no ERP SKU mapping valid on {at:yyyy-MM-dd}: name the SKU it is stocked as.";
                break;
            case "charge-code":
                values["sku"] = item?.Sku ?? "";
                values["unit_price"] = u.UnitPrice?.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture) ?? "";
                values["billable"] = "true";
                explanation = $"Billable SKU {item?.Sku} has no charge-description-master code at {facility}: name the code and price.";
                break;
            case "uom":
                values["sku"] = item?.Sku ?? "";
                values["from_uom"] = u.Uom ?? "";
                explanation = $"{item?.Sku} arrives in '{u.Uom}' but is stocked in '{item?.BaseUom}': say how many {item?.BaseUom} one {u.Uom} holds.";
                break;
            case "location":
                values[MappingType.Facility] = facility;
                values["location_code"] = u.Location ?? "";
                explanation = $"Location {u.Location} at {facility} has no cost center: name the cost center and ERP location.";
                break;
            default:
                return null;
        }
        // The mapping must be valid at the failed event's time, or replaying it would fail again.
        values[MappingType.EffectiveFrom] = at.Date.ToString("yyyy-MM-dd");
        return new FixSuggestion(e.Id, type.Name, values, explanation);
    }

    /// <summary>The open exceptions the candidate mapping would unblock, without changing anything.</summary>
    public async Task<FixPreview> PreviewAsync(HealthSyncDb db, MappingType type, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        var (row, errors) = await mappings.ValidateAsync(db, type, values, ct);
        var shown = values.ToDictionary(v => v.Key, v => v.Value ?? "");
        if (row is null) return new FixPreview(type.Name, shown, 0, [], errors);
        var unblocked = await UnblockedAsync(db, type, await MappingCatalog.LoadAsync(db, row, ct), type.Values(row), ct);
        return new FixPreview(type.Name, type.Values(row), unblocked.Count, unblocked, []);
    }

    /// <summary>
    /// Creates the mapping and replays every exception it unblocks as one bulk operation. With approval required the mapping
    /// waits and nothing is replayed; <see cref="ReplayUnblockedAsync"/> does it after the approval.
    /// </summary>
    public async Task<FixOutcome> ApplyAsync(HealthSyncDb db, MappingType type, IReadOnlyDictionary<string, string?> values, string? reason, Actor actor, CancellationToken ct)
    {
        var result = await mappings.SaveAsync(db, type, null, values, reason, actor, ct);
        if (!result.Ok || result.Pending) return new FixOutcome(result, 0, null);
        var (count, bulkId) = await ReplayUnblockedAsync(db, type, result.MappingId!.Value, reason!, actor, ct);
        return new FixOutcome(result, count, bulkId);
    }

    /// <summary>Replays the open exceptions a stored mapping now unblocks.</summary>
    public async Task<(int Count, Guid? BulkOperationId)> ReplayUnblockedAsync(HealthSyncDb db, MappingType type, long mappingId, string reason, Actor actor, CancellationToken ct)
    {
        var row = await type.FindAsync(db, mappingId, ct);
        if (row is null) return (0, null);
        var unblocked = await UnblockedAsync(db, type, await MappingCatalog.LoadAsync(db, null, ct), type.Values(row), ct);
        if (unblocked.Count == 0) return (0, null);
        var op = BulkActions.Queue(db, BulkActions.Replay, unblocked.Select(x => x.Id).ToList(),
            $"unblocked by {type.Label} {type.Describe(type.Values(row))}", new BulkParameters(Note: reason), actor, time.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync(ct);
        bulk.Notify();
        return (unblocked.Count, op.Id);
    }

    private static async Task<List<BlockedException>> UnblockedAsync(HealthSyncDb db, MappingType type, MappingSnapshot with, IReadOnlyDictionary<string, string> values,
        CancellationToken ct)
    {
        // The error text quotes the unmapped value; narrowing by it keeps the re-decision to the exceptions that can be affected.
        var needle = type.KeyFields.Where(f => f.Name != MappingType.Facility).Select(f => values.GetValueOrDefault(f.Name)).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) ?? "";
        var codes = type.FixesErrorCodes.ToList();
        var candidates = await db.Exceptions.AsNoTracking()
            .Where(e => e.Status == ExceptionStatus.Open && codes.Contains(e.ErrorCode) && e.InboxMessageId != null && e.ErrorDetail.Contains(needle)
                && (e.ReplayState == null || (e.ReplayState != ReplayStates.Pending && e.ReplayState != ReplayStates.AwaitingDelivery)))
            .OrderBy(e => e.CreatedAt).Take(MaxCandidates).ToListAsync(ct);
        var unblocked = new List<BlockedException>();
        foreach (var group in candidates.GroupBy(e => e.InboxMessageId!.Value))
        {
            var message = await db.InboxMessages.AsNoTracking().Where(m => m.Id == group.Key).Select(m => new { m.Format, m.Payload, m.ReceivedAt }).FirstAsync(ct);
            var read = Intake.Read(message.Format, message.Payload, with, message.ReceivedAt);
            foreach (var e in group)
                if (read.Rejection is null && !read.Decisions.Any(d => d.Problems.Any(p => p.Code == e.ErrorCode)))
                    unblocked.Add(new BlockedException(e.Id, e.ErrorCode, e.BusinessKey, e.Facility, e.AmountAtRisk, e.CreatedAt, e.Team));
        }
        return unblocked;
    }
}
