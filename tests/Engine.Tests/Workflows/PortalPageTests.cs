using System.Net;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Workflows;

/// <summary>The portal's pages rendered for each role, on a database with real traffic in it.</summary>
public class PortalPageTests(TestHost host) : IClassFixture<TestHost>
{
    [Theory]
    [InlineData("analyst", "analyst-demo", "Revenue cycle analyst")]
    [InlineData("supply", "supply-demo", "Supply chain lead")]
    [InlineData("admin", "admin-demo", "Administrator")]
    public async Task Every_page_renders_for_every_role(string user, string password, string roleLabel)
    {
        await SendTrafficAsync();
        using var session = await PortalSession.SignInAsync(host, user, password);

        var home = await session.GetDocumentAsync("/");
        home.QuerySelector("[data-testid=current-user]")!.TextContent.ShouldContain(roleLabel);
        home.QuerySelectorAll("[data-testid=tile-value]").Length.ShouldBe(5);
        var exceptions = await session.GetDocumentAsync("/exceptions?status=Open");
        exceptions.QuerySelector("[data-testid=exception-count]")!.TextContent.ShouldNotStartWith("0 ");
        exceptions.QuerySelectorAll("#exception-results tbody tr").Length.ShouldBeGreaterThan(0);
        var lineage = await session.GetDocumentAsync("/lineage");
        var first = lineage.QuerySelector("a[href^='/lineage/']")!.GetAttribute("href")!;
        var timeline = await session.GetDocumentAsync(first);
        timeline.QuerySelectorAll("ol[aria-label='Lineage timeline'] li").Length.ShouldBeGreaterThan(2);
        (await session.GetDocumentAsync("/health")).QuerySelectorAll("tr[data-endpoint]").Length.ShouldBe(4);
        (await session.GetDocumentAsync("/fragments/overview")).QuerySelector("#overview").ShouldNotBeNull();
    }

    [Fact]
    public async Task Only_admins_reach_the_simulated_estate_page()
    {
        using var admin = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        (await admin.GetDocumentAsync("/estate")).QuerySelectorAll("tr[data-system]").Length.ShouldBe(5);
        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        using var response = await analyst.GetAsync("/estate");
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/denied");
    }

    [Fact]
    public async Task A_wrong_password_is_refused_and_audited()
    {
        using var session = PortalSession.Anonymous(host);
        (await session.PostLoginAsync("analyst", "wrong")).ShouldStartWith("/account/login?error=1");
        (await session.GetAsync("/exceptions")).StatusCode.ShouldBe(HttpStatusCode.Redirect);
        (await session.PostLoginAsync("analyst", "analyst-demo")).ShouldBe("/");
        await using var db = host.NewDb();
        (await db.AuditEntries.CountAsync(a => a.Action == "sign-in.failed" && a.Actor == "analyst")).ShouldBeGreaterThan(0);
        (await db.AuditEntries.CountAsync(a => a.Action == "sign-in" && a.Actor == "analyst")).ShouldBeGreaterThan(0);
    }

    [Fact]
    public async Task Supply_chain_leads_see_masked_patient_keys_on_the_lineage_page()
    {
        var usage = Usage.Stent();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var id = (await db.InboxMessages.SingleAsync(m => m.IdempotencyKey.EndsWith(":" + usage.ControlId))).CorrelationId;

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var masked = (await supply.GetDocumentAsync($"/lineage/{id}")).Body!.TextContent;
        masked.ShouldNotContain(usage.Encounter);
        masked.ShouldNotContain(usage.Account);
        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        (await analyst.GetDocumentAsync($"/lineage/{id}")).Body!.TextContent.ShouldContain(usage.Encounter);
    }

    private async Task SendTrafficAsync()
    {
        var world = new DemoWorld(7, badDataRate: 0.5);
        await using var client = await MllpClient.ConnectAsync(host.MllpPort);
        foreach (var e in Enumerable.Range(0, 30).SelectMany(_ => world.Next(DateTime.UtcNow.AddMinutes(-10))))
            await client.SendAsync(DemoMessages.Dft(e));
        await host.DrainedAsync();
    }
}
