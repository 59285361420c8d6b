using System.Diagnostics;

namespace HealthSync.Engine.Tests.Support;

/// <summary>
/// The real product (HealthSync.Portal.dll) in a process of its own, configured through environment variables the way
/// an operator would, so a test can run several nodes on one database and SIGKILL any of them.
/// </summary>
public static class ProductProcess
{
    public static Process Start(TestDatabase db, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthSync.Portal.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Database__Provider"] = db.Provider;
        psi.Environment["Database__ConnectionString"] = db.ConnectionString;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) psi.Environment[key] = value;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>Runs a command (e.g. <c>setup</c>) to its end and returns the exit code.</summary>
    public static async Task<int> RunToEndAsync(TestDatabase db, string command)
    {
        using var p = Start(db, new Dictionary<string, string>(), command);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return p.ExitCode;
    }

    public static async Task ReadyAsync(int httpPort)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(2) };
        await Eventually.TrueAsync(async () =>
        {
            try { return (await http.GetAsync("health/ready")).IsSuccessStatusCode; }
            catch (HttpRequestException) { return false; }
            catch (TaskCanceledException) { return false; }
        }, TimeSpan.FromSeconds(90), $"the node on port {httpPort} to be ready");
    }

    public static async Task StopAsync(Process p)
    {
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        p.Dispose();
    }
}
