using System.Text.Json;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>
/// A position in a FHIR resource with its FHIRPath-like path. Reading an element checks its JSON type and records a
/// finding when it is wrong; a missing or wrongly-typed element reads as absent, so mapping code never branches on kinds.
/// </summary>
internal sealed class FhirNode
{
    private FhirNode(JsonElement? element, string path, List<ValidationFinding> findings)
    {
        Element = element;
        Path = path;
        Findings = findings;
    }

    public JsonElement? Element { get; }

    public string Path { get; }

    public List<ValidationFinding> Findings { get; }

    public bool Exists => Element is not null;

    public static FhirNode Root(JsonElement element, string path, List<ValidationFinding> findings) => new(element, path, findings);

    public bool Has(string name) => Raw(name) is not null;

    /// <summary>Records a <c>required</c> finding when the element is absent; returns whether it is present.</summary>
    public bool Require(string name, string? message = null)
    {
        if (Has(name))
        {
            return true;
        }

        Add($"{Path}.{name}", FindingCodes.Required, message ?? $"{name} is required.");
        return false;
    }

    public void Add(string path, string code, string message) => Findings.Add(new ValidationFinding(path, code, message));

    public FhirNode Obj(string name)
    {
        var path = $"{Path}.{name}";
        var value = Raw(name);
        if (value is { ValueKind: not JsonValueKind.Object } v)
        {
            Wrong(path, "a JSON object", v);
            value = null;
        }

        return new FhirNode(value, path, Findings);
    }

    public IReadOnlyList<FhirNode> Arr(string name)
    {
        if (Raw(name) is not { } value)
        {
            return [];
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            Wrong($"{Path}.{name}", "a JSON array", value);
            return [];
        }

        var list = new List<FhirNode>(value.GetArrayLength());
        var index = 0;
        foreach (var item in value.EnumerateArray())
        {
            var path = $"{Path}.{name}[{index}]";
            if (item.ValueKind == JsonValueKind.Object)
            {
                list.Add(new FhirNode(item, path, Findings));
            }
            else
            {
                Wrong(path, "a JSON object", item);
                list.Add(new FhirNode(null, path, Findings));
            }

            index++;
        }

        return list;
    }

    public FhirNode First(string name) => Arr(name) is [var first, ..] ? first : new FhirNode(null, $"{Path}.{name}[0]", Findings);

    public string? Str(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            Wrong($"{Path}.{name}", "a JSON string", value);
            return null;
        }

        var text = value.GetString();
        return string.IsNullOrWhiteSpace(text) ? null : text;
    }

    /// <summary>A code from a fixed value set; a value outside it is an <c>invalid-value</c> finding.</summary>
    public string? Code(string name, IReadOnlySet<string> allowed)
    {
        var value = Str(name);
        if (value is not null && !allowed.Contains(value))
        {
            Add($"{Path}.{name}", FindingCodes.InvalidValue, $"{name} '{Truncate(value)}' is not one of {string.Join('|', allowed)}.");
            return null;
        }

        return value;
    }

    public decimal? Dec(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetDecimal(out var number))
        {
            return number;
        }

        var path = $"{Path}.{name}";
        Add(path, FindingCodes.InvalidNumber, $"{path} must be a JSON number within the decimal range; found {value.Describe()}.");
        return null;
    }

    public int? Int(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number))
        {
            return number;
        }

        var path = $"{Path}.{name}";
        Add(path, FindingCodes.InvalidNumber, $"{path} must be a JSON integer; found {value.Describe()}.");
        return null;
    }

    public bool? Bool(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            return value.GetBoolean();
        }

        Wrong($"{Path}.{name}", "true or false", value);
        return null;
    }

    /// <summary>A FHIR date, dateTime or instant (see <see cref="FhirJson.TryParseDateTime"/>).</summary>
    public DateTimeOffset? DateTime(string name)
    {
        if (Raw(name) is not { } value)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String && FhirJson.TryParseDateTime(value.GetString()!, out var parsed))
        {
            return parsed;
        }

        var path = $"{Path}.{name}";
        Add(path, FindingCodes.InvalidDate, $"{path} must be a FHIR date or dateTime (yyyy-MM-dd or yyyy-MM-ddThh:mm:ss with a zone); found {value.Describe()}.");
        return null;
    }

    /// <summary>The calendar date of a FHIR date or dateTime, as written (in the sender's own offset).</summary>
    public DateOnly? Date(string name) => DateTime(name) is { } value ? DateOnly.FromDateTime(value.DateTime) : null;

    private JsonElement? Raw(string name) =>
        Element is { ValueKind: JsonValueKind.Object } e && e.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null
            ? value
            : null;

    private void Wrong(string path, string expected, JsonElement found) =>
        Add(path, FindingCodes.Malformed, $"{path} must be {expected}; found {found.Describe()}.");

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
