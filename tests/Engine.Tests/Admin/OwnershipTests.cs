using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using HealthSync.Portal.Admin.Ownership;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Admin;

/// <summary>
/// The ownership matrix, workflow owners and routing rules changed through the admin API and page, on the real
/// engine: new exceptions from real HL7 messages follow a change at once, and every change is audited.
/// </summary>
public class OwnershipTests(TestHost host) : IClassFixture<TestHost>
{
    private const string Rules = "api/v1/admin/routing-rules";

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static GeneratedUsage UnknownLocation(string facility) => Usage.New("ITM-SUP-DRAPE01", "Surgical drape pack", 1, "EA", 45m, facility, "NOWHERE");

    /// <summary>Sends a usage over MLLP, waits for the engine, and returns the exception it raised with the given code.</summary>
    private async Task<ExceptionRecord> ExceptionForAsync(GeneratedUsage usage, string code)
    {
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBeOneOf("AA", "AE");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var cid = await CorrelationOfAsync(db, usage);
        return await db.Exceptions.SingleAsync(e => e.CorrelationId == cid && e.ErrorCode == code);
    }

    private static Task<Guid> CorrelationOfAsync(HealthSyncDb db, GeneratedUsage usage) =>
        db.BusinessKeys.Where(k => k.KeyType == "source-event" && k.KeyValue == usage.TransactionId).Select(k => k.CorrelationId).FirstAsync();

    private async Task<long> CreateRuleAsync(HttpClient admin, string category, string? workflow, string? facility, string team)
    {
        var created = await admin.PostAsJsonAsync(Rules, new { category, workflow, facility, team, reason = "test rule" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created, await created.Content.ReadAsStringAsync());
        return (await Json(created)).GetProperty("id").GetInt64();
    }

    private static async Task<JsonElement> FallbackAsync(HttpClient admin) =>
        (await admin.GetFromJsonAsync<JsonElement>(Rules)).EnumerateArray().Single(r => r.GetProperty("fallback").GetBoolean());

    [Fact]
    public async Task A_changed_routing_rule_routes_the_next_exception_from_a_real_message_to_the_new_team_while_the_old_one_keeps_its_team()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var id = await CreateRuleAsync(admin, "mapping-gap", "supply-charge", "CMC", "cmc-supply");

        var first = await ExceptionForAsync(UnknownLocation("CMC"), "unknown-location");
        first.Team.ShouldBe("cmc-supply");

        (await admin.PutAsJsonAsync($"{Rules}/{id}", new { category = "mapping-gap", workflow = "supply-charge", facility = "CMC", team = "cmc-materials", reason = "CMC materials team took over" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var second = await ExceptionForAsync(UnknownLocation("CMC"), "unknown-location");

        second.Team.ShouldBe("cmc-materials");
        await using var db = host.NewDb();
        (await db.Exceptions.SingleAsync(e => e.Id == first.Id)).Team.ShouldBe("cmc-supply");
        (await admin.DeleteAsync($"{Rules}/{id}?reason=test%20done")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ExceptionForAsync(UnknownLocation("CMC"), "unknown-location")).Team.ShouldBe("master-data", "the demo rule applies again once the rule is deleted");
    }

    [Fact]
    public async Task The_most_specific_rule_wins_and_the_fallback_catches_a_category_and_workflow_no_rule_names()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var facilityRule = await CreateRuleAsync(admin, "mapping-gap", null, "SCH", "sch-master-data");
        var workflowRule = await CreateRuleAsync(admin, "mapping-gap", "supply-charge", null, "supply-master-data");

        var atSouth = await admin.GetFromJsonAsync<JsonElement>($"{Rules}/resolve?category=mapping-gap&workflow=supply-charge&facility=SCH");
        atSouth.GetProperty("team").GetString().ShouldBe("sch-master-data");
        atSouth.GetProperty("rule").GetProperty("id").GetInt64().ShouldBe(facilityRule, "a facility outweighs a workflow");
        (await admin.GetFromJsonAsync<JsonElement>($"{Rules}/resolve?category=mapping-gap&workflow=supply-charge&facility=NGH"))
            .GetProperty("rule").GetProperty("id").GetInt64().ShouldBe(workflowRule);
        (await ExceptionForAsync(UnknownLocation("SCH"), "unknown-location")).Team.ShouldBe("sch-master-data");
        (await ExceptionForAsync(UnknownLocation("NGH"), "unknown-location")).Team.ShouldBe("supply-master-data");

        var fallback = await FallbackAsync(admin);
        var unnamed = await admin.GetFromJsonAsync<JsonElement>($"{Rules}/resolve?category=duplicate&workflow=master-data");
        unnamed.GetProperty("team").GetString().ShouldBe("integration-ops");
        unnamed.GetProperty("rule").GetProperty("id").GetInt64().ShouldBe(fallback.GetProperty("id").GetInt64());

        // Without the rule for every supply-charge category, a real out-of-order reversal falls through to the fallback.
        var supplyAny = (await admin.GetFromJsonAsync<JsonElement>(Rules)).EnumerateArray()
            .Single(r => r.GetProperty("category").GetString() == "*" && r.GetProperty("workflow").GetString() == "supply-charge");
        (await admin.DeleteAsync($"{Rules}/{supplyAny.GetProperty("id").GetInt64()}?reason=test")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await ExceptionForAsync(Usage.Stent("NGH") with { Reversal = true }, "reversal-before-original")).Team.ShouldBe("integration-ops");

        await CreateRuleAsync(admin, "*", "supply-charge", null, "revenue-cycle");
        (await ExceptionForAsync(Usage.Stent("NGH") with { Reversal = true }, "reversal-before-original")).Team.ShouldBe("revenue-cycle");
        foreach (var id in new[] { facilityRule, workflowRule })
            (await admin.DeleteAsync($"{Rules}/{id}?reason=test%20done")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public void Without_rules_an_exception_routes_to_nobody_and_the_demo_rules_route_every_category_and_workflow()
    {
        var problem = new Problem(Categories.Sequencing, "reversal-before-original", "test");
        ExceptionFactory.Create(problem, WorkflowNames.MasterData, Guid.NewGuid(), "POU", "NGH", 0m, null, MappingSnapshot.Empty, DateTime.UtcNow).Team.ShouldBeNull();

        var onlyFallback = new MappingSnapshot([], [], [], [], [new RoutingRule { Category = "*", Team = "integration-ops" }]);
        ExceptionFactory.Create(problem, WorkflowNames.MasterData, Guid.NewGuid(), "POU", "NGH", 0m, null, onlyFallback, DateTime.UtcNow).Team.ShouldBe("integration-ops");

        var demo = DemoCatalog.Routing.Select(r => new RoutingRule { Category = r.Category, Workflow = r.Workflow, Team = r.Team }).ToList();
        RoutingTable.Grid(demo, "NGH").ShouldAllBe(cell => cell.Team != null);
        RoutingTable.Resolve(demo, Categories.Sequencing, WorkflowNames.MasterData, null).Rule!.Fallback.ShouldBeTrue();
    }

    [Fact]
    public async Task Unknown_names_and_an_empty_team_are_400_and_removing_the_last_fallback_or_a_duplicate_rule_is_409()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var before = (await admin.GetFromJsonAsync<JsonElement>(Rules)).GetArrayLength();

        async Task Invalid(HttpResponseMessage r, string field)
        {
            r.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
            (await Json(r)).GetProperty("errors").TryGetProperty(field, out _).ShouldBeTrue($"an error for {field}");
        }
        await Invalid(await admin.PostAsJsonAsync(Rules, new { category = "misc", team = "ops", reason = "r" }), "category");
        await Invalid(await admin.PostAsJsonAsync(Rules, new { category = "*", workflow = "billing-run", team = "ops", reason = "r" }), "workflow");
        await Invalid(await admin.PostAsJsonAsync(Rules, new { category = "*", facility = "XYZ", team = "ops", reason = "r" }), "facility");
        await Invalid(await admin.PostAsJsonAsync(Rules, new { category = "*", workflow = "master-data", team = " ", reason = "r" }), "team");
        await Invalid(await admin.PostAsJsonAsync(Rules, new { category = "*", workflow = "master-data", team = "ops" }), "reason");
        await Invalid(await admin.GetAsync($"{Rules}/resolve?category=mapping-gap&facility=XYZ"), "facility");
        await Invalid(await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "inventory-balance", systemOfRecord = "sap", businessOwner = "x", reason = "r" }), "systemOfRecord");
        await Invalid(await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "widget", systemOfRecord = "erp", businessOwner = "x", reason = "r" }), "entity");
        await Invalid(await admin.PutAsJsonAsync("api/v1/admin/workflow-owners/supply-charge", new { owner = "", reason = "r" }), "owner");

        var fallback = await FallbackAsync(admin);
        var fallbackId = fallback.GetProperty("id").GetInt64();
        var delete = await admin.DeleteAsync($"{Rules}/{fallbackId}?reason=cleanup");
        delete.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Json(delete)).GetProperty("detail").GetString()!.ShouldContain("last fallback");
        (await admin.PutAsJsonAsync($"{Rules}/{fallbackId}", new { category = "validation", team = "integration-ops", reason = "narrow it" }))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PutAsJsonAsync($"{Rules}/{fallbackId}", new { category = "*", team = "ops-desk", reason = "new catch-all team" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.GetFromJsonAsync<JsonElement>($"{Rules}/resolve?category=duplicate&workflow=master-data")).GetProperty("team").GetString().ShouldBe("ops-desk");
        (await admin.PutAsJsonAsync($"{Rules}/{fallbackId}", new { category = "*", team = "integration-ops", reason = "back" })).StatusCode.ShouldBe(HttpStatusCode.OK);

        var duplicate = await admin.PostAsJsonAsync(Rules, new { category = "mapping-gap", team = "master-data", reason = "again" });
        duplicate.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await Json(duplicate)).GetProperty("detail").GetString()!.ShouldContain("already exists");
        (await admin.PostAsJsonAsync(Rules, new { category = "*", team = "someone-else", reason = "second catch-all" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.GetFromJsonAsync<JsonElement>(Rules)).GetArrayLength().ShouldBe(before);
    }

    [Fact]
    public async Task Naming_a_system_without_an_interface_for_inventory_holds_the_next_usage_as_a_no_route_gap_and_changing_it_back_posts_again()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "inventory-balance", systemOfRecord = "warehouse", businessOwner = "Director of Supply Chain", reason = "stock moves to the WMS" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);

        var held = Usage.Stent("NGH");
        var gap = await ExceptionForAsync(held, "no-route");
        gap.Category.ShouldBe(Categories.MappingGap);
        gap.ErrorDetail.ShouldContain("'warehouse'");
        await using (var db = host.NewDb())
            (await db.OutboxMessages.CountAsync(o => o.CorrelationId == gap.CorrelationId)).ShouldBe(0, "nothing is posted before the route exists");

        (await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "inventory-balance", systemOfRecord = "erp", businessOwner = "Director of Supply Chain", reason = "WMS interface not live yet" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        var posted = Usage.Stent("NGH");
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(posted))).ShouldBe("AA");
        await host.DrainedAsync();

        await using var check = host.NewDb();
        var cid = await CorrelationOfAsync(check, posted);
        (await check.Exceptions.AnyAsync(e => e.CorrelationId == cid)).ShouldBeFalse();
        (await check.InventoryMovements.SingleAsync(m => m.CorrelationId == cid)).Status.ShouldBe(PostingStatus.Posted);
        (await check.Charges.SingleAsync(c => c.CorrelationId == cid)).Status.ShouldBe(PostingStatus.Posted);
    }

    [Fact]
    public async Task The_workflow_business_owner_shows_on_the_exception_page()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var change = await admin.PutAsJsonAsync("api/v1/admin/workflow-owners/supply-charge",
            new { owner = "Jordan Lee, Revenue Cycle Director", contact = "jordan.lee@hospital.example", reason = "new director" });
        change.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.GetFromJsonAsync<JsonElement>("api/v1/admin/workflow-owners/supply-charge")).GetProperty("owner").GetString().ShouldBe("Jordan Lee, Revenue Cycle Director");
        var ex = await ExceptionForAsync(Usage.Stent("NGH") with { Lot = null, Serial = null }, "missing-lot");

        using var analyst = await PortalSession.SignInAsync(host, "analyst", "analyst-demo");
        var page = await analyst.GetDocumentAsync($"exceptions/{ex.Id}");

        var owner = page.QuerySelector("[data-testid=business-owner]")!.TextContent;
        owner.ShouldContain("Jordan Lee, Revenue Cycle Director");
        owner.ShouldContain("jordan.lee@hospital.example");
    }

    [Fact]
    public async Task Every_change_is_in_the_audit_log_with_before_after_and_reason()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var tag = Guid.NewGuid().ToString("N")[..8];
        (await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "charge-code", field = "price", systemOfRecord = "billing", businessOwner = "Chargemaster Analyst", reason = $"add {tag}" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "charge-code", field = "price", systemOfRecord = "erp", businessOwner = "Chargemaster Analyst", reason = $"move {tag}" }))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.DeleteAsync($"api/v1/admin/ownership?entity=charge-code&field=price&reason=remove%20{tag}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        var owner = (await admin.GetFromJsonAsync<JsonElement>("api/v1/admin/workflow-owners/master-data")).GetProperty("owner").GetString();
        (await admin.PutAsJsonAsync("api/v1/admin/workflow-owners/master-data", new { owner = "Sam Steward", contact = "x1234", reason = $"owner {tag}" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PutAsJsonAsync("api/v1/admin/workflow-owners/master-data", new { owner, contact = "tomas.reyes@hospital.example", reason = $"owner back {tag}" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        var id = (await Json(await admin.PostAsJsonAsync(Rules, new { category = "sequencing", workflow = "procure-to-pay", team = "buyers", reason = $"create {tag}" }))).GetProperty("id").GetInt64();
        (await admin.PutAsJsonAsync($"{Rules}/{id}", new { category = "sequencing", workflow = "procure-to-pay", facility = "NGH", team = "ngh-buyers", reason = $"update {tag}" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.DeleteAsync($"{Rules}/{id}?reason=delete%20{tag}")).StatusCode.ShouldBe(HttpStatusCode.OK);

        var entries = (await admin.GetFromJsonAsync<JsonElement>("api/v1/audit?actor=admin")).GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("reason").GetString()?.EndsWith(tag, StringComparison.Ordinal) == true)
            .ToDictionary(e => e.GetProperty("reason").GetString()![..^(tag.Length + 1)]);
        string Action(string key) => entries[key].GetProperty("action").GetString()!;
        JsonElement? State(string key, string side) => entries[key].GetProperty(side).GetString() is { } json ? JsonDocument.Parse(json).RootElement.Clone() : null;
        string? Before(string key, string property) => State(key, "before")!.Value.GetProperty(property).GetString();
        string? After(string key, string property) => State(key, "after")!.Value.GetProperty(property).GetString();

        entries.Count.ShouldBe(8);
        Action("add").ShouldBe("ownership.change");
        State("add", "before").ShouldBeNull();
        After("add", "systemOfRecord").ShouldBe("billing");
        entries["move"].GetProperty("targetId").GetString().ShouldBe("charge-code.price");
        Before("move", "systemOfRecord").ShouldBe("billing");
        After("move", "systemOfRecord").ShouldBe("erp");
        Action("remove").ShouldBe("ownership.change");
        Before("remove", "systemOfRecord").ShouldBe("erp");
        State("remove", "after").ShouldBeNull();
        Action("owner").ShouldBe("workflow-owner.change");
        Before("owner", "owner").ShouldBe(owner);
        After("owner", "owner").ShouldBe("Sam Steward");
        After("owner back", "owner").ShouldBe(owner);
        Action("create").ShouldBe("routing-rule.create");
        entries["create"].GetProperty("targetId").GetString().ShouldBe(id.ToString());
        State("create", "before").ShouldBeNull();
        After("create", "team").ShouldBe("buyers");
        Action("update").ShouldBe("routing-rule.update");
        Before("update", "facility").ShouldBeNull();
        After("update", "facility").ShouldBe("NGH");
        Action("delete").ShouldBe("routing-rule.delete");
        Before("delete", "team").ShouldBe("ngh-buyers");
        State("delete", "after").ShouldBeNull();
    }

    [Fact]
    public async Task The_demo_names_a_system_of_record_for_every_entity_an_owner_for_every_workflow_and_one_fallback()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var matrix = await admin.GetFromJsonAsync<JsonElement>("api/v1/admin/ownership");
        var entries = matrix.GetProperty("entries").EnumerateArray()
            .Select(e => (Entity: e.GetProperty("entity").GetString()!, Field: e.GetProperty("field").GetString(), System: e.GetProperty("systemOfRecord").GetString()!,
                Owner: e.GetProperty("businessOwner").GetString()))
            .ToList();
        foreach (var entity in OwnershipCatalog.Entities)
            entries.ShouldContain(e => e.Entity == entity && e.Field == null && e.Owner != null, $"an entity row for {entity}");
        entries.ShouldAllBe(e => OwnershipCatalog.Systems.Contains(e.System));
        entries.ShouldContain(e => e.Entity == "item" && e.Field == "description" && e.System == "procurement", "a field-level row");

        var owners = (await admin.GetFromJsonAsync<JsonElement>("api/v1/admin/workflow-owners")).EnumerateArray().ToList();
        owners.Select(o => o.GetProperty("workflow").GetString()).ShouldBe(WorkflowNames.All);
        owners.ShouldAllBe(o => !string.IsNullOrEmpty(o.GetProperty("owner").GetString()));
        (await FallbackAsync(admin)).GetProperty("team").GetString().ShouldBe("integration-ops");
    }

    [Fact]
    public async Task Analysts_and_supply_leads_get_403_from_the_API_and_are_refused_the_page()
    {
        foreach (var key in new[] { TestHost.AnalystKey, TestHost.SupplyKey })
        {
            using var client = host.Client(key);
            (await client.GetAsync("api/v1/admin/ownership")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PutAsJsonAsync("api/v1/admin/ownership", new { entity = "item", systemOfRecord = "erp", businessOwner = "x", reason = "r" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PutAsJsonAsync("api/v1/admin/workflow-owners/supply-charge", new { owner = "x", reason = "r" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.GetAsync(Rules)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.GetAsync($"{Rules}/resolve?category=mapping-gap")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsJsonAsync(Rules, new { category = "*", workflow = "master-data", team = "x", reason = "r" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.DeleteAsync($"{Rules}/1?reason=r")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        foreach (var (user, password) in new[] { ("analyst", "analyst-demo"), ("supply", "supply-demo") })
        {
            using var session = await PortalSession.SignInAsync(host, user, password);
            using var page = await session.GetAsync("admin/ownership");
            page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            page.Headers.Location!.ToString().ShouldContain("/account/denied");
        }
    }

    [Fact]
    public async Task An_admin_changes_rules_through_the_page_forms_and_sees_the_grid_and_the_tester()
    {
        using var admin = await AdminBrowser.SignInAsync(host);
        var page = await admin.PageAsync("admin/ownership");
        page.QuerySelectorAll("[data-testid=routing-rule]").Length.ShouldBe((await host.Client(TestHost.AdminKey).GetFromJsonAsync<JsonElement>(Rules)).GetArrayLength());
        page.QuerySelectorAll("td[data-testid^='route-']").Length.ShouldBe(Categories.All.Count * WorkflowNames.All.Count);
        page.QuerySelector("[data-testid=route-mapping-gap-supply-charge]")!.TextContent.ShouldContain("master-data");
        page.QuerySelector("[data-testid=route-duplicate-master-data]")!.TextContent.ShouldContain("integration-ops");

        var create = page.QuerySelector<IHtmlFormElement>("[data-testid=rule-create-form]")!;
        (await admin.SubmitAsync(create, new() { ["category"] = "upstream-data", ["workflow"] = "payment-posting", ["team"] = "cash-posting", ["reason"] = "" }))
            .QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("reason is required");
        var after = await admin.SubmitAsync(create, new() { ["category"] = "upstream-data", ["workflow"] = "payment-posting", ["team"] = "cash-posting", ["reason"] = "cash team owns bad remits" });
        after.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("Added rule");
        after.QuerySelector("[data-testid=route-upstream-data-payment-posting]")!.TextContent.ShouldContain("cash-posting");

        var tested = await admin.PageAsync("admin/ownership?routeCategory=upstream-data&routeWorkflow=payment-posting&routeFacility=NGH");
        tested.QuerySelector("[data-testid=route-team]")!.TextContent.ShouldBe("cash-posting");
        var row = after.QuerySelectorAll("[data-testid=routing-rule]").Single(r => r.QuerySelector("[data-testid=rule-team]")!.TextContent.Contains("cash-posting"));
        var deleted = await admin.SubmitAsync(row.QuerySelector<IHtmlFormElement>("[data-testid=rule-delete-form]")!, new() { ["reason"] = "merged into supply chain" });
        deleted.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("Deleted rule");
        deleted.QuerySelector("[data-testid=route-upstream-data-payment-posting]")!.TextContent.ShouldContain("supply-chain");

        var fallbackRow = deleted.QuerySelectorAll("[data-testid=routing-rule]").Single(r => r.QuerySelector("[data-testid=fallback]") is not null);
        fallbackRow.QuerySelector("[data-testid=rule-delete-form]").ShouldBeNull("the last fallback offers no delete");
        (await admin.PostWithoutTokenAsync("admin/ownership/routing-rules", new() { ["category"] = "*", ["workflow"] = "master-data", ["team"] = "x", ["reason"] = "r" }))
            .StatusCode.ShouldBe(HttpStatusCode.BadRequest);
    }

    /// <summary>The admin page as a browser uses it: signed in with a cookie, forms submitted with their antiforgery token.</summary>
    private sealed class AdminBrowser : IDisposable
    {
        private readonly HttpClient _http;

        private AdminBrowser(Uri baseAddress) =>
            _http = new HttpClient(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = baseAddress };

        public static async Task<AdminBrowser> SignInAsync(TestHost host)
        {
            var browser = new AdminBrowser(host.BaseAddress);
            var login = await browser.PageAsync("account/login");
            (await browser.SubmitAsync(login.QuerySelector<IHtmlFormElement>("form")!, new() { ["userName"] = "admin", ["password"] = "admin-demo", ["returnUrl"] = "/" }))
                .QuerySelector("[data-testid=current-user]").ShouldNotBeNull();
            return browser;
        }

        public async Task<IDocument> PageAsync(string path)
        {
            using var response = await _http.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.OK, $"GET {path}");
            var html = await response.Content.ReadAsStringAsync();
            return await BrowsingContext.New(Configuration.Default).OpenAsync(req => req.Content(html));
        }

        /// <summary>Posts the form's own fields as a browser would (hidden ones and the antiforgery token included) with the given values, and follows the redirect.</summary>
        public async Task<IDocument> SubmitAsync(IHtmlFormElement form, Dictionary<string, string> values)
        {
            var fields = form.Elements.OfType<IHtmlInputElement>().Select(i => (i.Name, Value: (string?)i.Value))
                .Concat(form.Elements.OfType<IHtmlSelectElement>().Select(s => (s.Name, s.Value)))
                .Where(f => !string.IsNullOrEmpty(f.Name)).ToDictionary(f => f.Name!, f => f.Value ?? "");
            foreach (var (k, v) in values) fields[k] = v;
            using var response = await _http.PostAsync(form.GetAttribute("action")!.TrimStart('/'), new FormUrlEncodedContent(fields));
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, await response.Content.ReadAsStringAsync());
            return await PageAsync(response.Headers.Location!.ToString().TrimStart('/'));
        }

        public Task<HttpResponseMessage> PostWithoutTokenAsync(string path, Dictionary<string, string> values) => _http.PostAsync(path, new FormUrlEncodedContent(values));

        public void Dispose() => _http.Dispose();
    }
}
