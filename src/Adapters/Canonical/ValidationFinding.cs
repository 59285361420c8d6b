namespace HealthSync.Adapters.Canonical;

/// <summary>
/// One problem found while reading or validating a message.
/// </summary>
/// <param name="Path">Where the problem is: an HL7 location such as <c>FT1[1]-7</c> (segment ordinal, field number)
/// or a FHIRPath-like expression such as <c>ChargeItem.quantity.value</c>.</param>
/// <param name="Code">A short, stable machine code; see <see cref="FindingCodes"/>.</param>
/// <param name="Message">Human-readable explanation, safe to show to the sending system's operators.</param>
public sealed record ValidationFinding(string Path, string Code, string Message);

/// <summary>
/// The finding codes produced by the adapters. Callers may add their own codes; unknown codes are mapped to the
/// most generic HL7 / FHIR error categories.
/// </summary>
public static class FindingCodes
{
    /// <summary>A mandatory element is absent or empty.</summary>
    public const string Required = "required";

    /// <summary>A value that must be numeric is not.</summary>
    public const string InvalidNumber = "invalid-number";

    /// <summary>A value that must be a date or timestamp is not.</summary>
    public const string InvalidDate = "invalid-date";

    /// <summary>A coded value is not one of the allowed values.</summary>
    public const string InvalidValue = "invalid-value";

    /// <summary>The text could not be parsed at all (framing, syntax, encoding).</summary>
    public const string Malformed = "malformed";

    /// <summary>The message or resource type is understood but not handled by this interface.</summary>
    public const string Unsupported = "unsupported";
}
