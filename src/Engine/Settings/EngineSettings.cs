using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Settings;

/// <summary>
/// The administrators' settings as the engine reads them: stored rows over built-in defaults. Immutable, part of the
/// mapping snapshot, so a decision sees one consistent set.
/// </summary>
public sealed class EngineSettings
{
    private readonly Dictionary<string, string> _values;

    public EngineSettings(IEnumerable<Setting> rows) =>
        _values = rows.ToDictionary(r => r.Key, r => r.Value, StringComparer.OrdinalIgnoreCase);

    public static EngineSettings Defaults { get; } = new([]);

    public string? Raw(string key) => _values.GetValueOrDefault(key);

    public static string SlaKey(string category) => $"sla.{category}.hours";

    /// <summary>Time to resolve an exception of the category: the stored setting, or the built-in default.</summary>
    public TimeSpan Sla(string category) =>
        _values.TryGetValue(SlaKey(category), out var v) && double.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var hours) && hours > 0
            ? TimeSpan.FromHours(hours)
            : Categories.Sla(category);
}
