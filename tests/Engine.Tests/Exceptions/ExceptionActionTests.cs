using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Exceptions;

/// <summary>Every exception action through the API on the real engine: resolve, replay (as is and edited), reassign, comment, bulk.</summary>
public class ExceptionActionTests(TestHost host) : IClassFixture<TestHost>
{
    private async Task<ExceptionRecord> ExceptionForAsync(GeneratedUsage usage, string code)
    {
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBeOneOf("AA", "AE");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var cid = await db.BusinessKeys.Where(k => k.KeyType == "source-event" && k.KeyValue == usage.TransactionId).Select(k => k.CorrelationId).FirstAsync();
        return await db.Exceptions.SingleAsync(e => e.CorrelationId == cid && e.ErrorCode == code);
    }

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<ExceptionRecord> ReloadAsync(Guid id)
    {
        await using var db = host.NewDb();
        return await db.Exceptions.SingleAsync(e => e.Id == id);
    }

    [Fact]
    public async Task A_mapping_gap_fixed_at_the_source_is_replayed_after_a_dry_run_and_closes_only_when_billing_posted()
    {
        var usage = Usage.New("ITM-SUP-VCD01", "Vascular closure device", 1, "EA", 480m, "CMC", "CATH");
        var ex = await ExceptionForAsync(usage, "unmapped-charge-code");
        ex.Team.ShouldBe("master-data");
        using var admin = host.Client(TestHost.AdminKey);

        var refused = await Json(await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { dryRun = true }));
        refused.GetProperty("plan").GetProperty("allowed").GetBoolean().ShouldBeFalse("the mapping is still missing");
        (await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { reason = "try" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        await using (var db = host.NewDb())
        {
            db.ChargeCodeMappings.Add(new ChargeCodeMapping { Sku = "SKU-41050", ChargeCode = "CDM-41050", UnitPrice = 480m, Facility = "CMC", EffectiveFrom = DateTime.UtcNow.AddDays(-30) });
            await db.SaveChangesAsync();
        }
        host.Services.GetRequiredService<Mappings.MappingCatalog>().Invalidate();

        var plan = (await Json(await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { dryRun = true }))).GetProperty("plan");
        plan.GetProperty("allowed").GetBoolean().ShouldBeTrue();
        var effects = plan.GetProperty("lines").EnumerateArray().Select(l => (l.GetProperty("target").GetString(), l.GetProperty("effect").GetString())).ToList();
        effects.ShouldContain(("billing", ReplayPlan.WillPost));
        effects.ShouldContain(("erp", ReplayPlan.WillPost));

        (await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { reason = "charge code CDM-41050 added" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => (await ReloadAsync(ex.Id)).Status == ExceptionStatus.Resolved, TimeSpan.FromSeconds(20), "the replayed exception to close");

        var closed = await ReloadAsync(ex.Id);
        closed.ReplayState.ShouldBe(ReplayStates.Succeeded);
        closed.ResolvedBy.ShouldBe("replay");
        await using var check = host.NewDb();
        (await check.EstatePostings.CountAsync(p => p.IdempotencyKey == $"CMC:{usage.TransactionId}:Consumption:billing")).ShouldBe(1);
        (await check.LineageSteps.AnyAsync(s => s.CorrelationId == ex.CorrelationId && s.Step == "replayed")).ShouldBeTrue();
        (await check.LineageSteps.AnyAsync(s => s.CorrelationId == ex.CorrelationId && s.Step == "posted" && s.System == "billing")).ShouldBeTrue();
        (await check.AuditEntries.AnyAsync(a => a.TargetId == ex.Id.ToString() && a.Action == "exception.replay" && a.Reason == "charge code CDM-41050 added")).ShouldBeTrue();

        // Replaying again cannot post again.
        (await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task An_edited_payload_becomes_a_new_version_with_a_diff_and_its_replay_closes_the_exception()
    {
        var usage = Usage.Stent("SCH", "CATH") with { Lot = null, Serial = null };
        var ex = await ExceptionForAsync(usage, "missing-lot");
        ex.Team.ShouldBe("revenue-cycle");
        using var analyst = host.Client(TestHost.AnalystKey);
        var fixedPayload = DemoMessages.Dft(usage with { Lot = "L998877", Serial = "SN1122" });

        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { payload = fixedPayload })).StatusCode.ShouldBe(HttpStatusCode.BadRequest, "a reason is required for an edit");
        var replay = await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { payload = fixedPayload, reason = "lot from the implant log" });
        replay.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => (await ReloadAsync(ex.Id)).Status == ExceptionStatus.Resolved, TimeSpan.FromSeconds(20), "the edited replay to close the exception");

        var detail = await Json(await analyst.GetAsync($"api/v1/exceptions/{ex.Id}"));
        var versions = detail.GetProperty("versions").EnumerateArray().ToList();
        versions.Count.ShouldBe(2);
        versions[1].GetProperty("reason").GetString().ShouldBe("lot from the implant log");
        versions[1].GetProperty("diffFromPrevious").EnumerateArray().ShouldContain(l => l.GetProperty("kind").GetString() == "+" && l.GetProperty("text").GetString()!.Contains("L998877"));
        detail.GetProperty("history").EnumerateArray().ShouldContain(h => h.GetProperty("action").GetString() == "exception.edit-replay");
        // A role without need for patient identifiers sees the versions too, with the encounter and account blanked.
        using var supply = host.Client(TestHost.SupplyKey);
        var masked = await (await supply.GetAsync($"api/v1/exceptions/{ex.Id}")).Content.ReadAsStringAsync();
        masked.ShouldContain("L998877");
        masked.ShouldNotContain(usage.Encounter);
        masked.ShouldNotContain(usage.Account);
        await using var db = host.NewDb();
        (await db.InboxMessages.SingleAsync(m => m.Id == ex.InboxMessageId)).PayloadVersion.ShouldBe(2);
        (await db.EstatePostings.CountAsync(p => p.IdempotencyKey == $"SCH:{usage.TransactionId}:Consumption:erp")).ShouldBe(1);
    }

    [Fact]
    public async Task A_replay_that_fails_again_keeps_the_same_exception_open_with_the_new_failure()
    {
        var usage = Usage.Stent("NGH", "OR2") with { Lot = null, Serial = null };
        var ex = await ExceptionForAsync(usage, "missing-lot");
        using var analyst = host.Client(TestHost.AnalystKey);
        // An edit that does not fix the cause: the replay runs, the same problem recurs.
        var stillBroken = DemoMessages.Dft(usage with { Description = "Coronary stent (checked)" });
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { payload = stillBroken, reason = "description corrected" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => (await ReloadAsync(ex.Id)).ReplayState == ReplayStates.Failed, TimeSpan.FromSeconds(20), "the replay to fail");

        var after = await ReloadAsync(ex.Id);
        after.Status.ShouldBe(ExceptionStatus.Open);
        after.LastReplayError!.ShouldContain("lot");
        await using var db = host.NewDb();
        (await db.Exceptions.CountAsync(e => e.CorrelationId == ex.CorrelationId)).ShouldBe(1);
    }

    [Fact]
    public async Task A_refused_delivery_is_replayed_once_the_target_is_fixed_and_a_second_replay_is_refused_as_a_double_posting()
    {
        await using (var db = host.NewDb())
            await db.EstateInventory.Where(i => i.Location == "CMC-ICU-STOCK" && i.Sku == "SKU-41003").ExecuteDeleteAsync();
        var usage = Usage.New("ITM-SUP-STAP01", "Skin stapler", 1, "EA", 95m, "CMC", "ICU");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();
        ExceptionRecord ex;
        await using (var db = host.NewDb())
        {
            ex = await db.Exceptions.SingleAsync(e => e.ErrorCode == "rejected-by-erp" && e.OutboxMessageId != null
                && db.OutboxMessages.Any(o => o.Id == e.OutboxMessageId && o.IdempotencyKey == $"CMC:{usage.TransactionId}:Consumption:erp"));
            db.EstateInventory.Add(new EstateInventory { Facility = "CMC", Location = "CMC-ICU-STOCK", Sku = "SKU-41003", OnHand = 10, ParLevel = 2 });
            await db.SaveChangesAsync();
        }
        using var admin = host.Client(TestHost.AdminKey);
        var plan = (await Json(await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { dryRun = true }))).GetProperty("plan");
        plan.GetProperty("lines")[0].GetProperty("effect").GetString().ShouldBe(ReplayPlan.WillResend);

        (await admin.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/replay", new { reason = "stock location created" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
        await host.DrainedAsync();
        await Eventually.TrueAsync(async () => (await ReloadAsync(ex.Id)).Status == ExceptionStatus.Resolved, TimeSpan.FromSeconds(20), "the delivery replay to close the exception");

        await using var check = host.NewDb();
        (await check.EstatePostings.CountAsync(p => p.System == "erp" && p.IdempotencyKey == $"CMC:{usage.TransactionId}:Consumption:erp")).ShouldBe(1);
        (await check.InventoryMovements.SingleAsync(m => m.CorrelationId == ex.CorrelationId)).Status.ShouldBe(PostingStatus.Posted);
    }

    [Fact]
    public async Task A_delivery_the_target_had_already_taken_is_replayed_without_posting_twice()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/warehouse", new { outage = true })).EnsureSuccessStatusCode();
        try
        {
            // The ERP posting fails permanently for this test by a missing stock row; the target then posts it by hand
            // (same idempotency key), and the replay must find the posting already there.
            await using (var db = host.NewDb())
                await db.EstateInventory.Where(i => i.Location == "NGH-MEDSURG-STOCK" && i.Sku == "SKU-41006").ExecuteDeleteAsync();
            var usage = Usage.New("ITM-SUP-FOLEY01", "Foley catheter", 1, "EA", 38m, "NGH", "MEDSURG");
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
            var key = $"NGH:{usage.TransactionId}:Consumption:erp";
            ExceptionRecord? ex = null;
            await Eventually.TrueAsync(async () =>
            {
                await using var db = host.NewDb();
                ex = await db.Exceptions.FirstOrDefaultAsync(e => e.ErrorCode == "rejected-by-erp" && db.OutboxMessages.Any(o => o.Id == e.OutboxMessageId && o.IdempotencyKey == key));
                return ex is not null;
            }, TimeSpan.FromSeconds(20), "the ERP refusal");
            await using (var db = host.NewDb())
            {
                db.EstatePostings.Add(new EstatePosting { System = "erp", Kind = "decrement", IdempotencyKey = key, Reference = "INV-BYHAND", Facility = "NGH", Sku = "SKU-41006", Quantity = 1, ReceivedAt = DateTime.UtcNow, RequestCount = 1 });
                await db.SaveChangesAsync();
            }
            (await admin.PostAsJsonAsync($"api/v1/exceptions/{ex!.Id}/replay", new { reason = "ERP team posted it by hand" })).StatusCode.ShouldBe(HttpStatusCode.Accepted);
            await Eventually.TrueAsync(async () => (await ReloadAsync(ex.Id)).Status == ExceptionStatus.Resolved, TimeSpan.FromSeconds(20), "the replay to close");

            await using var check = host.NewDb();
            var postings = await check.EstatePostings.Where(p => p.System == "erp" && p.IdempotencyKey == key).ToListAsync();
            postings.ShouldHaveSingleItem().Reference.ShouldBe("INV-BYHAND");
            postings[0].RequestCount.ShouldBe(2, "the replay reached the ERP, which answered with its existing posting");
        }
        finally
        {
            (await admin.PutAsJsonAsync("api/v1/estate/faults/warehouse", new { outage = false })).EnsureSuccessStatusCode();
        }
    }

    [Fact]
    public async Task Resolve_reassign_and_comment_are_checked_audited_and_limited_to_the_role_s_queues()
    {
        var ex = await ExceptionForAsync(Usage.Stent("CMC", "OR1") with { Lot = null, Serial = null }, "missing-lot");
        using var analyst = host.Client(TestHost.AnalystKey);
        using var supply = host.Client(TestHost.SupplyKey);

        (await supply.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/resolve", new { code = "not-an-error" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/resolve", new { code = "other" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/reassign", new { team = "no-such-team" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/comments", new { text = "Asked the OR for the lot sticker." })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/reassign", new { owner = "analyst", reason = "mine" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/resolve", new { code = "posted-manually", note = "charged by hand in billing" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await analyst.PostAsJsonAsync($"api/v1/exceptions/{ex.Id}/resolve", new { code = "posted-manually" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var after = await ReloadAsync(ex.Id);
        after.Status.ShouldBe(ExceptionStatus.Resolved);
        after.Owner.ShouldBe("analyst");
        after.ResolutionCode.ShouldBe("posted-manually");
        after.ResolvedBy.ShouldBe("analyst");
        var detail = await Json(await analyst.GetAsync($"api/v1/exceptions/{ex.Id}"));
        detail.GetProperty("comments")[0].GetProperty("text").GetString().ShouldBe("Asked the OR for the lot sticker.");
        var history = detail.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("action").GetString()).ToList();
        history.ShouldBe(["exception.comment", "exception.reassign", "exception.resolve"]);
        detail.GetProperty("history")[1].GetProperty("after").GetString()!.ShouldContain("owner analyst");

        using var audit = await analyst.GetAsync("api/v1/audit/export.csv?actor=analyst&action=exception.");
        var csv = await audit.Content.ReadAsStringAsync();
        csv.ShouldStartWith("at,actor,action");
        csv.ShouldContain(ex.Id.ToString());
    }

    [Fact]
    public async Task A_bulk_resolve_covers_the_whole_group_not_just_a_page_and_reports_progress()
    {
        var location = "PACU-" + Random.Shared.Next(100, 999);
        for (var i = 0; i < 60; i++)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "SCH", location)))).ShouldBe("AE");
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        var filter = $"status=Open&q={location}&pageSize=10";
        var page = await Json(await admin.GetAsync("api/v1/exceptions?" + filter));
        page.GetProperty("total").GetInt32().ShouldBe(60);
        page.GetProperty("rows").GetArrayLength().ShouldBe(10);

        var preview = await Json(await admin.PostAsJsonAsync("api/v1/exceptions/bulk", new { action = "resolve", filter, preview = true }));
        preview.GetProperty("count").GetInt32().ShouldBe(60);
        var started = await admin.PostAsJsonAsync("api/v1/exceptions/bulk", new { action = "resolve", filter, resolutionCode = "fixed-in-source", note = $"{location} added to the location master" });
        started.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var id = (await Json(started)).GetProperty("id").GetGuid();
        JsonElement progress = default;
        await Eventually.TrueAsync(async () =>
        {
            progress = await Json(await admin.GetAsync($"api/v1/exceptions/bulk/{id}"));
            return progress.GetProperty("status").GetString() == "Completed";
        }, TimeSpan.FromSeconds(30), "the bulk action to complete");
        progress.GetProperty("succeeded").GetInt32().ShouldBe(60);
        (await Json(await admin.GetAsync("api/v1/exceptions?" + filter))).GetProperty("total").GetInt32().ShouldBe(0);
        await using var db = host.NewDb();
        (await db.AuditEntries.CountAsync(a => a.Action == "exception.resolve" && a.Reason == $"{location} added to the location master")).ShouldBe(60);
    }

    [Fact]
    public async Task Exceptions_are_grouped_by_cause_and_filtered_by_the_group()
    {
        var location = "PACU-" + Random.Shared.Next(1000, 9999);
        for (var i = 0; i < 3; i++)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "NGH", location)))).ShouldBe("AE");
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);
        var groups = await Json(await admin.GetAsync($"api/v1/exceptions/groups?by=cause&q={location}"));
        var group = groups.EnumerateArray().ShouldHaveSingleItem();
        group.GetProperty("count").GetInt32().ShouldBe(3);
        var cause = group.GetProperty("key").GetString()!;
        cause.ShouldStartWith("mapping-gap|unknown-location|");
        var byCause = await Json(await admin.GetAsync($"api/v1/exceptions?cause={Uri.EscapeDataString(cause)}&status=Open"));
        byCause.GetProperty("total").GetInt32().ShouldBeGreaterThanOrEqualTo(3);
    }
}
