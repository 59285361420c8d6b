using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

public class X12SampleTests
{
    public static TheoryData<string> Files() => [.. Samples.X12FileNames()];

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_sample_file_reads_to_its_approved_canonical_json(string fileName)
    {
        var result = X12Reader.Read(Samples.X12Bytes(fileName));

        Approvals.Verify("x12-" + fileName, X12TestJson.Of(result));
    }
}
