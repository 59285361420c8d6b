using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace HealthSync.Adapters.Fhir;

/// <summary>The R4 CapabilityStatement of the FHIR endpoint (<c>GET [base]/metadata</c>).</summary>
public static class FhirCapability
{
    /// <summary>
    /// status active, kind instance, fhirVersion 4.0.1, JSON only; one rest server with <c>create</c> for each resource type
    /// <see cref="FhirReader"/> maps and the system interactions <c>transaction</c> and <c>batch</c>.
    /// </summary>
    public static string Build(string baseUrl, DateTimeOffset now)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("resourceType", "CapabilityStatement");
            w.WriteString("status", "active");
            w.WriteString("date", now.ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture));
            w.WriteString("publisher", "HealthSync");
            w.WriteString("kind", "instance");
            w.WriteStartObject("software");
            w.WriteString("name", "HealthSync");
            w.WriteEndObject();
            w.WriteStartObject("implementation");
            w.WriteString("description", "HealthSync FHIR R4 intake: supply usage, orders, visits, claims, remittances and invoices.");
            w.WriteString("url", baseUrl);
            w.WriteEndObject();
            w.WriteString("fhirVersion", "4.0.1");
            w.WriteStartArray("format");
            w.WriteStringValue("json");
            w.WriteStringValue("application/fhir+json");
            w.WriteEndArray();
            w.WriteStartArray("rest");
            w.WriteStartObject();
            w.WriteString("mode", "server");
            w.WriteStartArray("resource");
            foreach (var type in FhirReader.SupportedResourceTypes)
            {
                w.WriteStartObject();
                w.WriteString("type", type);
                w.WriteStartArray("interaction");
                w.WriteStartObject();
                w.WriteString("code", "create");
                w.WriteEndObject();
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("interaction");
            foreach (var code in new[] { "transaction", "batch" })
            {
                w.WriteStartObject();
                w.WriteString("code", code);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
