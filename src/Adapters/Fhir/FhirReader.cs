using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>
/// Reads any supported FHIR R4 resource, or a transaction / batch Bundle of them, into canonical facts. Never throws:
/// every problem (syntax, size, types, values, missing elements) is a <see cref="ValidationFinding"/> with a
/// FHIRPath-like path from the document root (<c>Invoice.lineItem[0].priceComponent[1].amount.value</c>,
/// <c>Bundle.entry[2].resource.quantity.value</c>). A resource with any finding yields no facts.
/// </summary>
/// <remarks>
/// <para>Bundles: <c>type</c> must be <c>transaction</c> or <c>batch</c>; each entry needs a <c>request</c> with method POST or
/// PUT and a <c>resource</c> (other methods are <c>unsupported</c>). A transaction is all-or-nothing: any finding rejects every
/// entry. A batch accepts entry by entry. Bundle-level findings (type, size) reject the whole bundle either way. Business keys
/// fall back to the entry's <c>fullUrl</c> when the resource has neither identifier nor id.</para>
/// <para>Mapping and the elements required by the workflows (beyond valid JSON types, dates and decimals everywhere read):</para>
/// <list type="table">
/// <listheader><term>Resource → fact</term><description>Required</description></listheader>
/// <item><term>ChargeItem → SupplyUsage (entered-in-error → reversal)</term><description>identifier or id; status (R4 codes); code with a coded coding; subject.</description></item>
/// <item><term>SupplyDelivery → SupplyUsage when it names a patient, else GoodsReceipt (basedOn → PoNumber)</term><description>identifier or id; status;
/// suppliedItem with itemCodeableConcept (coded) or itemReference when status is completed or entered-in-error. Only completed
/// deliveries yield facts (entered-in-error with a patient: a reversal); in-progress and abandoned ones are accepted without facts.</description></item>
/// <item><term>SupplyRequest → PurchaseOrder</term><description>identifier or id; status; itemCodeableConcept (coded) or itemReference; quantity.value.</description></item>
/// <item><term>Procedure → SupplyUsage per usedCode / usedReference / focalDevice</term><description>identifier or id; status; subject; usedCode coded;
/// focalDevice.manipulated. not-done yields no facts; entered-in-error yields reversals; no used items: accepted, no facts.</description></item>
/// <item><term>Encounter → PatientVisit (finished A03, in-progress A01, planned/arrived A04, else A08)</term><description>identifier or id; status; class.</description></item>
/// <item><term>Patient → PatientReference (id, MRN, name only)</term><description>id, fullUrl or an identifier value.</description></item>
/// <item><term>Device → DeviceRecord</term><description>identifier or id; status, when given, from the R4 codes.</description></item>
/// <item><term>Claim → Claim</term><description>identifier or id; status; type (coded); patient; provider; at least one item, each with sequence and coded productOrService.</description></item>
/// <item><term>ClaimResponse / ExplanationOfBenefit → Remittance with one ClaimPayment</term><description>identifier or id; status; outcome;
/// request (ClaimResponse) or claim (ExplanationOfBenefit); total[].category and amount; adjudication.category.</description></item>
/// <item><term>Invoice → Invoice</term><description>identifier or id; status; lineItem.chargeItem[x]; priceComponent.type.</description></item>
/// <item><term>PaymentReconciliation → Remittance</term><description>identifier or id; status; paymentDate; paymentAmount.value; detail.type.</description></item>
/// </list>
/// </remarks>
public static class FhirReader
{
    public const string Format = "fhir-r4";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The resource types this reader maps, in a stable order.</summary>
    public static IReadOnlyList<string> SupportedResourceTypes => FhirMappers.SupportedTypes;

    /// <summary>Reads raw bytes that must be UTF-8 (a BOM is allowed); invalid UTF-8 is a finding with its byte offset.</summary>
    public static FhirRead ReadUtf8(ReadOnlySpan<byte> utf8, FhirLimits? limits = null)
    {
        limits ??= FhirLimits.Default;
        if (utf8.Length > limits.MaxBytes)
        {
            return Rejected(null, TooLarge(utf8.Length, limits));
        }

        string text;
        try
        {
            text = StrictUtf8.GetString(utf8);
        }
        catch (DecoderFallbackException ex)
        {
            return Rejected(null, new ValidationFinding("$", FindingCodes.Malformed, $"The body is not valid UTF-8 (byte {ex.Index + 1}); FHIR JSON must be sent as UTF-8."));
        }

        return Read(text, limits);
    }

    /// <summary>Reads a single resource or a Bundle. Never throws.</summary>
    public static FhirRead Read(string json, FhirLimits? limits = null)
    {
        limits ??= FhirLimits.Default;
        json ??= string.Empty;
        try
        {
            return ReadChecked(json, limits);
        }
#pragma warning disable CA1031 // The inbound path must never throw; an unexpected failure is reported as a finding.
        catch (Exception ex) when (ex is not OutOfMemoryException)
#pragma warning restore CA1031
        {
            return Rejected(null, new ValidationFinding("$", FhirFindingCodes.InternalError, $"The body could not be read ({ex.GetType().Name})."));
        }
    }

    private static FhirRead ReadChecked(string json, FhirLimits limits)
    {
        if (json.Length > limits.MaxBytes)
        {
            return Rejected(null, TooLarge(json.Length, limits));
        }

        var bytes = Encoding.UTF8.GetBytes(json);
        if (bytes.Length > limits.MaxBytes)
        {
            return Rejected(null, TooLarge(bytes.Length, limits));
        }

        var start = bytes.AsSpan().StartsWith("\uFEFF"u8) ? 3 : 0;
        var memory = bytes.AsMemory(start);
        var maxDepth = Math.Clamp(limits.MaxDepth, 1, 10_000);
        if (Scan(memory.Span, maxDepth) is { } syntax)
        {
            return Rejected(null, syntax);
        }

        using var document = JsonDocument.Parse(memory, new JsonDocumentOptions { MaxDepth = maxDepth + 1 });
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            return Rejected(null, new ValidationFinding("$", FindingCodes.Malformed, $"A FHIR resource must be a JSON object; found {root.Describe()}."));
        }

        var encoding = ReplacementCharacter(json);
        var typeElement = root.Prop("resourceType");
        var resourceType = typeElement.Str();
        if (resourceType is null)
        {
            var finding = typeElement is null
                ? new ValidationFinding("resourceType", FindingCodes.Required, "resourceType is required.")
                : new ValidationFinding("resourceType", FindingCodes.Malformed, $"resourceType must be a JSON string; found {typeElement.Value.Describe()}.");
            return Rejected(null, [finding, .. encoding]);
        }

        if (resourceType == "Bundle")
        {
            return ReadBundle(root, limits, encoding);
        }

        var findings = new List<ValidationFinding>(encoding);
        var facts = MapResource(root, resourceType, resourceType, null, findings, "resourceType");
        findings = [.. findings.Distinct()];
        var accepted = findings.Count == 0;
        var entry = new FhirEntry(0, null, null, null, resourceType, accepted ? facts : [], findings) { Accepted = accepted };
        var controlId = root.Prop("id").Str() ?? root.Prop("identifier").At(0).Prop("value").Str();
        return new FhirRead(resourceType, null, new AdapterRead(Format, resourceType, controlId, entry.Facts, findings), [entry]);
    }

    private static FhirRead ReadBundle(JsonElement bundle, FhirLimits limits, IReadOnlyList<ValidationFinding> encoding)
    {
        var bundleFindings = new List<ValidationFinding>(encoding);
        var root = FhirNode.Root(bundle, "Bundle", bundleFindings);
        var type = root.Str("type");
        if (type is null)
        {
            root.Require("type", "Bundle.type is required.");
        }
        else if (type is not ("transaction" or "batch"))
        {
            root.Add("Bundle.type", FindingCodes.InvalidValue, $"Bundle.type must be 'transaction' or 'batch'; received '{type}'.");
        }

        var controlId = root.Str("id") ?? root.Obj("identifier").Str("value");
        var entries = new List<FhirEntry>();
        var entryElement = bundle.Prop("entry");
        if (entryElement is { ValueKind: not JsonValueKind.Array } wrong)
        {
            root.Add("Bundle.entry", FindingCodes.Malformed, $"Bundle.entry must be a JSON array; found {wrong.Describe()}.");
        }
        else if (entryElement is { } array && array.GetArrayLength() > limits.MaxBundleEntries)
        {
            root.Add("Bundle.entry", FhirFindingCodes.TooLarge, $"The bundle has {array.GetArrayLength()} entries; at most {limits.MaxBundleEntries} are accepted in one bundle.");
        }
        else if (entryElement is { } list)
        {
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                entries.Add(ReadEntry(entry, index++));
            }
        }

        bundleFindings = [.. bundleFindings.Distinct()];
        var anyEntryFinding = entries.Any(e => e.Findings.Count > 0);
        var rejectAll = bundleFindings.Count > 0 || (type == "transaction" && anyEntryFinding);
        entries = [.. entries.Select(e => e.Findings.Count == 0 && !rejectAll
            ? e with { Accepted = true }
            : e with { Facts = [], Accepted = false })];
        var facts = entries.SelectMany(e => e.Facts).ToList();
        var findings = bundleFindings.Concat(entries.SelectMany(e => e.Findings)).ToList();
        return new FhirRead("Bundle", type, new AdapterRead(Format, "Bundle", controlId, facts, findings), entries);
    }

    private static FhirEntry ReadEntry(JsonElement element, int index)
    {
        var path = $"Bundle.entry[{index}]";
        var findings = new List<ValidationFinding>();
        if (element.ValueKind != JsonValueKind.Object)
        {
            findings.Add(new ValidationFinding(path, FindingCodes.Malformed, $"{path} must be a JSON object; found {element.Describe()}."));
            return new FhirEntry(index, null, null, null, null, [], findings);
        }

        var entry = FhirNode.Root(element, path, findings);
        var fullUrl = entry.Str("fullUrl");
        var request = entry.Obj("request");
        var method = request.Str("method");
        var url = request.Str("url");
        if (!request.Exists)
        {
            entry.Require("request", "request (method and url) is required in a transaction or batch entry.");
        }
        else if (method is null)
        {
            request.Require("method");
        }
        else if (method is not ("POST" or "PUT"))
        {
            findings.Add(new ValidationFinding($"{path}.request.method", FindingCodes.Unsupported, $"request.method {method} is not supported; entries must create (POST) or update (PUT) a resource."));
        }

        string? resourceType = null;
        IReadOnlyList<ICanonicalFact> facts = [];
        var resource = entry.Obj("resource");
        if (!resource.Exists)
        {
            if (method is "POST" or "PUT" || !request.Exists)
            {
                entry.Require("resource", "resource is required to create or update.");
            }
        }
        else
        {
            var resourcePath = $"{path}.resource";
            var typeElement = resource.Element!.Value.Prop("resourceType");
            resourceType = typeElement.Str();
            if (resourceType is null)
            {
                findings.Add(typeElement is null
                    ? new ValidationFinding($"{resourcePath}.resourceType", FindingCodes.Required, "resourceType is required.")
                    : new ValidationFinding($"{resourcePath}.resourceType", FindingCodes.Malformed, $"resourceType must be a JSON string; found {typeElement.Value.Describe()}."));
            }
            else
            {
                facts = MapResource(resource.Element!.Value, resourceType, resourcePath, fullUrl, findings, $"{resourcePath}.resourceType");
            }
        }

        findings = [.. findings.Distinct()];
        return new FhirEntry(index, fullUrl, method, url, resourceType, findings.Count == 0 ? facts : [], findings);
    }

    private static IReadOnlyList<ICanonicalFact> MapResource(JsonElement resource, string resourceType, string path, string? fullUrl, List<ValidationFinding> findings, string typePath)
    {
        if (!FhirMappers.ByType.TryGetValue(resourceType, out var map))
        {
            findings.Add(new ValidationFinding(
                typePath,
                FindingCodes.Unsupported,
                $"resourceType '{Truncate(resourceType)}' is not supported; supported: {string.Join(", ", FhirMappers.SupportedTypes)} (or a transaction/batch Bundle of them)."));
            return [];
        }

        var facts = map(FhirNode.Root(resource, path, findings), fullUrl);
        return findings.Count == 0 ? facts : [];
    }

    /// <summary>One pass with <see cref="Utf8JsonReader"/>: the first syntax error (line and byte position) or depth overrun.</summary>
    private static ValidationFinding? Scan(ReadOnlySpan<byte> json, int maxDepth)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = maxDepth + 1 });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= maxDepth)
                {
                    return new ValidationFinding("$", FhirFindingCodes.TooDeep, $"The JSON nests deeper than {maxDepth} levels (at byte {reader.TokenStartIndex + 1}).");
                }
            }

            return null;
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return new ValidationFinding("$", FindingCodes.Malformed, $"The body is not valid JSON (line {line}, position {position}): {ChargeItemReader.Reason(ex)}");
        }
    }

    /// <summary>
    /// U+FFFD is what a decoder leaves for bytes that were not UTF-8 (Latin-1, Windows-1252), and a lone surrogate cannot be
    /// encoded at all: report the first of either with its position.
    /// </summary>
    private static List<ValidationFinding> ReplacementCharacter(string json)
    {
        for (var i = 0; i < json.Length; i++)
        {
            var c = json[i];
            string? problem = null;
            if (c == '\uFFFD')
            {
                problem = "U+FFFD: it was decoded from bytes that were not UTF-8; resend it as UTF-8";
            }
            else if (char.IsHighSurrogate(c) && i + 1 < json.Length && char.IsLowSurrogate(json[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                problem = "an unpaired surrogate, which is not valid Unicode text";
            }

            if (problem is not null)
            {
                var line = 1 + json.AsSpan(0, i).Count('\n');
                return [new ValidationFinding("$", FindingCodes.Malformed, $"The body contains {problem} (line {line}, character {i + 1}).")];
            }
        }

        return [];
    }

    private static ValidationFinding TooLarge(long size, FhirLimits limits) =>
        new("$", FhirFindingCodes.TooLarge, $"The body is larger than the {limits.MaxBytes}-byte limit (at least {size} bytes).");

    private static FhirRead Rejected(string? resourceType, params IReadOnlyList<ValidationFinding> findings) =>
        new(resourceType, null, new AdapterRead(Format, resourceType ?? "unknown", null, [], findings), []);

    private static string Truncate(string s) => s.Length > 40 ? s[..40] + "…" : s;
}
