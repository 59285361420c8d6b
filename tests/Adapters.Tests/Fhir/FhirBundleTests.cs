using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;

namespace HealthSync.Adapters.Tests.Fhir;

public class FhirBundleTests
{
    private static string Bundle(string type, string badQuantity = "2") => $$"""
        {
          "resourceType": "Bundle",
          "id": "b-1",
          "type": "{{type}}",
          "entry": [
            {
              "fullUrl": "urn:uuid:0f6c3b2e-0000-4000-8000-000000000001",
              "resource": { "resourceType": "Encounter", "id": "enc-1", "status": "finished", "class": { "code": "IMP" },
                            "period": { "start": "2024-03-01T08:00:00Z", "end": "2024-03-05T10:00:00Z" } },
              "request": { "method": "POST", "url": "Encounter" }
            },
            {
              "resource": { "resourceType": "SupplyRequest", "identifier": [ { "value": "PO-9" } ], "status": "active",
                            "itemCodeableConcept": { "coding": [ { "code": "SKU-1" } ] }, "quantity": { "value": 5 } },
              "request": { "method": "POST", "url": "SupplyRequest" }
            },
            {
              "resource": { "resourceType": "ChargeItem", "id": "ci-1", "status": "billable", "subject": { "reference": "Patient/1" },
                            "code": { "coding": [ { "code": "CM-1" } ] }, "quantity": { "value": {{badQuantity}} } },
              "request": { "method": "POST", "url": "ChargeItem" }
            }
          ]
        }
        """;

    [Fact]
    public void A_valid_transaction_accepts_every_entry()
    {
        var read = FhirReader.Read(Bundle("transaction"));

        read.Success.ShouldBeTrue();
        read.ResourceType.ShouldBe("Bundle");
        read.Read.MessageType.ShouldBe("Bundle");
        read.Read.ControlId.ShouldBe("b-1");
        read.Read.Facts.Select(FactKinds.Of).ShouldBe(["patient-visit", "purchase-order", "supply-usage"]);
        read.Entries.Select(e => (e.Index, e.Method, e.Url, e.ResourceType, e.Accepted)).ShouldBe(
        [
            (0, "POST", "Encounter", "Encounter", true),
            (1, "POST", "SupplyRequest", "SupplyRequest", true),
            (2, "POST", "ChargeItem", "ChargeItem", true),
        ]);
        read.Entries[0].FullUrl.ShouldBe("urn:uuid:0f6c3b2e-0000-4000-8000-000000000001");
        var visit = read.Read.Facts[0].ShouldBeOfType<PatientVisit>();
        (visit.EventType, visit.AdmittedAt, visit.DischargedAt).ShouldBe(("A03", (DateTimeOffset?)new DateTimeOffset(2024, 3, 1, 8, 0, 0, TimeSpan.Zero), (DateTimeOffset?)new DateTimeOffset(2024, 3, 5, 10, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_transaction_with_one_bad_entry_rejects_everything_and_names_the_entry()
    {
        var read = FhirReader.Read(Bundle("transaction", "\"two\""));

        read.Read.Facts.ShouldBeEmpty();
        read.Entries.ShouldAllBe(e => !e.Accepted && e.Facts.Count == 0);
        var finding = read.Read.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("Bundle.entry[2].resource.quantity.value");
        finding.Code.ShouldBe("invalid-number");
        read.Entries[2].Findings.ShouldBe([finding]);
        read.Entries[0].Findings.ShouldBeEmpty();
    }

    [Fact]
    public void A_batch_with_one_bad_entry_accepts_the_others()
    {
        var read = FhirReader.Read(Bundle("batch", "\"two\""));

        read.BundleType.ShouldBe("batch");
        read.Read.Facts.Select(FactKinds.Of).ShouldBe(["patient-visit", "purchase-order"]);
        read.Entries.Select(e => e.Accepted).ShouldBe([true, true, false]);
        read.Read.Findings.ShouldHaveSingleItem().Path.ShouldBe("Bundle.entry[2].resource.quantity.value");
    }

    [Theory]
    [InlineData("collection", "Bundle.type", "invalid-value")]
    [InlineData("searchset", "Bundle.type", "invalid-value")]
    public void Other_bundle_types_are_a_finding_and_accept_nothing(string type, string path, string code)
    {
        var read = FhirReader.Read(Bundle(type));

        read.Read.Facts.ShouldBeEmpty();
        var finding = read.Read.Findings.ShouldHaveSingleItem();
        (finding.Path, finding.Code).ShouldBe((path, code));
    }

    [Theory]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":{}}""", "Bundle.entry", "malformed")]
    [InlineData("""{"resourceType":"Bundle","entry":[]}""", "Bundle.type", "required")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[42]}""", "Bundle.entry[0]", "malformed")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Device","id":"d"}}]}""", "Bundle.entry[0].request", "required")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[{"request":{"method":"POST","url":"Device"}}]}""", "Bundle.entry[0].resource", "required")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"id":"d"},"request":{"method":"POST","url":"Device"}}]}""", "Bundle.entry[0].resource.resourceType", "required")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Bundle","type":"batch"},"request":{"method":"POST","url":"Bundle"}}]}""", "Bundle.entry[0].resource.resourceType", "unsupported")]
    [InlineData("""{"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Device","id":"d"},"request":{"method":"PATCH","url":"Device/d"}}]}""", "Bundle.entry[0].request.method", "unsupported")]
    public void Reports_bundle_structure_problems_with_a_path(string json, string path, string code)
    {
        var read = FhirReader.Read(json);

        read.Read.Facts.ShouldBeEmpty();
        var finding = read.Read.Findings.ShouldHaveSingleItem();
        (finding.Path, finding.Code).ShouldBe((path, code));
    }

    [Fact]
    public void More_entries_than_the_limit_reject_the_bundle()
    {
        var entries = string.Join(',', Enumerable.Repeat("""{"resource":{"resourceType":"Device","id":"d"},"request":{"method":"POST","url":"Device"}}""", 4));
        var json = $$"""{"resourceType":"Bundle","type":"batch","entry":[{{entries}}]}""";

        FhirReader.Read(json).Read.Facts.Count.ShouldBe(4);
        var read = FhirReader.Read(json, new FhirLimits(MaxBundleEntries: 3));
        read.Read.Facts.ShouldBeEmpty();
        var finding = read.Read.Findings.ShouldHaveSingleItem();
        (finding.Path, finding.Code).ShouldBe(("Bundle.entry", "too-large"));
    }

    [Fact]
    public void The_batch_response_reports_each_entry()
    {
        var read = FhirReader.Read(Bundle("batch", "\"two\""));

        using var response = JsonDocument.Parse(FhirResponses.BundleResponse(read, i => $"Entry/{i}/_history/1"));

        var root = response.RootElement;
        root.GetProperty("resourceType").GetString().ShouldBe("Bundle");
        root.GetProperty("type").GetString().ShouldBe("batch-response");
        var entries = root.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).ToList();
        entries.Select(e => e.GetProperty("status").GetString()).ShouldBe(["201 Created", "201 Created", "400 Bad Request"]);
        entries[0].GetProperty("location").GetString().ShouldBe("Entry/0/_history/1");
        entries[0].TryGetProperty("outcome", out _).ShouldBeFalse();
        entries[2].TryGetProperty("location", out _).ShouldBeFalse();
        var outcome = entries[2].GetProperty("outcome");
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        var issue = outcome.GetProperty("issue").EnumerateArray().ShouldHaveSingleItem();
        issue.GetProperty("expression")[0].GetString().ShouldBe("Bundle.entry[2].resource.quantity.value");
        issue.GetProperty("details").GetProperty("text").GetString().ShouldBe("invalid-number");
    }

    [Fact]
    public void The_transaction_response_marks_every_entry_failed_when_one_fails()
    {
        var read = FhirReader.Read(Bundle("transaction", "\"two\""));

        using var response = JsonDocument.Parse(FhirResponses.BundleResponse(read, _ => "never"));

        var root = response.RootElement;
        root.GetProperty("type").GetString().ShouldBe("transaction-response");
        var entries = root.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).ToList();
        entries.Count.ShouldBe(3);
        entries.ShouldAllBe(e => e.GetProperty("status").GetString() == "400 Bad Request");
        entries.Count(e => e.TryGetProperty("location", out _)).ShouldBe(0);
        var rolledBack = entries[0].GetProperty("outcome").GetProperty("issue")[0];
        rolledBack.GetProperty("details").GetProperty("text").GetString().ShouldBe("not-processed");
        rolledBack.GetProperty("diagnostics").GetString()!.ShouldContain("entry 2 failed");
        entries[2].GetProperty("outcome").GetProperty("issue")[0].GetProperty("code").GetString().ShouldBe("invalid");

        using var ok = JsonDocument.Parse(FhirResponses.BundleResponse(FhirReader.Read(Bundle("transaction")), i => i == 1 ? null : $"X/{i}"));
        var okEntries = ok.RootElement.GetProperty("entry").EnumerateArray().Select(e => e.GetProperty("response")).ToList();
        okEntries.ShouldAllBe(e => e.GetProperty("status").GetString() == "201 Created");
        okEntries[1].TryGetProperty("location", out _).ShouldBeFalse();
        okEntries[2].GetProperty("location").GetString().ShouldBe("X/2");
    }
}
