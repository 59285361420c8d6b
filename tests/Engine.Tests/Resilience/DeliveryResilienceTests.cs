using System.Net.Http.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Resilience;

/// <summary>Target systems that are down, throttling or refusing: nothing is dropped, nothing is posted twice.</summary>
public class DeliveryResilienceTests(TestHost host) : IClassFixture<TestHost>
{
    [Fact]
    public async Task When_the_ERP_is_down_its_circuit_opens_and_the_backlog_drains_exactly_once_after_recovery()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { outage = true })).EnsureSuccessStatusCode();
        try
        {
            await ErpOutageAsync(admin);
        }
        finally
        {
            // Never leave the shared estate broken for the next test, whatever happened above.
            (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { outage = false })).EnsureSuccessStatusCode();
        }
    }

    private async Task ErpOutageAsync(HttpClient admin)
    {
        var usages = Enumerable.Range(0, 12).Select(_ => Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "CMC", "ED")).ToList();
        foreach (var u in usages)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(u))).ShouldBe("AA");

        var erp = host.Services.GetRequiredService<DeliveryTargets>().Health(Systems.Erp);
        await Eventually.TrueAsync(() => Task.FromResult(erp.State == "open"), TimeSpan.FromSeconds(30), "the ERP circuit to open");
        await using (var db = host.NewDb())
        {
            (await db.EstatePostings.CountAsync(p => p.System == "erp" && usages.Select(u => "CMC:" + u.TransactionId + ":Consumption:erp").Contains(p.IdempotencyKey))).ShouldBe(0);
            // The circuit opens inside an attempt; the row is rescheduled (lineage "retried") right after.
            await Eventually.TrueAsync(async () => await db.LineageSteps.AnyAsync(s => s.Step == "retried" && s.System == "erp"),
                TimeSpan.FromSeconds(20), "the ERP deliveries to be rescheduled");
            // Billing is a different endpoint with its own circuit: charges keep flowing.
            await Eventually.TrueAsync(async () => await db.EstatePostings.CountAsync(p => p.System == "billing" && usages.Select(u => "CMC:" + u.TransactionId + ":Consumption:billing").Contains(p.IdempotencyKey)) == 12,
                TimeSpan.FromSeconds(20), "charges to post while the ERP is down");
        }

        (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { outage = false })).EnsureSuccessStatusCode();
        await host.DrainedAsync(TimeSpan.FromSeconds(60));

        await using var after = host.NewDb();
        var keys = usages.Select(u => "CMC:" + u.TransactionId + ":Consumption:erp").ToList();
        var postings = await after.EstatePostings.Where(p => p.System == "erp" && keys.Contains(p.IdempotencyKey)).ToListAsync();
        postings.Count.ShouldBe(12);
        postings.ShouldAllBe(p => p.Kind == "decrement");
        (await after.Exceptions.CountAsync(e => e.Category == "downstream-unavailable")).ShouldBe(0);
        await Eventually.TrueAsync(() => Task.FromResult(erp.State == "closed"), TimeSpan.FromSeconds(10), "the ERP circuit to close");
    }

    [Fact]
    public async Task A_throttled_delivery_waits_for_Retry_After_and_then_posts()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/billing", new { throttleRate = 1.0, retryAfterSeconds = 3 })).EnsureSuccessStatusCode();
        var usage = Usage.New("ITM-SUP-STAP01", "Skin stapler", 1, "EA", 95m, "SCH", "OR2");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");

        await Eventually.TrueAsync(async () =>
        {
            await using var db = host.NewDb();
            return await db.OutboxMessages.AnyAsync(o => o.IdempotencyKey == $"SCH:{usage.TransactionId}:Consumption:billing" && o.LastStatusCode == 429);
        }, TimeSpan.FromSeconds(20), "the billing delivery to be throttled");
        await using (var db = host.NewDb())
        {
            var row = await db.OutboxMessages.SingleAsync(o => o.IdempotencyKey == $"SCH:{usage.TransactionId}:Consumption:billing");
            row.Status.ShouldBe(OutboxStatus.Pending);
            (row.NextAttemptAt - DateTime.UtcNow).TotalSeconds.ShouldBeGreaterThan(1);
            (await db.LineageSteps.AnyAsync(s => s.CorrelationId == row.CorrelationId && s.Step == "retried" && s.Detail!.Contains("next attempt in 3 s"))).ShouldBeTrue();
        }

        (await admin.PutAsJsonAsync("api/v1/estate/faults/billing", new { throttleRate = 0.0 })).EnsureSuccessStatusCode();
        await host.DrainedAsync();
        await using var after = host.NewDb();
        (await after.EstatePostings.CountAsync(p => p.IdempotencyKey == $"SCH:{usage.TransactionId}:Consumption:billing")).ShouldBe(1);
    }

    [Fact]
    public async Task A_permanent_refusal_becomes_an_exception_without_retries()
    {
        await using (var db = host.NewDb())
            await db.EstateInventory.Where(i => i.Location == "SCH-MEDSURG-STOCK" && i.Sku == "SKU-41005").ExecuteDeleteAsync();
        var usage = Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "SCH", "MEDSURG");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var after = host.NewDb();
        var row = await after.OutboxMessages.SingleAsync(o => o.IdempotencyKey == $"SCH:{usage.TransactionId}:Consumption:erp");
        row.Status.ShouldBe(OutboxStatus.Failed);
        row.Attempts.ShouldBe(1);
        row.LastStatusCode.ShouldBe(422);
        var ex = await after.Exceptions.SingleAsync(e => e.OutboxMessageId == row.Id);
        ex.ErrorCode.ShouldBe("rejected-by-erp");
        ex.ErrorDetail.ShouldContain("not stocked");
        (await after.InventoryMovements.SingleAsync(m => m.CorrelationId == row.CorrelationId)).Status.ShouldBe(PostingStatus.Failed);
    }
}

public sealed class ImpatientHost : TestHost
{
    public ImpatientHost() => Settings["Engine:Delivery:MaxAttempts"] = "2";
}

public class DeadLetterTests(ImpatientHost host) : IClassFixture<ImpatientHost>
{
    [Fact]
    public async Task Exhausted_retries_become_a_downstream_unavailable_exception_and_nothing_is_dropped()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/warehouse", new { errorRate = 1.0 })).EnsureSuccessStatusCode();
        (await admin.PutAsJsonAsync("api/v1/estate/faults/billing", new { errorRate = 1.0 })).EnsureSuccessStatusCode();
        var usage = Usage.New("ITM-SUP-STAP01", "Skin stapler", 1, "EA", 95m, "NGH", "ED");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync(TimeSpan.FromSeconds(60));

        await using var db = host.NewDb();
        var row = await db.OutboxMessages.SingleAsync(o => o.IdempotencyKey == $"NGH:{usage.TransactionId}:Consumption:billing");
        row.Status.ShouldBe(OutboxStatus.Failed);
        row.Attempts.ShouldBe(2);
        var ex = await db.Exceptions.SingleAsync(e => e.OutboxMessageId == row.Id);
        ex.Category.ShouldBe("downstream-unavailable");
        ex.ErrorCode.ShouldBe("retries-exhausted");
        ex.AmountAtRisk.ShouldBe(95m);
        ex.Team.ShouldBe("integration-ops");
        (await db.Charges.SingleAsync(c => c.CorrelationId == row.CorrelationId)).Status.ShouldBe(PostingStatus.Failed);
    }
}
