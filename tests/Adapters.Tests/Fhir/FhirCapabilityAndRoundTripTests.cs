using System.Text.Json;
using System.Text.Json.Nodes;
using HealthSync.Adapters.Fhir;

namespace HealthSync.Adapters.Tests.Fhir;

public class FhirCapabilityAndRoundTripTests
{
    public static TheoryData<string> SampleNames() => [.. Samples.FhirFileNames()];

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Every_sample_survives_parse_and_serialize_unchanged(string fileName)
    {
        var json = Samples.Fhir(fileName);

        var node = FhirResourceNode.TryParse(json, out var finding).ShouldNotBeNull();

        finding.ShouldBeNull();
        node.ResourceType.ShouldNotBeNull();
        JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(node.Serialize())).ShouldBeTrue(fileName);
        JsonNode.DeepEquals(JsonNode.Parse(json), JsonNode.Parse(node.SerializeIndented())).ShouldBeTrue(fileName);
    }

    [Theory]
    [MemberData(nameof(SampleNames))]
    public void Unknown_elements_and_extensions_added_to_every_sample_are_kept(string fileName)
    {
        var original = JsonNode.Parse(Samples.Fhir(fileName))!.AsObject();
        original["extension"] = new JsonArray(new JsonObject { ["url"] = "http://healthsync.example/ext/cost-centre", ["valueString"] = "OR-1" });
        original["modifierExtension"] = new JsonArray(new JsonObject { ["url"] = "http://healthsync.example/ext/trial", ["valueBoolean"] = true });
        original["_status"] = new JsonObject { ["extension"] = new JsonArray(new JsonObject { ["url"] = "http://healthsync.example/ext/why", ["valueCode"] = "late" }) };
        original["futureElement"] = new JsonObject { ["nested"] = new JsonArray(1.50m, "x", null, false) };
        var json = original.ToJsonString();

        var node = FhirResourceNode.TryParse(json, out _).ShouldNotBeNull();

        JsonNode.DeepEquals(original, JsonNode.Parse(node.Serialize())).ShouldBeTrue(fileName);
        node.Serialize().ShouldContain("1.50");
        node.Extensions.ShouldHaveSingleItem()["valueString"]!.GetValue<string>().ShouldBe("OR-1");
        node.ModifierExtensions.ShouldHaveSingleItem();
        node.ExtensionsWithUrl("http://healthsync.example/ext/cost-centre").Count.ShouldBe(1);
        FhirReader.Read(json).Read.Findings.ShouldBe(FhirReader.Read(Samples.Fhir(fileName)).Read.Findings, fileName);
    }

    [Fact]
    public void Bundle_entry_resources_are_reachable_as_nodes()
    {
        var bundle = FhirResourceNode.TryParse(Samples.Fhir("bundle-transaction.json"), out _).ShouldNotBeNull();

        bundle.EntryResources().Select(r => r.ResourceType).ShouldBe(["Patient", "Patient", "Patient", "Patient", "Patient", "Parameters"]);
        bundle.EntryResources()[2].Id.ShouldBe("123");
    }

    [Theory]
    [InlineData("{", "malformed")]
    [InlineData("[]", "required")]
    [InlineData("""{"id":"x"}""", "required")]
    public void Bad_input_to_the_node_model_is_a_finding(string json, string code)
    {
        FhirResourceNode.TryParse(json, out var finding).ShouldBeNull();
        finding.ShouldNotBeNull().Code.ShouldBe(code);
    }

    [Fact]
    public void The_CapabilityStatement_lists_every_supported_resource_with_create()
    {
        var now = new DateTimeOffset(2024, 3, 5, 10, 0, 0, TimeSpan.FromHours(1));

        using var doc = JsonDocument.Parse(FhirCapability.Build("https://healthsync.example/fhir", now));

        var root = doc.RootElement;
        root.GetProperty("resourceType").GetString().ShouldBe("CapabilityStatement");
        root.GetProperty("status").GetString().ShouldBe("active");
        root.GetProperty("kind").GetString().ShouldBe("instance");
        root.GetProperty("date").GetString().ShouldBe("2024-03-05T10:00:00+01:00");
        root.GetProperty("fhirVersion").GetString().ShouldBe("4.0.1");
        root.GetProperty("format").EnumerateArray().Select(f => f.GetString()).ShouldContain("json");
        root.GetProperty("software").GetProperty("name").GetString().ShouldBe("HealthSync");
        root.GetProperty("implementation").GetProperty("url").GetString().ShouldBe("https://healthsync.example/fhir");
        var rest = root.GetProperty("rest").EnumerateArray().ShouldHaveSingleItem();
        rest.GetProperty("mode").GetString().ShouldBe("server");
        var resources = rest.GetProperty("resource").EnumerateArray().ToList();
        resources.Select(r => r.GetProperty("type").GetString()).ShouldBe(
        [
            "ChargeItem", "SupplyDelivery", "SupplyRequest", "Procedure", "Encounter", "Patient", "Device",
            "Claim", "ClaimResponse", "ExplanationOfBenefit", "Invoice", "PaymentReconciliation",
        ]);
        resources.ShouldAllBe(r => r.GetProperty("interaction").EnumerateArray().Single().GetProperty("code").GetString() == "create");
        rest.GetProperty("interaction").EnumerateArray().Select(i => i.GetProperty("code").GetString()).ShouldBe(["transaction", "batch"]);
    }
}
