using System.Buffers;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>Response resources for FHIR intake.</summary>
public static class FhirResponses
{
    /// <summary>
    /// A <c>transaction-response</c> (for a transaction) or <c>batch-response</c> Bundle with one entry per entry read:
    /// accepted entries get <c>201 Created</c> and the location the caller gives; rejected ones <c>400 Bad Request</c> with
    /// an OperationOutcome of that entry's findings. In a rejected transaction, entries without findings of their own carry
    /// a <c>not-processed</c> issue (and bundle-level findings when the bundle itself was wrong). A body that could not be
    /// read as a bundle has no entries; answer it with <see cref="OperationOutcome.Build"/> instead.
    /// </summary>
    public static string BundleResponse(FhirRead read, Func<int, string?> locationForEntry)
    {
        ArgumentNullException.ThrowIfNull(read);
        ArgumentNullException.ThrowIfNull(locationForEntry);
        var bundleFindings = read.Read.Findings.Where(f => !f.Path.StartsWith("Bundle.entry[", StringComparison.Ordinal)).ToList();
        var failed = read.Entries.Where(e => e.Findings.Count > 0).Select(e => e.Index).ToList();
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "Bundle");
            w.WriteString("type", read.BundleType == "transaction" ? "transaction-response" : "batch-response");
            w.WriteStartArray("entry");
            foreach (var entry in read.Entries)
            {
                w.WriteStartObject();
                w.WriteStartObject("response");
                if (entry.Accepted)
                {
                    w.WriteString("status", "201 Created");
                    if (locationForEntry(entry.Index) is { Length: > 0 } location)
                    {
                        w.WriteString("location", location);
                    }
                }
                else
                {
                    w.WriteString("status", "400 Bad Request");
                    var findings = entry.Findings.Count > 0 ? entry.Findings : NotProcessed(entry, read.BundleType, bundleFindings, failed);
                    w.WritePropertyName("outcome");
                    w.WriteRawValue(OperationOutcome.Build(findings));
                }

                w.WriteEndObject();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static List<ValidationFinding> NotProcessed(FhirEntry entry, string? bundleType, List<ValidationFinding> bundleFindings, List<int> failed)
    {
        var why = bundleFindings.Count > 0 || failed.Count == 0
            ? "the bundle itself is invalid"
            : $"entr{(failed.Count == 1 ? "y" : "ies")} {string.Join(", ", failed)} failed";
        var message = bundleType == "transaction"
            ? $"Not processed: the transaction was rolled back because {why}."
            : $"Not processed because {why}.";
        return [new ValidationFinding($"Bundle.entry[{entry.Index}]", FhirFindingCodes.NotProcessed, message), .. bundleFindings];
    }
}
