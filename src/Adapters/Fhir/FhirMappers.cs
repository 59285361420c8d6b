using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Fhir;

/// <summary>Maps one FHIR R4 resource to canonical facts; see <see cref="FhirReader"/> for the table of required elements.</summary>
internal static class FhirMappers
{
    private static readonly HashSet<string> SupplyDeliveryStatuses = Set("in-progress", "completed", "abandoned", "entered-in-error");
    private static readonly HashSet<string> SupplyRequestStatuses = Set("draft", "active", "suspended", "cancelled", "completed", "entered-in-error", "unknown");
    private static readonly HashSet<string> ProcedureStatuses = Set("preparation", "in-progress", "not-done", "on-hold", "stopped", "completed", "entered-in-error", "unknown");
    private static readonly HashSet<string> EncounterStatuses = Set("planned", "arrived", "triaged", "in-progress", "onleave", "finished", "cancelled", "entered-in-error", "unknown");
    private static readonly HashSet<string> DeviceStatuses = Set("active", "inactive", "entered-in-error", "unknown");
    private static readonly HashSet<string> FinancialStatuses = Set("active", "cancelled", "draft", "entered-in-error");
    private static readonly HashSet<string> Outcomes = Set("queued", "complete", "error", "partial");
    private static readonly HashSet<string> InvoiceStatuses = Set("draft", "issued", "balanced", "cancelled", "entered-in-error");
    private static readonly HashSet<string> PriceComponentTypes = Set("base", "surcharge", "deduction", "discount", "tax", "informational");
    private static readonly HashSet<string> PatientShareCategories = Set("copay", "deductible", "unallocdeduct");

    /// <summary>The mapper of each supported resource type, in the order the CapabilityStatement lists them.</summary>
    public static readonly IReadOnlyDictionary<string, Func<FhirNode, string?, IReadOnlyList<ICanonicalFact>>> ByType =
        new Dictionary<string, Func<FhirNode, string?, IReadOnlyList<ICanonicalFact>>>(StringComparer.Ordinal)
        {
            ["ChargeItem"] = ChargeItem,
            ["SupplyDelivery"] = SupplyDelivery,
            ["SupplyRequest"] = SupplyRequest,
            ["Procedure"] = Procedure,
            ["Encounter"] = Encounter,
            ["Patient"] = Patient,
            ["Device"] = Device,
            ["Claim"] = Claim,
            ["ClaimResponse"] = (r, fallback) => Adjudicated(r, fallback, isEob: false),
            ["ExplanationOfBenefit"] = (r, fallback) => Adjudicated(r, fallback, isEob: true),
            ["Invoice"] = Invoice,
            ["PaymentReconciliation"] = PaymentReconciliation,
        };

    public static IReadOnlyList<string> SupportedTypes { get; } =
    [
        "ChargeItem", "SupplyDelivery", "SupplyRequest", "Procedure", "Encounter", "Patient", "Device",
        "Claim", "ClaimResponse", "ExplanationOfBenefit", "Invoice", "PaymentReconciliation",
    ];

    private static IReadOnlyList<ICanonicalFact> ChargeItem(FhirNode r, string? fallbackId) =>
        ChargeItemReader.MapChargeItem(r.Element!.Value, r.Path, r.Findings) is { } usage ? [usage] : [];

    private static IReadOnlyList<ICanonicalFact> SupplyDelivery(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        var status = r.Code("status", SupplyDeliveryStatuses);
        var patient = r.Obj("patient");
        var item = r.Obj("suppliedItem");
        var delivered = status is "completed" or "entered-in-error";
        if (delivered)
        {
            r.Require("suppliedItem", "suppliedItem is required for a completed delivery.");
        }

        var (code, description) = Item(item, delivered);
        var quantity = item.Obj("quantity");
        var amount = quantity.Dec("value") ?? 1m;
        var uom = Uom(quantity);
        var occurredAt = r.DateTime("occurrenceDateTime") ?? r.Obj("occurrencePeriod").DateTime("start");
        var supplier = PartyOf(r.Obj("supplier"));
        var destination = RefOrDisplay(r.Obj("destination"));
        var basedOn = RefId(r.First("basedOn"));

        if (key is null || !delivered || r.Findings.Count > 0)
        {
            return [];
        }

        if (patient.Exists)
        {
            return
            [
                new SupplyUsage(
                    key, status == "entered-in-error" ? UsageKind.Reversal : UsageKind.Consumption, occurredAt, Facility: null, destination,
                    code, description, amount, uom, UnitPrice: null, Lot: null, Serial: null, Udi: null,
                    PatientMrn: RefId(patient), PatientAccount: null, Encounter: null, ProcedureCode: null),
            ];
        }

        // A receipt that was entered in error has no canonical reversal; nothing is received.
        return status == "entered-in-error"
            ? []
            : [new GoodsReceipt(key, basedOn, occurredAt, Facility: null, destination, supplier, [new ItemLine("1", code, null, null, description, amount, uom, null)])];
    }

    private static IReadOnlyList<ICanonicalFact> SupplyRequest(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        var status = r.Code("status", SupplyRequestStatuses);
        if (!r.Has("itemCodeableConcept") && !r.Has("itemReference"))
        {
            r.Add($"{r.Path}.item[x]", FindingCodes.Required, "itemCodeableConcept or itemReference is required.");
        }

        var (code, description) = Item(r, required: false);
        r.Require("quantity");
        var quantity = r.Obj("quantity");
        if (quantity.Exists)
        {
            quantity.Require("value");
        }

        var amount = quantity.Dec("value");
        var uom = Uom(quantity);
        var ordered = r.Date("authoredOn");
        var buyer = PartyOf(r.Obj("requester"));
        var vendor = PartyOf(r.First("supplier"));
        var shipTo = PartyOf(r.Obj("deliverTo"));
        if (key is null || r.Findings.Count > 0)
        {
            return [];
        }

        return [new PurchaseOrder(key, ordered, status, buyer, vendor, shipTo, Currency: null, [new ItemLine("1", code, null, null, description, amount, uom, null)])];
    }

    private static IReadOnlyList<ICanonicalFact> Procedure(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        var status = r.Code("status", ProcedureStatuses);
        r.Require("subject");
        var patient = RefId(r.Obj("subject"));
        var encounter = RefId(r.Obj("encounter"));
        var location = RefOrDisplay(r.Obj("location"));
        var procedureCode = Coded(r.Obj("code")).Code;
        var performedAt = r.DateTime("performedDateTime") ?? r.Obj("performedPeriod").DateTime("start");
        var used = new List<(string? Code, string? Description, FhirNode? Device)>();
        foreach (var usedCode in r.Arr("usedCode"))
        {
            var (code, description) = Coded(usedCode);
            if (code is null)
            {
                usedCode.Add($"{usedCode.Path}.coding", FindingCodes.Required, "usedCode needs a coding with a code.");
            }

            used.Add((code, description, null));
        }

        foreach (var reference in r.Arr("usedReference"))
        {
            used.Add(Referenced(r, reference));
        }

        foreach (var focal in r.Arr("focalDevice"))
        {
            focal.Require("manipulated");
            used.Add(Referenced(r, focal.Obj("manipulated")));
        }

        if (key is null || r.Findings.Count > 0 || status is "not-done")
        {
            return [];
        }

        var kind = status == "entered-in-error" ? UsageKind.Reversal : UsageKind.Consumption;
        return used.Select((u, i) => (ICanonicalFact)new SupplyUsage(
            $"{key}#{i + 1}", kind, performedAt, Facility: null, location, u.Code, u.Description, 1m, "EA", UnitPrice: null,
            u.Device?.Str("lotNumber"), u.Device?.Str("serialNumber"), u.Device?.First("udiCarrier").Str("deviceIdentifier"),
            patient, PatientAccount: null, encounter, procedureCode)).ToList();
    }

    private static IReadOnlyList<ICanonicalFact> Encounter(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        var status = r.Code("status", EncounterStatuses);
        r.Require("class");
        var patientClass = r.Obj("class").Str("code");
        var period = r.Obj("period");
        var start = period.DateTime("start");
        var end = period.DateTime("end");
        var patient = RefId(r.Obj("subject"));
        var account = RefId(r.First("account"));
        var facility = RefOrDisplay(r.Obj("serviceProvider"));
        var location = RefOrDisplay(r.First("location").Obj("location"));
        if (key is null || r.Findings.Count > 0)
        {
            return [];
        }

        var eventType = status switch
        {
            "finished" => "A03",
            "in-progress" => "A01",
            "planned" or "arrived" => "A04",
            _ => "A08",
        };
        return [new PatientVisit(eventType, key, patient, account, facility, location, patientClass, start, end, status)];
    }

    private static IReadOnlyList<ICanonicalFact> Patient(FhirNode r, string? fallbackId)
    {
        var id = r.Str("id") ?? fallbackId;
        string? mrn = null;
        string? first = null;
        foreach (var identifier in r.Arr("identifier"))
        {
            var value = identifier.Str("value");
            first ??= value;
            if (mrn is null && identifier.Obj("type").Arr("coding").Any(c => c.Str("code") == "MR"))
            {
                mrn = value;
            }
        }

        mrn ??= first;
        var patientId = id ?? mrn;
        if (patientId is null)
        {
            r.Add($"{r.Path}.id", FindingCodes.Required, "A resource id, fullUrl or identifier is required to refer to the patient.");
        }

        var name = r.First("name");
        var given = name.Has("given") ? Strings(name, "given") : [];
        var text = name.Str("text") ?? string.Join(' ', given.Append(name.Str("family") ?? string.Empty).Where(s => s.Length > 0));
        if (patientId is null || r.Findings.Count > 0)
        {
            return [];
        }

        return [new PatientReference(patientId, mrn, text.Length > 0 ? text : null)];
    }

    private static IReadOnlyList<ICanonicalFact> Device(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        var status = r.Code("status", DeviceStatuses);
        var udi = r.First("udiCarrier");
        var udiText = udi.Str("deviceIdentifier") ?? udi.Str("carrierHRF");
        var lot = r.Str("lotNumber");
        var serial = r.Str("serialNumber");
        var manufacturer = r.Str("manufacturer");
        var model = r.Str("modelNumber");
        var expiry = r.Date("expirationDate");
        if (key is null || r.Findings.Count > 0)
        {
            return [];
        }

        return [new DeviceRecord(key, udiText, lot, serial, manufacturer, model, expiry, status)];
    }

    private static IReadOnlyList<ICanonicalFact> Claim(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        r.Code("status", FinancialStatuses);
        r.Require("type");
        var claimType = Coded(r.Obj("type")).Code;
        if (r.Has("type") && claimType is null)
        {
            r.Add($"{r.Path}.type.coding", FindingCodes.Required, "type needs a coding with a code (professional, institutional, oral, ...).");
        }

        r.Require("patient");
        var patient = r.Obj("patient");
        r.Require("provider");
        var provider = PartyOf(r.Obj("provider"));
        var payer = PartyOf(r.Obj("insurer"));
        var insurances = r.Arr("insurance");
        var insurance = insurances.FirstOrDefault(i => i.Bool("focal") == true) ?? insurances.FirstOrDefault();
        var coverage = insurance?.Obj("coverage");
        var subscriber = (coverage is null ? null : RefId(coverage)) ?? RefId(patient);
        var total = r.Obj("total").Dec("value");
        var billableStart = r.Obj("billablePeriod").Date("start");
        var diagnoses = new List<string>();
        foreach (var diagnosis in r.Arr("diagnosis"))
        {
            if ((Coded(diagnosis.Obj("diagnosisCodeableConcept")).Code ?? RefId(diagnosis.Obj("diagnosisReference"))) is { } code)
            {
                diagnoses.Add(code);
            }
        }

        r.Require("item", "At least one item is required.");
        var lines = new List<ClaimLine>();
        foreach (var item in r.Arr("item"))
        {
            item.Require("sequence");
            var sequence = item.Int("sequence");
            item.Require("productOrService");
            var service = Coded(item.Obj("productOrService")).Code;
            if (item.Has("productOrService") && service is null)
            {
                item.Add($"{item.Path}.productOrService.coding", FindingCodes.Required, "productOrService needs a coding with a code.");
            }

            var modifiers = item.Arr("modifier").Select(m => Coded(m).Code).OfType<string>().ToList();
            var quantity = item.Obj("quantity");
            var units = quantity.Dec("value");
            var unitPrice = item.Obj("unitPrice").Dec("value");
            var factor = item.Dec("factor");
            var net = item.Obj("net").Dec("value");
            var charge = net ?? (unitPrice is { } price ? decimal.Round(price * (units ?? 1m) * (factor ?? 1m), 2) : null);
            var served = item.Date("servicedDate") ?? item.Obj("servicedPeriod").Date("start");
            var revenue = Coded(item.Obj("revenue")).Code;
            lines.Add(new ClaimLine(
                (sequence ?? lines.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                service, modifiers, charge, units ?? 1m, Uom(quantity, fallback: null), served, revenue));
        }

        if (key is null || claimType is null || r.Findings.Count > 0)
        {
            return [];
        }

        var serviceDate = billableStart ?? lines.Select(l => l.ServiceDate).Where(d => d is not null).Min();
        var totalCharge = total ?? (lines.Any(l => l.ChargeAmount is not null) ? lines.Sum(l => l.ChargeAmount ?? 0m) : null);
        return [new Canonical.Claim(key, claimType, provider, payer, subscriber, patient.Str("display"), totalCharge, serviceDate, diagnoses, lines)];
    }

    /// <summary>ClaimResponse and ExplanationOfBenefit: one remittance carrying one claim payment.</summary>
    private static IReadOnlyList<ICanonicalFact> Adjudicated(FhirNode r, string? fallbackId, bool isEob)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        r.Code("status", FinancialStatuses);
        r.Require("outcome");
        var outcome = r.Code("outcome", Outcomes);
        var claimElement = isEob ? "claim" : "request";
        r.Require(claimElement, $"{claimElement} is required to match the {(isEob ? "explanation of benefit" : "response")} to its claim.");
        var claimId = RefId(r.Obj(claimElement));

        var totals = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var total in r.Arr("total"))
        {
            total.Require("category");
            var category = Coded(total.Obj("category")).Code;
            total.Require("amount");
            var amount = total.Obj("amount").Dec("value");
            if (category is not null && amount is { } value)
            {
                totals[category] = totals.GetValueOrDefault(category) + value;
            }
        }

        var adjustments = new List<Adjustment>();
        Adjudications(r, adjustments);
        foreach (var item in r.Arr("item"))
        {
            Adjudications(item, adjustments);
        }

        var payment = r.Obj("payment");
        var paymentDate = payment.Date("date");
        var paymentAmount = payment.Obj("amount").Dec("value");
        var paymentId = payment.Obj("identifier").Str("value");
        var method = Coded(payment.Obj("type")).Code;
        var payer = PartyOf(r.Obj("insurer"));
        var payee = isEob ? PartyOf(r.Obj("payee").Obj("party")) ?? PartyOf(r.Obj("provider")) : PartyOf(r.Obj("requestor"));
        var patientName = r.Obj("patient").Str("display");
        if (key is null || claimId is null || r.Findings.Count > 0)
        {
            return [];
        }

        decimal? Total(string category) => totals.TryGetValue(category, out var value) ? value : null;
        var patientShare = totals.Keys.Any(PatientShareCategories.Contains)
            ? totals.Where(t => PatientShareCategories.Contains(t.Key)).Sum(t => t.Value)
            : adjustments.Any(a => a.Group == "PR") ? adjustments.Where(a => a.Group == "PR").Sum(a => a.Amount) : (decimal?)null;
        var claim = new ClaimPayment(claimId, outcome, Total("submitted"), Total("benefit"), patientShare, key, patientName, adjustments);
        return [new Remittance(paymentId ?? key, paymentDate, method, paymentAmount ?? Total("benefit"), payer, payee, [claim])];
    }

    /// <summary>
    /// Adjudications that reduce the payment become adjustments: copay, deductible and unallocdeduct as patient
    /// responsibility (PR), tax as other adjustment (OA); reason = the adjudication reason code, else the category.
    /// Submitted, eligible, benefit and eligpercent are amounts and rates, not adjustments, and are not repeated here.
    /// </summary>
    private static void Adjudications(FhirNode owner, List<Adjustment> adjustments)
    {
        foreach (var adjudication in owner.Arr("adjudication"))
        {
            adjudication.Require("category");
            var category = Coded(adjudication.Obj("category")).Code;
            var reason = Coded(adjudication.Obj("reason")).Code;
            var amount = adjudication.Obj("amount").Dec("value");
            adjudication.Dec("value");
            var group = category switch
            {
                "copay" or "deductible" or "unallocdeduct" => "PR",
                "tax" => "OA",
                _ => null,
            };
            if (group is not null && amount is { } a)
            {
                adjustments.Add(new Adjustment(group, reason ?? category!, a));
            }
        }
    }

    private static IReadOnlyList<ICanonicalFact> Invoice(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        r.Code("status", InvoiceStatuses);
        var date = r.Date("date");
        var vendor = PartyOf(r.Obj("issuer"));
        var billTo = PartyOf(r.Obj("recipient"));
        var gross = r.Obj("totalGross");
        var net = r.Obj("totalNet");
        var total = gross.Dec("value") ?? net.Dec("value");
        var currency = gross.Str("currency") ?? net.Str("currency");
        var lines = new List<ItemLine>();
        foreach (var line in r.Arr("lineItem"))
        {
            var sequence = line.Int("sequence");
            string? code = null;
            string? description = null;
            if (line.Has("chargeItemCodeableConcept"))
            {
                (code, description) = Coded(line.Obj("chargeItemCodeableConcept"));
            }
            else if (line.Has("chargeItemReference"))
            {
                var reference = line.Obj("chargeItemReference");
                code = RefId(reference);
                description = reference.Str("display");
            }
            else
            {
                line.Add($"{line.Path}.chargeItem[x]", FindingCodes.Required, "chargeItemCodeableConcept or chargeItemReference is required.");
            }

            decimal? quantity = null;
            decimal? unitPrice = null;
            foreach (var component in line.Arr("priceComponent"))
            {
                component.Require("type");
                var type = component.Code("type", PriceComponentTypes);
                var factor = component.Dec("factor");
                var amount = component.Obj("amount").Dec("value");
                currency ??= component.Obj("amount").Str("currency");
                if (type == "base" && unitPrice is null)
                {
                    quantity = factor ?? 1m;
                    unitPrice = amount is { } a && factor is { } f && f != 0m ? decimal.Round(a / f, 4) : amount;
                }
            }

            lines.Add(new ItemLine((sequence ?? lines.Count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), code, null, null, description, quantity ?? 1m, "EA", unitPrice));
        }

        if (key is null || r.Findings.Count > 0)
        {
            return [];
        }

        return [new Canonical.Invoice(key, PoNumber: null, date, vendor, billTo, currency, total, lines)];
    }

    private static IReadOnlyList<ICanonicalFact> PaymentReconciliation(FhirNode r, string? fallbackId)
    {
        var key = Key(r, fallbackId);
        r.Require("status");
        r.Code("status", FinancialStatuses);
        r.Require("paymentDate");
        var paymentDate = r.Date("paymentDate");
        r.Require("paymentAmount");
        var amountNode = r.Obj("paymentAmount");
        if (amountNode.Exists)
        {
            amountNode.Require("value");
        }

        var amount = amountNode.Dec("value");
        var payer = PartyOf(r.Obj("paymentIssuer"));
        var payee = PartyOf(r.Obj("requestor"));
        var claims = new List<ClaimPayment>();
        foreach (var detail in r.Arr("detail"))
        {
            detail.Require("type");
            var type = Coded(detail.Obj("type")).Code;
            var claimId = RefId(detail.Obj("request")) ?? detail.Obj("identifier").Str("value") ?? $"detail-{claims.Count + 1}";
            var response = RefId(detail.Obj("response"));
            var paid = detail.Obj("amount").Dec("value");
            detail.Date("date");
            claims.Add(new ClaimPayment(claimId, type, ChargeAmount: null, paid, PatientResponsibility: null, response, PatientName: null, []));
        }

        if (key is null || r.Findings.Count > 0)
        {
            return [];
        }

        return [new Remittance(key, paymentDate, Method: null, amount, payer, payee, claims)];
    }

    /// <summary>The business key: first identifier value, else the resource id, else the entry's fullUrl.</summary>
    private static string? Key(FhirNode r, string? fallbackId)
    {
        var key = r.First("identifier").Str("value") ?? r.Str("id") ?? fallbackId;
        if (key is null)
        {
            r.Add($"{r.Path}.identifier", FindingCodes.Required, "An identifier value or a resource id is required to recognise repeated submissions.");
        }

        return key;
    }

    /// <summary>item[x] of SupplyRequest / SupplyDelivery.suppliedItem: a CodeableConcept or a Reference.</summary>
    private static (string? Code, string? Description) Item(FhirNode owner, bool required)
    {
        if (owner.Has("itemCodeableConcept"))
        {
            var concept = owner.Obj("itemCodeableConcept");
            var coded = Coded(concept);
            if (coded.Code is null && concept.Exists)
            {
                owner.Add($"{concept.Path}.coding", FindingCodes.Required, "itemCodeableConcept needs a coding with a code.");
            }

            return coded;
        }

        if (owner.Has("itemReference"))
        {
            var reference = owner.Obj("itemReference");
            return (RefId(reference), reference.Str("display"));
        }

        if (required && owner.Exists)
        {
            owner.Add($"{owner.Path}.item[x]", FindingCodes.Required, "itemCodeableConcept or itemReference is required.");
        }

        return (null, null);
    }

    /// <summary>A referenced device or item; a local reference (<c>#id</c>) to a contained Device also yields lot, serial and UDI.</summary>
    private static (string? Code, string? Description, FhirNode? Device) Referenced(FhirNode resource, FhirNode reference)
    {
        var target = reference.Str("reference");
        FhirNode? device = null;
        if (target is { Length: > 1 } && target[0] == '#')
        {
            device = resource.Arr("contained").FirstOrDefault(c => c.Str("resourceType") == "Device" && c.Str("id") == target[1..]);
        }

        var code = reference.Obj("identifier").Str("value") ?? device?.First("identifier").Str("value") ?? target;
        return (code, reference.Str("display") ?? device?.First("deviceName").Str("name"), device);
    }

    private static (string? Code, string? Display) Coded(FhirNode concept)
    {
        var coding = concept.Arr("coding").FirstOrDefault(c => c.Str("code") is not null);
        return coding is null ? (null, concept.Str("text")) : (coding.Str("code"), coding.Str("display") ?? concept.Str("text"));
    }

    private static string? Uom(FhirNode quantity, string? fallback = "EA") => quantity.Str("code") ?? quantity.Str("unit") ?? fallback;

    /// <summary>A Reference read as an id: its identifier value, else its reference.</summary>
    private static string? RefId(FhirNode reference) => reference.Obj("identifier").Str("value") ?? reference.Str("reference");

    /// <summary>A Reference to a place or organisation: identifier, reference or display text.</summary>
    private static string? RefOrDisplay(FhirNode reference) => RefId(reference) ?? reference.Str("display");

    private static Party? PartyOf(FhirNode reference)
    {
        var identifier = reference.Obj("identifier");
        var id = identifier.Str("value") ?? reference.Str("reference");
        var name = reference.Str("display");
        return id is null && name is null ? null : new Party(id, name, identifier.Str("system"));
    }

    private static List<string> Strings(FhirNode owner, string name)
    {
        var list = new List<string>();
        if (owner.Element?.GetProperty(name) is not { } array)
        {
            return list;
        }

        if (array.ValueKind != System.Text.Json.JsonValueKind.Array)
        {
            owner.Add($"{owner.Path}.{name}", FindingCodes.Malformed, $"{owner.Path}.{name} must be a JSON array of strings.");
            return list;
        }

        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                if (item.GetString() is { Length: > 0 } s)
                {
                    list.Add(s);
                }
            }
            else if (item.ValueKind != System.Text.Json.JsonValueKind.Null)
            {
                owner.Add($"{owner.Path}.{name}[{index}]", FindingCodes.Malformed, $"{owner.Path}.{name}[{index}] must be a JSON string; found {item.Describe()}.");
            }

            index++;
        }

        return list;
    }

    private static HashSet<string> Set(params string[] values) => new(values, StringComparer.Ordinal);
}
