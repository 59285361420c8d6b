using System.Buffers;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>Builds FHIR R4 OperationOutcome resources for API responses.</summary>
public static class OperationOutcome
{
    private static readonly HashSet<string> Severities = new(StringComparer.Ordinal) { "fatal", "error", "warning", "information" };

    /// <summary>
    /// One issue per finding: IssueType from the finding code, diagnostics = message, expression = [path], and the
    /// finding code in details.text so clients can branch on it.
    /// </summary>
    public static string Build(IEnumerable<ValidationFinding> findings, string severity = "error")
    {
        ArgumentNullException.ThrowIfNull(findings);
        if (!Severities.Contains(severity))
        {
            throw new ArgumentOutOfRangeException(nameof(severity), severity, "Severity must be fatal, error, warning or information.");
        }

        var list = findings.ToList();
        if (list.Count == 0)
        {
            // R4 requires at least one issue.
            return BuildInformation("No issues were found.");
        }

        return Write(writer =>
        {
            foreach (var finding in list)
            {
                writer.WriteStartObject();
                writer.WriteString("severity", severity);
                writer.WriteString("code", IssueType(finding.Code));
                writer.WriteStartObject("details");
                writer.WriteString("text", finding.Code);
                writer.WriteEndObject();
                writer.WriteString("diagnostics", finding.Message);
                if (!string.IsNullOrEmpty(finding.Path))
                {
                    writer.WriteStartArray("expression");
                    writer.WriteStringValue(finding.Path);
                    writer.WriteEndArray();
                }

                writer.WriteEndObject();
            }
        });
    }

    /// <summary>A single informational issue, for success responses.</summary>
    public static string BuildInformation(string text) => Write(writer =>
    {
        writer.WriteStartObject();
        writer.WriteString("severity", "information");
        writer.WriteString("code", "informational");
        writer.WriteString("diagnostics", text);
        writer.WriteEndObject();
    });

    /// <summary>The R4 IssueType code used for a finding code.</summary>
    public static string IssueType(string findingCode) => findingCode switch
    {
        FindingCodes.Required => "required",
        FindingCodes.Malformed => "structure",
        FindingCodes.InvalidNumber or FindingCodes.InvalidDate or FindingCodes.InvalidValue => "invalid",
        FindingCodes.Unsupported => "not-supported",
        FhirFindingCodes.TooLarge => "too-long",
        FhirFindingCodes.TooDeep => "too-costly",
        FhirFindingCodes.InternalError => "exception",
        _ when findingCode.StartsWith("invalid", StringComparison.Ordinal) => "invalid",
        _ => "processing",
    };

    private static string Write(Action<Utf8JsonWriter> writeIssues)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("resourceType", "OperationOutcome");
            writer.WriteStartArray("issue");
            writeIssues(writer);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
