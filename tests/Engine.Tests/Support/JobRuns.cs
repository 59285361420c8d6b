using System.Net;
using System.Text.Json;

namespace HealthSync.Engine.Tests.Support;

/// <summary>Runs a scheduled job through the jobs API, as an admin does, and waits for that run to finish.</summary>
public static class JobRuns
{
    private static async Task<JsonElement> RunsAsync(HttpClient admin, string job) =>
        JsonDocument.Parse(await admin.GetStringAsync($"api/v1/jobs/runs?job={job}")).RootElement.GetProperty("runs").Clone();

    /// <returns>The finished run (status, counts, who triggered it) that this call started.</returns>
    public static async Task<JsonElement> RunAsync(HttpClient admin, string job)
    {
        var seen = (await RunsAsync(admin, job)).EnumerateArray().Select(r => r.GetProperty("id").GetGuid()).ToHashSet();
        (await admin.PostAsync($"api/v1/jobs/{job}/run", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        JsonElement run = default;
        await Eventually.TrueAsync(async () =>
        {
            run = (await RunsAsync(admin, job)).EnumerateArray().FirstOrDefault(r => !seen.Contains(r.GetProperty("id").GetGuid())
                && r.GetProperty("status").GetString() != "Running"
                && r.GetProperty("triggeredBy").GetString()!.StartsWith("manual", StringComparison.Ordinal));
            return run.ValueKind == JsonValueKind.Object;
        }, TimeSpan.FromSeconds(30), $"the new run of {job} to finish");
        return run;
    }
}
