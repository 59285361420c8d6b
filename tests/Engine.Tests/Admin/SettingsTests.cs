using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using AngleSharp;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Admin;

/// <summary>
/// Administrator settings on the real engine: validated all or nothing, audited, and used at once by exception SLAs,
/// the three-way match, patient identifier masking and the data-retention job.
/// </summary>
public class SettingsTests(TestHost host) : IClassFixture<TestHost>
{
    private const string Api = "api/v1/admin/settings";
    private const string X12 = "application/edi-x12";

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static Task<HttpResponseMessage> PutAsync(HttpClient client, object values, string? reason = "test") =>
        client.PutAsJsonAsync(Api, new { values, reason });

    private static async Task ResetAsync(HttpClient admin, params string[] keys)
    {
        foreach (var key in keys) (await admin.DeleteAsync($"{Api}/{key}?reason=test%20done")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static async Task<JsonElement> SettingAsync(HttpClient admin, string key) =>
        (await admin.GetFromJsonAsync<JsonElement>(Api)).EnumerateArray().SelectMany(g => g.GetProperty("settings").EnumerateArray())
            .Single(s => s.GetProperty("key").GetString() == key);

    /// <summary>Sends a usage over MLLP as a point-of-use system does; returns its transaction and the exception it raised, if any.</summary>
    private async Task<(Guid CorrelationId, ExceptionRecord? Exception)> SendAsync(GeneratedUsage usage, string expectedAck)
    {
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe(expectedAck);
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var cid = await db.BusinessKeys.Where(k => k.KeyType == "source-event" && k.KeyValue == usage.TransactionId).Select(k => k.CorrelationId).FirstAsync();
        return (cid, await db.Exceptions.FirstOrDefaultAsync(e => e.CorrelationId == cid));
    }

    [Theory]
    [InlineData("sla.validation.hours", "0", "Validation SLA must be more than 0 hours; 0 was given.")]
    [InlineData("sla.duplicate.hours", "721", "Duplicate SLA must be at most 720 hours; 721 was given.")]
    [InlineData("sla.sequencing.hours", "soon", "Sequencing SLA: 'soon' is not a number (use a dot for decimals, e.g. 2.5).")]
    [InlineData("retention.audit.days", "2189", "Audit entries must be at least 2190 days (6 years, the documentation retention HIPAA requires); 2189 was given.")]
    [InlineData("match.lookback.days", "7.5", "Look-back: '7.5' is not a whole number of days.")]
    [InlineData("match.price.percent", "-1", "Price tolerance must be at least 0 %; -1 was given.")]
    [InlineData("phi.admin.unmasked", "maybe", "Administrator sees patient identifiers: 'maybe' is not one of true or false.")]
    [InlineData("phi.integration.unmasked", "true", "The integration role is for sending interfaces: it has no portal and may never see patient identifiers.")]
    [InlineData("sla.lunch.hours", "1", "'sla.lunch.hours' is not a setting.")]
    public async Task Each_invalid_value_is_refused_with_a_message_naming_its_setting_and_rule(string key, string value, string message)
    {
        using var admin = host.Client(TestHost.AdminKey);
        var response = await PutAsync(admin, new Dictionary<string, string> { [key] = value });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await Json(response)).GetProperty("errors");
        errors.EnumerateObject().Select(e => e.Name).ShouldBe([key]);
        errors.GetProperty(key)[0].GetString().ShouldBe(message);
    }

    [Fact]
    public async Task A_request_with_any_invalid_value_saves_nothing_and_names_every_refused_key()
    {
        using var admin = host.Client(TestHost.AdminKey);
        await using (var db = host.NewDb())
            (await db.Settings.AnyAsync(s => s.Key == "sla.mapping-gap.hours")).ShouldBeFalse();

        var response = await PutAsync(admin, new Dictionary<string, object>
        {
            ["sla.mapping-gap.hours"] = 12, ["sla.duplicate.hours"] = 0, ["retention.audit.days"] = 30, ["phi.integration.unmasked"] = true,
        }, "all or nothing");

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await Json(response)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ToList();
        errors.ShouldBe(["sla.duplicate.hours", "retention.audit.days", "phi.integration.unmasked"], ignoreOrder: true);
        (await SettingAsync(admin, "sla.mapping-gap.hours")).GetProperty("isDefault").GetBoolean().ShouldBeTrue("the valid value of a refused request is not saved");
        await using (var db = host.NewDb())
        {
            (await db.Settings.AnyAsync(s => s.Key == "sla.mapping-gap.hours")).ShouldBeFalse();
            (await db.AuditEntries.AnyAsync(a => a.Reason == "all or nothing")).ShouldBeFalse();
        }

        var noReason = await PutAsync(admin, new Dictionary<string, object> { ["sla.mapping-gap.hours"] = 12 }, reason: " ");
        noReason.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json(noReason)).GetProperty("errors").EnumerateObject().Select(e => e.Name).ShouldBe(["reason"]);
        (await SettingAsync(admin, "sla.mapping-gap.hours")).GetProperty("isDefault").GetBoolean().ShouldBeTrue();
        (await admin.DeleteAsync($"{Api}/sla.lunch.hours")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_integration_role_can_never_be_allowed_to_see_patient_identifiers()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var refused = await PutAsync(admin, new Dictionary<string, object> { ["phi.integration.unmasked"] = true }, "interface needs MRNs");

        refused.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json(refused)).GetProperty("errors").GetProperty("phi.integration.unmasked")[0].GetString()!.ShouldContain("no portal");
        (await admin.DeleteAsync($"{Api}/phi.integration.unmasked")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        var phi = (await admin.GetFromJsonAsync<JsonElement>(Api)).EnumerateArray().Single(g => g.GetProperty("id").GetString() == "phi");
        phi.GetProperty("settings").EnumerateArray().Select(s => s.GetProperty("key").GetString())
            .ShouldBe(["phi.revenue-cycle-analyst.unmasked", "phi.supply-chain-lead.unmasked", "phi.admin.unmasked"]);
        await using var db = host.NewDb();
        (await db.Settings.AnyAsync(s => s.Key.StartsWith("phi.integration"))).ShouldBeFalse();
    }

    [Fact]
    public async Task A_changed_SLA_sets_the_due_time_of_the_next_new_exception_and_the_default_returns_after_a_reset()
    {
        using var admin = host.Client(TestHost.AdminKey);
        (await PutAsync(admin, new Dictionary<string, object> { ["sla.validation.hours"] = 3.5 }, "validation backlog cleared daily")).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            var shortened = (await SendAsync(Usage.Stent() with { Lot = null, Serial = null }, "AE")).Exception!;
            shortened.ErrorCode.ShouldBe("missing-lot");
            shortened.Category.ShouldBe("validation");
            (shortened.SlaDueAt - shortened.CreatedAt).ShouldBe(TimeSpan.FromHours(3.5), TimeSpan.FromSeconds(1));
        }
        finally
        {
            await ResetAsync(admin, "sla.validation.hours");
        }

        var restored = (await SendAsync(Usage.Stent() with { Lot = null, Serial = null }, "AE")).Exception!;
        (restored.SlaDueAt - restored.CreatedAt).ShouldBe(TimeSpan.FromHours(24), TimeSpan.FromSeconds(1));
    }

    /// <summary>Sends a document as a trading partner's interface does (X12 or FHIR over HTTP).</summary>
    private async Task SubmitAsync(string path, string body, string mediaType)
    {
        using var partner = host.Client(TestHost.IntegrationKey);
        (await partner.PostAsync(path, new StringContent(body, Encoding.UTF8, mediaType))).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_wider_price_tolerance_turns_an_invoice_price_variance_into_a_match_and_closes_its_exception()
    {
        // Ordered and received at 50.00; invoiced 3 % higher: outside the configured 2 %, inside 5 %.
        var number = $"POS{Random.Shared.Next(100000, 999999)}";
        ItemLine[] lines = [new("1", "SKU-41005", "V-41005", null, "Drape pack", 10, "EA", 50.00m)];
        var order = new PurchaseOrder(number, DateOnly.FromDateTime(DateTime.UtcNow), "00", new Party("NGH", "North General", "92"), new Party("MEDLINE", "Medline", "92"),
            new Party("NGH", "North General", "92"), "USD", lines);
        var control = Random.Shared.Next(100_000, 999_999);
        await SubmitAsync("edi/x12", PurchaseOrder850Writer.Write(order, new X12Envelope("ZZ", "ERPPROD", "ZZ", "HEALTHSYNC", control, control, DateTimeOffset.UtcNow, "004010")), X12);
        await SubmitAsync("fhir", DemoFhir.Receipts(order, DateTime.UtcNow), "application/fhir+json");
        await SubmitAsync("edi/x12", DemoX12.Invoice810(order, "MEDLINE", Random.Shared.Next(100_000_000, 999_999_999), DateTime.UtcNow, 1.03m, badQuantity: false), X12);
        await host.DrainedAsync();
        using var admin = host.Client(TestHost.AdminKey);

        (await JobRuns.RunAsync(admin, "three-way-match")).GetProperty("status").GetString().ShouldBe("Succeeded");
        ReconciliationResult verdict;
        await using (var db = host.NewDb())
        {
            var variance = await db.Exceptions.SingleAsync(e => e.ErrorCode == "match-price-variance" && e.ErrorDetail.Contains(number));
            variance.Status.ShouldBe(ExceptionStatus.Open);
            verdict = await db.ReconciliationResults.SingleAsync(r => r.ExceptionId == variance.Id);
            verdict.Outcome.ShouldBe("PriceVariance");
            verdict.Detail!.ShouldContain("Unit price 51.50 per EA");
        }

        (await PutAsync(admin, new Dictionary<string, object> { ["match.price.percent"] = "5" }, "contract allows 5 % surcharges")).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            await JobRuns.RunAsync(admin, "three-way-match");
            await using var db = host.NewDb();
            var rematched = await db.ReconciliationResults.SingleAsync(r => r.Id == verdict.Id);
            rematched.Outcome.ShouldBe("Matched");
            var closed = await db.Exceptions.SingleAsync(e => e.Id == verdict.ExceptionId);
            closed.Status.ShouldBe(ExceptionStatus.Resolved);
            closed.ResolvedBy.ShouldBe("reconciliation");
        }
        finally
        {
            await ResetAsync(admin, "match.price.percent");
        }

        await JobRuns.RunAsync(admin, "three-way-match");
        await using var after = host.NewDb();
        (await after.ReconciliationResults.SingleAsync(r => r.Id == verdict.Id)).Outcome.ShouldBe("PriceVariance", "the configured 2 % applies again");
    }

    private static List<string> Keys(JsonElement lineage) => lineage.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("value").GetString()!).ToList();

    [Fact]
    public async Task Allowing_the_supply_chain_lead_unmasks_patient_identifiers_in_their_answers_until_it_is_reverted()
    {
        var usage = Usage.Stent();
        var (correlationId, _) = await SendAsync(usage, "AA");
        using var admin = host.Client(TestHost.AdminKey);
        using var supply = host.Client(TestHost.SupplyKey);

        Keys(await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{correlationId}")).ShouldNotContain(usage.Encounter);
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.Encounter}")).GetArrayLength().ShouldBe(0);

        (await PutAsync(admin, new Dictionary<string, object> { ["phi.supply-chain-lead.unmasked"] = true }, "implant recall needs patients")).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            var clear = await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{correlationId}");
            Keys(clear).ShouldContain(usage.Encounter);
            Keys(clear).ShouldContain(usage.Account);
            clear.GetProperty("payloadMasked").GetBoolean().ShouldBeFalse();
            clear.GetProperty("payload").GetString()!.ShouldContain(usage.Mrn);
            (await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.Encounter}")).GetArrayLength().ShouldBe(1);
        }
        finally
        {
            await ResetAsync(admin, "phi.supply-chain-lead.unmasked");
        }

        var masked = await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{correlationId}");
        Keys(masked).ShouldNotContain(usage.Encounter);
        masked.GetProperty("payload").GetString()!.ShouldNotContain(usage.Mrn);
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.Encounter}")).GetArrayLength().ShouldBe(0);
        using var analyst = host.Client(TestHost.AnalystKey);
        Keys(await analyst.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{correlationId}")).ShouldContain(usage.Encounter);
    }

    [Fact]
    public async Task Retention_removes_old_processed_transactions_runs_and_audit_but_keeps_an_open_exception_and_audit_younger_than_six_years()
    {
        var (processed, none) = await SendAsync(Usage.Stent(), "AA");
        none.ShouldBeNull();
        var open = (await SendAsync(Usage.Stent() with { Lot = null, Serial = null }, "AE")).Exception!;
        open.Status.ShouldBe(ExceptionStatus.Open);
        var now = DateTime.UtcNow;
        var tag = Guid.NewGuid().ToString("N");
        Guid oldRun = Guid.CreateVersion7(), oldResolved = Guid.CreateVersion7();
        await using (var db = host.NewDb())
        {
            var messages = await db.InboxMessages.Where(m => m.CorrelationId == processed || m.CorrelationId == open.CorrelationId).ToListAsync();
            messages.Count.ShouldBe(2);
            foreach (var m in messages)
            {
                m.ReceivedAt = now.AddDays(-400);
                db.PayloadVersions.Add(new PayloadVersion { InboxMessageId = m.Id, Version = 1, Payload = m.Payload, CreatedAt = m.ReceivedAt, CreatedBy = "POU", Reason = "as received" });
            }
            db.Exceptions.Add(new ExceptionRecord
            {
                Id = oldResolved, CorrelationId = Guid.NewGuid(), Category = "validation", ErrorCode = "old", ErrorDetail = tag, Workflow = "supply-charge", SourceSystem = "test",
                Status = ExceptionStatus.Resolved, CreatedAt = now.AddDays(-800), ResolvedAt = now.AddDays(-790), SlaDueAt = now.AddDays(-799),
            });
            db.ExceptionComments.Add(new ExceptionComment { ExceptionId = oldResolved, At = now.AddDays(-795), Author = "analyst", Text = tag });
            db.JobRuns.Add(new JobRun { Id = oldRun, JobName = "daily-cash", TriggeredBy = "schedule", StartedAt = now.AddDays(-200), FinishedAt = now.AddDays(-200), Status = JobRunStatus.Succeeded });
            db.AuditEntries.AddRange(
                new AuditEntry { At = now.AddDays(-(7 * 365)), Actor = "auditor", Action = "test.seven-years", TargetType = "test", TargetId = tag },
                new AuditEntry { At = now.AddDays(-(6 * 365) + 5), Actor = "auditor", Action = "test.just-under-six-years", TargetType = "test", TargetId = tag },
                new AuditEntry { At = now.AddDays(-(5 * 365)), Actor = "auditor", Action = "test.five-years", TargetType = "test", TargetId = tag });
            await db.SaveChangesAsync();
        }
        using var admin = host.Client(TestHost.AdminKey);
        (await PutAsync(admin, new Dictionary<string, object>
        {
            ["retention.payloads.days"] = 180, ["retention.resolved-exceptions.days"] = 30, ["retention.job-runs.days"] = 30, ["retention.audit.days"] = 2190,
        }, "storage review")).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            var run = await JobRuns.RunAsync(admin, "data-retention");
            run.GetProperty("status").GetString().ShouldBe("Succeeded");
            run.GetProperty("examined").GetInt32().ShouldBeGreaterThanOrEqualTo(4);
            run.GetProperty("message").GetString()!.ShouldContain("resolved exception");
        }
        finally
        {
            await ResetAsync(admin, "retention.payloads.days", "retention.resolved-exceptions.days", "retention.job-runs.days", "retention.audit.days");
        }

        await using var check = host.NewDb();
        (await check.InboxMessages.AnyAsync(m => m.CorrelationId == processed)).ShouldBeFalse("an old processed transaction without exceptions is removed");
        (await check.LineageSteps.AnyAsync(s => s.CorrelationId == processed)).ShouldBeFalse();
        (await check.BusinessKeys.AnyAsync(k => k.CorrelationId == processed)).ShouldBeFalse();

        var kept = await check.InboxMessages.SingleAsync(m => m.CorrelationId == open.CorrelationId);
        (await check.PayloadVersions.CountAsync(v => v.InboxMessageId == kept.Id)).ShouldBe(1);
        (await check.LineageSteps.CountAsync(s => s.CorrelationId == open.CorrelationId)).ShouldBeGreaterThan(0);
        (await check.BusinessKeys.CountAsync(k => k.CorrelationId == open.CorrelationId)).ShouldBeGreaterThan(0);
        (await check.Exceptions.SingleAsync(e => e.Id == open.Id)).Status.ShouldBe(ExceptionStatus.Open);
        (await check.PayloadVersions.CountAsync()).ShouldBe(await check.PayloadVersions.CountAsync(v => check.InboxMessages.Any(m => m.Id == v.InboxMessageId)));

        (await check.Exceptions.AnyAsync(e => e.Id == oldResolved)).ShouldBeFalse();
        (await check.ExceptionComments.AnyAsync(c => c.Text == tag)).ShouldBeFalse();
        (await check.JobRuns.AnyAsync(r => r.Id == oldRun)).ShouldBeFalse();
        (await check.AuditEntries.Where(a => a.TargetId == tag).Select(a => a.Action).ToListAsync())
            .ShouldBe(["test.just-under-six-years", "test.five-years"], ignoreOrder: true);
        (await check.AuditEntries.AnyAsync(a => a.Action == "retention.purge" && a.Actor == "data-retention")).ShouldBeTrue();
    }

    [Fact]
    public async Task Every_change_and_reset_is_in_the_audit_log_with_who_why_before_and_after()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var reason = $"quarterly review {Guid.NewGuid():N}";
        (await PutAsync(admin, new Dictionary<string, object> { ["sla.duplicate.hours"] = 96, ["match.cash.amount"] = "0.05", ["sla.upstream-data.hours"] = 48 }, reason))
            .StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.DeleteAsync($"{Api}/sla.duplicate.hours?reason={Uri.EscapeDataString(reason)}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        await ResetAsync(admin, "match.cash.amount");

        var audit = (await admin.GetFromJsonAsync<JsonElement>("api/v1/audit?action=setting.change")).GetProperty("entries").EnumerateArray()
            .Where(e => e.GetProperty("reason").GetString() == reason)
            .Select(e => (Key: e.GetProperty("targetId").GetString(), Actor: e.GetProperty("actor").GetString(), Before: e.GetProperty("before").GetString(), After: e.GetProperty("after").GetString()))
            .ToList();
        audit.ShouldContain(("sla.duplicate.hours", "admin", """{"value":"72","isDefault":true}""", """{"value":"96","isDefault":false}"""));
        audit.ShouldContain(("match.cash.amount", "admin", """{"value":"0.01","isDefault":true}""", """{"value":"0.05","isDefault":false}"""));
        audit.ShouldContain(("sla.duplicate.hours", "admin", """{"value":"96","isDefault":false}""", """{"value":"72","isDefault":true}"""));
        audit.Count.ShouldBe(3, "a value sent unchanged (the upstream-data default) is not a change");

        var setting = await SettingAsync(admin, "match.cash.amount");
        setting.GetProperty("isDefault").GetBoolean().ShouldBeTrue();
        setting.GetProperty("updatedBy").GetString().ShouldBe("admin");
        setting.GetProperty("lastReason").GetString().ShouldBe("test done");
    }

    [Fact]
    public async Task Analysts_and_supply_chain_leads_are_refused_the_settings_API_and_page()
    {
        foreach (var key in new[] { TestHost.AnalystKey, TestHost.SupplyKey })
        {
            using var client = host.Client(key);
            (await client.GetAsync(Api)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await PutAsync(client, new Dictionary<string, object> { ["sla.validation.hours"] = 1 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.DeleteAsync($"{Api}/sla.validation.hours")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
            (await client.PostAsync("admin/settings/sla", new FormUrlEncodedContent(new Dictionary<string, string> { ["sla.validation.hours"] = "1", ["reason"] = "x" })))
                .StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        }
        foreach (var (user, password) in new[] { ("analyst", "analyst-demo"), ("supply", "supply-demo") })
        {
            using var session = await PortalSession.SignInAsync(host, user, password);
            using var page = await session.GetAsync("/admin/settings");
            page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            page.Headers.Location!.ToString().ShouldContain("/account/denied");
        }
        await using var db = host.NewDb();
        (await db.Settings.AnyAsync(s => s.Key == "sla.validation.hours")).ShouldBeFalse();
    }

    /// <summary>An admin's browser: the page's cookies and antiforgery token, signed in with the admin's API key.</summary>
    private sealed class AdminBrowser(Uri baseAddress) : IDisposable
    {
        private readonly HttpClient _http = new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false })
        {
            BaseAddress = baseAddress,
            DefaultRequestHeaders = { { "X-Api-Key", TestHost.AdminKey } },
        };

        /// <summary>The page at the address (a redirect or an error fails the test).</summary>
        public async Task<IDocument> OpenAsync(string path)
        {
            var html = await _http.GetStringAsync(path);
            return await BrowsingContext.New(Configuration.Default).OpenAsync(req => req.Content(html));
        }

        /// <summary>Submits a group's form as shown on the page, with some fields changed; returns where the portal redirects.</summary>
        public async Task<string> SubmitAsync(IDocument page, string group, IReadOnlyDictionary<string, string> changes, params string[] resets)
        {
            var form = page.QuerySelector<IHtmlFormElement>($"form[action='/admin/settings/{group}']")!;
            var fields = form.QuerySelectorAll("input[name], select[name]").Where(e => e.GetAttribute("type") != "checkbox")
                .Select(e => new KeyValuePair<string, string>(e.GetAttribute("name")!, (e is IHtmlSelectElement s ? s.Value : ((IHtmlInputElement)e).Value) ?? ""))
                .Where(f => !changes.ContainsKey(f.Key)).Concat(changes).Concat(resets.Select(r => new KeyValuePair<string, string>("reset", r))).ToList();
            using var response = await _http.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(fields));
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            return response.Headers.Location!.ToString();
        }

        public void Dispose() => _http.Dispose();
    }

    [Fact]
    public async Task The_page_shows_each_setting_and_saves_a_group_only_when_every_value_is_valid()
    {
        using var browser = new AdminBrowser(host.BaseAddress);
        using var admin = host.Client(TestHost.AdminKey);
        var page = await browser.OpenAsync("/admin/settings");
        page.QuerySelector("ul[aria-label=Administration] a[href='/admin/settings']").ShouldNotBeNull();
        foreach (var group in (await admin.GetFromJsonAsync<JsonElement>(Api)).EnumerateArray())
        {
            foreach (var s in group.GetProperty("settings").EnumerateArray())
            {
                var input = page.QuerySelector($"[data-testid='setting-{s.GetProperty("key").GetString()}']").ShouldNotBeNull();
                (input is IHtmlSelectElement select ? select.Value : ((IHtmlInputElement)input).Value).ShouldBe(s.GetProperty("value").GetString());
            }
        }
        page.QuerySelector("tr[data-setting='sla.duplicate.hours']")!.TextContent.ShouldContain("72 hours");

        var refused = await browser.SubmitAsync(page, "sla", new Dictionary<string, string> { ["sla.duplicate.hours"] = "abc", ["sla.sequencing.hours"] = "6", ["reason"] = "page test" });
        var shown = await browser.OpenAsync(refused);
        shown.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("Nothing was saved");
        var row = shown.QuerySelector("tr[data-setting='sla.duplicate.hours']")!;
        row.QuerySelector<IHtmlInputElement>("[data-testid='setting-sla.duplicate.hours']")!.Value.ShouldBe("abc");
        row.QuerySelector("[data-testid=setting-error]")!.TextContent.ShouldBe("Duplicate SLA: 'abc' is not a number (use a dot for decimals, e.g. 2.5).");
        shown.QuerySelector<IHtmlInputElement>("[data-testid='setting-sla.sequencing.hours']")!.Value.ShouldBe("6", "what was typed is shown again");
        shown.QuerySelectorAll("[data-testid=setting-error]").Length.ShouldBe(1);
        (await SettingAsync(admin, "sla.sequencing.hours")).GetProperty("isDefault").GetBoolean().ShouldBeTrue("nothing of a refused group is saved");

        var withoutReason = await browser.OpenAsync(await browser.SubmitAsync(page, "sla", new Dictionary<string, string> { ["sla.sequencing.hours"] = "6", ["reason"] = "" }));
        withoutReason.QuerySelector("#group-sla [data-testid=setting-error]")!.TextContent.ShouldContain("reason");

        var saved = await browser.OpenAsync(await browser.SubmitAsync(page, "sla", new Dictionary<string, string> { ["sla.sequencing.hours"] = "6", ["reason"] = "page test" }));
        try
        {
            saved.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("Saved 1 setting");
            saved.QuerySelector<IHtmlInputElement>("[data-testid='setting-sla.sequencing.hours']")!.Value.ShouldBe("6");
            saved.QuerySelector("tr[data-setting='sla.sequencing.hours'] [data-testid=setting-last-change]")!.TextContent.ShouldContain("by admin");
            (await SettingAsync(admin, "sla.sequencing.hours")).GetProperty("value").GetString().ShouldBe("6");

            var reset = await browser.OpenAsync(await browser.SubmitAsync(saved, "sla", new Dictionary<string, string> { ["reason"] = "back to normal" }, "sla.sequencing.hours"));
            reset.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("Saved 1 setting");
            reset.QuerySelector<IHtmlInputElement>("[data-testid='setting-sla.sequencing.hours']")!.Value.ShouldBe("8");
            reset.QuerySelector("[data-testid='setting-reset-sla.sequencing.hours']").ShouldBeNull();
        }
        finally
        {
            await ResetAsync(admin, "sla.sequencing.hours");
        }
        await using var db = host.NewDb();
        (await db.AuditEntries.Where(a => a.Action == "setting.change" && a.TargetId == "sla.sequencing.hours").Select(a => a.Reason).ToListAsync())
            .ShouldBe(["page test", "back to normal"]);
    }
}
