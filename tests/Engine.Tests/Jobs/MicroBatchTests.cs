using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Jobs;

/// <summary>Micro-batches: windows past a checkpoint, de-duplicated, and exactly once across a crash mid-batch.</summary>
public class MicroBatchTests(TestHost host) : IClassFixture<TestHost>
{
    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private async Task<JsonElement> RunAsync(string job)
    {
        using var admin = host.Client(TestHost.AdminKey);
        return await JobRuns.RunAsync(admin, job);
    }

    private async Task PostX12Async(byte[] bytes)
    {
        using var client = host.Client(TestHost.IntegrationKey);
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        (await client.PostAsync("edi/x12", content)).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private async Task<(int Verdicts, int Outbox, long Checkpoint)> StateAsync(string batch, string operation)
    {
        await using var db = host.NewDb();
        return (await db.ReconciliationResults.CountAsync(r => r.Reconciliation == batch),
            await db.OutboxMessages.CountAsync(o => o.Operation == operation),
            await db.Checkpoints.Where(c => c.Name == batch).Select(c => c.Position).FirstOrDefaultAsync());
    }

    [Fact]
    public async Task Remittance_import_survives_a_crash_mid_batch_and_counts_every_claim_payment_once()
    {
        await PostX12Async(SampleFiles.Bytes("x12/835_oopfactory_4010_Example1.txt"));
        await PostX12Async(SampleFiles.Bytes("x12/835_pyx12_835_mult_loops.txt"));
        await host.DrainedAsync();
        int expected;
        await using (var db = host.NewDb())
            expected = (await db.BusinessDocuments.Where(d => d.Kind == "remittance").Select(d => d.Canonical).ToListAsync())
                .Select(c => (HealthSync.Adapters.Canonical.Remittance)HealthSync.Adapters.Canonical.CanonicalJson.Deserialize(c)!)
                .SelectMany(r => r.Claims.Select(c => r.PaymentId + "|" + c.ClaimId)).Distinct().Count();
        expected.ShouldBeGreaterThan(1);

        host.Services.GetRequiredService<MicroBatchFaults>().ArmAfter(1);
        (await RunAsync(MicroBatches.RemittanceImport)).GetProperty("status").GetString().ShouldBe("Failed");
        (await StateAsync(MicroBatches.RemittanceImport, Operations.BillingPaymentPost)).ShouldBe((0, 0, 0L), "the crashed window left nothing behind");

        var resumed = await RunAsync(MicroBatches.RemittanceImport);
        resumed.GetProperty("status").GetString().ShouldBe("Succeeded");
        resumed.GetProperty("examined").GetInt32().ShouldBe(expected);
        var after = await StateAsync(MicroBatches.RemittanceImport, Operations.BillingPaymentPost);
        after.Verdicts.ShouldBe(expected);
        after.Checkpoint.ShouldBeGreaterThan(0);

        var again = await RunAsync(MicroBatches.RemittanceImport);
        again.GetProperty("examined").GetInt32().ShouldBe(0, "nothing is past the checkpoint");
        (await StateAsync(MicroBatches.RemittanceImport, Operations.BillingPaymentPost)).ShouldBe(after);
        await host.DrainedAsync();
        await using var check = host.NewDb();
        var keys = await check.OutboxMessages.Where(o => o.Operation == Operations.BillingPaymentPost).Select(o => o.IdempotencyKey).ToListAsync();
        (await check.EstatePostings.CountAsync(p => p.System == "billing" && p.Kind == "payment" && keys.Contains(p.IdempotencyKey))).ShouldBe(keys.Count);
    }

    [Fact]
    public async Task Invoice_aggregation_survives_a_crash_mid_batch_and_posts_each_vendor_day_once()
    {
        await PostX12Async(SampleFiles.Bytes("x12/810_oopfactory_Example3_MultiInvoice.txt"));
        await PostX12Async(SampleFiles.Bytes("x12/810_oopfactory_Example1_CaliforniaISO.txt"));
        await host.DrainedAsync();

        host.Services.GetRequiredService<MicroBatchFaults>().ArmAfter(1);
        (await RunAsync(MicroBatches.InvoiceAggregation)).GetProperty("status").GetString().ShouldBe("Failed");
        (await StateAsync(MicroBatches.InvoiceAggregation, Operations.ErpApBatchPost)).ShouldBe((0, 0, 0L));

        (await RunAsync(MicroBatches.InvoiceAggregation)).GetProperty("status").GetString().ShouldBe("Succeeded");
        var after = await StateAsync(MicroBatches.InvoiceAggregation, Operations.ErpApBatchPost);
        after.Verdicts.ShouldBe(3, "three invoices in the two files");
        after.Outbox.ShouldBeGreaterThan(0);
        (await RunAsync(MicroBatches.InvoiceAggregation)).GetProperty("examined").GetInt32().ShouldBe(0);
        (await StateAsync(MicroBatches.InvoiceAggregation, Operations.ErpApBatchPost)).ShouldBe(after);
        await host.DrainedAsync();
        await using var check = host.NewDb();
        (await check.OutboxMessages.CountAsync(o => o.Operation == Operations.ErpApBatchPost && o.Status == OutboxStatus.Delivered)).ShouldBe(after.Outbox);
    }
}
