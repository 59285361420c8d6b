using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Csv;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Workflows.SupplyCharge;

namespace HealthSync.Engine.Pipeline;

/// <summary>A problem about part of a message, with the workflow whose queue it belongs in.</summary>
public sealed record PartProblem(Problem Problem, string Workflow, decimal AmountAtRisk = 0m);

/// <summary>
/// What the engine read from one stored message, in any format: usage decisions for the supply-charge workflow,
/// business documents for the others, problems with parts of the message (a bad CSV row, a rejected X12
/// transaction set, a bad entry of a FHIR batch), or the reason the whole message is rejected.
/// </summary>
public sealed record IntakeRead(
    string MessageType,
    Problem? Rejection,
    string Workflow,
    IReadOnlyList<UsageDecision> Decisions,
    IReadOnlyList<ICanonicalFact> Documents,
    IReadOnlyList<PartProblem> Problems)
{
    public ReadOutcome Usage => new(Decisions, null, null);

    /// <summary>Every problem a sender should hear about, the whole-message rejection first.</summary>
    public IEnumerable<Problem> AllProblems => Rejection is not null
        ? [Rejection]
        : Decisions.SelectMany(d => d.Problems).Concat(Problems.Select(p => p.Problem));

    public string Summary
    {
        get
        {
            var parts = new List<string>();
            if (Decisions.Count > 0) parts.Add($"{Decisions.Count} usage event(s)");
            parts.AddRange(Documents.GroupBy(FactKinds.Of).Select(g => $"{g.Count()} {g.Key}"));
            if (Problems.Count > 0) parts.Add($"{Problems.Count} part(s) rejected");
            return parts.Count == 0 ? $"{MessageType}: nothing to record" : $"{MessageType}: {string.Join(", ", parts)}";
        }
    }

    public static IntakeRead Reject(string messageType, string workflow, Problem problem) => new(messageType, problem, workflow, [], [], []);
}

/// <summary>Reads a stored message of any supported format. Pure: the same bytes and mappings give the same result.</summary>
public static class Intake
{
    public static IntakeRead Read(string format, byte[] payload, MappingSnapshot map, DateTime receivedAt) => format switch
    {
        Formats.Hl7v2 => FromHl7(Hl7Parser.Parse(Hl7Text.Decode(payload)), map, receivedAt),
        Formats.FhirJson => FromFhir(FhirReader.Read(Hl7Text.Decode(payload)), map, receivedAt),
        Formats.X12 => FromX12(X12Reader.Read(payload)),
        Formats.Csv => FromCsv(CsvFeeds.Read(payload)),
        _ => IntakeRead.Reject(format, WorkflowNames.SupplyCharge, new Problem(Categories.Validation, "unknown-format", $"Format '{format}' is not supported.")),
    };

    /// <summary>Reads an HL7 message a transport has already parsed (so the parse is not repeated for the ACK).</summary>
    public static IntakeRead FromHl7(Hl7ParseResult parsed, MappingSnapshot map, DateTime receivedAt)
    {
        if (!parsed.Success || parsed.Message is null)
            return IntakeRead.Reject("HL7", WorkflowNames.SupplyCharge, Combine(parsed.Errors, "malformed-hl7"));
        var read = Hl7Inbound.Read(parsed.Message);
        var workflow = WorkflowNames.ForMessage(Formats.Hl7v2, read.MessageType);
        if (read.Findings.Count > 0)
        {
            var unsupported = read.Findings.Any(f => f.Code == FindingCodes.Unsupported);
            return IntakeRead.Reject(read.MessageType, workflow, Combine(read.Findings, unsupported ? "unsupported-message-type" : "invalid-hl7"));
        }
        return Split(read.MessageType, workflow, read.Facts, [], map, receivedAt);
    }

    /// <summary>Reads a FHIR request. A transaction Bundle is all or nothing; a batch Bundle is accepted entry by entry.</summary>
    public static IntakeRead FromFhir(FhirRead fhir, MappingSnapshot map, DateTime receivedAt)
    {
        var read = fhir.Read;
        var workflow = WorkflowNames.ForMessage(Formats.FhirJson, read.MessageType);
        if (read.Findings.Count > 0 && (fhir.BundleType != "batch" || read.Facts.Count == 0))
            return IntakeRead.Reject(read.MessageType, workflow, Combine(read.Findings, "invalid-fhir"));
        // A batch: one exception per refused entry, naming the entry and every finding in it.
        var problems = fhir.Entries.Where(e => e.Findings.Count > 0)
            .Select(e => new PartProblem(Combine(e.Findings, "invalid-fhir") is var p
                ? p with { Detail = $"Bundle entry {e.Index} ({e.ResourceType ?? "unknown"}): {p.Detail}" } : p, WorkflowNames.ForMessage(Formats.FhirJson, e.ResourceType)))
            .ToList();
        return Split(read.MessageType, workflow, read.Facts, problems, map, receivedAt);
    }

    /// <summary>Reads an X12 file: every accepted transaction set is recorded, every rejected one raises an exception.</summary>
    public static IntakeRead FromX12(X12ReadResult x12)
    {
        var types = x12.Transactions.Select(t => t.TransactionSetId).Distinct().ToList();
        var messageType = types.Count == 0 ? "X12" : string.Join("+", types);
        var workflow = WorkflowNames.ForMessage(Formats.X12, types.FirstOrDefault());
        var problems = new List<PartProblem>();
        if (x12.Findings.Count > 0)
            problems.Add(new PartProblem(Combine(x12.Findings, "x12-envelope"), workflow));
        foreach (var t in x12.Transactions.Where(t => t.Read.Findings.Count > 0))
        {
            var p = Combine(t.Read.Findings, "x12-rejected");
            problems.Add(new PartProblem(p with { Detail = $"Transaction set {t.TransactionSetId} control {t.ControlNumber}: {p.Detail}" },
                WorkflowNames.ForMessage(Formats.X12, t.TransactionSetId)));
        }
        var facts = x12.Transactions.Where(t => t.Read.Findings.Count == 0).SelectMany(t => t.Read.Facts).ToList();
        if (facts.Count == 0 && problems.Count > 0)
            return IntakeRead.Reject(messageType, workflow, problems.Count == 1 ? problems[0].Problem
                : problems[0].Problem with { Detail = string.Join(" | ", problems.Take(5).Select(p => p.Problem.Detail)) });
        return new IntakeRead(messageType, null, workflow, [], facts, problems);
    }

    /// <summary>Reads a CSV feed: good rows are recorded, every bad row raises its own exception naming the row.</summary>
    public static IntakeRead FromCsv(AdapterRead csv)
    {
        var workflow = WorkflowNames.PaymentPosting;
        if (csv.Facts.Count == 0 && csv.Findings.Count > 0)
            return IntakeRead.Reject(csv.MessageType, workflow, Combine(csv.Findings, "invalid-csv"));
        var problems = csv.Findings.Select(f => new PartProblem(new Problem(Categories.Validation, "invalid-csv:" + f.Code, f.Message, f.Path), workflow)).ToList();
        return new IntakeRead(csv.MessageType, null, workflow, [], csv.Facts, problems);
    }

    private static IntakeRead Split(string messageType, string workflow, IReadOnlyList<ICanonicalFact> facts, List<PartProblem> problems,
        MappingSnapshot map, DateTime receivedAt)
    {
        var decisions = facts.OfType<SupplyUsage>().Select(u => SupplyChargeDecision.Decide(u, map, receivedAt)).ToList();
        var documents = facts.Where(f => f is not SupplyUsage).ToList();
        return new IntakeRead(messageType, null, workflow, decisions, documents, problems);
    }

    /// <summary>One problem summarising the findings of a rejected input: the first finding's code and place, up to five messages.</summary>
    public static Problem Combine(IReadOnlyList<ValidationFinding> findings, string code)
    {
        var first = findings.FirstOrDefault();
        var detail = findings.Count == 0 ? "The input could not be read." : string.Join("; ", findings.Take(5).Select(f => $"{f.Path}: {f.Message}"));
        if (findings.Count > 5) detail += $" (and {findings.Count - 5} more)";
        return new Problem(Categories.Validation, first?.Code is { Length: > 0 } c ? $"{code}:{c}" : code, detail, first?.Path);
    }
}
