using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Reconciliation;

namespace HealthSync.Engine.Settings;

/// <summary>
/// Every setting administrators may change, with its default and its rules. The reconciliation tolerances default to
/// the configured <see cref="ReconciliationOptions"/>, so the catalogue is built for a configuration; everything else is fixed.
/// Validation is all-or-nothing: a batch of values is stored only when every one of them passes.
/// </summary>
public sealed class SettingsCatalog
{
    public const string SlaGroup = "sla";
    public const string ToleranceGroup = "tolerances";
    public const string PhiGroup = "phi";
    public const string RetentionGroup = "retention";

    public const double MaxSlaHours = 720;

    public static readonly IReadOnlyList<SettingGroup> Groups =
    [
        new(SlaGroup, "Exception SLAs", "Time to resolve a new exception, per category. Applies to exceptions raised after the change; open ones keep their due time."),
        new(ToleranceGroup, "Match tolerances", "How close documents must agree for the reconciliations to call them matched, and when a missing answer becomes overdue. Defaults come from the engine's configuration."),
        new(PhiGroup, "Patient identifiers", "Which roles see MRNs, patient accounts and encounters in clear. Roles without need see them masked and cannot search by them."),
        new(RetentionGroup, "Data retention", "How long data is kept before the data-retention job removes it. Anything linked to an open exception is always kept."),
    ];

    private readonly Dictionary<string, SettingDefinition> _byKey;

    public SettingsCatalog(ReconciliationOptions configured)
    {
        All =
        [
            .. Categories.All.Select(c => new SettingDefinition(SlaKey(c), SlaGroup, $"{CategoryLabel(c)} SLA", "hours", SettingKind.Number,
                SettingDefinition.Format((decimal)Categories.Sla(c).TotalHours),
                $"Hours to resolve a new {c} exception before it counts as breached.", Min: 0, Max: (decimal)MaxSlaHours, MinExclusive: true)),
            .. ToleranceSettings.All.Select(b => new SettingDefinition(b.Key, ToleranceGroup, b.Label, b.Unit, b.Kind, SettingDefinition.Format(b.Read(configured)), b.Help,
                Min: b.Min, Max: b.Max, MinExclusive: b.MinExclusive)),
            .. Roles.People.Select(r => new SettingDefinition(PhiKey(r), PhiGroup, $"{Roles.Label(r)} sees patient identifiers", "", SettingKind.Boolean,
                Roles.SeesPhiByDefault(r) ? SettingDefinition.True : SettingDefinition.False,
                $"When on, people with the {Roles.Label(r).ToLowerInvariant()} role see patient identifiers unmasked in lineage, exceptions and payloads, and may search by them.")),
            .. RetentionSettings.Definitions(RetentionGroup),
        ];
        _byKey = All.ToDictionary(d => d.Key, StringComparer.Ordinal);
    }

    /// <summary>The catalogue with the built-in tolerance defaults: enough to check a stored value, whose rules do not depend on configuration.</summary>
    public static SettingsCatalog Standard { get; } = new(new ReconciliationOptions());

    public IReadOnlyList<SettingDefinition> All { get; }

    public SettingDefinition? Find(string key) => _byKey.GetValueOrDefault(key);

    public IEnumerable<SettingDefinition> InGroup(string group) => All.Where(d => d.Group == group);

    public static string SlaKey(string category) => $"sla.{category}.hours";

    public static string PhiKey(string role) => $"phi.{role}.unmasked";

    /// <summary>Checks one key and value: unknown keys and a role that may never see patient identifiers are refused by name.</summary>
    public SettingCheck Check(string key, string? value)
    {
        if (Find(key) is { } definition) return definition.Check(value);
        if (key.StartsWith("phi.", StringComparison.Ordinal) && key.EndsWith(".unmasked", StringComparison.Ordinal))
        {
            var role = key["phi.".Length..^".unmasked".Length];
            return SettingCheck.Invalid(role == Roles.Integration
                ? "The integration role is for sending interfaces: it has no portal and may never see patient identifiers."
                : $"'{role}' is not a role of people using the portal ({string.Join(", ", Roles.People)}).");
        }
        return SettingCheck.Invalid($"'{key}' is not a setting.");
    }

    /// <summary>
    /// Checks every value of a batch. Returns the stored forms when all pass; otherwise the refusals keyed by setting key
    /// (and nothing to store).
    /// </summary>
    public (IReadOnlyDictionary<string, string> Values, IReadOnlyDictionary<string, string[]> Errors) Validate(IReadOnlyDictionary<string, string?> values)
    {
        var ok = new Dictionary<string, string>(StringComparer.Ordinal);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (key, value) in values)
        {
            var check = Check(key, value);
            if (check.Ok) ok[key] = check.Value!;
            else errors[key] = [check.Error!];
        }
        return errors.Count == 0 ? (ok, errors) : (new Dictionary<string, string>(), errors);
    }

    private static string CategoryLabel(string category) => char.ToUpperInvariant(category[0]) + category[1..].Replace('-', ' ');
}
