using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>Size limits applied before and while a FHIR body is parsed; exceeding one yields a finding, never an exception.</summary>
/// <param name="MaxBytes">Largest accepted body, in UTF-8 bytes (default 4 MiB).</param>
/// <param name="MaxBundleEntries">Most entries accepted in one Bundle (default 1000).</param>
/// <param name="MaxDepth">Deepest nesting of JSON objects and arrays (default 64).</param>
public sealed record FhirLimits(int MaxBytes = 4 * 1024 * 1024, int MaxBundleEntries = 1000, int MaxDepth = 64)
{
    /// <summary>The defaults: 4 MiB, 1000 entries, depth 64.</summary>
    public static FhirLimits Default { get; } = new();
}

/// <summary>What was read from one entry of a Bundle (or from a single resource, as the only entry).</summary>
/// <param name="Index">0-based position in <c>Bundle.entry</c>.</param>
/// <param name="FullUrl">Bundle.entry.fullUrl when given.</param>
/// <param name="Method">Bundle.entry.request.method (POST, PUT, ...) when given.</param>
/// <param name="Url">Bundle.entry.request.url when given.</param>
/// <param name="ResourceType">The entry's resourceType, when it has a resource with one.</param>
/// <param name="Facts">The facts accepted from this entry: empty when the entry, or the transaction it belongs to, was rejected.</param>
/// <param name="Findings">This entry's own findings, with paths from the document root.</param>
public sealed record FhirEntry(
    int Index,
    string? FullUrl,
    string? Method,
    string? Url,
    string? ResourceType,
    IReadOnlyList<ICanonicalFact> Facts,
    IReadOnlyList<ValidationFinding> Findings)
{
    /// <summary>True when the entry was accepted (its facts are in <see cref="FhirRead.Read"/>).</summary>
    public bool Accepted { get; init; }
}

/// <summary>Outcome of <see cref="FhirReader.Read(string, FhirLimits?)"/>.</summary>
/// <param name="ResourceType">The root resourceType (Bundle, Invoice, ...); null when the body had none.</param>
/// <param name="BundleType">Bundle.type when the root is a Bundle; null otherwise.</param>
/// <param name="Read">Format fhir-r4, MessageType = resourceType, ControlId = id (or first identifier), every accepted fact
/// and every finding (bundle-level and per entry).</param>
/// <param name="Entries">One per bundle entry, or exactly one for a single resource; empty when the body could not be parsed.</param>
public sealed record FhirRead(string? ResourceType, string? BundleType, AdapterRead Read, IReadOnlyList<FhirEntry> Entries)
{
    /// <summary>True when nothing was found wrong.</summary>
    public bool Success => Read.Success;
}

/// <summary>Finding codes specific to the FHIR adapter, in addition to <see cref="FindingCodes"/>.</summary>
public static class FhirFindingCodes
{
    /// <summary>The body or the bundle is larger than <see cref="FhirLimits"/> allows.</summary>
    public const string TooLarge = "too-large";

    /// <summary>The JSON nests deeper than <see cref="FhirLimits.MaxDepth"/>.</summary>
    public const string TooDeep = "too-deep";

    /// <summary>A valid transaction entry that was not processed because another entry failed.</summary>
    public const string NotProcessed = "not-processed";

    /// <summary>An unexpected failure inside the reader; reported instead of throwing.</summary>
    public const string InternalError = "internal-error";
}
