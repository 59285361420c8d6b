using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Lineage;

/// <summary>
/// Integration health on the real engine: every inbound endpoint and flow and every outbound target with the numbers of
/// what was actually sent, live circuit states, and silence alerts learned from each flow's own history.
/// </summary>
public class IntegrationHealthTests(TestHost host) : IClassFixture<TestHost>
{
    private readonly TradingPartner _partner = new(host);

    private async Task<JsonElement> HealthAsync()
    {
        using var client = host.Client(TestHost.AnalystKey);
        return await client.GetFromJsonAsync<JsonElement>("api/v1/health/endpoints");
    }

    private static JsonElement Endpoint(JsonElement health, string name) =>
        health.GetProperty("inbound").EnumerateArray().Single(e => e.GetProperty("name").GetString() == name);

    private static JsonElement Flow(JsonElement health, string endpoint, string source) =>
        Endpoint(health, endpoint).GetProperty("flows").EnumerateArray().Single(f => f.GetProperty("sourceSystem").GetString() == source);

    private static JsonElement Target(JsonElement health, string name) =>
        health.GetProperty("outbound").EnumerateArray().Single(t => t.GetProperty("name").GetString() == name);

    private static int Int(JsonElement e, string property) => e.GetProperty(property).GetInt32();

    [Fact]
    public async Task Every_inbound_endpoint_and_outbound_target_is_listed_with_the_numbers_of_what_was_sent()
    {
        var tag = TradingPartner.NextControl();
        var lab = $"HLT{tag}";
        foreach (var usage in Enumerable.Range(0, 3).Select(_ => Usage.New("ITM-SUP-STAP01", "Skin stapler", 1, "EA", 95m, "NGH", "OR1")))
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage).Replace("MSH|^~\\&|POU|", $"MSH|^~\\&|{lab}|", StringComparison.Ordinal))).ShouldBe("AA");
        var erpSender = $"ERP{tag}";
        for (var i = 0; i < 2; i++)
        {
            var control = TradingPartner.NextControl();
            await _partner.PostX12Async(PurchaseOrder850Writer.Write(TradingPartner.Order(), new X12Envelope("ZZ", erpSender, "ZZ", "HEALTHSYNC", control, control, DateTimeOffset.UtcNow, "004010")));
        }
        using (var client = host.Client(TestHost.IntegrationKey))
            (await client.PostAsync("edi/x12", new StringContent("this is not an interchange", Encoding.UTF8, "text/plain"))).StatusCode.ShouldBe(System.Net.HttpStatusCode.BadRequest);
        await _partner.PostAsync("fhir/ChargeItem", DemoMessages.ChargeItem(Usage.New("ITM-SUP-GW01", "Guidewire", 1, "EA", 140m, "SCH", "CATH")), "application/fhir+json");
        await _partner.PostAsync("csv", $"settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\nSTL-H{tag},PAY-H{tag},NGH,10.00,0.29,9.71,{DateTime.UtcNow:yyyy-MM-dd}T10:00:00Z,VISA\n", "text/csv");
        var dropped = Path.Combine(host.DropRoot, "csv", $"settlement-{tag}.csv");
        Directory.CreateDirectory(Path.GetDirectoryName(dropped)!);
        await File.WriteAllTextAsync(dropped + ".tmp", $"settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\nSTL-D{tag},PAY-D{tag},SCH,20.00,0.58,19.42,{DateTime.UtcNow:yyyy-MM-dd}T11:00:00Z,VISA\n");
        File.Move(dropped + ".tmp", dropped);
        await Eventually.TrueAsync(async () =>
        {
            await using var db = host.NewDb();
            return await db.InboxMessages.AnyAsync(m => m.SourceSystem == "drop:csv");
        }, TimeSpan.FromSeconds(20), "the dropped file to be taken in");
        await host.DrainedAsync();

        var health = await HealthAsync();
        health.GetProperty("inbound").EnumerateArray().Select(e => e.GetProperty("name").GetString()).ShouldBe(
            ["MLLP listener", "HTTP FHIR", "HTTP X12", "HTTP CSV", "Drop folder hl7v2", "Drop folder x12", "Drop folder csv", "Drop folder fhir"], ignoreOrder: true);
        var mllp = Flow(health, "MLLP listener", $"{lab}|NGH");
        (Int(mllp, "lastHour"), Int(mllp, "last24Hours"), Int(mllp, "rejected24Hours")).ShouldBe((3, 3, 0));
        mllp.GetProperty("errorRate").GetDouble().ShouldBe(0);
        mllp.GetProperty("lastSuccessAt").GetDateTime().ShouldBe(mllp.GetProperty("lastReceivedAt").GetDateTime());
        var orders = Flow(health, "HTTP X12", erpSender);
        (Int(orders, "lastHour"), Int(orders, "last24Hours")).ShouldBe((2, 2));
        var refused = Flow(health, "HTTP X12", "integration");
        (Int(refused, "last24Hours"), Int(refused, "rejected24Hours")).ShouldBe((1, 1));
        refused.GetProperty("errorRate").GetDouble().ShouldBe(1);
        refused.GetProperty("lastSuccessAt").ValueKind.ShouldBe(JsonValueKind.Null);
        Int(Flow(health, "HTTP FHIR", "integration"), "last24Hours").ShouldBe(1);
        Int(Flow(health, "HTTP CSV", "integration"), "last24Hours").ShouldBe(1);
        Int(Flow(health, "Drop folder csv", "drop:csv"), "last24Hours").ShouldBe(1);
        var x12 = Endpoint(health, "HTTP X12");
        Int(x12, "last24Hours").ShouldBe(x12.GetProperty("flows").EnumerateArray().Sum(f => Int(f, "last24Hours")));
        Int(x12, "rejected24Hours").ShouldBe(1);
        Int(Endpoint(health, "Drop folder fhir"), "last24Hours").ShouldBe(0);

        await using (var db = host.NewDb())
        {
            var since = DateTime.UtcNow.AddHours(-1);
            foreach (var name in new[] { "erp", "billing", "warehouse", "supplier" })
            {
                var target = Target(health, name);
                var delivered = await db.OutboxMessages.CountAsync(o => o.TargetSystem == name && o.Status == OutboxStatus.Delivered && o.DeliveredAt >= since);
                Int(target, "deliveredLastHour").ShouldBe(delivered, name);
                target.GetProperty("circuit").GetString().ShouldBe("closed");
                Int(target, "pending").ShouldBe(0);
            }
        }
        var erp = Target(health, "erp");
        Int(erp, "delivered24Hours").ShouldBeGreaterThanOrEqualTo(4);
        erp.GetProperty("latencySource").GetString().ShouldBe("stored");
        Int(erp, "latencySamples").ShouldBe(Int(erp, "delivered24Hours"));
        erp.GetProperty("latencyP50Ms").GetDouble().ShouldBeLessThanOrEqualTo(erp.GetProperty("latencyP95Ms").GetDouble());
        await using (var db = host.NewDb())
        {
            // The latency percentiles are the stored durations of the deliveries' successful calls.
            var durations = (await db.OutboxMessages.Where(o => o.TargetSystem == "erp" && o.Status == OutboxStatus.Delivered).Select(o => o.CallMilliseconds).ToListAsync())
                .Select(ms => ms.ShouldNotBeNull("every delivery records its call duration")).Order().ToList();
            erp.GetProperty("latencyP95Ms").GetDouble().ShouldBe(durations[(int)Math.Ceiling(0.95 * durations.Count) - 1]);
            erp.GetProperty("latencyP50Ms").GetDouble().ShouldBe(durations[(int)Math.Ceiling(0.50 * durations.Count) - 1]);
        }
        erp.GetProperty("lastSuccessAt").ValueKind.ShouldBe(JsonValueKind.String);
        Int(Target(health, "supplier"), "delivered24Hours").ShouldBe(2);

        using var session = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var page = await session.GetDocumentAsync("/health");
        page.QuerySelectorAll("tr[data-inbound]").Length.ShouldBe(8);
        page.QuerySelectorAll("tr[data-endpoint]").Length.ShouldBe(4);
        var row = page.QuerySelector($"tr[data-flow='MLLP listener'][data-source='{lab}|NGH']")!;
        row.QuerySelectorAll("td")[2].TextContent.ShouldBe("3");
        var panel = page.QuerySelector("#health-panel")!;
        panel.GetAttribute("hx-get").ShouldBe("/health");
        panel.GetAttribute("hx-select").ShouldBe("#health-panel");
        panel.GetAttribute("hx-trigger").ShouldBe("every 10s");
    }

    [Fact]
    public async Task A_flow_that_stopped_sending_raises_a_silence_alert_with_the_interval_it_usually_keeps()
    {
        var tag = TradingPartner.NextControl();
        var now = DateTime.UtcNow;
        await using (var db = host.NewDb())
        {
            // Three days of a lab system sending every ten minutes, which stopped two hours ago; one still sending;
            // and one with too little history to know what is normal for it.
            Seed(db, $"LAB-SILENT-{tag}", now.AddDays(-3), now.AddHours(-2), TimeSpan.FromMinutes(10));
            Seed(db, $"LAB-STEADY-{tag}", now.AddDays(-3), now.AddMinutes(-3), TimeSpan.FromMinutes(10));
            Seed(db, $"LAB-SPARSE-{tag}", now.AddDays(-2), now.AddDays(-1), TimeSpan.FromHours(8));
            await db.SaveChangesAsync();
        }

        var health = await HealthAsync();
        var alert = health.GetProperty("alerts").EnumerateArray().Single(a => a.GetProperty("sourceSystem").GetString()!.EndsWith($"-{tag}", StringComparison.Ordinal));
        alert.GetProperty("sourceSystem").GetString().ShouldBe($"LAB-SILENT-{tag}");
        alert.GetProperty("endpoint").GetString().ShouldBe("MLLP listener");
        alert.GetProperty("normalIntervalSeconds").GetDouble().ShouldBe(600, tolerance: 1);
        alert.GetProperty("silentForSeconds").GetDouble().ShouldBe(7200, tolerance: 120);
        alert.GetProperty("message").GetString().ShouldBe($"MLLP listener from LAB-SILENT-{tag}: silent for 2 h, usually every 10 min");
        var steady = Flow(health, "MLLP listener", $"LAB-STEADY-{tag}");
        steady.GetProperty("silent").GetBoolean().ShouldBeFalse();
        steady.GetProperty("normalIntervalSeconds").GetDouble().ShouldBe(600, tolerance: 1);
        Int(steady, "lastHour").ShouldBe(6);
        var sparse = Flow(health, "MLLP listener", $"LAB-SPARSE-{tag}");
        sparse.GetProperty("silent").GetBoolean().ShouldBeFalse();
        sparse.GetProperty("normalIntervalSeconds").ValueKind.ShouldBe(JsonValueKind.Null);

        using var session = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var page = await session.GetDocumentAsync("/health");
        var shown = page.QuerySelector($"[data-testid=silence-alert][data-source='LAB-SILENT-{tag}']")!;
        shown.TextContent.ShouldContain("silent for 2 h");
        shown.TextContent.ShouldContain("usually every 10 min");
        // At the top: before the endpoint tables.
        var panel = page.QuerySelector("#health-panel")!.InnerHtml;
        panel.IndexOf("silence-alert", StringComparison.Ordinal).ShouldBeLessThan(panel.IndexOf("Inbound endpoints", StringComparison.Ordinal));
        page.QuerySelector($"tr[data-source='LAB-SILENT-{tag}']")!.ClassName!.ShouldContain("table-warning");
    }

    [Fact]
    public async Task Retried_deliveries_raise_the_target_error_rate_and_its_live_circuit_opens_during_an_outage()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { outage = true })).EnsureSuccessStatusCode();
        try
        {
            foreach (var usage in Enumerable.Range(0, 8).Select(_ => Usage.New("ITM-SUP-DRAPE01", "Drape pack", 1, "EA", 45m, "CMC", "ED")))
                Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
            await Eventually.TrueAsync(async () => Target(await HealthAsync(), "erp").GetProperty("circuit").GetString() == "open",
                TimeSpan.FromSeconds(30), "the ERP circuit to open");
            var during = Target(await HealthAsync(), "erp");
            Int(during, "pending").ShouldBeGreaterThan(0);
            during.GetProperty("lastError").GetString().ShouldNotBeNullOrEmpty();
            using var session = await PortalSession.SignInAsync(host, "admin", "admin-demo");
            (await session.GetDocumentAsync("/health")).QuerySelector("[data-testid=circuit-erp]")!.TextContent.ShouldBe("open");
        }
        finally
        {
            (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { outage = false })).EnsureSuccessStatusCode();
        }
        await host.DrainedAsync(TimeSpan.FromSeconds(60));

        var after = Target(await HealthAsync(), "erp");
        Int(after, "retried24Hours").ShouldBeGreaterThan(0);
        after.GetProperty("errorRate").GetDouble().ShouldBeGreaterThan(0);
        Int(after, "pending").ShouldBe(0);
        await using var db = host.NewDb();
        var since = DateTime.UtcNow.AddDays(-1);
        Int(after, "retried24Hours").ShouldBe(await db.OutboxMessages.CountAsync(o => o.TargetSystem == "erp" && o.DeliveredAt >= since && o.Attempts > 1));
    }

    private static void Seed(HealthSyncDb db, string source, DateTime from, DateTime to, TimeSpan every)
    {
        for (var at = to; at >= from; at -= every)
        {
            db.InboxMessages.Add(new InboxMessage
            {
                CorrelationId = Guid.CreateVersion7(), IdempotencyKey = $"seed:{source}:{at.Ticks}", SourceSystem = source, Transport = "mllp", Format = "hl7v2",
                MessageType = "ORU^R01", Payload = Encoding.ASCII.GetBytes("MSH|^~\\&|" + source), ReceivedAt = at, Status = InboxStatus.Processed, ProcessedAt = at,
            });
        }
    }
}
