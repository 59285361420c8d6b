using System.Net;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
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
        exceptions.QuerySelectorAll("table[aria-label=Exceptions] tbody tr").Length.ShouldBeGreaterThan(0);
        var grouped = await session.GetDocumentAsync("/exceptions?status=Open&group=cause");
        grouped.QuerySelectorAll("table[aria-label='Exception groups'] tbody tr").Length.ShouldBeGreaterThan(0);
        (await session.GetDocumentAsync("/exceptions?status=Open&group=entity")).QuerySelector("[data-testid=exception-count]").ShouldNotBeNull();
        (await session.GetDocumentAsync("/exceptions?status=Open&bulk=comment&bulkComment=x")).QuerySelector("section[aria-label='Bulk actions']").ShouldNotBeNull();
        var detailLink = exceptions.QuerySelector("table[aria-label=Exceptions] tbody a[href^='/exceptions/']")!.GetAttribute("href")!;
        var detail = await session.GetDocumentAsync(detailLink);
        detail.QuerySelector("[data-testid=status]")!.TextContent.ShouldBe("Open");
        detail.QuerySelector("[data-testid=error-detail]").ShouldNotBeNull();
        (await session.GetDocumentAsync(detailLink + "?preview=true&reveal=true")).QuerySelector("[data-testid=status]").ShouldNotBeNull();
        (await session.GetDocumentAsync("/exceptions/" + Guid.NewGuid())).QuerySelector("h1")!.TextContent.ShouldBe("Exception not found");
        var audit = await session.GetDocumentAsync("/audit?action=sign-in");
        audit.QuerySelectorAll("table[aria-label='Audit entries'] tbody tr").Length.ShouldBeGreaterThan(0);
        audit.QuerySelector("a[href^='/api/v1/audit/export.csv']").ShouldNotBeNull();
        var lineage = await session.GetDocumentAsync("/lineage");
        var first = lineage.QuerySelector("a[href^='/lineage/']")!.GetAttribute("href")!;
        var timeline = await session.GetDocumentAsync(first);
        timeline.QuerySelectorAll("ol[aria-label='Lineage timeline'] li").Length.ShouldBeGreaterThan(2);
        (await session.GetDocumentAsync("/health")).QuerySelectorAll("tr[data-endpoint]").Length.ShouldBe(4);
        (await session.GetDocumentAsync("/fragments/overview")).QuerySelector("#overview").ShouldNotBeNull();
    }

    [Fact]
    public async Task Every_open_exception_renders_with_its_replay_preview()
    {
        await SendTrafficAsync();
        await using var db = host.NewDb();
        var open = await db.Exceptions.Where(e => e.Status == ExceptionStatus.Open).Select(e => new { e.Id, e.Category, e.ErrorCode }).ToListAsync();
        open.Count.ShouldBeGreaterThan(0);
        using var admin = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        foreach (var e in open)
        {
            using var response = await admin.GetAsync($"/exceptions/{e.Id}?preview=true&reveal=true");
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"{e.Category} {e.ErrorCode} {e.Id}");
        }
    }

    [Fact]
    public async Task Actions_are_offered_only_on_queues_the_role_may_act_on()
    {
        await SendTrafficAsync();
        await using var db = host.NewDb();
        var revenue = await db.Exceptions.Where(e => e.Status == ExceptionStatus.Open && e.Team == QueuePermissions.RevenueCycleTeam).Select(e => e.Id).FirstAsync();

        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var page = await analyst.GetDocumentAsync($"/exceptions/{revenue}");
        page.QuerySelector("form[action$='/resolve']").ShouldNotBeNull();
        page.QuerySelector("form[action$='/comment']").ShouldNotBeNull();
        (await analyst.GetDocumentAsync("/exceptions?team=revenue-cycle")).QuerySelector("[data-testid=no-bulk-actions]").ShouldBeNull();

        using var supply = await PortalSession.SignInAsync(host, "supply", "supply-demo");
        var masked = await supply.GetDocumentAsync($"/exceptions/{revenue}?reveal=true");
        masked.QuerySelector("[data-testid=no-actions]").ShouldNotBeNull();
        masked.QuerySelectorAll("form[action^='/exceptions/']").Length.ShouldBe(0);
        (await supply.GetDocumentAsync("/exceptions?team=revenue-cycle")).QuerySelector("[data-testid=no-bulk-actions]").ShouldNotBeNull();
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
