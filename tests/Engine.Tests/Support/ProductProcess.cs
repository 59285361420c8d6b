using System.Diagnostics;

namespace HealthSync.Engine.Tests.Support;

/// <summary>
/// The real product (HealthSync.Portal.dll, beside the caller's own assembly) in a process of its own, configured through
/// environment variables the way an operator would, so tests and benchmarks can run several nodes on one database and
/// SIGKILL any of them. Also compiled into the benchmarks.
/// </summary>
public static class ProductProcess
{
    public static Process Start(string provider, string connectionString, IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "HealthSync.Portal.dll"));
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["Database__Provider"] = provider;
        psi.Environment["Database__ConnectionString"] = connectionString;
        psi.Environment["Logging__LogLevel__Default"] = "Warning";
        foreach (var (key, value) in settings) psi.Environment[key] = value;
        var p = Process.Start(psi)!;
        p.OutputDataReceived += (_, _) => { };
        p.ErrorDataReceived += (_, _) => { };
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();
        return p;
    }

    /// <summary>
    /// A worker node on <paramref name="httpPort"/> (probes only): processing and delivery to the simulated estate served by
    /// the portal node on <paramref name="portalPort"/>, jobs paused, no MLLP (the portal listens), big batches, fast lease
    /// renewal.
    /// </summary>
    public static Dictionary<string, string> WorkerSettings(int portalPort, int httpPort, string estateKey)
    {
        var estate = $"http://127.0.0.1:{portalPort}/estate/";
        return new Dictionary<string, string>
        {
            ["Engine__Role"] = "worker",
            ["Urls"] = $"http://127.0.0.1:{httpPort}",
            ["Engine__Mllp__Enabled"] = "false",
            ["Engine__Jobs__StartPaused"] = "true",
            ["Engine__Scale__RenewSeconds"] = "1",
            ["Engine__BatchSize"] = "1000",
            ["Engine__Delivery__BatchSize"] = "1000",
            ["Estate__Enabled"] = "true",
            ["Estate__Key"] = estateKey,
            ["Engine__Targets__erp__BaseUrl"] = estate + "erp/",
            ["Engine__Targets__billing__BaseUrl"] = estate + "billing/",
            ["Engine__Targets__warehouse__BaseUrl"] = estate + "warehouse/",
            ["Engine__Targets__supplier__BaseUrl"] = estate + "supplier/",
        };
    }

    /// <summary>Runs a command (e.g. <c>setup</c>) to its end and returns the exit code.</summary>
    public static async Task<int> RunToEndAsync(string provider, string connectionString, string command)
    {
        using var p = Start(provider, connectionString, new Dictionary<string, string>(), command);
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return p.ExitCode;
    }

    /// <summary>Waits until the node answers its readiness probe.</summary>
    public static async Task ReadyAsync(int httpPort, TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{httpPort}/"), Timeout = TimeSpan.FromSeconds(2) };
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < (timeout ?? TimeSpan.FromSeconds(90)))
        {
            try
            {
                if ((await http.GetAsync("health/ready")).IsSuccessStatusCode) return;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
            }
            await Task.Delay(100);
        }
        throw new TimeoutException($"The node on port {httpPort} did not become ready.");
    }

    /// <summary>SIGKILL (a no-op for a process that already ended) and wait for the end.</summary>
    public static async Task StopAsync(Process p)
    {
        if (!p.HasExited) p.Kill(entireProcessTree: true);
        await p.WaitForExitAsync();
        p.Dispose();
    }
}
