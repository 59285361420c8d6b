using System.Text;
using System.Text.Json.Nodes;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;

namespace HealthSync.Adapters.Tests.Fhir;

public class FhirRobustnessTests
{
    private static ValidationFinding OnlyFinding(FhirRead read)
    {
        read.Read.Facts.ShouldBeEmpty();
        return read.Read.Findings.ShouldHaveSingleItem();
    }

    [Theory]
    [InlineData("{\"resourceType\": \"Invoice\",\n  \"status\": }", "line 2")]
    [InlineData("", "line 1")]
    [InlineData("{\"resourceType\": \"Invoice\"", "line 1")]
    [InlineData("<Invoice/>", "position 1")]
    [InlineData("{\"resourceType\": \"Invoice\"} trailing", "line 1")]
    public void Invalid_JSON_is_malformed_with_its_position(string json, string expected)
    {
        var finding = OnlyFinding(FhirReader.Read(json));

        (finding.Path, finding.Code).ShouldBe(("$", "malformed"));
        finding.Message.ShouldContain(expected);
    }

    [Theory]
    [InlineData("""{"status":"issued"}""", "resourceType", "required")]
    [InlineData("""{"resourceType":42}""", "resourceType", "malformed")]
    [InlineData("""[{"resourceType":"Invoice"}]""", "$", "malformed")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":7}""", "Invoice.status", "malformed")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"paid"}""", "Invoice.status", "invalid-value")]
    [InlineData("""{"resourceType":"Invoice","id":"i"}""", "Invoice.status", "required")]
    [InlineData("""{"resourceType":"Invoice","status":"issued"}""", "Invoice.identifier", "required")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","identifier":{"value":"x"}}""", "Invoice.identifier", "malformed")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","date":"25.01.2017"}""", "Invoice.date", "invalid-date")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","date":"2017-02-30"}""", "Invoice.date", "invalid-date")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","totalGross":{"value":"48"}}""", "Invoice.totalGross.value", "invalid-number")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","totalGross":{"value":1e400}}""", "Invoice.totalGross.value", "invalid-number")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","issuer":"Org/1"}""", "Invoice.issuer", "malformed")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","lineItem":[{"chargeItemCodeableConcept":{"coding":[{"code":"A"}]},"priceComponent":[{"type":"base","amount":{"value":1}},{"type":"tax","amount":{"value":"x"}}]}]}""", "Invoice.lineItem[0].priceComponent[1].amount.value", "invalid-number")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","lineItem":[{"priceComponent":[]}]}""", "Invoice.lineItem[0].chargeItem[x]", "required")]
    [InlineData("""{"resourceType":"Invoice","id":"i","status":"issued","lineItem":[{"chargeItemReference":{"reference":"ChargeItem/1"},"priceComponent":[{"amount":{"value":1}}]}]}""", "Invoice.lineItem[0].priceComponent[0].type", "required")]
    [InlineData("""{"resourceType":"SupplyRequest","id":"s","status":"active","itemCodeableConcept":{"coding":[{"code":"A"}]}}""", "SupplyRequest.quantity", "required")]
    [InlineData("""{"resourceType":"SupplyRequest","id":"s","status":"active","quantity":{"value":1}}""", "SupplyRequest.item[x]", "required")]
    [InlineData("""{"resourceType":"SupplyRequest","id":"s","status":"active","quantity":{"value":1},"itemCodeableConcept":{"coding":[{"code":"A"}]},"authoredOn":"2016-12-31T10:00"}""", "SupplyRequest.authoredOn", "invalid-date")]
    [InlineData("""{"resourceType":"Encounter","id":"e","status":"finished"}""", "Encounter.class", "required")]
    [InlineData("""{"resourceType":"Encounter","id":"e","status":"done","class":{"code":"IMP"}}""", "Encounter.status", "invalid-value")]
    [InlineData("""{"resourceType":"Encounter","id":"e","status":"finished","class":{"code":"IMP"},"period":{"start":"2024-13-01"}}""", "Encounter.period.start", "invalid-date")]
    [InlineData("""{"resourceType":"Procedure","id":"p","status":"completed"}""", "Procedure.subject", "required")]
    [InlineData("""{"resourceType":"Procedure","id":"p","status":"completed","subject":{"reference":"Patient/1"},"usedCode":[{"text":"gauze"}]}""", "Procedure.usedCode[0].coding", "required")]
    [InlineData("""{"resourceType":"Procedure","id":"p","status":"completed","subject":{"reference":"Patient/1"},"focalDevice":[{}]}""", "Procedure.focalDevice[0].manipulated", "required")]
    [InlineData("""{"resourceType":"Claim","id":"c","status":"active","type":{"coding":[{"code":"oral"}]},"patient":{"reference":"Patient/1"},"provider":{"reference":"Organization/1"}}""", "Claim.item", "required")]
    [InlineData("""{"resourceType":"Claim","id":"c","status":"active","type":{"coding":[{"code":"oral"}]},"patient":{"reference":"Patient/1"},"provider":{"reference":"Organization/1"},"item":[{"sequence":"1","productOrService":{"coding":[{"code":"X"}]}}]}""", "Claim.item[0].sequence", "invalid-number")]
    [InlineData("""{"resourceType":"Claim","id":"c","status":"active","type":{"text":"oral"},"patient":{"reference":"Patient/1"},"provider":{"reference":"Organization/1"},"item":[{"sequence":1,"productOrService":{"coding":[{"code":"X"}]}}]}""", "Claim.type.coding", "required")]
    [InlineData("""{"resourceType":"ClaimResponse","id":"r","status":"active","outcome":"complete"}""", "ClaimResponse.request", "required")]
    [InlineData("""{"resourceType":"ClaimResponse","id":"r","status":"active","outcome":"paid","request":{"reference":"Claim/1"}}""", "ClaimResponse.outcome", "invalid-value")]
    [InlineData("""{"resourceType":"ExplanationOfBenefit","id":"r","status":"active","outcome":"complete"}""", "ExplanationOfBenefit.claim", "required")]
    [InlineData("""{"resourceType":"PaymentReconciliation","id":"p","status":"active","paymentAmount":{"value":1}}""", "PaymentReconciliation.paymentDate", "required")]
    [InlineData("""{"resourceType":"PaymentReconciliation","id":"p","status":"active","paymentDate":"2014-08-01","paymentAmount":{"currency":"USD"}}""", "PaymentReconciliation.paymentAmount.value", "required")]
    [InlineData("""{"resourceType":"Device","id":"d","expirationDate":true}""", "Device.expirationDate", "invalid-date")]
    [InlineData("""{"resourceType":"Patient","name":[{"given":["Peter"]}]}""", "Patient.id", "required")]
    public void Wrong_types_values_and_missing_elements_are_findings_with_a_path(string json, string path, string code)
    {
        var finding = OnlyFinding(FhirReader.Read(json));

        (finding.Path, finding.Code).ShouldBe((path, code));
        finding.Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void A_body_over_the_size_limit_is_rejected_before_parsing()
    {
        var padding = new string(' ', 5 * 1024 * 1024);
        var json = "{\"resourceType\":\"Device\",\"id\":\"d\"" + padding + "}";

        var finding = OnlyFinding(FhirReader.Read(json));
        (finding.Path, finding.Code).ShouldBe(("$", "too-large"));

        OnlyFinding(FhirReader.ReadUtf8(Encoding.UTF8.GetBytes(json))).Code.ShouldBe("too-large");
        FhirReader.Read(json, new FhirLimits(MaxBytes: 6 * 1024 * 1024)).Success.ShouldBeTrue();

        // Multi-byte characters count in UTF-8 bytes, not characters.
        var wide = "{\"resourceType\":\"Device\",\"id\":\"d\",\"note\":\"" + new string('é', 600) + "\"}";
        OnlyFinding(FhirReader.Read(wide, new FhirLimits(MaxBytes: 1000))).Code.ShouldBe("too-large");
    }

    [Fact]
    public void Deep_nesting_is_rejected_without_a_stack_overflow()
    {
        var deep = "{\"resourceType\":\"Device\",\"id\":\"d\",\"x\":" + string.Concat(Enumerable.Repeat("[", 100_000)) + string.Concat(Enumerable.Repeat("]", 100_000)) + "}";

        var finding = OnlyFinding(FhirReader.Read(deep));
        (finding.Path, finding.Code).ShouldBe(("$", "too-deep"));
        finding.Message.ShouldContain("64");

        var nested = "{\"resourceType\":\"Device\",\"id\":\"d\",\"x\":" + string.Concat(Enumerable.Repeat("{\"a\":", 10)) + "1" + new string('}', 10) + "}";
        FhirReader.Read(nested).Success.ShouldBeTrue();
        OnlyFinding(FhirReader.Read(nested, new FhirLimits(MaxDepth: 8))).Code.ShouldBe("too-deep");
    }

    [Fact]
    public void Text_decoded_from_the_wrong_encoding_is_reported()
    {
        var latin1 = Encoding.Latin1.GetBytes("{\"resourceType\":\"Device\",\"id\":\"d\",\"manufacturer\":\"Müller\"}");

        var asText = FhirReader.Read(Encoding.UTF8.GetString(latin1));
        var finding = OnlyFinding(asText);
        (finding.Path, finding.Code).ShouldBe(("$", "malformed"));
        finding.Message.ShouldContain("U+FFFD");

        var asBytes = OnlyFinding(FhirReader.ReadUtf8(latin1));
        asBytes.Message.ShouldContain("not valid UTF-8 (byte 52)");

        var utf16 = Encoding.Unicode.GetBytes("{\"resourceType\":\"Device\",\"id\":\"d\"}");
        OnlyFinding(FhirReader.Read(Encoding.UTF8.GetString(utf16))).Code.ShouldBe("malformed");

        var withBom = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("{\"resourceType\":\"Device\",\"id\":\"d\"}")).ToArray();
        FhirReader.ReadUtf8(withBom).Success.ShouldBeTrue();
        FhirReader.Read("\uFEFF{\"resourceType\":\"Device\",\"id\":\"d\"}").Success.ShouldBeTrue();
    }

    [Fact]
    public void Null_and_lone_surrogates_do_not_throw()
    {
        FhirReader.Read(null!).Read.Findings.ShouldHaveSingleItem().Code.ShouldBe("malformed");
        FhirReader.Read("{\"resourceType\":\"Device\",\"id\":\"\uD800\"}").Read.Findings.ShouldNotBeEmpty();
        FhirReader.Read("{}", new FhirLimits(MaxBytes: -1, MaxBundleEntries: -1, MaxDepth: -5)).Read.Findings.ShouldNotBeEmpty();
    }

    [Fact]
    public void Thousands_of_mutated_samples_never_make_the_reader_throw()
    {
        var random = new Random(20240305);
        var samples = Samples.FhirFileNames().Select(Samples.Fhir).ToList();
        var count = 0;
        foreach (var sample in samples)
        {
            for (var i = 0; i < 250; i++)
            {
                Exercise(Mutate(sample, random));
                count++;
            }
        }

        count.ShouldBeGreaterThan(4000);
    }

    [Fact]
    public void Every_truncation_of_a_sample_never_throws()
    {
        foreach (var name in new[] { "invoice-example.json", "claimresponse-example.json", "bundle-transaction.json" })
        {
            var json = Samples.Fhir(name);
            for (var length = 0; length < json.Length; length += 7)
            {
                Exercise(json[..length]);
            }
        }
    }

    private static void Exercise(string text)
    {
        var read = FhirReader.Read(text);
        read.Read.Findings.ShouldNotContain(f => f.Code == FhirFindingCodes.InternalError, text.Length > 300 ? text[..300] : text);
        if (read.Success)
        {
            read.Read.Facts.ShouldAllBe(f => f.BusinessKey.Length > 0);
            CanonicalJson.Serialize(read.Read.Facts);
        }

        if (read.ResourceType == "Bundle" && read.Entries.Count > 0)
        {
            FhirResponses.BundleResponse(read, i => $"X/{i}");
        }

        FhirResourceNode.TryParse(text, out _);
        FhirReader.ReadUtf8(Encoding.UTF8.GetBytes(text));
    }

    /// <summary>Character flips, truncations, element deletions and JSON type swaps.</summary>
    private static string Mutate(string json, Random random)
    {
        switch (random.Next(4))
        {
            case 0:
                var chars = json.ToCharArray();
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    const string Noise = "{}[]\":,0-9ae\\ \u00e9\uFFFD\uD800";
                    chars[random.Next(chars.Length)] = Noise[random.Next(Noise.Length)];
                }

                return new string(chars);
            case 1:
                return json[..random.Next(json.Length)];
            default:
                var root = JsonNode.Parse(json)!;
                var containers = new List<JsonNode>();
                Collect(root, containers);
                for (var n = random.Next(1, 4); n > 0; n--)
                {
                    var target = containers[random.Next(containers.Count)];
                    if (target is JsonObject obj && obj.Count > 0)
                    {
                        var key = obj.ElementAt(random.Next(obj.Count)).Key;
                        if (random.Next(2) == 0)
                        {
                            obj.Remove(key);
                        }
                        else
                        {
                            obj[key] = Swap(random);
                        }
                    }
                    else if (target is JsonArray array && array.Count > 0)
                    {
                        array[random.Next(array.Count)] = Swap(random);
                    }
                }

                return root.ToJsonString();
        }
    }

    private static JsonNode? Swap(Random random) => random.Next(8) switch
    {
        0 => null,
        1 => JsonValue.Create("text"),
        2 => JsonValue.Create(-1.5e300),
        3 => JsonValue.Create(true),
        4 => new JsonArray(1, "a", new JsonObject()),
        5 => new JsonObject { ["value"] = "x", ["reference"] = 3 },
        6 => JsonValue.Create(""),
        _ => JsonValue.Create("2024-02-30T25:00:00Z"),
    };

    private static void Collect(JsonNode? node, List<JsonNode> containers)
    {
        switch (node)
        {
            case JsonObject obj:
                containers.Add(obj);
                foreach (var (_, child) in obj)
                {
                    Collect(child, containers);
                }

                break;
            case JsonArray array:
                containers.Add(array);
                foreach (var child in array)
                {
                    Collect(child, containers);
                }

                break;
        }
    }
}
