using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;

namespace HealthSync.Adapters.Tests;

public class ChargeItemReaderTests
{
    private const string Bundle = """
        {
          "resourceType": "Bundle",
          "type": "transaction",
          "entry": [
            { "resource": { "resourceType": "Patient", "id": "p1" }, "request": { "method": "POST", "url": "Patient" } },
            {
              "resource": {
                "resourceType": "ChargeItem",
                "identifier": [ { "value": "CI-1" } ],
                "status": "billable",
                "code": { "coding": [ { "system": "urn:chargemaster", "code": "CM-100", "display": "Hip implant charge" } ] },
                "productCodeableConcept": { "coding": [ { "code": "IMP-77", "display": "Hip stem size 4" } ] },
                "productReference": { "reference": "#dev1" },
                "contained": [
                  { "resourceType": "Device", "id": "other", "lotNumber": "WRONG" },
                  { "resourceType": "Device", "id": "dev1", "lotNumber": "LOT-9", "serialNumber": "SN-1", "udiCarrier": [ { "deviceIdentifier": "00844588003288" } ] }
                ],
                "subject": { "identifier": { "value": "MRN-5" }, "reference": "Patient/p1" },
                "context": { "identifier": { "value": "VISIT-2" } },
                "account": [ { "identifier": { "value": "ACC-3" } } ],
                "occurrenceDateTime": "2024-03-05T09:12:00+01:00",
                "performingOrganization": { "identifier": { "value": "NORTH" } },
                "costCenter": { "identifier": { "value": "OR1" } },
                "quantity": { "value": 2.5, "unit": "box", "code": "BX" },
                "priceOverride": { "value": 1200.10, "currency": "USD" },
                "service": [ { "reference": "Procedure/42" } ]
              },
              "request": { "method": "POST", "url": "ChargeItem" }
            },
            {
              "resource": {
                "resourceType": "ChargeItem",
                "id": "ci-2",
                "status": "entered-in-error",
                "code": { "coding": [ { "code": "CM-200" } ], "text": "Gauze" },
                "subject": { "reference": "Patient/p1" },
                "occurrencePeriod": { "start": "2024-03-05" },
                "quantity": { "unit": "each" }
              }
            },
            { "request": { "method": "DELETE", "url": "ChargeItem/old" } }
          ]
        }
        """;

    [Fact]
    public void Reads_the_ChargeItem_sample()
    {
        var result = ChargeItemReader.Read(Samples.Fhir("chargeitem-example.json"));

        result.Errors.ShouldBeEmpty();
        result.BundleType.ShouldBeNull();
        var usage = result.Usages.ShouldHaveSingleItem();
        usage.ShouldBe(new SupplyUsage(
            SourceEventId: "654321",
            Kind: UsageKind.Consumption,
            OccurredAt: new DateTimeOffset(2017, 1, 25, 8, 0, 0, TimeSpan.FromHours(1)),
            Facility: "CARD_INTERMEDIATE_CARE",
            Location: null,
            ItemCode: "01510",
            ItemDescription: "Zusatzpauschale für Beobachtung nach diagnostischer Koronarangiografie",
            Quantity: 1m,
            Uom: "EA",
            UnitPrice: 40m,
            Lot: null,
            Serial: null,
            Udi: null,
            PatientMrn: "Patient/example",
            PatientAccount: "Account/example",
            Encounter: "Encounter/example",
            ProcedureCode: "Procedure/example"));
    }

    [Fact]
    public void Reads_every_ChargeItem_of_a_transaction_Bundle()
    {
        var result = ChargeItemReader.Read(Bundle);

        result.Errors.ShouldBeEmpty();
        result.BundleType.ShouldBe("transaction");
        result.Usages.Count.ShouldBe(2);

        var implant = result.Usages[0];
        implant.SourceEventId.ShouldBe("CI-1");
        implant.Kind.ShouldBe(UsageKind.Consumption);
        implant.ItemCode.ShouldBe("IMP-77");
        implant.ItemDescription.ShouldBe("Hip stem size 4");
        implant.Lot.ShouldBe("LOT-9");
        implant.Serial.ShouldBe("SN-1");
        implant.Udi.ShouldBe("00844588003288");
        implant.PatientMrn.ShouldBe("MRN-5");
        implant.Encounter.ShouldBe("VISIT-2");
        implant.PatientAccount.ShouldBe("ACC-3");
        implant.Facility.ShouldBe("NORTH");
        implant.Location.ShouldBe("OR1");
        implant.Quantity.ShouldBe(2.5m);
        implant.Uom.ShouldBe("BX");
        implant.UnitPrice.ShouldBe(1200.10m);
        implant.ProcedureCode.ShouldBe("Procedure/42");
        implant.OccurredAt.ShouldBe(new DateTimeOffset(2024, 3, 5, 9, 12, 0, TimeSpan.FromHours(1)));

        var reversal = result.Usages[1];
        reversal.SourceEventId.ShouldBe("ci-2");
        reversal.Kind.ShouldBe(UsageKind.Reversal);
        reversal.ItemCode.ShouldBe("CM-200");
        reversal.ItemDescription.ShouldBe("Gauze");
        reversal.Quantity.ShouldBe(1m);
        reversal.Uom.ShouldBe("each");
        reversal.OccurredAt.ShouldBe(new DateTimeOffset(2024, 3, 5, 0, 0, 0, TimeSpan.Zero));
        reversal.PatientMrn.ShouldBe("Patient/p1");
        reversal.Lot.ShouldBeNull();
    }

    [Fact]
    public void Points_bundle_findings_at_the_entry()
    {
        var broken = Bundle.Replace("\"code\": { \"coding\": [ { \"code\": \"CM-200\" } ], \"text\": \"Gauze\" },", string.Empty, StringComparison.Ordinal);

        var result = ChargeItemReader.Read(broken);

        result.Errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Path.ShouldBe("Bundle.entry[2].resource.code"),
            e => e.Code.ShouldBe("required"));
        result.Usages.ShouldHaveSingleItem().SourceEventId.ShouldBe("CI-1");
    }

    [Fact]
    public void Reports_a_bundle_without_ChargeItems_and_a_wrong_bundle_type()
    {
        var sample = ChargeItemReader.Read(Samples.Fhir("bundle-transaction.json"));
        sample.Usages.ShouldBeEmpty();
        sample.Errors.ShouldHaveSingleItem().Path.ShouldBe("Bundle.entry");

        var collection = ChargeItemReader.Read(Bundle.Replace("\"transaction\"", "\"collection\"", StringComparison.Ordinal));
        collection.Errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Path.ShouldBe("Bundle.type"),
            e => e.Code.ShouldBe("invalid-value"));
    }

    [Theory]
    [InlineData("{\"resourceType\": \"ChargeItem\",\n  \"status\": }", "line 2")]
    [InlineData("", "line 1")]
    [InlineData("{\"resourceType\": \"ChargeItem\"", "line 1")]
    [InlineData("<ChargeItem/>", "position 1")]
    public void Reports_malformed_JSON_with_its_position(string json, string expected)
    {
        var result = ChargeItemReader.Read(json);

        result.Usages.ShouldBeEmpty();
        var error = result.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe("$");
        error.Code.ShouldBe("malformed");
        error.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("""{"status":"billable"}""", "resourceType", "required")]
    [InlineData("""{"resourceType":"Patient"}""", "resourceType", "unsupported")]
    [InlineData("""{"resourceType":42}""", "resourceType", "unsupported")]
    [InlineData("""[{"resourceType":"ChargeItem"}]""", "$", "malformed")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"}}""", "ChargeItem.code", "required")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"},"code":{"text":"x"}}""", "ChargeItem.code.coding", "required")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]},"quantity":{"value":"2"}}""", "ChargeItem.quantity.value", "invalid-number")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]},"priceOverride":{"value":true}}""", "ChargeItem.priceOverride.value", "invalid-number")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"done","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]}}""", "ChargeItem.status", "invalid-value")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]}}""", "ChargeItem.status", "required")]
    [InlineData("""{"resourceType":"ChargeItem","status":"billable","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]}}""", "ChargeItem.identifier", "required")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","code":{"coding":[{"code":"X"}]}}""", "ChargeItem.subject", "required")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]},"occurrenceDateTime":"05/03/2024"}""", "ChargeItem.occurrenceDateTime", "invalid-date")]
    [InlineData("""{"resourceType":"ChargeItem","id":"a","status":"billable","subject":{"reference":"Patient/1"},"code":{"coding":[{"code":"X"}]},"occurrencePeriod":{"start":"2024-03-05T10:00:00"}}""", "ChargeItem.occurrencePeriod.start", "invalid-date")]
    public void Reports_invalid_resources_with_a_path(string json, string path, string code)
    {
        var result = ChargeItemReader.Read(json);

        result.Usages.ShouldBeEmpty();
        var error = result.Errors.ShouldHaveSingleItem();
        error.Path.ShouldBe(path);
        error.Code.ShouldBe(code);
    }

    [Fact]
    public void Rejects_the_other_FHIR_samples_by_resource_type_without_throwing()
    {
        foreach (var file in Directory.EnumerateFiles(Samples.FhirDirectory, "*.json"))
        {
            var name = Path.GetFileName(file);
            if (name is "chargeitem-example.json" or "bundle-transaction.json")
            {
                continue;
            }

            var result = ChargeItemReader.Read(File.ReadAllText(file));

            result.Usages.ShouldBeEmpty(name);
            result.Errors.ShouldHaveSingleItem(name).Path.ShouldBe("resourceType");
        }
    }

    [Fact]
    public void Builds_an_OperationOutcome_from_findings()
    {
        var json = OperationOutcome.Build(
        [
            new ValidationFinding("ChargeItem.code", FindingCodes.Required, "code is required."),
            new ValidationFinding("$", FindingCodes.Malformed, "bad json"),
            new ValidationFinding("ChargeItem.quantity.value", FindingCodes.InvalidNumber, "not a number"),
            new ValidationFinding("X", "duplicate", "seen before"),
        ]);

        using var doc = JsonDocument.Parse(json);
        var root = doc.RootElement;
        root.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        var issues = root.GetProperty("issue").EnumerateArray().ToList();
        issues.Select(i => i.GetProperty("code").GetString()).ShouldBe(["required", "structure", "invalid", "processing"]);
        issues.ShouldAllBe(i => i.GetProperty("severity").GetString() == "error");
        issues[0].GetProperty("diagnostics").GetString().ShouldBe("code is required.");
        issues[0].GetProperty("expression")[0].GetString().ShouldBe("ChargeItem.code");
        issues[2].GetProperty("details").GetProperty("text").GetString().ShouldBe("invalid-number");
    }

    [Fact]
    public void Builds_informational_and_warning_outcomes()
    {
        using var info = JsonDocument.Parse(OperationOutcome.BuildInformation("Accepted 2 charge items."));
        var issue = info.RootElement.GetProperty("issue")[0];
        issue.GetProperty("severity").GetString().ShouldBe("information");
        issue.GetProperty("code").GetString().ShouldBe("informational");
        issue.GetProperty("diagnostics").GetString().ShouldBe("Accepted 2 charge items.");

        using var warning = JsonDocument.Parse(OperationOutcome.Build([new ValidationFinding("a", "required", "m")], "warning"));
        warning.RootElement.GetProperty("issue")[0].GetProperty("severity").GetString().ShouldBe("warning");

        using var empty = JsonDocument.Parse(OperationOutcome.Build([]));
        empty.RootElement.GetProperty("issue").GetArrayLength().ShouldBe(1);

        Should.Throw<ArgumentOutOfRangeException>(() => OperationOutcome.Build([], "severe"));
    }
}
