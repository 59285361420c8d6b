using System.Text.Json;
using System.Text.Json.Nodes;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>
/// A FHIR resource held as its full JSON tree, so that elements this product does not map (unknown elements,
/// <c>extension</c> and <c>modifierExtension</c> arrays, primitive extensions such as <c>_birthDate</c>, narrative,
/// contained resources) survive a parse → serialize round trip unchanged. Numbers keep their exact text.
/// </summary>
public sealed class FhirResourceNode
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private FhirResourceNode(JsonObject json) => Json = json;

    /// <summary>The whole resource; edits are reflected by <see cref="Serialize"/>.</summary>
    public JsonObject Json { get; }

    public string? ResourceType => Text("resourceType");

    public string? Id => Text("id");

    /// <summary>The <c>extension</c> array of the resource (empty when it has none).</summary>
    public IReadOnlyList<JsonObject> Extensions => Objects("extension");

    /// <summary>The <c>modifierExtension</c> array of the resource (empty when it has none).</summary>
    public IReadOnlyList<JsonObject> ModifierExtensions => Objects("modifierExtension");

    /// <summary>Parses a resource; on bad input returns null and a finding (never throws).</summary>
    public static FhirResourceNode? TryParse(string json, out ValidationFinding? finding, FhirLimits? limits = null)
    {
        limits ??= FhirLimits.Default;
        finding = null;
        if ((json ?? string.Empty).Length > limits.MaxBytes)
        {
            finding = new ValidationFinding("$", FhirFindingCodes.TooLarge, $"The body is larger than the {limits.MaxBytes}-byte limit.");
            return null;
        }

        try
        {
            var node = JsonNode.Parse((json ?? string.Empty).TrimStart('\uFEFF'), documentOptions: new JsonDocumentOptions { MaxDepth = Math.Clamp(limits.MaxDepth, 1, 10_000) });
            if (node is JsonObject obj && obj["resourceType"] is JsonValue type && type.GetValueKind() == JsonValueKind.String)
            {
                return new FhirResourceNode(obj);
            }

            finding = new ValidationFinding("resourceType", FindingCodes.Required, "A FHIR resource is a JSON object with a string resourceType.");
            return null;
        }
        catch (JsonException ex)
        {
            finding = new ValidationFinding("$", FindingCodes.Malformed, $"The body is not valid JSON (line {(ex.LineNumber ?? 0) + 1}, position {(ex.BytePositionInLine ?? 0) + 1}): {ChargeItemReader.Reason(ex)}");
            return null;
        }
        catch (ArgumentException)
        {
            finding = new ValidationFinding("$", FindingCodes.Malformed, "The body contains an unpaired surrogate, which is not valid Unicode text.");
            return null;
        }
    }

    /// <summary>Wraps an existing tree (for example a Bundle entry's resource).</summary>
    public static FhirResourceNode FromJson(JsonObject json) => new(json);

    /// <summary>The resources of a Bundle's entries, in order (entries without a resource are skipped).</summary>
    public IReadOnlyList<FhirResourceNode> EntryResources() =>
        Json["entry"] is JsonArray entries
            ? [.. entries.OfType<JsonObject>().Select(e => e["resource"]).OfType<JsonObject>().Select(r => new FhirResourceNode(r))]
            : [];

    /// <summary>The extensions with a given url, at the resource level.</summary>
    public IReadOnlyList<JsonObject> ExtensionsWithUrl(string url) =>
        [.. Extensions.Where(e => e["url"] is JsonValue v && v.TryGetValue<string>(out var u) && u == url)];

    /// <summary>Compact JSON of the resource, every element kept.</summary>
    public string Serialize() => Json.ToJsonString();

    /// <summary>Indented JSON of the resource, every element kept.</summary>
    public string SerializeIndented() => Json.ToJsonString(Indented);

    private string? Text(string name) => Json[name] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private List<JsonObject> Objects(string name) => Json[name] is JsonArray array ? [.. array.OfType<JsonObject>()] : [];
}
