using HealthSync.Engine.Workflows.SupplyCharge;

namespace HealthSync.Portal.Health;

/// <summary>An inbound endpoint of the engine: where messages arrive, as people name it.</summary>
public sealed record InboundEndpointName(string Name, string Transport, string Format, string Address);

/// <summary>
/// Names the inbound endpoints from what the inbox stores of every message (its transport and format): the MLLP
/// listener, the HTTP endpoints for FHIR, X12 and CSV, and one drop folder per format.
/// </summary>
public static class InboundEndpoints
{
    /// <summary>The endpoints the engine always has, listed even before anything arrived on them.</summary>
    public static readonly IReadOnlyList<InboundEndpointName> Known =
    [
        Name("mllp", Formats.Hl7v2),
        Name("http", Formats.FhirJson),
        Name("http", Formats.X12),
        Name("http", Formats.Csv),
        Name("file", Formats.Hl7v2),
        Name("file", Formats.X12),
        Name("file", Formats.Csv),
        Name("file", Formats.FhirJson),
    ];

    public static InboundEndpointName Name(string transport, string format) => (transport, format) switch
    {
        ("mllp", _) => new("MLLP listener", transport, format, "HL7 v2 over MLLP"),
        ("http", Formats.FhirJson) => new("HTTP FHIR", transport, format, "POST /fhir"),
        ("http", Formats.X12) => new("HTTP X12", transport, format, "POST /edi/x12"),
        ("http", Formats.Csv) => new("HTTP CSV", transport, format, "POST /csv"),
        ("file", _) => new($"Drop folder {Folder(format)}", transport, format, $"drop/{Folder(format)}/"),
        _ => new($"{transport} {format}", transport, format, transport),
    };

    /// <summary>The drop folder a format is watched in (see the engine's drop folders).</summary>
    private static string Folder(string format) => format == Formats.FhirJson ? "fhir" : format;
}
