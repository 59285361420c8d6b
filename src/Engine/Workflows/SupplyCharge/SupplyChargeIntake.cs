using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;

namespace HealthSync.Engine.Workflows.SupplyCharge;

public static class Formats
{
    public const string Hl7v2 = "hl7v2";
    public const string FhirJson = "fhir-json";
    public const string X12 = "x12";
    public const string Csv = "csv";
}

/// <summary>The outcome of reading a raw message: the usage decisions, or the reason it cannot be read at all.</summary>
public sealed record ReadOutcome(IReadOnlyList<UsageDecision> Decisions, Problem? Rejection, Hl7Message? Hl7)
{
    public IEnumerable<Problem> AllProblems => Rejection is not null ? [Rejection] : Decisions.SelectMany(d => d.Problems);
}

/// <summary>Parses a raw workflow-1 message in any supported format and decides every usage in it.</summary>
public static class SupplyChargeIntake
{
    public static ReadOutcome Read(string format, ReadOnlySpan<byte> payload, MappingSnapshot map, DateTime receivedAt) => format switch
    {
        Formats.Hl7v2 => ReadHl7(Hl7Parser.Parse(Hl7Text.Decode(payload)), map, receivedAt),
        Formats.FhirJson => ReadFhir(ChargeItemReader.Read(Hl7Text.Decode(payload)), map, receivedAt),
        _ => new([], new Problem(Categories.Validation, "unknown-format", $"Format '{format}' is not supported."), null),
    };

    /// <summary>Decides an HL7 message a transport has already parsed (so the parse is not repeated for the ACK).</summary>
    public static ReadOutcome ReadHl7(Hl7ParseResult parsed, MappingSnapshot map, DateTime receivedAt)
    {
        if (!parsed.Success || parsed.Message is null)
            return Reject(parsed.Errors, "malformed-hl7", null);
        var msg = parsed.Message;
        if (msg.MessageType != "DFT" || msg.TriggerEvent != "P03")
            return new([], new Problem(Categories.Validation, "unsupported-message-type",
                $"Message type {msg.MessageType}^{msg.TriggerEvent} is not accepted on this interface; send DFT^P03.", "MSH-9"), msg);
        var dft = DftP03Reader.Read(msg);
        if (dft.Errors.Count > 0) return Reject(dft.Errors, "invalid-dft", msg);
        return new(dft.Usages.Select(u => SupplyChargeDecision.Decide(u, map, receivedAt)).ToList(), null, msg);
    }

    /// <summary>Decides a FHIR request a transport has already read.</summary>
    public static ReadOutcome ReadFhir(FhirReadResult fhir, MappingSnapshot map, DateTime receivedAt)
    {
        if (fhir.Errors.Count > 0) return Reject(fhir.Errors, "invalid-fhir", null);
        if (fhir.Usages.Count == 0)
            return new([], new Problem(Categories.Validation, "no-charge-items", "The request holds no ChargeItem.", "resourceType"), null);
        return new(fhir.Usages.Select(u => SupplyChargeDecision.Decide(u, map, receivedAt)).ToList(), null, null);
    }

    private static ReadOutcome Reject(IReadOnlyList<ValidationFinding> findings, string code, Hl7Message? msg)
    {
        var first = findings.FirstOrDefault();
        var detail = string.Join("; ", findings.Take(5).Select(f => $"{f.Path}: {f.Message}"));
        return new([], new Problem(Categories.Validation, first?.Code is { Length: > 0 } c ? $"{code}:{c}" : code, detail, first?.Path), msg);
    }
}
