using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Jobs;

public sealed class JobHost : TestHost
{
    public JobHost()
    {
        // Acknowledgements are due almost at once, so the aging check has something to find within a test.
        Settings["Engine:Reconciliation:AckSlaHours"] = "0.0003";
        Settings["Engine:Reconciliation:ClaimSlaDays"] = "0";
    }
}

/// <summary>The scheduler as an admin drives it, and reconciliations that are idempotent and raise exceptions in the queues.</summary>
public class JobTests(JobHost host) : IClassFixture<JobHost>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static Task<JsonElement> RunAsync(HttpClient admin, string job) => JobRuns.RunAsync(admin, job);

    private async Task PostX12Async(string text)
    {
        using var client = host.Client(TestHost.IntegrationKey);
        var content = new StringContent(text, Encoding.UTF8);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        (await client.PostAsync("edi/x12", content)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static string Po(string number, decimal price, int control) => PurchaseOrder850Writer.Write(
        new PurchaseOrder(number, DateOnly.FromDateTime(DateTime.UtcNow), "00", new Party("NGH", "North General", "92"), new Party("MEDLINE", "Medline", "92"),
            new Party("NGH", "North General", "92"), "USD", [new ItemLine("1", "SKU-41005", "V-41005", null, "Drape pack", 20, "EA", price)]),
        new X12Envelope("ZZ", "ERPPROD", "ZZ", "HEALTHSYNC", control, control, DateTimeOffset.UtcNow, "004010"));

    [Fact]
    public async Task An_admin_pauses_resumes_reschedules_and_runs_a_job_and_each_change_is_audited()
    {
        using var admin = host.Client(TestHost.AdminKey);
        using var analyst = host.Client(TestHost.AnalystKey);
        (await analyst.PostAsync("api/v1/jobs/charge-capture/pause", null)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await admin.PostAsync("api/v1/jobs/charge-capture/resume", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsync("api/v1/jobs/charge-capture/pause", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        var jobs = await Json(await admin.GetAsync("api/v1/jobs"));
        jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "charge-capture").GetProperty("paused").GetBoolean().ShouldBeTrue();
        (await admin.PostAsync("api/v1/jobs/charge-capture/resume", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync("api/v1/jobs/charge-capture/schedule", new { cron = "every minute" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync("api/v1/jobs/charge-capture/schedule", new { cron = "0 0/30 * * * ?", timeZone = "UTC" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        jobs = await Json(await admin.GetAsync("api/v1/jobs"));
        var job = jobs.EnumerateArray().Single(j => j.GetProperty("name").GetString() == "charge-capture");
        job.GetProperty("cron").GetString().ShouldBe("0 0/30 * * * ?");
        job.GetProperty("paused").GetBoolean().ShouldBeFalse();

        var run = await RunAsync(admin, "charge-capture");
        run.GetProperty("status").GetString().ShouldBe("Succeeded");
        run.GetProperty("triggeredBy").GetString().ShouldBe("manual: admin");

        await using var db = host.NewDb();
        // Other tests of this class may run the same job; the sequence of this test's own changes is what is checked.
        var actions = await db.AuditEntries.Where(a => a.TargetType == "job" && a.TargetId == "charge-capture").OrderBy(a => a.Id).Select(a => a.Action).ToListAsync();
        var from = actions.IndexOf("job.pause");
        actions.Skip(from).Where(a => a != "job.trigger").ShouldBe(["job.pause", "job.resume", "job.reschedule"]);
        (await admin.PostAsync("api/v1/jobs/charge-capture/pause", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        actions.Skip(from).ShouldContain("job.trigger");
    }

    [Fact]
    public async Task Three_way_match_flags_an_invoice_over_contract_price_once_however_often_it_runs()
    {
        var po = $"POJ{Random.Shared.Next(100000, 999999)}";
        await PostX12Async(Po(po, 24.75m, Random.Shared.Next(100_000, 999_999)));
        using var fhir = host.Client(TestHost.IntegrationKey);
        var receipt = Demo.DemoFhir.Receipts(new PurchaseOrder(po, null, null, null, new Party("MEDLINE", "Medline"), new Party("NGH", "North General"), "USD",
            [new ItemLine("1", "SKU-41005", "V-41005", null, "Drape pack", 20, "EA", 24.75m)]), DateTime.UtcNow);
        (await fhir.PostAsync("fhir", new StringContent(receipt, Encoding.UTF8, "application/fhir+json"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        var invoice = Demo.DemoX12.Invoice810(new PurchaseOrder(po, null, null, null, new Party("MEDLINE", "Medline"), new Party("NGH", "North General"), "USD",
            [new ItemLine("1", "SKU-41005", "V-41005", null, "Drape pack", 20, "EA", 24.75m)]), "MEDLINE", Random.Shared.Next(100_000_000, 999_999_999), DateTime.UtcNow, 1.08m, badQuantity: false);
        await PostX12Async(invoice);
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);

        var first = await RunAsync(admin, "three-way-match");
        first.GetProperty("status").GetString().ShouldBe("Succeeded");
        first.GetProperty("exceptionsRaised").GetInt32().ShouldBeGreaterThan(0);
        await using (var db = host.NewDb())
        {
            var verdict = await db.ReconciliationResults.SingleAsync(r => r.Reconciliation == "three-way-match" && r.SubjectKey.Contains("|SKU-41005") && r.Detail!.Contains("26.73"));
            verdict.Outcome.ShouldBe("PriceVariance");
            var exception = await db.Exceptions.SingleAsync(e => e.Id == verdict.ExceptionId);
            exception.ErrorCode.ShouldBe("match-price-variance");
            exception.Workflow.ShouldBe("procure-to-pay");
            exception.Team.ShouldBe("supply-chain");
        }

        var second = await RunAsync(admin, "three-way-match");
        second.GetProperty("exceptionsRaised").GetInt32().ShouldBe(0, "a second run changes nothing");
        await using var check = host.NewDb();
        (await check.Exceptions.CountAsync(e => e.ErrorCode == "match-price-variance" && e.ErrorDetail.Contains(po))).ShouldBe(1);
    }

    [Fact]
    public async Task An_order_without_its_855_past_the_SLA_raises_an_exception_that_the_late_acknowledgement_closes()
    {
        var po = $"POA{Random.Shared.Next(100000, 999999)}";
        await PostX12Async(Po(po, 45m, Random.Shared.Next(100_000, 999_999)));
        await host.DrainedAsync();
        await Task.Delay(1500);
        using var admin = host.Client(TestHost.AdminKey);

        (await RunAsync(admin, "edi-ack-aging")).GetProperty("exceptionsRaised").GetInt32().ShouldBeGreaterThan(0);
        Guid id;
        await using (var db = host.NewDb())
            id = (await db.Exceptions.SingleAsync(e => e.ErrorCode == "missing-855" && e.ErrorDetail.Contains(po))).Id;

        var ack = Demo.DemoX12.Ack855(new PurchaseOrder(po, DateOnly.FromDateTime(DateTime.UtcNow), "00", null, new Party("MEDLINE", "Medline"), null, "USD",
            [new ItemLine("1", "SKU-41005", "V-41005", null, "Drape pack", 20, "EA", 45m)]), "MEDLINE", Random.Shared.Next(100_000_000, 999_999_999), DateTime.UtcNow);
        await PostX12Async(ack);
        await host.DrainedAsync();
        await RunAsync(admin, "edi-ack-aging");
        await using var after = host.NewDb();
        var closed = await after.Exceptions.SingleAsync(e => e.Id == id);
        closed.Status.ShouldBe(ExceptionStatus.Resolved);
        closed.ResolvedBy.ShouldBe("reconciliation");
    }

    [Fact]
    public async Task A_claim_without_its_835_past_the_payer_window_raises_one_exception()
    {
        await PostX12Async(Encoding.UTF8.GetString(SampleFiles.Bytes("x12/837P_oopfactory_5010_Example1_HealthInsurance.txt")));
        await host.DrainedAsync();
        await Task.Delay(1000);
        using var admin = host.Client(TestHost.AdminKey);
        await RunAsync(admin, "edi-ack-aging");
        await RunAsync(admin, "edi-ack-aging");
        await using var db = host.NewDb();
        var claim = await db.BusinessDocuments.Where(d => d.Kind == FactKinds.Claim).Select(d => d.BusinessKey).FirstAsync();
        (await db.Exceptions.CountAsync(e => e.ErrorCode == "missing-835" && e.ErrorDetail.Contains(claim))).ShouldBe(1);
    }

    [Fact]
    public async Task Charge_capture_counts_a_posted_charge_as_captured()
    {
        var usage = Usage.Stent("SCH", "CATH");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, Demo.DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        var run = await RunAsync(admin, "charge-capture");
        run.GetProperty("matched").GetInt32().ShouldBeGreaterThan(0);
        await using var db = host.NewDb();
        var usageId = await db.UsageEvents.Where(u => u.SourceEventId == usage.TransactionId).Select(u => u.Id).SingleAsync();
        (await db.ReconciliationResults.SingleAsync(r => r.Reconciliation == "charge-capture" && r.SubjectKey == usageId.ToString())).Outcome.ShouldBe("Captured");
    }

    [Fact]
    public async Task Inventory_drift_compares_both_systems_and_raises_each_variance_once()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var first = await RunAsync(admin, "inventory-drift");
        first.GetProperty("status").GetString().ShouldBe("Succeeded");
        first.GetProperty("examined").GetInt32().ShouldBeGreaterThan(0);
        var raised = first.GetProperty("exceptionsRaised").GetInt32();
        await using var db = host.NewDb();
        var variances = await db.ReconciliationResults.CountAsync(r => r.Reconciliation == "inventory-drift" && !r.Matched);
        variances.ShouldBeGreaterThan(0);
        (await RunAsync(admin, "inventory-drift")).GetProperty("exceptionsRaised").GetInt32().ShouldBe(0);
        (await db.Exceptions.CountAsync(e => e.ErrorCode.StartsWith("inventory-"))).ShouldBe(variances);
        raised.ShouldBeLessThanOrEqualTo(variances);
    }
}
