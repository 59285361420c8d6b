using System.Text.Json;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>Outcome of reading a FHIR ChargeItem or Bundle.</summary>
/// <param name="Usages">One entry per ChargeItem that mapped without findings, in document order.</param>
/// <param name="Errors">Findings with FHIRPath-like paths; bundle entries are 0-based (<c>Bundle.entry[0].resource.code</c>).</param>
public sealed record FhirReadResult(IReadOnlyList<SupplyUsage> Usages, IReadOnlyList<ValidationFinding> Errors)
{
    /// <summary>True when the document and every ChargeItem in it were valid.</summary>
    public bool Success => Errors.Count == 0;

    /// <summary>Bundle.type (transaction or batch) when the document was a Bundle; null for a single ChargeItem.</summary>
    public string? BundleType { get; init; }
}

/// <summary>Maps FHIR R4 ChargeItem resources (alone or in a transaction/batch Bundle) to <see cref="SupplyUsage"/>.</summary>
public static class ChargeItemReader
{
    private static readonly HashSet<string> Statuses = new(StringComparer.Ordinal)
    {
        "planned", "billable", "not-billable", "aborted", "billed", "entered-in-error", "unknown",
    };

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 64 };

    /// <summary>Reads a JSON document; never throws for bad input.</summary>
    public static FhirReadResult Read(string json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse((json ?? string.Empty).TrimStart('\uFEFF'), Options);
        }
        catch (JsonException ex)
        {
            var line = (ex.LineNumber ?? 0) + 1;
            var position = (ex.BytePositionInLine ?? 0) + 1;
            return Fail("$", FindingCodes.Malformed, $"The body is not valid JSON (line {line}, position {position}): {Reason(ex)}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Fail("$", FindingCodes.Malformed, $"A FHIR resource must be a JSON object; found {root.Describe()}.");
            }

            var typeElement = root.Prop("resourceType");
            var resourceType = typeElement.Str();
            switch (resourceType)
            {
                case "ChargeItem":
                    var errors = new List<ValidationFinding>();
                    var usage = MapChargeItem(root, "ChargeItem", errors);
                    return new FhirReadResult(usage is null ? [] : [usage], errors);
                case "Bundle":
                    return ReadBundle(root);
                case null when typeElement is null:
                    return Fail("resourceType", FindingCodes.Required, "resourceType is required.");
                default:
                    return Fail(
                        "resourceType",
                        FindingCodes.Unsupported,
                        $"Expected a ChargeItem or a Bundle of ChargeItems; received {(resourceType is null ? typeElement!.Value.Describe() : $"'{resourceType}'")}.");
            }
        }
    }

    private static FhirReadResult ReadBundle(JsonElement bundle)
    {
        var errors = new List<ValidationFinding>();
        var type = bundle.Prop("type").Str();
        if (type is null)
        {
            errors.Add(new ValidationFinding("Bundle.type", FindingCodes.Required, "Bundle.type is required."));
        }
        else if (type is not ("transaction" or "batch"))
        {
            errors.Add(new ValidationFinding("Bundle.type", FindingCodes.InvalidValue, $"Bundle.type must be 'transaction' or 'batch'; received '{type}'."));
        }

        var usages = new List<SupplyUsage>();
        var chargeItems = 0;
        if (bundle.Prop("entry") is { ValueKind: JsonValueKind.Array } entries)
        {
            var index = 0;
            foreach (var entry in entries.EnumerateArray())
            {
                var path = $"Bundle.entry[{index}].resource";
                var resource = entry.Prop("resource");
                if (resource is { ValueKind: JsonValueKind.Object } r)
                {
                    var resourceType = r.Prop("resourceType").Str();
                    if (resourceType is null)
                    {
                        errors.Add(new ValidationFinding($"{path}.resourceType", FindingCodes.Required, $"{path}.resourceType is required."));
                    }
                    else if (resourceType == "ChargeItem")
                    {
                        chargeItems++;
                        var usage = MapChargeItem(r, path, errors);
                        if (usage is not null)
                        {
                            usages.Add(usage);
                        }
                    }
                }

                index++;
            }
        }

        if (chargeItems == 0)
        {
            errors.Add(new ValidationFinding("Bundle.entry", FindingCodes.Required, "The bundle contains no ChargeItem entries."));
        }

        return new FhirReadResult(usages, errors) { BundleType = type };
    }

    internal static SupplyUsage? MapChargeItem(JsonElement r, string p, List<ValidationFinding> errors)
    {
        var before = errors.Count;

        var sourceId = r.Prop("identifier").At(0).Prop("value").Str() ?? r.Prop("id").Str();
        if (sourceId is null)
        {
            errors.Add(new ValidationFinding($"{p}.identifier", FindingCodes.Required, "An identifier value or a resource id is required to recognise repeated submissions."));
        }

        var kind = UsageKind.Consumption;
        var statusElement = r.Prop("status");
        var status = statusElement.Str();
        if (statusElement is null)
        {
            errors.Add(new ValidationFinding($"{p}.status", FindingCodes.Required, "status is required."));
        }
        else if (status is null || !Statuses.Contains(status))
        {
            errors.Add(new ValidationFinding(
                $"{p}.status",
                FindingCodes.InvalidValue,
                $"status {statusElement.Value.Describe()} is not one of {string.Join('|', Statuses)}."));
        }
        else if (status == "entered-in-error")
        {
            kind = UsageKind.Reversal;
        }

        var code = r.Prop("code");
        var product = r.Prop("productCodeableConcept");
        var productCoding = product.Prop("coding").At(0);
        var codeCoding = code.Prop("coding").At(0);
        string? itemCode = null;
        string? description = null;
        if (productCoding.Prop("code").Str() is { } productCode)
        {
            itemCode = productCode;
            description = productCoding.Prop("display").Str() ?? product.Prop("text").Str();
        }
        else if (codeCoding.Prop("code").Str() is { } chargeCode)
        {
            itemCode = chargeCode;
            description = codeCoding.Prop("display").Str() ?? code.Prop("text").Str();
        }

        if (code is null)
        {
            errors.Add(new ValidationFinding($"{p}.code", FindingCodes.Required, "code is required."));
        }
        else if (itemCode is null)
        {
            errors.Add(new ValidationFinding($"{p}.code.coding", FindingCodes.Required, "code (or productCodeableConcept) needs a coding with a code."));
        }

        if (r.Prop("subject") is null)
        {
            errors.Add(new ValidationFinding($"{p}.subject", FindingCodes.Required, "subject is required."));
        }

        var quantity = Decimal(r.Prop("quantity").Prop("value"), $"{p}.quantity.value", errors) ?? 1m;
        var unitPrice = Decimal(r.Prop("priceOverride").Prop("value"), $"{p}.priceOverride.value", errors);

        DateTimeOffset? occurredAt = null;
        if (r.Prop("occurrenceDateTime") is { } dateTime)
        {
            occurredAt = Date(dateTime, $"{p}.occurrenceDateTime", errors);
        }
        else if (r.Prop("occurrencePeriod").Prop("start") is { } periodStart)
        {
            occurredAt = Date(periodStart, $"{p}.occurrencePeriod.start", errors);
        }

        var device = ContainedDevice(r);

        if (errors.Count > before)
        {
            return null;
        }

        var quantityElement = r.Prop("quantity");
        var account = r.Prop("account").At(0);
        return new SupplyUsage(
            SourceEventId: sourceId!,
            Kind: kind,
            OccurredAt: occurredAt,
            Facility: r.Prop("performingOrganization").Prop("identifier").Prop("value").Str(),
            Location: r.Prop("costCenter").Prop("identifier").Prop("value").Str(),
            ItemCode: itemCode,
            ItemDescription: description,
            Quantity: quantity,
            Uom: quantityElement.Prop("code").Str() ?? quantityElement.Prop("unit").Str() ?? "EA",
            UnitPrice: unitPrice,
            Lot: device.Prop("lotNumber").Str(),
            Serial: device.Prop("serialNumber").Str(),
            Udi: device.Prop("udiCarrier").At(0).Prop("deviceIdentifier").Str(),
            PatientMrn: ReferenceOrIdentifier(r.Prop("subject")),
            PatientAccount: ReferenceOrIdentifier(account),
            Encounter: ReferenceOrIdentifier(r.Prop("context")),
            ProcedureCode: r.Prop("service").At(0).Prop("reference").Str());
    }

    private static string? ReferenceOrIdentifier(JsonElement? reference) =>
        reference.Prop("identifier").Prop("value").Str() ?? reference.Prop("reference").Str();

    /// <summary>The contained Device that productReference points at with a local reference (<c>#id</c>).</summary>
    private static JsonElement? ContainedDevice(JsonElement r)
    {
        var reference = r.Prop("productReference").Prop("reference").Str();
        if (reference is not { Length: > 1 } || reference[0] != '#' || r.Prop("contained") is not { ValueKind: JsonValueKind.Array } contained)
        {
            return null;
        }

        var id = reference[1..];
        foreach (var candidate in contained.EnumerateArray())
        {
            if (candidate.Prop("resourceType").Str() == "Device" && candidate.Prop("id").Str() == id)
            {
                return candidate;
            }
        }

        return null;
    }

    private static decimal? Decimal(JsonElement? element, string path, List<ValidationFinding> errors)
    {
        if (element is not { } e)
        {
            return null;
        }

        if (e.ValueKind == JsonValueKind.Number && e.TryGetDecimal(out var value))
        {
            return value;
        }

        errors.Add(new ValidationFinding(path, FindingCodes.InvalidNumber, $"{path} must be a JSON number; found {e.Describe()}."));
        return null;
    }

    private static DateTimeOffset? Date(JsonElement element, string path, List<ValidationFinding> errors)
    {
        if (element.ValueKind == JsonValueKind.String && FhirJson.TryParseDateTime(element.GetString()!, out var value))
        {
            return value;
        }

        errors.Add(new ValidationFinding(path, FindingCodes.InvalidDate, $"{path} must be a FHIR dateTime; found {element.Describe()}."));
        return null;
    }

    internal static string Reason(JsonException ex)
    {
        var message = ex.Message;
        foreach (var marker in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(marker, StringComparison.Ordinal);
            if (cut > 0)
            {
                message = message[..cut];
            }
        }

        return message.Trim();
    }

    private static FhirReadResult Fail(string path, string code, string message) =>
        new([], [new ValidationFinding(path, code, message)]);
}
