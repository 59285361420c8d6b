using System.Text;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

/// <summary>Mutated inputs must never make the reader or the acknowledgement builder throw.</summary>
public class X12FuzzTests
{
    private const int MutationsPerFamily = 2500;

    private static readonly X12AckOptions AckOptions = new(1, DateTimeOffset.UnixEpoch);

    /// <summary>One representative file per transaction type and delimiter quirk.</summary>
    public static TheoryData<string> Families() =>
    [
        "810_oopfactory_Example4_Adobe.txt",
        "835_pyx12_835_mult_loops.txt",
        "837P_oopfactory_5010_Example1_HealthInsurance.txt",
        "837I_oopfactory_5010_Spec_3.1.1.txt",
        "837P_oopfactory_5010_UnicodeExample.txt",
        "850_oopfactory_Example1_PGWGlass.txt",
        "855_nodex12_855.edi",
        "856_oopfactory_Example1.txt",
        "856_nodex12_856.edi",
    ];

    [Theory]
    [MemberData(nameof(Families))]
    public void Mutated_samples_never_throw(string fileName)
    {
        var original = Samples.X12Bytes(fileName);
        var random = new Random(fileName.Length * 7919 + original.Length);
        for (var i = 0; i < MutationsPerFamily; i++)
        {
            var mutated = Mutate(original, random);
            var result = X12Reader.Read(mutated, new X12Limits(MaxSegments: 5_000));
            result.Findings.Where(f => f.Code == X12FindingCodes.Internal).Select(f => f.Message).ShouldBeEmpty($"mutation {i} of {fileName}");
            Should.NotThrow(() => X12Acknowledgements.Build(result, AckOptions), $"mutation {i} of {fileName}");
            foreach (var t in result.Transactions)
            {
                t.Read.Facts.Count.ShouldBe(t.Read.Success ? t.Read.Facts.Count : 0);
            }
        }
    }

    [Fact]
    public void Degenerate_inputs_never_throw()
    {
        string[] inputs =
        [
            "ISA", "ISA*", "ISA~", "ISA*00", new string('*', 200), "ISA" + new string('*', 120),
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*U*00401*000000001*0*P*>~",
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*U*00401*000000001*0*P*>~IEA*1*000000001~",
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*U*00401*000000001*0*P*>~ST*850*1~SE*2*1~GE*1*1~IEA*1*1~",
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*U*00401*000000001*0*P*>~GS*PO~GS~GE~GE~ST~SE~IEA~ISA",
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*U*00401*000000001*0*P*>A",
            "ISA*00*          *00*          *ZZ*A              *ZZ*B              *240102*1200*^*00501*000000001*0*P*^^",
        ];
        foreach (var input in inputs)
        {
            var result = X12Reader.Read(Encoding.ASCII.GetBytes(input));
            result.Findings.ShouldNotContain(f => f.Code == X12FindingCodes.Internal, input);
            Should.NotThrow(() => X12Acknowledgements.Build(result, AckOptions));
        }
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = new List<byte>(original);
        var operations = random.Next(1, 4);
        for (var op = 0; op < operations && bytes.Count > 0; op++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(7))
            {
                case 0: // flip a byte
                    bytes[at] = (byte)random.Next(256);
                    break;
                case 1: // truncate
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 2: // swap two delimiter-like characters everywhere
                    var pair = "*~:^|>\r\n"u8.ToArray();
                    var (a, b) = (pair[random.Next(pair.Length)], pair[random.Next(pair.Length)]);
                    for (var i = 0; i < bytes.Count; i++)
                    {
                        bytes[i] = bytes[i] == a ? b : bytes[i] == b ? a : bytes[i];
                    }

                    break;
                case 3: // duplicate a slice
                    var length = Math.Min(random.Next(1, 200), bytes.Count - at);
                    bytes.InsertRange(random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 4: // delete a slice
                    bytes.RemoveRange(at, Math.Min(random.Next(1, 50), bytes.Count - at));
                    break;
                case 5: // insert a delimiter or digit
                    bytes.Insert(at, "*~:^0123456789-."u8[random.Next(16)]);
                    break;
                default: // repeat the whole file (several interchanges)
                    bytes.AddRange(original);
                    break;
            }
        }

        return [.. bytes];
    }
}
