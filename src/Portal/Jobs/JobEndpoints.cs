using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Exceptions;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Mvc;
using ActionResult = HealthSync.Engine.Exceptions.ActionResult;

namespace HealthSync.Portal.Jobs;

/// <summary>The jobs page's form posts and the jobs API: list, history, run now, pause, resume, change schedule (admins).</summary>
public static class JobEndpoints
{
    public sealed record ScheduleRequest(string Cron, string? TimeZone);

    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        // Form posts from /jobs (antiforgery-checked because they bind form fields), answered with a redirect back.
        app.MapPost("/jobs/actions", async ([FromForm] string job, [FromForm] string action, [FromForm] string? cron, [FromForm] string? timeZone, [FromForm] string? reason,
                HttpContext http, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            {
                var result = await ApplyAsync(action, job, cron, timeZone, reason, http, db, jobs, ct);
                return Results.Redirect($"/jobs?msg={Uri.EscapeDataString(result.Message)}&ok={result.Ok}");
            })
            .RequireAuthorization(Policies.Admin).ExcludeFromDescription();

        var api = app.MapGroup("/api/v1/jobs").RequireAuthorization(Policies.People).WithTags("Jobs");
        api.MapGet("/", async (HealthSyncDb db, JobControl jobs, CancellationToken ct) => TypedResults.Ok(await jobs.ListAsync(db, ct)))
            .WithSummary("Every scheduled job: schedule, time zone, misfire policy, paused, next and previous run, last run with counts, running progress");
        api.MapGet("/runs", async (string? job, string? status, string? triggeredBy, int? page, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            {
                var (runs, total) = await jobs.HistoryAsync(db, job, status, triggeredBy, page ?? 1, ct);
                return TypedResults.Ok(new { total, runs });
            })
            .WithSummary("Run history, filterable by job, status and who triggered it");
        var admin = api.MapGroup("/{name}").RequireAuthorization(Policies.Admin);
        admin.MapPost("/run", async (string name, HttpContext http, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            ExceptionApi.ToHttp(await ApplyAsync("run", name, null, null, null, http, db, jobs, ct))).WithSummary("Run a job now (audited; the run records who triggered it)");
        admin.MapPost("/pause", async (string name, HttpContext http, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            ExceptionApi.ToHttp(await ApplyAsync("pause", name, null, null, null, http, db, jobs, ct))).WithSummary("Pause a job's schedule");
        admin.MapPost("/resume", async (string name, HttpContext http, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            ExceptionApi.ToHttp(await ApplyAsync("resume", name, null, null, null, http, db, jobs, ct))).WithSummary("Resume a paused job");
        admin.MapPut("/schedule", async (string name, ScheduleRequest r, HttpContext http, HealthSyncDb db, JobControl jobs, CancellationToken ct) =>
            ExceptionApi.ToHttp(await ApplyAsync("schedule", name, r.Cron, r.TimeZone, null, http, db, jobs, ct))).WithSummary("Change a job's cron schedule and time zone");
        return app;
    }

    private static async Task<ActionResult> ApplyAsync(string action, string job, string? cron, string? timeZone, string? reason, HttpContext http, HealthSyncDb db,
        JobControl jobs, CancellationToken ct)
    {
        var actor = http.User.Actor();
        var result = action switch
        {
            "run" => await jobs.TriggerAsync(db, job, actor, ct),
            "pause" => await jobs.PauseAsync(db, job, actor, reason, ct),
            "resume" => await jobs.ResumeAsync(db, job, actor, ct),
            "schedule" => await jobs.RescheduleAsync(db, job, cron ?? "", timeZone, actor, ct),
            _ => ActionResult.Refused("invalid", $"Unknown action '{action}'."),
        };
        if (result.Ok) await db.SaveChangesAsync(ct);
        return result;
    }
}
