namespace HealthSync.Engine.Tests.Support;

/// <summary>The third-party sample files kept byte-exact under tests/samples.</summary>
public static class SampleFiles
{
    private static readonly Lazy<string> RootPath = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HealthSync.Portal.sln"))) dir = dir.Parent;
        return dir is null
            ? throw new DirectoryNotFoundException("HealthSync.Portal.sln not found above " + AppContext.BaseDirectory)
            : Path.Combine(dir.FullName, "tests", "samples");
    });

    public static byte[] Bytes(string relativePath) => File.ReadAllBytes(Path.Combine(RootPath.Value, relativePath));

    public static IEnumerable<string> Files(string folder) =>
        Directory.EnumerateFiles(Path.Combine(RootPath.Value, folder)).Where(f => !Path.GetFileName(f).StartsWith("LICENSE", StringComparison.Ordinal)
            && !Path.GetFileName(f).StartsWith("README", StringComparison.Ordinal)).Order(StringComparer.Ordinal);
}
