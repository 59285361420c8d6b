using HealthSync.Engine.Persistence;
using HealthSync.Engine.Settings;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Admin.Settings;

/// <summary>One setting as the page and the API show it: its definition, the value in force, and its last change.</summary>
public sealed record SettingView(
    string Key, string Group, string Label, string Unit, string Type, decimal? Min, decimal? Max, bool MinExclusive, IReadOnlyList<string> Allowed,
    string Default, string Help, string Value, bool IsDefault, string? UpdatedBy, DateTime? UpdatedAt, string? LastReason);

/// <summary>A group of settings as shown together and saved together.</summary>
public sealed record SettingGroupView(string Id, string Title, string Description, IReadOnlyList<SettingView> Settings);

/// <summary>
/// Reads the settings for people: definitions with the values stored now (not the engine's cached snapshot, which may be
/// seconds old), and who changed each one last, from the audit log so a reset to default still shows who made it.
/// </summary>
public static class SettingsViews
{
    public static async Task<IReadOnlyList<SettingGroupView>> LoadAsync(HealthSyncDb db, SettingsCatalog catalog, CancellationToken ct)
    {
        var rows = await db.Settings.AsNoTracking().ToDictionaryAsync(s => s.Key, StringComparer.Ordinal, ct);
        // Setting changes are rare (a handful a month), so reading their whole audit trail is cheap.
        var changes = (await db.AuditEntries.AsNoTracking().Where(a => a.TargetType == SettingsChanges.AuditTarget && a.TargetId != null)
                .Select(a => new { a.Id, Key = a.TargetId!, a.At, a.Actor, a.Reason }).ToListAsync(ct))
            .GroupBy(a => a.Key).ToDictionary(g => g.Key, g => g.MaxBy(a => a.Id)!, StringComparer.Ordinal);
        return SettingsCatalog.Groups.Select(g => new SettingGroupView(g.Id, g.Title, g.Description, catalog.InGroup(g.Id).Select(d =>
        {
            var row = rows.GetValueOrDefault(d.Key);
            var last = changes.GetValueOrDefault(d.Key);
            // A stored value that no longer passes its rules is not in force (the engine ignores it too).
            var stored = row is not null && d.Check(row.Value) is { Ok: true } check ? check.Value : null;
            return new SettingView(d.Key, d.Group, d.Label, d.Unit, d.Kind.ToString().ToLowerInvariant(), d.Min, d.Max, d.MinExclusive, d.Allowed,
                d.Default, d.Help, stored ?? d.Default, stored is null, last?.Actor ?? row?.UpdatedBy, last?.At ?? row?.UpdatedAt, last?.Reason);
        }).ToList())).ToList();
    }

    /// <summary>The accepted range in words: "more than 0 and at most 720 hours".</summary>
    public static string Range(SettingView s)
    {
        if (s.Allowed.Count > 0) return "on or off";
        var parts = new List<string>();
        if (s.Min is { } min) parts.Add((s.MinExclusive ? "more than " : "at least ") + SettingDefinition.Format(min));
        if (s.Max is { } max) parts.Add("at most " + SettingDefinition.Format(max));
        var unit = s.Unit.Length == 0 ? "" : " " + s.Unit;
        return (parts.Count == 0 ? "any value" : string.Join(" and ", parts)) + unit + (s.Type == "integer" ? ", whole numbers" : "");
    }

    /// <summary>A value as people read it: "24 hours", "on".</summary>
    public static string Describe(SettingView s, string value) =>
        s.Allowed.Count > 0 ? (value == SettingDefinition.True ? "on" : "off") : s.Unit.Length == 0 ? value : $"{value} {s.Unit}";
}
