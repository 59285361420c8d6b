using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Workflows;

/// <summary>Supply consumption to charge capture through the real transports, engine and simulated estate.</summary>
public class SupplyChargeFlowTests(TestHost host) : IClassFixture<TestHost>
{
    [Fact]
    public async Task A_valid_DFT_over_MLLP_is_acknowledged_and_posted_to_ERP_and_billing_with_full_lineage()
    {
        var usage = Usage.Stent();
        var ack = await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage));

        Usage.Msa(ack).ShouldBe("AA");
        ack.ShouldContain($"MSA|AA|{usage.ControlId}");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var message = await db.InboxMessages.SingleAsync(m => m.IdempotencyKey.EndsWith(":" + usage.ControlId));
        var steps = await db.LineageSteps.Where(s => s.CorrelationId == message.CorrelationId).Select(s => s.Step + "@" + s.System).ToListAsync();
        steps.ShouldContain("received@POU|NGH");
        steps.ShouldContain("parsed@engine");
        steps.ShouldContain("mapped@engine");
        steps.ShouldContain("routed@engine");
        steps.ShouldContain("posted@erp");
        steps.ShouldContain("posted@billing");
        var charge = await db.Charges.SingleAsync(c => c.CorrelationId == message.CorrelationId);
        charge.Status.ShouldBe(PostingStatus.Posted);
        charge.Amount.ShouldBe(1350m);
        charge.ChargeCode.ShouldBe("CDM-40010");
        (await db.InventoryMovements.SingleAsync(m => m.CorrelationId == message.CorrelationId)).Status.ShouldBe(PostingStatus.Posted);
        (await db.EstatePostings.CountAsync(p => p.IdempotencyKey.StartsWith($"NGH:{usage.TransactionId}:"))).ShouldBe(2);

        using var api = host.Client(TestHost.AnalystKey);
        var lineage = await api.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{message.CorrelationId}");
        lineage.GetProperty("outcome").GetString().ShouldBe("posted");
    }

    [Fact]
    public async Task An_implant_without_lot_is_answered_AE_with_the_reason_and_held_as_an_exception_with_its_raw_payload()
    {
        var usage = Usage.Stent() with { Lot = null, Serial = null };
        var text = DemoMessages.Dft(usage);
        var ack = await MllpClient.SendOnceAsync(host.MllpPort, text);

        Usage.Msa(ack).ShouldBe("AE");
        ack.ShouldContain("missing-lot");
        ack.ShouldContain("ERR|");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var message = await db.InboxMessages.SingleAsync(m => m.IdempotencyKey.EndsWith(":" + usage.ControlId));
        Encoding.UTF8.GetString(message.Payload).ShouldBe(text);
        var exception = await db.Exceptions.SingleAsync(e => e.CorrelationId == message.CorrelationId);
        exception.Category.ShouldBe("validation");
        exception.ErrorCode.ShouldBe("missing-lot");
        exception.AmountAtRisk.ShouldBe(1350m);
        exception.Team.ShouldBe("revenue-cycle");
        exception.InboxMessageId.ShouldBe(message.Id);
        (await db.OutboxMessages.CountAsync(o => o.CorrelationId == message.CorrelationId)).ShouldBe(0);
    }

    [Fact]
    public async Task Unreadable_input_is_answered_AR_and_kept_as_an_exception()
    {
        var ack = await MllpClient.SendOnceAsync(host.MllpPort, "this is not HL7 at all");

        Usage.Msa(ack).ShouldBe("AR");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var message = await db.InboxMessages.SingleAsync(m => m.Payload == Encoding.UTF8.GetBytes("this is not HL7 at all"));
        message.Status.ShouldBe(InboxStatus.Rejected);
        (await db.Exceptions.SingleAsync(e => e.CorrelationId == message.CorrelationId)).ErrorCode.ShouldStartWith("malformed-hl7");
    }

    [Fact]
    public async Task An_unsupported_message_type_is_rejected_with_AR()
    {
        var text = DemoMessages.Dft(Usage.Stent()).Replace("DFT^P03^DFT_P03", "BAR^P01^BAR_P01", StringComparison.Ordinal);
        var ack = await MllpClient.SendOnceAsync(host.MllpPort, text);

        Usage.Msa(ack).ShouldBe("AR");
        ack.ShouldContain("200^");
    }

    [Fact]
    public async Task A_resent_message_with_the_same_control_id_is_acknowledged_but_applied_once()
    {
        var usage = Usage.Stent();
        var text = DemoMessages.Dft(usage);
        await using var client = await MllpClient.ConnectAsync(host.MllpPort);
        Usage.Msa(await client.SendAsync(text)).ShouldBe("AA");
        var second = await client.SendAsync(text);
        Usage.Msa(second).ShouldBe("AA");
        second.ShouldContain("Duplicate");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        (await db.InboxMessages.CountAsync(m => m.IdempotencyKey.EndsWith(":" + usage.ControlId))).ShouldBe(1);
        (await db.UsageEvents.CountAsync(u => u.SourceEventId == usage.TransactionId)).ShouldBe(1);
    }

    [Fact]
    public async Task The_same_usage_under_a_new_control_id_becomes_a_duplicate_exception_and_is_not_posted_twice()
    {
        var usage = Usage.Stent();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage with { ControlId = usage.ControlId + "R" }))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        (await db.UsageEvents.CountAsync(u => u.SourceEventId == usage.TransactionId)).ShouldBe(1);
        (await db.EstatePostings.CountAsync(p => p.System == "erp" && p.IdempotencyKey.StartsWith($"NGH:{usage.TransactionId}:"))).ShouldBe(1);
        var dup = await db.Exceptions.SingleAsync(e => e.ErrorCode == "duplicate-event" && e.ErrorDetail.Contains(usage.TransactionId));
        dup.Category.ShouldBe("duplicate");
    }

    [Fact]
    public async Task A_reversal_that_arrives_before_its_usage_is_held_as_a_sequencing_exception()
    {
        var usage = Usage.Stent();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage with { Reversal = true }))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var ex = await db.Exceptions.SingleAsync(e => e.ErrorCode == "reversal-before-original" && e.ErrorDetail.Contains(usage.TransactionId));
        ex.Category.ShouldBe("sequencing");
        (await db.EstatePostings.CountAsync(p => p.IdempotencyKey.StartsWith($"NGH:{usage.TransactionId}:"))).ShouldBe(0);
    }

    [Fact]
    public async Task A_reversal_after_its_usage_returns_stock_and_credits_the_charge()
    {
        var usage = Usage.Stent();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage with { Reversal = true, ControlId = usage.ControlId + "CR" }))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var kinds = await db.EstatePostings.Where(p => p.IdempotencyKey.StartsWith($"NGH:{usage.TransactionId}:") && p.Kind != "replenishment").Select(p => p.Kind).ToListAsync();
        kinds.ShouldBe(["decrement", "charge", "return", "credit"], ignoreOrder: true);
    }

    [Fact]
    public async Task A_FHIR_ChargeItem_is_accepted_and_posted()
    {
        var usage = Usage.Stent();
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("fhir/ChargeItem", new StringContent(DemoMessages.ChargeItem(usage), Encoding.UTF8, "application/fhir+json"));

        response.StatusCode.ShouldBe(HttpStatusCode.Accepted);
        var correlationId = Guid.Parse(response.Headers.GetValues("X-Correlation-Id").Single());
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.Charges.SingleAsync(c => c.CorrelationId == correlationId)).Status.ShouldBe(PostingStatus.Posted);
    }

    [Fact]
    public async Task Invalid_FHIR_gets_an_OperationOutcome_with_the_element_path_and_is_kept()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var response = await client.PostAsync("fhir/ChargeItem",
            new StringContent("""{"resourceType":"ChargeItem","status":"billable","subject":{"reference":"Patient/1"},"quantity":{"value":"two"}}""", Encoding.UTF8, "application/fhir+json"));

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var outcome = await response.Content.ReadFromJsonAsync<JsonElement>();
        outcome.GetProperty("resourceType").GetString().ShouldBe("OperationOutcome");
        var paths = outcome.GetProperty("issue").EnumerateArray().SelectMany(i => i.TryGetProperty("expression", out var e) ? e.EnumerateArray().Select(x => x.GetString()) : []).ToList();
        paths.ShouldContain(p => p!.StartsWith("ChargeItem.code", StringComparison.Ordinal));
        paths.ShouldContain("ChargeItem.quantity.value");
        var correlationId = Guid.Parse(response.Headers.GetValues("X-Correlation-Id").Single());
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.Exceptions.CountAsync(e => e.CorrelationId == correlationId)).ShouldBe(1);
    }

    [Fact]
    public async Task Stock_falling_below_par_raises_one_replenishment_signal_to_the_warehouse()
    {
        await using (var db = host.NewDb())
        {
            await db.EstateInventory.Where(i => i.Facility == "SCH" && i.Location == "SCH-ICU-STOCK" && i.Sku == "SKU-40010")
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, 5m));
        }
        for (var i = 0; i < 3; i++)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(Usage.Stent("SCH", "ICU")))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var check = host.NewDb();
        var signals = await check.ReplenishmentSignals.Where(r => r.Facility == "SCH" && r.Location == "SCH-ICU-STOCK" && r.Sku == "SKU-40010").ToListAsync();
        signals.Count.ShouldBe(1);
        signals[0].OnHand.ShouldBe(3m);
        signals[0].ParLevel.ShouldBe(4m);
        signals[0].Status.ShouldBe(PostingStatus.Posted);
    }

    [Fact]
    public async Task Concurrent_decrements_of_one_stock_row_each_answer_the_balance_they_left()
    {
        await using (var db = host.NewDb())
        {
            await db.EstateInventory.Where(i => i.Facility == "NGH" && i.Location == "NGH-OR1-STOCK" && i.Sku == "SKU-40030")
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, 100m));
        }
        var key = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthSync.Engine.Estate.EstateOptions>>().Value.Key;
        using var client = host.Client();
        client.DefaultRequestHeaders.Add("X-Estate-Key", key);
        var run = Guid.NewGuid().ToString("N");

        var answers = await Task.WhenAll(Enumerable.Range(0, 12).Select(async i =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "estate/erp/inventory/decrements")
            {
                Content = JsonContent.Create(new { facility = "NGH", location = "NGH-OR1-STOCK", sku = "SKU-40030", quantity = 1m, parLevel = 0m }),
            };
            request.Headers.Add("Idempotency-Key", $"{run}:{i}");
            using var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.OK);
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("onHand").GetDecimal();
        }));

        answers.Order().ShouldBe(Enumerable.Range(88, 12).Select(n => (decimal)n));
    }

    [Fact]
    public async Task The_simulated_gateway_settles_patient_payments_for_the_day_as_a_CSV_file()
    {
        for (var i = 0; i < 6; i++)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(Usage.Stent()))).ShouldBe("AA");
        await host.DrainedAsync();
        var key = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<HealthSync.Engine.Estate.EstateOptions>>().Value.Key;
        using var client = host.Client();
        client.DefaultRequestHeaders.Add("X-Estate-Key", key);

        var csv = await client.GetStringAsync($"estate/gateway/settlements?date={DateTime.UtcNow:yyyy-MM-dd}");

        var lines = csv.Trim().Split('\n');
        lines[0].ShouldBe("settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand");
        lines.Length.ShouldBeGreaterThan(1);
        lines.Skip(1).ShouldAllBe(l => l.Split(',', StringSplitOptions.None).Length == 8 && l.Contains("CHG-"));
        using var anonymous = host.Client();
        (await anonymous.GetAsync($"estate/gateway/settlements?date={DateTime.UtcNow:yyyy-MM-dd}")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Targets_follow_the_ownership_matrix_and_an_unknown_system_of_record_is_a_mapping_gap()
    {
        var catalog = host.Services.GetRequiredService<HealthSync.Engine.Mappings.MappingCatalog>();
        await using (var db = host.NewDb())
            await db.Ownership.Where(o => o.Entity == "patient-charge").ExecuteUpdateAsync(s => s.SetProperty(o => o.SystemOfRecord, "legacy-pas"));
        catalog.Invalidate();
        try
        {
            var usage = Usage.Stent("CMC", "OR2");
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
            await host.DrainedAsync();
            await using var db = host.NewDb();
            var ex = await db.Exceptions.SingleAsync(e => e.ErrorCode == "no-route" && e.InboxMessageId == db.InboxMessages.Single(m => m.IdempotencyKey.EndsWith(":" + usage.ControlId)).Id);
            ex.ErrorDetail.ShouldContain("legacy-pas");
            (await db.EstatePostings.CountAsync(p => p.IdempotencyKey.StartsWith($"CMC:{usage.TransactionId}:"))).ShouldBe(0);
        }
        finally
        {
            await using (var db = host.NewDb())
                await db.Ownership.Where(o => o.Entity == "patient-charge").ExecuteUpdateAsync(s => s.SetProperty(o => o.SystemOfRecord, "billing"));
            catalog.Invalidate();
        }
    }
}
