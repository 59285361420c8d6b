using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace HealthSync.Adapters.Canonical;

/// <summary>The one JSON shape of canonical facts: used for storage, <c>inspect</c> output and approval tests.</summary>
public static class CanonicalJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public static string Serialize(ICanonicalFact fact) => JsonSerializer.Serialize(fact, Options);

    public static string Serialize(IEnumerable<ICanonicalFact> facts) => JsonSerializer.Serialize(facts.ToList(), Options);

    public static ICanonicalFact? Deserialize(string json) => JsonSerializer.Deserialize<ICanonicalFact>(json, Options);
}

/// <summary>What an adapter read from one message or file: the facts and every finding. Success means no findings; with
/// findings and some facts the input was partly accepted (a CSV file with bad rows), with findings and no facts it was rejected.</summary>
/// <param name="Format">hl7v2, fhir-r4, x12, csv.</param>
/// <param name="MessageType">ADT^A03, DFT^P03, 850, 810, ChargeItem, Bundle, settlement, ...</param>
/// <param name="ControlId">The sender's control number or id for this message, when it has one (MSH-10, ST-02, resource id).</param>
public sealed record AdapterRead(
    string Format,
    string MessageType,
    string? ControlId,
    IReadOnlyList<ICanonicalFact> Facts,
    IReadOnlyList<ValidationFinding> Findings)
{
    public bool Success => Findings.Count == 0;
}
