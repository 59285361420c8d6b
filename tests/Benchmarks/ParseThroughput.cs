using System.Diagnostics;
using System.Text;
using HealthSync.Adapters.Csv;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Adapters.X12;

namespace HealthSync.Benchmarks;

/// <summary>
/// Parse throughput per format on the sample corpus (tests/samples), through the same read path the engine uses:
/// bytes in, canonical facts and findings out. Each format runs for a fixed time after a warm-up.
/// </summary>
internal static class ParseThroughput
{
    public static void Measure(Report report, TimeSpan perFormat)
    {
        var samples = Locate();
        var hl7 = Files(samples, "hl7v2", "*.hl7");
        var x12 = Files(samples, "x12", "*");
        var fhir = Files(samples, "fhir-r4", "*.json");
        var csv = new List<byte[]> { SettlementFile(10_000) };

        Run(report, "hl7v2 (MSH parse + message mapping)", hl7, b => Hl7Inbound.Read(Hl7Parser.Parse(Hl7Text.Decode(b)).Message!), perFormat);
        Run(report, "x12 (envelope, loops, mapping)", x12, b => X12Reader.Read(b), perFormat);
        Run(report, "fhir-r4 (resource or bundle mapping)", fhir, b => FhirReader.Read(Hl7Text.Decode(b)), perFormat);
        Run(report, "csv settlement (10,000-row file)", csv, b => CsvFeeds.Read(b), perFormat);
    }

    private static void Run(Report report, string name, IReadOnlyList<byte[]> corpus, Func<byte[], object?> read, TimeSpan duration)
    {
        var bytesPerPass = corpus.Sum(b => (long)b.Length);
        foreach (var b in corpus) read(b);
        long messages = 0, bytes = 0;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            foreach (var b in corpus) read(b);
            messages += corpus.Count;
            bytes += bytesPerPass;
        }
        var seconds = clock.Elapsed.TotalSeconds;
        report.Line($"parse {name}: corpus", corpus.Count, "files");
        report.Line($"parse {name}: messages/s", messages / seconds, "files/s", "0");
        report.Line($"parse {name}: MB/s", bytes / seconds / 1_000_000, "MB/s", "0.0");
    }

    private static List<byte[]> Files(string root, string folder, string pattern) =>
        Directory.EnumerateFiles(Path.Combine(root, folder), pattern)
            .Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal) && !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();

    private static byte[] SettlementFile(int rows)
    {
        var sb = new StringBuilder("settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n");
        for (var i = 0; i < rows; i++)
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"STL-{i:D8},CHG-{i:X8},NGH,{100 + i % 900}.00,{(100 + i % 900) * 0.029m:0.00},{(100 + i % 900) * 0.971m:0.00},2026-11-20T10:{i % 60:D2}:00Z,VISA\n");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HealthSync.Portal.sln"))) dir = dir.Parent;
        return dir is null ? throw new DirectoryNotFoundException("HealthSync.Portal.sln not found") : Path.Combine(dir.FullName, "tests", "samples");
    }
}
