using System.Security.Claims;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Settings;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Admin.Settings;

/// <summary>
/// Changing settings, for the page and the API alike: every value of a request is checked first and nothing is stored
/// unless all pass; each real change is audited with its reason, and the engine's snapshot is reloaded before the
/// answer so the next decision (and the next request's patient identifier rule) uses the new value.
/// </summary>
public static class SettingsChanges
{
    public const string AuditAction = "setting.change";
    public const string AuditTarget = "setting";
    public const string ReasonField = "reason";
    public const int MaxReasonLength = 500;

    /// <summary>What a request did: the refusals keyed by setting key (or <see cref="ReasonField"/>), or the keys that changed.</summary>
    public sealed record Outcome(IReadOnlyDictionary<string, string[]> Errors, IReadOnlyList<string> Changed)
    {
        public bool Ok => Errors.Count == 0;
    }

    /// <summary>The refusals a request would get, without storing anything: values checked, resets must name settings, a reason is required.</summary>
    public static IReadOnlyDictionary<string, string[]> Check(SettingsCatalog catalog, IReadOnlyDictionary<string, string?> values, IReadOnlyCollection<string> resets, string? reason)
    {
        var errors = catalog.Validate(values).Errors.ToDictionary(StringComparer.Ordinal);
        foreach (var key in resets.Where(k => catalog.Find(k) is null)) errors[key] = [catalog.Check(key, null).Error!];
        if (values.Count == 0 && resets.Count == 0) errors["values"] = ["Give at least one setting to change."];
        if (string.IsNullOrWhiteSpace(reason)) errors[ReasonField] = ["Say why the setting changes: the reason is kept in the audit log."];
        else if (reason.Trim().Length > MaxReasonLength) errors[ReasonField] = [$"Keep the reason under {MaxReasonLength} characters."];
        return errors;
    }

    /// <param name="values">New values by key.</param>
    /// <param name="resets">Keys to return to their default (their stored value is removed).</param>
    public static async Task<Outcome> ApplyAsync(HealthSyncDb db, MappingCatalog engine, SettingsCatalog catalog, ClaimsPrincipal user,
        IReadOnlyDictionary<string, string?> values, IReadOnlyCollection<string> resets, string? reason, DateTime now, CancellationToken ct)
    {
        var errors = Check(catalog, values, resets, reason);
        if (errors.Count > 0) return new Outcome(errors, []);
        var accepted = catalog.Validate(values).Values;
        var keys = accepted.Keys.Concat(resets).ToList();
        var rows = await db.Settings.Where(s => keys.Contains(s.Key)).ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, ct);
        var actor = user.Identity?.Name ?? "unknown";
        var changed = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var (key, value) in accepted)
        {
            var definition = catalog.Find(key)!;
            var row = rows.GetValueOrDefault(key);
            // Saving a form sends every value of its group: one that still has its default and was not changed stays on the default.
            if (row is null ? value == definition.Default : row.Value == value) continue;
            AdminAudit.Record(db, user, AuditAction, AuditTarget, key, now, State(row?.Value, definition), State(value, definition), reason!.Trim());
            if (row is null) db.Settings.Add(new Setting { Key = key, Value = value, UpdatedBy = actor, UpdatedAt = now });
            else (row.Value, row.UpdatedBy, row.UpdatedAt) = (value, actor, now);
            changed[key] = value;
        }
        foreach (var key in resets.Distinct(StringComparer.Ordinal))
        {
            if (rows.GetValueOrDefault(key) is not { } row || changed.ContainsKey(key)) continue;
            var definition = catalog.Find(key)!;
            AdminAudit.Record(db, user, AuditAction, AuditTarget, key, now, State(row.Value, definition), State(null, definition), reason!.Trim());
            db.Settings.Remove(row);
            changed[key] = null;
        }
        if (changed.Count == 0) return new Outcome(errors, []);
        await db.SaveChangesAsync(ct);
        await PublishAsync(engine, changed, ct);
        return new Outcome(errors, changed.Keys.ToList());
    }

    /// <summary>The audited state of a setting: its value in force and whether that is the default.</summary>
    private static object State(string? stored, SettingDefinition definition) =>
        new { value = stored ?? definition.Default, isDefault = stored is null };

    /// <summary>
    /// Makes the engine use the new values at once. A reload that was already running when the change was saved may have
    /// read the old rows and counted as fresh, so the snapshot is reloaded until it shows what was stored.
    /// </summary>
    private static async Task PublishAsync(MappingCatalog engine, IReadOnlyDictionary<string, string?> stored, CancellationToken ct)
    {
        for (var attempt = 0; attempt < 5; attempt++)
        {
            engine.Invalidate();
            await engine.ReloadAsync(ct);
            var settings = (await engine.CurrentAsync(ct)).Settings;
            if (stored.All(s => settings.Raw(s.Key) == s.Value)) return;
        }
    }
}
