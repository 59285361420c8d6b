using System.Globalization;
using System.Text.Json;

namespace HealthSync.Adapters.Fhir;

/// <summary>Null-tolerant navigation over FHIR JSON: a missing or wrongly-typed element reads as absent.</summary>
internal static class FhirJson
{
    public static JsonElement? Prop(this JsonElement? element, string name) =>
        element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    public static JsonElement? Prop(this JsonElement element, string name) => ((JsonElement?)element).Prop(name);

    public static JsonElement? At(this JsonElement? element, int index) =>
        element is { ValueKind: JsonValueKind.Array } e && index < e.GetArrayLength() ? e[index] : null;

    public static string? Str(this JsonElement? element) =>
        element is { ValueKind: JsonValueKind.String } e && e.GetString() is { Length: > 0 } s && !string.IsNullOrWhiteSpace(s) ? s : null;

    public static string Describe(this JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => $"\"{Truncate(element.GetString() ?? string.Empty)}\"",
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => element.GetRawText(),
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        _ => element.ValueKind.ToString().ToLowerInvariant(),
    };

    /// <summary>FHIR dateTime: yyyy, yyyy-MM, yyyy-MM-dd, or a full timestamp with zone (Z or ±hh:mm).</summary>
    public static bool TryParseDateTime(string text, out DateTimeOffset value)
    {
        string[] dateFormats = ["yyyy", "yyyy-MM", "yyyy-MM-dd"];
        if (DateTimeOffset.TryParseExact(text, dateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value))
        {
            return true;
        }

        string[] timeFormats =
        [
            "yyyy-MM-dd'T'HH:mm:ss'Z'",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'",
            "yyyy-MM-dd'T'HH:mm:sszzz",
            "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz",
        ];
        return DateTimeOffset.TryParseExact(text, timeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out value);
    }

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
