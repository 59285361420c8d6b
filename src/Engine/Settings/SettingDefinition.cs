using System.Globalization;

namespace HealthSync.Engine.Settings;

/// <summary>What a setting's value is: a decimal number, a whole number or a yes/no switch.</summary>
public enum SettingKind { Number, Integer, Boolean }

/// <summary>A section of the settings page and of the API's answer; each group is saved on its own.</summary>
public sealed record SettingGroup(string Id, string Title, string Description);

/// <summary>The outcome of checking one submitted value: the value as it is stored, or why it was refused.</summary>
public sealed record SettingCheck(string? Value, string? Error)
{
    public bool Ok => Error is null;

    public static SettingCheck Valid(string value) => new(value, null);

    public static SettingCheck Invalid(string error) => new(null, error);
}

/// <summary>
/// One administrator setting: where it is shown, what it means and which values it accepts. Values are stored as
/// invariant text, so a setting written on one node reads the same on every other; every refusal names the setting and
/// the rule it broke, so the person fixing it knows what to type.
/// </summary>
/// <param name="MinExclusive">The value must be strictly greater than <paramref name="Min"/> (an SLA of 0 hours means nothing).</param>
/// <param name="MinReason">Why the minimum exists, added to the refusal (a legal retention floor, for example).</param>
public sealed record SettingDefinition(
    string Key, string Group, string Label, string Unit, SettingKind Kind, string Default, string Help,
    decimal? Min = null, decimal? Max = null, bool MinExclusive = false, string? MinReason = null)
{
    public const string True = "true";
    public const string False = "false";

    /// <summary>The values a switch accepts; empty for numbers, which are bounded by <see cref="Min"/> and <see cref="Max"/>.</summary>
    public IReadOnlyList<string> Allowed => Kind == SettingKind.Boolean ? [True, False] : [];

    private const NumberStyles Plain = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowDecimalPoint | NumberStyles.AllowLeadingSign;

    /// <summary>Checks a submitted value and gives it its stored form (numbers without trailing zeros, switches in lower case).</summary>
    public SettingCheck Check(string? raw)
    {
        var text = raw?.Trim() ?? "";
        if (text.Length == 0) return SettingCheck.Invalid($"{Label}: a value is required.");
        return Kind switch
        {
            SettingKind.Boolean => text.ToLowerInvariant() switch
            {
                True or "yes" or "on" => SettingCheck.Valid(True),
                False or "no" or "off" => SettingCheck.Valid(False),
                _ => SettingCheck.Invalid($"{Label}: '{Shorten(text)}' is not one of {string.Join(" or ", Allowed)}."),
            },
            SettingKind.Integer => int.TryParse(text, Plain & ~NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var whole)
                ? InRange(whole)
                : SettingCheck.Invalid($"{Label}: '{Shorten(text)}' is not a whole number of {Unit}."),
            _ => decimal.TryParse(text, Plain, CultureInfo.InvariantCulture, out var number)
                ? InRange(number)
                : SettingCheck.Invalid($"{Label}: '{Shorten(text)}' is not a number (use a dot for decimals, e.g. 2.5)."),
        };
    }

    private SettingCheck InRange(decimal value)
    {
        if (Min is { } min && (MinExclusive ? value <= min : value < min))
        {
            var floor = MinExclusive ? $"more than {Format(min)} {Unit}" : $"at least {Format(min)} {Unit}";
            return SettingCheck.Invalid($"{Label} must be {floor}{(MinReason is null ? "" : $" ({MinReason})")}; {Format(value)} was given.");
        }
        if (Max is { } max && value > max)
            return SettingCheck.Invalid($"{Label} must be at most {Format(max)} {Unit}; {Format(value)} was given.");
        return SettingCheck.Valid(Format(value));
    }

    /// <summary>The stored form of a number: invariant, no trailing zeros.</summary>
    public static string Format(decimal value) => value.ToString("0.############", CultureInfo.InvariantCulture);

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
