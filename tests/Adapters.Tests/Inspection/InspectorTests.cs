using HealthSync.Adapters.Inspection;

namespace HealthSync.Adapters.Tests.Inspection;

/// <summary>Every third-party sample is accepted or rejected exactly as its format's rules say, through format detection.</summary>
public class InspectorTests
{
    /// <summary>The samples a rule rejects, and why.</summary>
    private static readonly Dictionary<string, string> Rejected = new()
    {
        ["hl7v2/fhirconverter_ADT04-251.hl7"] = "required",            // PV1-19 visit number empty
        ["hl7v2/fhirconverter_BAR-P01-01.hl7"] = "unsupported",        // BAR^P01 is not an interface message type
        ["x12/837P_oopfactory_5010_UnicodeExample.txt"] = "x12-trailer-missing", // truncated UTF-16 fragment
        ["fhir-r4/account-example.json"] = "unsupported",
        ["fhir-r4/paymentnotice-example.json"] = "unsupported",
        ["fhir-r4/bundle-transaction.json"] = "unsupported",            // DELETE/GET entries and a Parameters resource in a transaction
    };

    public static TheoryData<string> AllSamples()
    {
        var data = new TheoryData<string>();
        foreach (var f in Samples.Hl7FileNames()) data.Add("hl7v2/" + f);
        foreach (var f in Samples.X12FileNames()) data.Add("x12/" + f);
        foreach (var f in Samples.FhirFileNames()) data.Add("fhir-r4/" + f);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllSamples))]
    public void Every_sample_is_detected_and_accepted_or_rejected_as_its_rules_say(string sample)
    {
        var report = Inspector.Inspect(File.ReadAllBytes(Path.Combine(Samples.Root, sample)), Path.GetFileName(sample));

        report.Format.ShouldBe(sample.Split('/')[0]);
        if (Rejected.TryGetValue(sample, out var code))
        {
            report.Accepted.ShouldBeFalse();
            report.Messages.SelectMany(m => m.Findings).Concat(report.Findings).ShouldContain(f => f.Code == code);
        }
        else
        {
            report.Accepted.ShouldBeTrue(string.Join("; ", report.Messages.SelectMany(m => m.Findings).Select(f => $"{f.Path} {f.Code} {f.Message}")));
            report.Messages.ShouldNotBeEmpty();
        }
        report.ToJson().ShouldContain("\"format\"");
    }
}
