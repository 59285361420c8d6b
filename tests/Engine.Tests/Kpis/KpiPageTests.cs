using System.Net;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Kpis;

/// <summary>The dashboard, its drill-downs, the role landing pages and the KPI API, rendered on a database with real traffic.</summary>
public class KpiPageTests(TestHost host) : IClassFixture<TestHost>
{
    private static readonly SemaphoreSlim Once = new(1, 1);
    private static bool _sent;

    /// <summary>Usage traffic with faults, processed and delivered; then the inventory drift and charge capture jobs, as an admin would run them.</summary>
    private async Task TrafficAsync()
    {
        await Once.WaitAsync();
        try
        {
            if (_sent) return;
            var world = new DemoWorld(11, badDataRate: 0.4);
            await using (var client = await MllpClient.ConnectAsync(host.MllpPort))
            {
                foreach (var e in Enumerable.Range(0, 40).SelectMany(_ => world.Next(DateTime.UtcNow.AddMinutes(-30))))
                    await client.SendAsync(DemoMessages.Dft(e));
            }
            await host.DrainedAsync();
            using var admin = host.Client(TestHost.AdminKey);
            await JobRuns.RunAsync(admin, "inventory-drift");
            await JobRuns.RunAsync(admin, "charge-capture");
            _sent = true;
        }
        finally
        {
            Once.Release();
        }
    }

    private static int Number(AngleSharp.Dom.IElement tile, string testId) =>
        int.Parse(tile.QuerySelector($"[data-testid={testId}]")!.TextContent.Trim().Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("analyst", "analyst-demo")]
    [InlineData("supply", "supply-demo")]
    [InlineData("admin", "admin-demo")]
    public async Task The_dashboard_and_a_drill_down_render_for_every_role_and_the_lists_add_up(string user, string password)
    {
        await TrafficAsync();
        using var session = await PortalSession.SignInAsync(host, user, password);

        var dashboard = await session.GetDocumentAsync("/dashboard");
        dashboard.QuerySelector("[data-testid=nav-dashboard]").ShouldNotBeNull();
        var tiles = dashboard.QuerySelectorAll("[data-testid=kpi-tile]");
        tiles.Select(t => t.GetAttribute("data-kpi")).ShouldBe(Engine.Kpis.KpiCatalog.All.Select(k => k.Id));
        var capture = tiles.Single(t => t.GetAttribute("data-kpi") == "charge-capture");
        Number(capture, "kpi-denominator").ShouldBeGreaterThan(0);
        capture.QuerySelector("[data-testid=kpi-if-resolved]")!.TextContent.ShouldContain("If open exceptions were resolved");
        dashboard.QuerySelectorAll("canvas[data-kpi-chart]").Length.ShouldBeGreaterThanOrEqualTo(6);
        dashboard.QuerySelectorAll("[data-testid=kpi-trend-values] tbody tr").Length.ShouldBeGreaterThan(0);
        dashboard.QuerySelector("form[data-testid=kpi-filters][hx-get='/dashboard'][hx-push-url=true]").ShouldNotBeNull();
        dashboard.QuerySelector("[data-testid=flow-endpoints]")!.TextContent.ShouldContain("live");

        var inventory = tiles.Single(t => t.GetAttribute("data-kpi") == "inventory-accuracy");
        var drill = await session.GetDocumentAsync("/dashboard/inventory-accuracy?list=gap");
        drill.QuerySelector("[data-testid=drill-count]")!.TextContent.ShouldStartWith($"{Number(inventory, "kpi-denominator") - Number(inventory, "kpi-numerator")} item(s)");
        int Tab(string list) => int.Parse(drill.QuerySelector($"[data-testid=list-{list}]")!.TextContent.Split('(')[1].TrimEnd(')').Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture);
        (Tab("numerator") + Tab("gap")).ShouldBe(Tab("denominator"));
        Tab("denominator").ShouldBe(Number(inventory, "kpi-denominator"));
        drill.QuerySelectorAll("[data-testid=kpi-breakdown]").Length.ShouldBe(2);

        var captureDrill = await session.GetDocumentAsync("/dashboard/charge-capture?list=denominator&facility=NGH");
        captureDrill.QuerySelectorAll("[data-testid=drill-row]").Length.ShouldBeGreaterThan(0);
        captureDrill.QuerySelectorAll("[data-testid=drill-row] a[href^='/lineage/']").Length.ShouldBeGreaterThan(0);
        (await session.GetDocumentAsync("/dashboard/no-such-kpi")).QuerySelector("h1")!.TextContent.ShouldBe("KPI not found");
        // An empty window is "no data" for every windowed KPI (exception health counts what is open now).
        (await session.GetDocumentAsync("/dashboard?window=custom&from=2020-01-01&to=2020-01-02")).QuerySelectorAll("[data-testid=kpi-tile]:not([data-kpi=exception-health]) [data-testid=kpi-value]")
            .Select(v => v.TextContent.Trim()).ShouldAllBe(v => v == "no data");
    }

    [Fact]
    public async Task Patient_identifiers_are_masked_in_drill_downs_for_the_supply_chain_lead_only()
    {
        await TrafficAsync();
        await using var db = host.NewDb();
        var encounters = await db.UsageEvents.Where(u => u.Encounter != null).Select(u => u.Encounter!).ToListAsync();
        const string path = "/dashboard/charge-capture?list=denominator";

        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var shown = (await analyst.GetDocumentAsync(path)).QuerySelectorAll("[data-testid=drill-patient]").Select(p => p.TextContent.Trim()).Where(t => t.Length > 0).ToList();
        shown.ShouldNotBeEmpty();
        shown.ShouldContain(t => encounters.Contains(t));

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var page = await supply.GetDocumentAsync(path);
        var masked = page.QuerySelectorAll("[data-testid=drill-patient]").Select(p => p.TextContent.Trim()).Where(t => t.Length > 0).ToList();
        masked.ShouldNotBeEmpty();
        masked.ShouldAllBe(t => t.StartsWith('•'));
        foreach (var encounter in encounters) page.Body!.TextContent.ShouldNotContain(encounter);

        using var api = host.Client(TestHost.SupplyKey);
        var json = await api.GetStringAsync("api/v1/kpis/charge-capture/drill?list=denominator&pageSize=500");
        foreach (var encounter in encounters) json.ShouldNotContain(encounter);
    }

    [Fact]
    public async Task Each_role_lands_on_its_own_numbers_with_the_engine_flow_below()
    {
        await TrafficAsync();
        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var home = await analyst.GetDocumentAsync("/");
        home.QuerySelector("h1")!.TextContent.ShouldBe("Revenue cycle");
        home.QuerySelectorAll("[data-testid=kpi-tile]").Select(t => t.GetAttribute("data-kpi")).ShouldBe(["charge-capture", "payment-timeliness"]);
        home.QuerySelector("[data-testid=team-breached]")!.GetAttribute("href").ShouldBe("/exceptions?status=Open&sla=breached&team=revenue-cycle");
        home.QuerySelectorAll("[data-testid=tile-value]").Length.ShouldBe(5);

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        home = await supply.GetDocumentAsync("/");
        home.QuerySelector("h1")!.TextContent.ShouldBe("Supply chain");
        home.QuerySelectorAll("[data-testid=kpi-tile]").Select(t => t.GetAttribute("data-kpi")).ShouldBe(["inventory-accuracy", "invoice-match"]);
        home.QuerySelectorAll("[data-testid=landing-breakdown]").Length.ShouldBe(3);
        home.QuerySelector("[data-testid=stuck-acks]").ShouldNotBeNull();

        using var admin = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        home = await admin.GetDocumentAsync("/");
        home.QuerySelectorAll("[data-testid=kpi-tile]").Length.ShouldBe(Engine.Kpis.KpiCatalog.All.Count);
        home.QuerySelector("[data-testid=flow-endpoints]").ShouldNotBeNull();
    }

    [Fact]
    public async Task The_API_returns_every_KPI_and_drill_lists_that_add_up_to_them()
    {
        await TrafficAsync();
        using var api = host.Client(TestHost.AnalystKey);
        using var all = JsonDocument.Parse(await api.GetStringAsync("api/v1/kpis?window=24h&facility=NGH"));
        var kpis = all.RootElement.GetProperty("kpis").EnumerateArray().ToList();
        kpis.Count.ShouldBe(Engine.Kpis.KpiCatalog.All.Count);
        var capture = kpis.Single(k => k.GetProperty("definition").GetProperty("id").GetString() == "charge-capture").GetProperty("current");
        capture.GetProperty("denominator").GetInt32().ShouldBeGreaterThan(0);

        int Total(string list) => JsonDocument.Parse(api.GetStringAsync($"api/v1/kpis/charge-capture/drill?list={list}&facility=NGH&pageSize=1").Result)
            .RootElement.GetProperty("total").GetInt32();
        Total("denominator").ShouldBe(capture.GetProperty("denominator").GetInt32());
        (Total("numerator") + Total("gap")).ShouldBe(Total("denominator"));
        (await api.GetAsync("api/v1/kpis/nothing/drill")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        using var anonymous = host.Client();
        (await anonymous.GetAsync("api/v1/kpis")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await api.GetStringAsync("openapi/v1.json")).ShouldContain("/api/v1/kpis/{kpi}/drill");
    }
}
