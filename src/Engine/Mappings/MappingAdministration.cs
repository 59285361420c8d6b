using System.Globalization;
using System.Text;
using System.Text.Json;
using CsvHelper;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Mappings;

public sealed record FieldError(string Field, string Message);

/// <summary>The outcome of a mapping change: applied (with the new version's id), waiting for approval, or refused with reasons.</summary>
public sealed record MappingResult(bool Ok, string Message, string? Refusal = null, long? MappingId = null, long? ChangeId = null, bool Pending = false,
    IReadOnlyList<FieldError>? Errors = null)
{
    public static MappingResult Invalid(IReadOnlyList<FieldError> errors) =>
        new(false, string.Join(" ", errors.Select(e => e.Message)), "invalid", Errors: errors);

    public static MappingResult Refused(string code, string message) => new(false, message, code);
}

public sealed record ImportRow(int Row, string Key, string Outcome, IReadOnlyList<FieldError> Errors);

/// <summary>A CSV import's row-by-row validation report; <see cref="Applied"/> is false when nothing was written.</summary>
public sealed record ImportReport(string Type, int Rows, int Valid, int Invalid, bool Applied, bool Pending, string Message, IReadOnlyList<FieldError> FileErrors, IReadOnlyList<ImportRow> Lines)
{
    /// <summary>The audit entry that keeps this report, so the report page can be reopened.</summary>
    public long? AuditId { get; init; }
}

/// <summary>A version of a mapping as listed: its values and whether it is in force now, scheduled, or ended.</summary>
public sealed record MappingVersion(long Id, string Key, string State, IReadOnlyDictionary<string, string> Values);

/// <summary>
/// Changing the crosswalks safely. A change never overwrites: it adds a version valid from a date and closes the version
/// it supersedes, so an event is always mapped with the mapping valid at its own time. Every change records who, why, and
/// the row before and after; mapping kinds that require it wait for a second administrator's approval.
/// </summary>
public sealed class MappingAdministration(MappingCatalog catalog, TimeProvider time)
{
    public const int MaxImportRows = 10_000;
    public const int MaxImportBytes = 5_000_000;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string ApprovalKey(MappingType type) => $"mapping-approval.{type.Name}";

    public static bool RequiresApproval(MappingSnapshot map, MappingType type) => map.Settings.Raw(ApprovalKey(type)) == "true";

    public static string State(object row, DateTime now) =>
        MappingType.FromOf(row) > now ? "scheduled" : MappingType.ToOf(row) is { } to && to <= now ? "ended" : "current";

    public async Task<IReadOnlyList<MappingVersion>> ListAsync(HealthSyncDb db, MappingType type, string? search, bool includeEnded, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var rows = await type.AllAsync(db, ct);
        return rows
            .Select(r => new MappingVersion(MappingType.IdOf(r), type.KeyOf(r), State(r, now), type.Values(r)))
            .Where(v => includeEnded || v.State != "ended")
            .Where(v => string.IsNullOrWhiteSpace(search) || v.Values.Values.Any(x => x.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase)))
            .OrderBy(v => v.Key, StringComparer.Ordinal).ThenBy(v => v.Values[MappingType.EffectiveFrom], StringComparer.Ordinal)
            .ToList();
    }

    public async Task<IReadOnlyList<MappingVersion>> VersionsAsync(HealthSyncDb db, MappingType type, long id, CancellationToken ct)
    {
        var row = await type.FindAsync(db, id, ct);
        if (row is null) return [];
        var now = time.GetUtcNow().UtcDateTime;
        return (await type.VersionsAsync(db, type.KeyOf(row), ct)).Select(r => new MappingVersion(MappingType.IdOf(r), type.KeyOf(r), State(r, now), type.Values(r))).ToList();
    }

    /// <summary>The change history of every version of the key the mapping belongs to, newest first.</summary>
    public async Task<IReadOnlyList<MappingChange>> HistoryAsync(HealthSyncDb db, MappingType type, long id, CancellationToken ct)
    {
        var ids = (await VersionsAsync(db, type, id, ct)).Select(v => (long?)v.Id).ToList();
        return await db.MappingChanges.AsNoTracking().Where(c => c.MappingType == type.Name && ids.Contains(c.MappingId))
            .OrderByDescending(c => c.Id).ToListAsync(ct);
    }

    /// <summary>Validates the values into a new mapping row, as an import, the API and the fix from an exception all do.</summary>
    public async Task<(object? Row, IReadOnlyList<FieldError> Errors)> ValidateAsync(HealthSyncDb db, MappingType type, IReadOnlyDictionary<string, string?> values, CancellationToken ct)
    {
        var (row, errors) = type.Parse(values, time.GetUtcNow().UtcDateTime);
        var list = errors.Select(e => new FieldError(e.Field, e.Message)).ToList();
        if (row is not null) Check(type, row, await ReferenceDataAsync(db, ct), list);
        return (list.Count == 0 ? row : null, list);
    }

    /// <summary>
    /// Adds a mapping, or a new version of an existing one when <paramref name="supersedes"/> names it. Waits for approval when
    /// the kind requires it.
    /// </summary>
    public async Task<MappingResult> SaveAsync(HealthSyncDb db, MappingType type, long? supersedes, IReadOnlyDictionary<string, string?> values, string? reason,
        Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason)) return MappingResult.Invalid([new("reason", "Say why the mapping changes.")]);
        var (row, errors) = await ValidateAsync(db, type, values, ct);
        if (row is null) return MappingResult.Invalid(errors);
        if (supersedes is { } id && await type.FindAsync(db, id, ct) is { } old && type.KeyOf(old) != type.KeyOf(row))
            return MappingResult.Invalid([new(type.KeyFields.First().Name, $"A new version keeps the key ({type.Describe(type.Values(old))}); create a new mapping for a different key.")]);
        var action = supersedes is null ? "create" : "version";

        var map = await catalog.CurrentAsync(ct);
        if (RequiresApproval(map, type))
            return await RequestAsync(db, type, supersedes, action, type.Values(row), reason, actor, ct);

        var result = await ApplyAsync(db, type, row, action, reason.Trim(), actor.Name, null, ct);
        if (result.Ok) await CommitAsync(db, ct);
        return result;
    }

    /// <summary>Ends a mapping at a date (default now): events after it are no longer mapped with it.</summary>
    public async Task<MappingResult> RetireAsync(HealthSyncDb db, MappingType type, long id, DateTime? at, string? reason, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason)) return MappingResult.Invalid([new("reason", "Say why the mapping is retired.")]);
        var row = await type.FindAsync(db, id, ct);
        if (row is null) return MappingResult.Refused("not-found", $"No {type.Label} mapping #{id}.");
        var when = at ?? time.GetUtcNow().UtcDateTime;
        if (when <= MappingType.FromOf(row)) return MappingResult.Invalid([new(MappingType.EffectiveTo, "A mapping can only be retired after it takes effect.")]);
        if (MappingType.ToOf(row) is { } to && to <= when) return MappingResult.Refused("conflict", $"The mapping already ended on {to:yyyy-MM-dd}.");

        var map = await catalog.CurrentAsync(ct);
        var values = type.Values(row).ToDictionary();
        values[MappingType.EffectiveTo] = when.ToString("O", CultureInfo.InvariantCulture);
        if (RequiresApproval(map, type))
            return await RequestAsync(db, type, id, "retire", values, reason, actor, ct);
        var result = Retire(db, type, row, when, reason.Trim(), actor.Name, null);
        await CommitAsync(db, ct);
        return result;
    }

    public async Task<IReadOnlyList<MappingChange>> PendingAsync(HealthSyncDb db, CancellationToken ct) =>
        await db.MappingChanges.AsNoTracking().Where(c => c.Status == MappingChangeStatus.Pending).OrderBy(c => c.Id).ToListAsync(ct);

    /// <summary>A second administrator applies or rejects a pending change; the requester cannot approve their own.</summary>
    public async Task<MappingResult> DecideAsync(HealthSyncDb db, long changeId, bool approve, string? note, Actor actor, CancellationToken ct)
    {
        var change = await db.MappingChanges.FirstOrDefaultAsync(c => c.Id == changeId, ct);
        if (change is null) return MappingResult.Refused("not-found", $"No mapping change #{changeId}.");
        if (change.Status != MappingChangeStatus.Pending) return MappingResult.Refused("conflict", $"Change #{changeId} was already {change.Status.ToString().ToLowerInvariant()}.");
        if (string.Equals(change.RequestedBy, actor.Name, StringComparison.OrdinalIgnoreCase))
            return MappingResult.Refused("conflict", "A second administrator must approve or reject this change; you requested it.");
        var type = MappingType.Find(change.MappingType)!;
        var now = time.GetUtcNow().UtcDateTime;
        change.DecidedBy = actor.Name;
        change.DecidedAt = now;
        change.DecisionNote = note;
        if (!approve)
        {
            change.Status = MappingChangeStatus.Rejected;
            Audit(db, actor.Name, "mapping.reject", type, change.MappingId, now, note, change.After, null);
            await db.SaveChangesAsync(ct);
            return new MappingResult(true, $"Change #{changeId} rejected.", ChangeId: changeId);
        }

        var values = JsonSerializer.Deserialize<Dictionary<string, string?>>(change.After ?? "{}", Json)!;
        MappingResult result;
        if (change.Action == "retire")
        {
            var row = change.MappingId is { } id ? await type.FindAsync(db, id, ct) : null;
            if (row is null) return MappingResult.Refused("not-found", "The mapping to retire no longer exists.");
            var when = DateTime.Parse(values[MappingType.EffectiveTo]!, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal);
            result = Retire(db, type, row, when, change.Reason, change.RequestedBy, actor.Name);
        }
        else
        {
            var (row, errors) = await ValidateAsync(db, type, values, ct);
            if (row is null) return MappingResult.Invalid(errors);
            result = await ApplyAsync(db, type, row, change.Action, change.Reason, change.RequestedBy, actor.Name, ct);
        }
        if (!result.Ok) return result;
        change.Status = MappingChangeStatus.Applied;
        await CommitAsync(db, ct);
        // The applied change row carries the new version's id, so the history of the key shows the request and its approval.
        change.MappingId ??= result.MappingId;
        await db.SaveChangesAsync(ct);
        return result with { Message = $"Change #{changeId} approved: {result.Message}", ChangeId = changeId };
    }

    /// <summary>Switches second-person approval on or off for a mapping kind.</summary>
    public async Task<MappingResult> SetApprovalAsync(HealthSyncDb db, MappingType type, bool required, string? reason, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason)) return MappingResult.Invalid([new("reason", "Say why approval changes.")]);
        var key = ApprovalKey(type);
        var now = time.GetUtcNow().UtcDateTime;
        var setting = await db.Settings.FirstOrDefaultAsync(s => s.Key == key, ct);
        var before = setting?.Value ?? "false";
        if (setting is null) db.Settings.Add(setting = new Setting { Key = key, Value = "", UpdatedBy = actor.Name, UpdatedAt = now });
        setting.Value = required ? "true" : "false";
        setting.UpdatedBy = actor.Name;
        setting.UpdatedAt = now;
        db.AuditEntries.Add(new AuditEntry { At = now, Actor = actor.Name, Action = "mapping.approval-setting", TargetType = "setting", TargetId = key, Before = before, After = setting.Value, Reason = reason.Trim() });
        await CommitAsync(db, ct);
        return new MappingResult(true, required ? $"{type.Label} changes now need a second administrator's approval." : $"{type.Label} changes apply at once.");
    }

    /// <summary>
    /// Reads a CSV file (the export's columns) and validates every row. Nothing is written unless every row is valid, or
    /// <paramref name="acceptValidRows"/> explicitly applies the valid ones and leaves the rest.
    /// </summary>
    public async Task<ImportReport> ImportAsync(HealthSyncDb db, MappingType type, Stream csv, bool acceptValidRows, string? reason, Actor actor, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(reason))
            return new ImportReport(type.Name, 0, 0, 0, false, false, "Say why the mappings are imported.", [new("reason", "Say why the mappings are imported.")], []);
        var report = await ValidateImportAsync(db, type, csv, ct);
        var rows = report.Parsed;
        var invalid = report.Lines.Count(l => l.Errors.Count > 0);
        ImportReport result;
        if (report.FileErrors.Count > 0)
            result = new ImportReport(type.Name, report.Lines.Count, 0, report.Lines.Count, false, false,
                "The file cannot be imported: " + string.Join(" ", report.FileErrors.Select(e => e.Message)), report.FileErrors, []);
        else if (report.Lines.Count == 0)
            result = new ImportReport(type.Name, 0, 0, 0, false, false, "The file has no rows.", [new("file", "The file has a header but no rows.")], []);
        else if (invalid > 0 && !acceptValidRows)
            result = new ImportReport(type.Name, report.Lines.Count, rows.Count, invalid, false, false,
                $"Nothing imported: {invalid} of {report.Lines.Count} row(s) are invalid. Fix them, or import only the {rows.Count} valid row(s) explicitly.", [], report.Lines);
        else
        {
            var pending = RequiresApproval(await catalog.CurrentAsync(ct), type);
            var outcome = pending ? "pending approval" : "applied";
            foreach (var (number, row) in rows)
            {
                if (pending) await RequestAsync(db, type, null, "import", type.Values(row), reason, actor, ct, save: false);
                else await ApplyAsync(db, type, row, "import", $"{reason.Trim()} (CSV row {number})", actor.Name, null, ct);
            }
            result = new ImportReport(type.Name, report.Lines.Count, rows.Count, invalid, !pending, pending,
                $"{rows.Count} row(s) {outcome}" + (invalid > 0 ? $"; {invalid} invalid row(s) left out." : "."), [],
                report.Lines.Select(l => l.Errors.Count == 0 ? l with { Outcome = outcome } : l).ToList());
        }

        // Rejected imports are audited too: the report is what the administrator saw, and the page reopens it from here.
        var entry = new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime, Actor = actor.Name, Action = "mapping.import", TargetType = "mapping:" + type.Name,
            Detail = result.Message, Reason = reason.Trim(), After = JsonSerializer.Serialize(result, Json),
        };
        db.AuditEntries.Add(entry);
        await CommitAsync(db, ct);
        return result with { AuditId = entry.Id };
    }

    private sealed record ValidatedImport(IReadOnlyList<FieldError> FileErrors, IReadOnlyList<ImportRow> Lines, List<(int Row, object Entity)> Parsed);

    private async Task<ValidatedImport> ValidateImportAsync(HealthSyncDb db, MappingType type, Stream csv, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await csv.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxImportBytes) return new ValidatedImport([new("file", $"The file is larger than {MaxImportBytes / 1_000_000} MB; split it.")], [], []);
        var (records, fileErrors) = ReadCsv(type, buffer.ToArray());
        if (fileErrors.Count > 0) return new ValidatedImport(fileErrors, [], []);
        var now = time.GetUtcNow().UtcDateTime;
        var reference = await ReferenceDataAsync(db, ct);
        var existing = (await type.AllAsync(db, ct)).ToLookup(r => type.KeyOf(r));
        var lines = new List<ImportRow>();
        var parsed = new List<(int Row, object Entity)>();
        var seen = new Dictionary<(string, DateTime), int>();
        foreach (var (number, values) in records)
        {
            var (row, errors) = type.Parse(values, now);
            var list = errors.Select(e => new FieldError(e.Field, e.Message)).ToList();
            var text = values.ToDictionary(v => v.Key, v => v.Value ?? "");
            var key = type.KeyOf(text);
            if (row is not null)
            {
                Check(type, row, reference, list);
                if (seen.TryGetValue((key, MappingType.FromOf(row)), out var first))
                    list.Add(new(type.KeyFields.First().Name, $"Row {number} repeats row {first} (same key and effective date)."));
                else
                    seen[(key, MappingType.FromOf(row))] = number;
                if (Conflict(existing[key], row) is { } clash) list.Add(new(MappingType.EffectiveFrom, clash));
            }
            lines.Add(new ImportRow(number, type.Describe(text), list.Count == 0 ? "valid" : "rejected", list));
            if (list.Count == 0) parsed.Add((number, row!));
        }
        return new ValidatedImport([], lines, parsed);
    }

    /// <summary>The mappings as CSV in the import's columns; with <paramref name="allVersions"/> also ended and scheduled versions.</summary>
    public async Task<string> ExportAsync(HealthSyncDb db, MappingType type, bool allVersions, CancellationToken ct)
    {
        var rows = await ListAsync(db, type, null, allVersions, ct);
        var sb = new StringBuilder();
        sb.AppendJoin(',', type.Columns.Select(c => c.Name)).Append("\r\n");
        foreach (var r in rows.Where(r => allVersions || r.State == "current"))
            sb.AppendJoin(',', type.Columns.Select(c => Quote(r.Values[c.Name]))).Append("\r\n");
        return sb.ToString();
    }

    private static (List<(int Row, Dictionary<string, string?> Values)> Records, List<FieldError> Errors) ReadCsv(MappingType type, byte[] content)
    {
        var records = new List<(int, Dictionary<string, string?>)>();
        var errors = new List<FieldError>();
        var bytes = content.AsMemory();
        if (bytes.Span.StartsWith("\uFEFF"u8)) bytes = bytes[3..];
        if (bytes.Span.Trim((byte)' ').IsEmpty)
        {
            errors.Add(new("file", "The file is empty; the first line must name the columns."));
            return (records, errors);
        }
        var options = CsvReaderOptions.Default with
        {
            Separator = ',', HasHeader = true, TrimWhitespace = true, MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow, IncludeValuesInExceptions = false,
        };
        using var csv = CsvReader.Create(bytes, options);
        var header = csv.Headers.Select(h => h.Trim().ToLowerInvariant()).ToArray();
        var known = type.Columns.Select(c => c.Name).ToHashSet();
        foreach (var unknown in header.Where(h => !known.Contains(h)))
            errors.Add(new(unknown, $"Unknown column '{unknown}'. Expected: {string.Join(", ", known)}."));
        foreach (var missing in type.Columns.Where(c => c.Required && !header.Contains(c.Name)))
            errors.Add(new(missing.Name, $"Required column '{missing.Name}' is missing."));
        if (errors.Count > 0) return (records, errors);
        while (csv.Read())
        {
            if (records.Count >= MaxImportRows)
            {
                errors.Add(new("file", $"The file has more than {MaxImportRows} rows; split it."));
                break;
            }
            var values = new Dictionary<string, string?>();
            for (var i = 0; i < header.Length; i++) values[header[i]] = i < csv.FieldCount ? csv.GetString(i) : null;
            if (values.Values.All(string.IsNullOrWhiteSpace)) continue;
            // Row numbers as a spreadsheet shows them: the header is row 1.
            records.Add(((int)csv.RowNumber + 1, values));
        }
        return (records, errors);
    }

    private static string Quote(string value) =>
        value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? "\"" + value.Replace("\"", "\"\"") + "\"" : value;

    private sealed record ReferenceData(HashSet<string> Facilities, HashSet<string> Skus);

    private static async Task<ReferenceData> ReferenceDataAsync(HealthSyncDb db, CancellationToken ct) => new(
        (await db.Facilities.AsNoTracking().Select(f => f.Code).ToListAsync(ct)).ToHashSet(StringComparer.OrdinalIgnoreCase),
        (await db.ItemMappings.AsNoTracking().Select(i => i.Sku).Distinct().ToListAsync(ct)).ToHashSet(StringComparer.OrdinalIgnoreCase));

    /// <summary>Rules that need the reference data: known facilities, SKUs that items map to, positive conversion factors.</summary>
    private static void Check(MappingType type, object row, ReferenceData reference, List<FieldError> errors)
    {
        var values = type.Values(row);
        if (values.GetValueOrDefault(MappingType.Facility) is { Length: > 0 } facility && !reference.Facilities.Contains(facility))
            errors.Add(new(MappingType.Facility, $"Facility '{facility}' is not known."));
        if (type.Name is "charge-code" or "uom" && values.GetValueOrDefault("sku") is { Length: > 0 } sku && !reference.Skus.Contains(sku))
            errors.Add(new("sku", $"SKU '{sku}' is not the ERP SKU of any item mapping."));
        if (type.Name == "uom" && row is UomConversion { Factor: <= 0 })
            errors.Add(new("factor", "Base units per unit must be more than zero."));
    }

    /// <summary>A new version may supersede a version that started earlier; it may not overlap one that starts at or after it.</summary>
    private static string? Conflict(IEnumerable<object> versions, object row)
    {
        var from = MappingType.FromOf(row);
        var to = MappingType.ToOf(row) ?? DateTime.MaxValue;
        var clash = versions.FirstOrDefault(v => MappingType.FromOf(v) >= from && MappingType.FromOf(v) < to && (MappingType.ToOf(v) ?? DateTime.MaxValue) > from);
        return clash is null ? null
            : $"Overlaps version #{MappingType.IdOf(clash)} valid from {MappingType.FromOf(clash):yyyy-MM-dd}; retire it first or choose a later effective date.";
    }

    private async Task<MappingResult> ApplyAsync(HealthSyncDb db, MappingType type, object row, string action, string reason, string requestedBy, string? approvedBy,
        CancellationToken ct)
    {
        var versions = await type.VersionsAsync(db, type.KeyOf(row), ct);
        if (Conflict(versions, row) is { } clash) return MappingResult.Refused("conflict", clash);
        var from = MappingType.FromOf(row);
        var superseded = versions.FirstOrDefault(v => MappingType.FromOf(v) < from && (MappingType.ToOf(v) ?? DateTime.MaxValue) > from);
        var before = superseded is null ? null : Serialize(type.Values(superseded));
        if (superseded is not null) MappingType.SetTo(superseded, from);
        type.Add(db, row);
        await db.SaveChangesAsync(ct);

        var id = MappingType.IdOf(row);
        var now = time.GetUtcNow().UtcDateTime;
        var after = Serialize(type.Values(row));
        db.MappingChanges.Add(new MappingChange
        {
            MappingType = type.Name, MappingId = id, Action = action, Status = MappingChangeStatus.Applied, Before = before, After = after,
            Reason = reason, RequestedBy = requestedBy, RequestedAt = now, DecidedBy = approvedBy ?? requestedBy, DecidedAt = now,
        });
        Audit(db, approvedBy ?? requestedBy, "mapping." + action, type, id, now, reason, after, before);
        var what = type.Describe(type.Values(row));
        return new MappingResult(true, superseded is null
            ? $"{type.Label} {what} created, effective {from:yyyy-MM-dd}."
            : $"{type.Label} {what}: new version effective {from:yyyy-MM-dd}; version #{MappingType.IdOf(superseded)} ends then.", MappingId: id);
    }

    private MappingResult Retire(HealthSyncDb db, MappingType type, object row, DateTime when, string reason, string requestedBy, string? approvedBy)
    {
        var before = Serialize(type.Values(row));
        MappingType.SetTo(row, when);
        var after = Serialize(type.Values(row));
        var now = time.GetUtcNow().UtcDateTime;
        var id = MappingType.IdOf(row);
        db.MappingChanges.Add(new MappingChange
        {
            MappingType = type.Name, MappingId = id, Action = "retire", Status = MappingChangeStatus.Applied, Before = before, After = after,
            Reason = reason, RequestedBy = requestedBy, RequestedAt = now, DecidedBy = approvedBy ?? requestedBy, DecidedAt = now,
        });
        Audit(db, approvedBy ?? requestedBy, "mapping.retire", type, id, now, reason, after, before);
        return new MappingResult(true, $"{type.Label} {type.Describe(type.Values(row))} retired from {when:yyyy-MM-dd}.", MappingId: id);
    }

    private async Task<MappingResult> RequestAsync(HealthSyncDb db, MappingType type, long? mappingId, string action, IReadOnlyDictionary<string, string> values,
        string reason, Actor actor, CancellationToken ct, bool save = true)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var before = mappingId is { } id && await type.FindAsync(db, id, ct) is { } current ? Serialize(type.Values(current)) : null;
        var change = new MappingChange
        {
            MappingType = type.Name, MappingId = mappingId, Action = action, Status = MappingChangeStatus.Pending, Before = before, After = Serialize(values),
            Reason = reason.Trim(), RequestedBy = actor.Name, RequestedAt = now,
        };
        db.MappingChanges.Add(change);
        Audit(db, actor.Name, "mapping.request", type, mappingId, now, reason.Trim(), change.After, before);
        if (save) await db.SaveChangesAsync(ct);
        return new MappingResult(true, $"{type.Label} {type.Describe(values)}: {action} waits for a second administrator's approval.", MappingId: mappingId, ChangeId: change.Id, Pending: true);
    }

    private async Task CommitAsync(HealthSyncDb db, CancellationToken ct)
    {
        await db.SaveChangesAsync(ct);
        catalog.Invalidate();
        await catalog.ReloadAsync(ct);
    }

    private static void Audit(HealthSyncDb db, string actor, string action, MappingType type, long? id, DateTime now, string? reason, string? after, string? before) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = now, Actor = actor, Action = action, TargetType = "mapping:" + type.Name, TargetId = id?.ToString(CultureInfo.InvariantCulture),
            Reason = reason, Before = before, After = after,
        });

    private static string Serialize(IReadOnlyDictionary<string, string> values) => JsonSerializer.Serialize(values, Json);
}
