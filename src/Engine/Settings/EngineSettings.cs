using System.Globalization;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Settings;

/// <summary>
/// The administrators' settings as the engine reads them: stored rows over built-in defaults. Immutable, part of the
/// mapping snapshot, so a decision sees one consistent set. A stored value that breaks its setting's rules (written
/// around the portal) is ignored in favour of the default rather than trusted.
/// </summary>
public sealed class EngineSettings
{
    private readonly Dictionary<string, string> _values;

    public EngineSettings(IEnumerable<Setting> rows) =>
        _values = rows.ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase);

    public static EngineSettings Defaults { get; } = new([]);

    public string? Raw(string key) => _values.GetValueOrDefault(key);

    public static string SlaKey(string category) => SettingsCatalog.SlaKey(category);

    /// <summary>Time to resolve an exception of the category: the stored setting, or the built-in default.</summary>
    public TimeSpan Sla(string category) =>
        Number(SlaKey(category)) is { } hours ? TimeSpan.FromHours((double)hours) : Categories.Sla(category);

    /// <summary>
    /// Whether people with the role see patient identifiers unmasked: the stored setting, or <see cref="Roles.SeesPhiByDefault"/>.
    /// Only roles of people using the portal can ever be allowed; the integration role never is.
    /// </summary>
    public bool SeesPhi(string? role) =>
        role is not null && Roles.People.Contains(role)
        && (Valid(SettingsCatalog.PhiKey(role)) is { } stored ? stored == SettingDefinition.True : Roles.SeesPhiByDefault(role));

    /// <summary>The reconciliation tolerances and windows in force: every stored setting over the configured value.</summary>
    public ReconciliationOptions Reconciliation(ReconciliationOptions configured)
    {
        var effective = configured.Clone();
        foreach (var binding in ToleranceSettings.All)
        {
            if (Number(binding.Key) is { } value) binding.Write(effective, value);
        }
        return effective;
    }

    /// <summary>How long each kind of data is kept; the audit floor of six years holds whatever is stored.</summary>
    public RetentionPolicy Retention()
    {
        var d = RetentionSettings.Defaults;
        return new RetentionPolicy(
            Days(RetentionSettings.PayloadDays) ?? d.PayloadDays,
            Math.Max(RetentionSettings.MinimumAuditDays, Days(RetentionSettings.AuditDays) ?? d.AuditDays),
            Days(RetentionSettings.JobRunDays) ?? d.JobRunDays,
            Days(RetentionSettings.ResolvedExceptionDays) ?? d.ResolvedExceptionDays);
    }

    private string? Valid(string key) =>
        Raw(key) is { } raw && SettingsCatalog.Standard.Check(key, raw) is { Ok: true } check ? check.Value : null;

    private decimal? Number(string key) =>
        Valid(key) is { } v ? decimal.Parse(v, NumberStyles.Number, CultureInfo.InvariantCulture) : null;

    private int? Days(string key) => Number(key) is { } v ? (int)v : null;
}
