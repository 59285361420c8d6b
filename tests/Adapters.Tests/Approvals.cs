using System.Runtime.CompilerServices;

namespace HealthSync.Adapters.Tests;

/// <summary>
/// Approval (snapshot) tests: the canonical JSON an adapter produces is compared with a reviewed file under
/// <c>tests/Adapters.Tests/Approved/</c>. On a difference the actual output is written beside it as
/// <c>*.received.json</c> so a reviewer can diff it and, if right, rename it over the approved file.
/// Set <c>HEALTHSYNC_APPROVE=1</c> to accept every received output in one run.
/// </summary>
internal static class Approvals
{
    public static void Verify(string name, string actual, [CallerFilePath] string callerPath = "")
    {
        var dir = Path.Combine(Path.GetDirectoryName(callerPath)!, "Approved");
        Directory.CreateDirectory(dir);
        var approved = Path.Combine(dir, name + ".approved.json");
        var received = Path.Combine(dir, name + ".received.json");
        actual = actual.ReplaceLineEndings("\n").TrimEnd() + "\n";
        if (Environment.GetEnvironmentVariable("HEALTHSYNC_APPROVE") == "1")
        {
            File.WriteAllText(approved, actual);
        }

        if (!File.Exists(approved))
        {
            File.WriteAllText(received, actual);
            throw new ShouldAssertException($"No approved output for {name}; review {received} and rename it to {Path.GetFileName(approved)}.");
        }

        var expected = File.ReadAllText(approved).ReplaceLineEndings("\n");
        if (expected != actual)
        {
            File.WriteAllText(received, actual);
            throw new ShouldAssertException($"Output for {name} differs from the approved file; compare {received} with {approved}.");
        }

        File.Delete(received);
    }
}
