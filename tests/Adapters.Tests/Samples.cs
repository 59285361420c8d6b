using HealthSync.Adapters.Mllp;

namespace HealthSync.Adapters.Tests;

/// <summary>Locates the third-party sample files kept byte-exact under tests/samples (see its MANIFEST.md).</summary>
internal static class Samples
{
    private static readonly Lazy<string> RootPath = new(Locate);

    public static string Root => RootPath.Value;

    public static string Hl7Directory => Path.Combine(Root, "hl7v2");

    public static string FhirDirectory => Path.Combine(Root, "fhir-r4");

    public static IEnumerable<string> Hl7FileNames() =>
        Directory.EnumerateFiles(Hl7Directory, "*.hl7").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal);

    public static byte[] Hl7Bytes(string fileName) => File.ReadAllBytes(Path.Combine(Hl7Directory, fileName));

    public static string Hl7(string fileName) => Hl7Text.Decode(Hl7Bytes(fileName));

    public static string Fhir(string fileName) => File.ReadAllText(Path.Combine(FhirDirectory, fileName));

    public static string X12Directory => Path.Combine(Root, "x12");

    public static IEnumerable<string> X12FileNames() =>
        Directory.EnumerateFiles(X12Directory).Select(f => Path.GetFileName(f)!)
            .Where(f => !f.StartsWith("LICENSE", StringComparison.Ordinal)).Order(StringComparer.Ordinal);

    public static byte[] X12Bytes(string fileName) => File.ReadAllBytes(Path.Combine(X12Directory, fileName));

    public static IEnumerable<string> FhirFileNames() =>
        Directory.EnumerateFiles(FhirDirectory, "*.json").Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal);

    private static string Locate()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HealthSync.Portal.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException($"No directory containing HealthSync.Portal.sln was found above {AppContext.BaseDirectory}.");
        }

        var samples = Path.Combine(dir.FullName, "tests", "samples");
        if (!Directory.Exists(Path.Combine(samples, "hl7v2")) || !Directory.Exists(Path.Combine(samples, "fhir-r4")))
        {
            throw new DirectoryNotFoundException($"The sample folder was not found at {samples} (expected hl7v2/ and fhir-r4/ inside it).");
        }

        return samples;
    }
}
