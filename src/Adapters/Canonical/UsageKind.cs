namespace HealthSync.Adapters.Canonical;

/// <summary>Whether a usage record charges an item or reverses an earlier charge.</summary>
public enum UsageKind
{
    /// <summary>The item was consumed and should be charged.</summary>
    Consumption,

    /// <summary>An earlier consumption is credited back (HL7 credit transaction, FHIR entered-in-error).</summary>
    Reversal,
}
