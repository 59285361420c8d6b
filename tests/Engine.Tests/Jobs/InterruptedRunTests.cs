using System.Text.Json;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Jobs;

public sealed class HeartbeatHost : TestHost
{
    public const double HeartbeatSeconds = 5;

    public HeartbeatHost() => Settings["Engine:Jobs:HeartbeatSeconds"] = HeartbeatSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>Runs whose process stopped before they finished: told apart from live ones by their heartbeat, and closed as interrupted.</summary>
public class InterruptedRunTests(HeartbeatHost host) : IClassFixture<HeartbeatHost>
{
    private static JobRun Running(string job, DateTime started, DateTime? heartbeat) => new()
    {
        Id = Guid.CreateVersion7(), JobName = job, TriggeredBy = "schedule", StartedAt = started, HeartbeatAt = heartbeat, Status = JobRunStatus.Running, Progress = 40, Examined = 120,
    };

    [Fact]
    public async Task The_next_job_marks_runs_without_a_sign_of_life_interrupted_and_leaves_live_ones_running()
    {
        var now = DateTime.UtcNow;
        var crashed = Running("inventory-drift", now.AddMinutes(-20), now.AddMinutes(-10));
        var beforeHeartbeats = Running("daily-cash", now.AddMinutes(-30), null);
        // Another node's run: its last beat is one interval old, well within the four it may miss.
        var live = Running("three-way-match", now.AddMinutes(-20), now.AddSeconds(-HeartbeatHost.HeartbeatSeconds));
        await using (var db = host.NewDb())
        {
            db.JobRuns.AddRange(crashed, beforeHeartbeats, live);
            await db.SaveChangesAsync();
        }

        using var page = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        var before = await page.GetDocumentAsync("/jobs");
        before.QuerySelector("tr[data-job='inventory-drift'] [data-testid=silent]")!.TextContent.ShouldBe("not responding");
        before.QuerySelector("tr[data-job='three-way-match'] [data-testid=silent]").ShouldBeNull();

        using var admin = host.Client(TestHost.AdminKey);
        var run = await JobRuns.RunAsync(admin, "charge-capture");
        run.GetProperty("status").GetString().ShouldBe("Succeeded");
        run.GetProperty("heartbeatAt").GetDateTime().ShouldBe(run.GetProperty("finishedAt").GetDateTime());

        await using (var db = host.NewDb())
        {
            var rows = await db.JobRuns.AsNoTracking().Where(r => r.Id == crashed.Id || r.Id == beforeHeartbeats.Id || r.Id == live.Id).ToDictionaryAsync(r => r.Id);
            rows[crashed.Id].Status.ShouldBe(JobRunStatus.Interrupted);
            rows[crashed.Id].FinishedAt!.Value.ShouldBe(crashed.HeartbeatAt!.Value, TimeSpan.FromMilliseconds(1), "finished at its last sign of life");
            rows[crashed.Id].Message!.ShouldStartWith("Interrupted: the process running it stopped");
            (rows[crashed.Id].Progress, rows[crashed.Id].Examined).ShouldBe((40, 120), "how far it got is kept");
            rows[beforeHeartbeats.Id].Status.ShouldBe(JobRunStatus.Interrupted);
            rows[beforeHeartbeats.Id].FinishedAt!.Value.ShouldBe(beforeHeartbeats.StartedAt, TimeSpan.FromMilliseconds(1));
            rows[live.Id].Status.ShouldBe(JobRunStatus.Running);
        }

        var jobs = JsonDocument.Parse(await admin.GetStringAsync("api/v1/jobs")).RootElement;
        JsonElement Job(string name) => jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == name);
        Job("inventory-drift").GetProperty("lastRun").GetProperty("status").GetString().ShouldBe("Interrupted");
        Job("inventory-drift").GetProperty("running").ValueKind.ShouldBe(JsonValueKind.Null);
        Job("three-way-match").GetProperty("running").GetProperty("id").GetGuid().ShouldBe(live.Id);
        (await admin.GetStringAsync("api/v1/jobs/runs?status=Interrupted")).ShouldContain(crashed.Id.ToString());

        var jobsPage = await page.GetDocumentAsync("/jobs");
        jobsPage.QuerySelector("tr[data-job='inventory-drift'] [data-testid=last-status]")!.TextContent.ShouldBe("Interrupted");
        jobsPage.QuerySelector("tr[data-job='three-way-match']")!.TextContent.ShouldContain("alive at");

        await using (var db = host.NewDb()) await db.JobRuns.Where(r => r.Id == live.Id).ExecuteDeleteAsync();
    }

    [Fact]
    public async Task A_running_job_beats_until_it_ends()
    {
        var run = Running("edi-ack-aging", DateTime.UtcNow, DateTime.UtcNow.AddMinutes(-1));
        await using (var db = host.NewDb())
        {
            db.JobRuns.Add(run);
            await db.SaveChangesAsync();
        }
        async Task<DateTime?> HeartbeatAsync()
        {
            await using var db = host.NewDb();
            return await db.JobRuns.Where(r => r.Id == run.Id).Select(r => r.HeartbeatAt).SingleAsync();
        }

        var heartbeat = RunHeartbeat.Start(host.Services.GetRequiredService<IServiceScopeFactory>(), TimeProvider.System, run.Id, TimeSpan.FromMilliseconds(100));
        await Eventually.TrueAsync(async () => await HeartbeatAsync() > run.StartedAt, TimeSpan.FromSeconds(10), "a heartbeat after the start");
        var first = await HeartbeatAsync();
        await Eventually.TrueAsync(async () => await HeartbeatAsync() > first, TimeSpan.FromSeconds(10), "a later heartbeat");
        await heartbeat.DisposeAsync();

        var last = await HeartbeatAsync();
        await Task.Delay(400);
        (await HeartbeatAsync()).ShouldBe(last, "no beat after the run ended");
        await using (var db = host.NewDb()) await db.JobRuns.Where(r => r.Id == run.Id).ExecuteDeleteAsync();
    }
}
