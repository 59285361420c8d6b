using System.Text.Json;
using System.Text.Json.Serialization;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Csv;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Inspection;

/// <summary>One message (HL7 message, X12 transaction set, FHIR resource or bundle, CSV file) as the engine would read it.</summary>
public sealed record InspectedMessage(
    string MessageType,
    string? ControlId,
    bool Accepted,
    IReadOnlyList<ICanonicalFact> Facts,
    IReadOnlyList<ValidationFinding> Findings);

/// <summary>What <c>healthsync inspect FILE</c> prints: the detected format, every message with its canonical facts and findings.</summary>
public sealed record InspectReport(
    string File,
    string Format,
    long Bytes,
    bool Accepted,
    IReadOnlyList<InspectedMessage> Messages,
    IReadOnlyList<ValidationFinding> Findings,
    IReadOnlyList<string>? Acknowledgements = null)
{
    public string ToJson() => JsonSerializer.Serialize(this, CanonicalJson.Options);
}

/// <summary>Detects the format of a file and reads it with the same adapters the engine uses. Pure and never throws on bad input.</summary>
public static class Inspector
{
    public const string Hl7v2 = "hl7v2";
    public const string X12 = "x12";
    public const string Fhir = "fhir-r4";
    public const string Csv = "csv";
    public const string Unknown = "unknown";

    /// <summary>Detects the format from the first meaningful characters (after a byte-order mark and whitespace).</summary>
    public static string Detect(byte[] bytes)
    {
        var head = Hl7Text.Decode(bytes.AsSpan(0, Math.Min(bytes.Length, 4096))).Replace("\0", string.Empty, StringComparison.Ordinal).TrimStart('\uFEFF', ' ', '\t', '\r', '\n', '\v', (char)0x0B);
        if (head.StartsWith("ISA", StringComparison.Ordinal)) return X12;
        if (head.StartsWith("MSH", StringComparison.Ordinal) || head.StartsWith("FHS", StringComparison.Ordinal) || head.StartsWith("BHS", StringComparison.Ordinal)) return Hl7v2;
        if (head.StartsWith('{')) return Fhir;
        return CsvFeeds.Detect(bytes) is not null ? Csv : Unknown;
    }

    public static InspectReport Inspect(byte[] bytes, string fileName)
    {
        var format = Detect(bytes);
        return format switch
        {
            Hl7v2 => InspectHl7(bytes, fileName),
            X12 => InspectX12(bytes, fileName),
            Fhir => InspectFhir(bytes, fileName),
            Csv => InspectCsv(bytes, fileName),
            _ => new InspectReport(fileName, Unknown, bytes.Length, false, [],
                [new ValidationFinding("$", FindingCodes.Unsupported,
                    "The format was not recognised: expected HL7 v2 (MSH/FHS/BHS), X12 (ISA), FHIR JSON ({) or a settlement/receipt CSV header.")]),
        };
    }

    private static InspectReport InspectHl7(byte[] bytes, string fileName)
    {
        var text = Hl7Text.Decode(bytes);
        var messages = new List<InspectedMessage>();
        var findings = new List<ValidationFinding>();
        IEnumerable<string> texts = [text];
        if (Hl7Batch.IsBatch(text))
        {
            var batch = Hl7Batch.Read(text);
            findings.AddRange(batch.Findings);
            texts = batch.Messages.Select(m => m.Text);
        }
        foreach (var t in texts)
        {
            var parsed = Hl7Parser.Parse(t);
            if (!parsed.Success || parsed.Message is null)
            {
                messages.Add(new InspectedMessage("HL7", parsed.Header?.ControlId, false, [], parsed.Errors));
                continue;
            }
            var read = Hl7Inbound.Read(parsed.Message);
            messages.Add(new InspectedMessage(read.MessageType, read.ControlId, read.Success, read.Facts, read.Findings));
        }
        return new InspectReport(fileName, Hl7v2, bytes.Length, findings.Count == 0 && messages.Count > 0 && messages.All(m => m.Accepted), messages, findings);
    }

    private static InspectReport InspectX12(byte[] bytes, string fileName)
    {
        var read = X12Reader.Read(bytes);
        var messages = read.Transactions.Select(t => new InspectedMessage(t.Read.MessageType, t.Read.ControlId, t.Read.Success, t.Read.Facts, t.Read.Findings)).ToList();
        var acks = X12Acknowledgements.Build(read, new X12AckOptions(1, DateTimeOffset.UtcNow)).Select(a => a.Text).ToList();
        return new InspectReport(fileName, X12, bytes.Length, read.Findings.Count == 0 && messages.Count > 0 && messages.All(m => m.Accepted), messages, read.Findings, acks);
    }

    private static InspectReport InspectFhir(byte[] bytes, string fileName)
    {
        var read = FhirReader.Read(Hl7Text.Decode(bytes)).Read;
        return new InspectReport(fileName, Fhir, bytes.Length, read.Success,
            [new InspectedMessage(read.MessageType, read.ControlId, read.Success, read.Facts, read.Findings)], []);
    }

    private static InspectReport InspectCsv(byte[] bytes, string fileName)
    {
        var read = CsvFeeds.Read(bytes);
        return new InspectReport(fileName, Csv, bytes.Length, read.Success,
            [new InspectedMessage(read.MessageType, read.ControlId, read.Success, read.Facts, read.Findings)], []);
    }
}
