using System.Text.Json.Nodes;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Portal.Lineage;

/// <summary>
/// The raw payload as a person may see it. For roles without need to see patient identifiers, the segments, elements and
/// properties that carry them are blanked per format, and every patient key of the transaction is blanked wherever it
/// appears. The payload is never altered in storage.
/// </summary>
public static class PayloadMasking
{
    public const int MaxDisplayBytes = 256 * 1024;
    private const string Blank = "•••";
    private static readonly HashSet<string> Hl7PatientSegments = ["PID", "PD1", "NK1", "GT1", "IN1", "IN2", "IN3", "MRG", "ACC"];
    private static readonly HashSet<string> X12PatientEntities = ["IL", "QC", "QD", "03", "PR1"];
    private static readonly HashSet<string> FhirPatientProperties = ["name", "family", "given", "birthDate", "address", "telecom", "line", "postalCode", "city", "patient", "subject", "beneficiary", "policyHolder", "subscriber", "subscriberId",
];
    private static readonly HashSet<string> CanonicalPatientProperties = ["patientMrn", "patientAccount", "encounter", "patientName", "subscriberId", "mrn"];

    public static string Text(byte[] payload) =>
        Hl7Text.Decode(payload.AsSpan(0, Math.Min(payload.Length, MaxDisplayBytes))).Replace("\0", string.Empty, StringComparison.Ordinal)
        + (payload.Length > MaxDisplayBytes ? $"\n… ({payload.Length - MaxDisplayBytes:N0} more bytes not shown)" : "");

    /// <summary>One segment per line for reading: HL7 segments end in CR alone, X12 files often have no line breaks at all.</summary>
    public static string ForDisplay(string format, string text)
    {
        if (format == "hl7v2") return text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n');
        if (format == "x12" && !text.Contains('\n', StringComparison.Ordinal))
        {
            var start = text.IndexOf("ISA", StringComparison.Ordinal);
            if (start >= 0 && text.Length >= start + 106)
                return text.Replace(text[start + 105].ToString(), text[start + 105] + "\n", StringComparison.Ordinal);
        }
        return text;
    }

    /// <summary>The parsed (canonical JSON) view with patient fields blanked: names, identifiers, accounts, encounters.</summary>
    public static string MaskParsed(string json, IEnumerable<string> patientValues)
    {
        var masked = MaskJson(json, CanonicalPatientProperties);
        foreach (var value in patientValues.Where(v => v.Length >= 3).Distinct().OrderByDescending(v => v.Length))
            masked = masked.Replace(value, Blank, StringComparison.Ordinal);
        return masked;
    }

    public static string Mask(string format, string text, IEnumerable<string> patientValues)
    {
        var masked = format switch
        {
            "hl7v2" => MaskHl7(text),
            "x12" => MaskX12(text),
            "fhir-json" => MaskFhir(text),
            _ => text,
        };
        foreach (var value in patientValues.Where(v => v.Length >= 3).Distinct().OrderByDescending(v => v.Length))
            masked = masked.Replace(value, Blank, StringComparison.Ordinal);
        return masked;
    }

    private static string MaskHl7(string text)
    {
        var lines = text.Replace("\r\n", "\r", StringComparison.Ordinal).Replace('\n', '\r').Split('\r');
        var field = text.Length > 3 && text.StartsWith("MSH", StringComparison.Ordinal) ? text[3] : '|';
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.Length < 4 || !Hl7PatientSegments.Contains(line[..3])) continue;
            var fields = line.Split(field);
            for (var f = 2; f < fields.Length; f++)
                if (fields[f].Length > 0) fields[f] = Blank;
            lines[i] = string.Join(field, fields);
        }
        return string.Join("\r\n", lines);
    }

    private static string MaskX12(string text)
    {
        var start = text.IndexOf("ISA", StringComparison.Ordinal);
        if (start < 0 || text.Length < start + 106) return text;
        var element = text[start + 3];
        var terminator = text[start + 105];
        var segments = text.Split(terminator);
        var inPatient = false;
        for (var i = 0; i < segments.Length; i++)
        {
            var parts = segments[i].Split(element);
            var id = parts[0].Trim();
            if (id == "NM1") inPatient = parts.Length > 1 && X12PatientEntities.Contains(parts[1]);
            else if (id is "HL" or "CLM" or "CLP" or "LX" or "SBR") inPatient = false;
            if ((id == "NM1" && inPatient) || (inPatient && id is "N3" or "N4" or "REF") || id == "DMG")
            {
                for (var p = id == "NM1" ? 3 : 1; p < parts.Length; p++)
                    if (parts[p].Length > 0) parts[p] = Blank;
                segments[i] = string.Join(element, parts);
            }
        }
        return string.Join(terminator, segments);
    }

    private static string MaskFhir(string text) => MaskJson(text, FhirPatientProperties);

    private static string MaskJson(string text, HashSet<string> properties)
    {
        try
        {
            var node = JsonNode.Parse(text);
            if (node is null) return text;
            Walk(node, insidePatient: false, properties);
            return node.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
        }
        catch (System.Text.Json.JsonException)
        {
            return text;
        }
    }

    private static void Walk(JsonNode node, bool insidePatient, HashSet<string> properties)
    {
        switch (node)
        {
            case JsonObject o:
                var patient = insidePatient || (o["resourceType"]?.GetValueKind() == System.Text.Json.JsonValueKind.String && (string?)o["resourceType"] is "Patient" or "RelatedPerson");
                foreach (var (name, child) in o.ToList())
                {
                    if (child is null) continue;
                    if (properties.Contains(name) || (patient && name is "identifier" or "id"))
                    {
                        if (child is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) o[name] = Blank;
                        else BlankStrings(child);
                    }
                    else
                        Walk(child, patient, properties);
                }
                break;
            case JsonArray a:
                foreach (var child in a)
                    if (child is not null) Walk(child, insidePatient, properties);
                break;
        }
    }

    private static void BlankStrings(JsonNode node)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (name, child) in o.ToList())
                {
                    if (child is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String && name != "system" && name != "resourceType") o[name] = Blank;
                    else if (child is not null) BlankStrings(child);
                }
                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    if (a[i] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String) a[i] = Blank;
                    else if (a[i] is not null) BlankStrings(a[i]!);
                }
                break;
        }
    }
}
