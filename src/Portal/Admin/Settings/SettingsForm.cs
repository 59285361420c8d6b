using HealthSync.Engine.Settings;
using Microsoft.AspNetCore.WebUtilities;

namespace HealthSync.Portal.Admin.Settings;

/// <summary>
/// One group's form as submitted, and how it travels back to the page after the post-redirect: a saved form carries
/// only its message; a refused one carries what was typed, so the page can show it again with each refusal next to
/// its field (the page checks the values again with the same rules rather than trusting errors passed in the address).
/// </summary>
public sealed record SettingsForm(string Group, IReadOnlyDictionary<string, string?> Values, IReadOnlyList<string> Resets, string? Reason)
{
    public const string ResetField = "reset";

    public static SettingsForm Read(SettingsCatalog catalog, string group, IFormCollection form) =>
        From(catalog, group, key => form.TryGetValue(key, out var v) ? v.ToString() : null, form[ResetField], form[SettingsChanges.ReasonField]);

    /// <summary>The refused form the address describes, when it names a group and the save failed.</summary>
    public static SettingsForm? FromQuery(SettingsCatalog catalog, IQueryCollection query)
    {
        var group = query["group"].ToString();
        if (query["ok"] != "False" || SettingsCatalog.Groups.All(g => g.Id != group)) return null;
        return From(catalog, group, key => query.TryGetValue(key, out var v) ? v.ToString() : null, query[ResetField], query[SettingsChanges.ReasonField]);
    }

    private static SettingsForm From(SettingsCatalog catalog, string group, Func<string, string?> field, IEnumerable<string?> resets, string? reason)
    {
        var inGroup = catalog.InGroup(group).ToList();
        var reset = resets.Where(k => inGroup.Any(d => d.Key == k)).Select(k => k!).Distinct(StringComparer.Ordinal).ToList();
        var values = inGroup.Where(d => !reset.Contains(d.Key)).Select(d => (d.Key, Value: field(d.Key))).Where(x => x.Value is not null)
            .ToDictionary(x => x.Key, x => x.Value, StringComparer.Ordinal);
        return new SettingsForm(group, values, reset, reason);
    }

    public static string Saved(string group, int changed) =>
        QueryHelpers.AddQueryString(SettingsEndpoints.PagePath, new Dictionary<string, string?>
        {
            ["ok"] = "True",
            ["msg"] = changed == 0 ? "Nothing changed: every value was already in force." : $"Saved {changed} setting{(changed == 1 ? "" : "s")}; the engine uses the new values from now on.",
        }) + "#group-" + group;

    public string Refused(int errors)
    {
        var query = new List<KeyValuePair<string, string?>>
        {
            new("ok", "False"),
            new("msg", $"Nothing was saved: {errors} value{(errors == 1 ? " needs" : "s need")} correcting."),
            new("group", Group),
            new(SettingsChanges.ReasonField, Reason ?? ""),
        };
        query.AddRange(Values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)));
        query.AddRange(Resets.Select(r => new KeyValuePair<string, string?>(ResetField, r)));
        return QueryHelpers.AddQueryString(SettingsEndpoints.PagePath, query) + "#group-" + Group;
    }
}
