using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Admin;

/// <summary>Crosswalk administration through the API on the real engine: versions, overrides, import, approval, audit, and the fix from an exception.</summary>
public class MappingAdminTests(TestHost host) : IClassFixture<TestHost>
{
    private static string Tag() => Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    private static async Task<JsonElement> Json(HttpResponseMessage r) => JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.Clone();

    private static object Save(string reason, params (string Key, string Value)[] values) =>
        new { values = values.ToDictionary(v => v.Key, v => v.Value), reason };

    private async Task SendAsync(params GeneratedUsage[] usages)
    {
        foreach (var u in usages)
            Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(u))).ShouldBeOneOf("AA", "AE");
        await host.DrainedAsync();
    }

    [Fact]
    public async Task An_event_is_mapped_with_the_version_valid_at_its_own_time()
    {
        var item = "ITM-V-" + Tag();
        using var admin = host.Client(TestHost.AdminKey);
        var created = await admin.PostAsJsonAsync("api/v1/admin/mappings/item", Save("new screw supplier",
            ("item_code", item), ("sku", "SKU-40030"), ("description", "Screw, first supplier"), ("base_uom", "EA"), ("billable", "true"), ("effective_from", "2020-01-01")));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var firstId = (await Json(created)).GetProperty("mappingId").GetInt64();
        var switchDate = DateTime.UtcNow.Date.AddDays(-1);
        var version = await admin.PostAsJsonAsync($"api/v1/admin/mappings/item/{firstId}/versions", Save("switched to mesh SKU",
            ("item_code", item), ("sku", "SKU-40040"), ("description", "Now stocked as mesh"), ("base_uom", "EA"), ("billable", "true"), ("effective_from", switchDate.ToString("yyyy-MM-dd"))));
        version.StatusCode.ShouldBe(HttpStatusCode.Created);

        var old = Usage.New(item, "screw", 1, "EA", 10m) with { OccurredAt = switchDate.AddDays(-200) };
        var recent = Usage.New(item, "screw", 1, "EA", 10m);
        await SendAsync(old, recent);

        await using var db = host.NewDb();
        (await db.UsageEvents.SingleAsync(u => u.SourceEventId == old.TransactionId)).Sku.ShouldBe("SKU-40030");
        (await db.UsageEvents.SingleAsync(u => u.SourceEventId == recent.TransactionId)).Sku.ShouldBe("SKU-40040");
        var versions = await db.ItemMappings.Where(i => i.ItemCode == item).OrderBy(i => i.EffectiveFrom).ToListAsync();
        versions.Count.ShouldBe(2);
        versions[0].EffectiveTo.ShouldBe(switchDate, "the first version ends where the second begins");
        versions[1].EffectiveTo.ShouldBeNull();
    }

    [Fact]
    public async Task A_facility_override_prices_that_facility_and_leaves_the_others_on_the_network_mapping()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var created = await admin.PostAsJsonAsync("api/v1/admin/mappings/charge-code", Save("SCH contract price",
            ("sku", "SKU-40030"), ("facility", "SCH"), ("charge_code", "CDM-40030-SCH"), ("unit_price", "99.50"), ("effective_from", "2020-01-01")));
        created.StatusCode.ShouldBe(HttpStatusCode.Created);

        var south = Usage.New("ITM-IMP-SCREW01", "screw", 2, "EA", 145m, "SCH", "OR1", lot: "L1");
        var north = Usage.New("ITM-IMP-SCREW01", "screw", 2, "EA", 145m, "NGH", "OR1", lot: "L2");
        await SendAsync(south, north);

        await using var db = host.NewDb();
        var s = await db.UsageEvents.SingleAsync(u => u.SourceEventId == south.TransactionId);
        s.ChargeCode.ShouldBe("CDM-40030-SCH");
        s.ChargeAmount.ShouldBe(199m);
        var n = await db.UsageEvents.SingleAsync(u => u.SourceEventId == north.TransactionId);
        n.ChargeCode.ShouldNotBe("CDM-40030-SCH");
        n.ChargeAmount.ShouldBe(290m);

        // An unknown facility is refused with the field named.
        var bad = await admin.PostAsJsonAsync("api/v1/admin/mappings/charge-code", Save("typo", ("sku", "SKU-40030"), ("facility", "XXX"), ("charge_code", "C"), ("unit_price", "1")));
        bad.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await Json(bad)).GetProperty("errors").GetProperty("facility")[0].GetString().ShouldBe("Facility 'XXX' is not known.");
    }

    [Fact]
    public async Task An_import_with_a_bad_row_applies_nothing_unless_the_valid_rows_are_accepted_explicitly()
    {
        var unit = "P" + Tag()[..4];
        var csv = $"sku,from_uom,facility,factor,effective_from,effective_to\n" +
                  $"SKU-40030,{unit},,10,2020-01-01,\n" +
                  $"SKU-40030,{unit}X,,ten,,\n" +
                  $"SKU-NOPE,{unit},,5,,\n";
        using var admin = host.Client(TestHost.AdminKey);

        var all = await admin.PostAsync("api/v1/admin/mappings/uom/import?reason=supplier%20catalogue", new StringContent(csv, Encoding.UTF8, "text/csv"));
        all.StatusCode.ShouldBe(HttpStatusCode.UnprocessableEntity);
        var report = await Json(all);
        report.GetProperty("applied").GetBoolean().ShouldBeFalse();
        report.GetProperty("invalid").GetInt32().ShouldBe(2);
        var lines = report.GetProperty("lines").EnumerateArray().ToDictionary(l => l.GetProperty("row").GetInt32());
        lines[2].GetProperty("errors").GetArrayLength().ShouldBe(0);
        lines[3].GetProperty("errors")[0].GetProperty("field").GetString().ShouldBe("factor");
        lines[3].GetProperty("errors")[0].GetProperty("message").GetString().ShouldBe("Base units per unit 'ten' is not a number.");
        lines[4].GetProperty("errors")[0].GetProperty("message").GetString().ShouldBe("SKU 'SKU-NOPE' is not the ERP SKU of any item mapping.");
        await using (var db = host.NewDb())
            (await db.UomConversions.CountAsync(u => u.FromUom.StartsWith(unit))).ShouldBe(0, "nothing is applied while a row is invalid");

        var partial = await admin.PostAsync("api/v1/admin/mappings/uom/import?acceptValidRows=true&reason=supplier%20catalogue", new StringContent(csv, Encoding.UTF8, "text/csv"));
        partial.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Json(partial)).GetProperty("valid").GetInt32().ShouldBe(1);
        await using (var db = host.NewDb())
            (await db.UomConversions.SingleAsync(u => u.FromUom.StartsWith(unit))).Factor.ShouldBe(10m);

        var export = await admin.GetStringAsync("api/v1/admin/mappings/uom/export.csv");
        export.Split("\r\n")[0].ShouldBe("sku,from_uom,facility,factor,effective_from,effective_to");
        export.ShouldContain($"SKU-40030,{unit},,10,2020-01-01,");

        // The same file again: the row now overlaps the imported version and is refused.
        var again = await Json(await admin.PostAsync("api/v1/admin/mappings/uom/import?reason=again", new StringContent(csv.Split('\n')[0] + "\n" + csv.Split('\n')[1], Encoding.UTF8, "text/csv")));
        again.GetProperty("lines")[0].GetProperty("errors")[0].GetProperty("message").GetString()!.ShouldStartWith("Overlaps version #");

        var wrongHeader = await Json(await admin.PostAsync("api/v1/admin/mappings/uom/import?reason=x", new StringContent("sku,unit\nA,B\n", Encoding.UTF8, "text/csv")));
        wrongHeader.GetProperty("fileErrors").EnumerateArray().Select(e => e.GetProperty("message").GetString()).ShouldContain(m => m!.StartsWith("Unknown column 'unit'"));
    }

    [Fact]
    public async Task Every_change_is_kept_in_the_history_and_the_audit_with_who_and_why()
    {
        var vendor = "V-" + Tag();
        using var admin = host.Client(TestHost.AdminKey);
        var id = (await Json(await admin.PostAsJsonAsync("api/v1/admin/mappings/supplier", Save("onboarded",
            ("erp_vendor_id", vendor), ("name", "Acme Medical"), ("edi_partner_id", "ACME01"), ("effective_from", "2024-01-01"))))).GetProperty("mappingId").GetInt64();
        var v2 = (await Json(await admin.PostAsJsonAsync($"api/v1/admin/mappings/supplier/{id}/versions", Save("new EDI id after VAN move",
            ("erp_vendor_id", vendor), ("name", "Acme Medical"), ("edi_partner_id", "ACME02"), ("effective_from", "2025-01-01"))))).GetProperty("mappingId").GetInt64();
        (await admin.PostAsJsonAsync($"api/v1/admin/mappings/supplier/{v2}/retire", new { reason = "contract ended" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"api/v1/admin/mappings/supplier/{v2}/retire", new { reason = "twice" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PostAsJsonAsync("api/v1/admin/mappings/supplier", Save("", ("erp_vendor_id", "X"), ("name", "X"))) is var noReason
            && noReason.StatusCode == HttpStatusCode.BadRequest).ShouldBeTrue();
        // A version that would start before the later one and overlap it is refused.
        (await admin.PostAsJsonAsync("api/v1/admin/mappings/supplier", Save("overlap", ("erp_vendor_id", vendor), ("name", "Acme"), ("effective_from", "2024-06-01"))))
            .StatusCode.ShouldBe(HttpStatusCode.Conflict);

        var detail = await Json(await admin.GetAsync($"api/v1/admin/mappings/supplier/{id}"));
        detail.GetProperty("versions").GetArrayLength().ShouldBe(2);
        var history = detail.GetProperty("history").EnumerateArray().Select(h => (h.GetProperty("action").GetString(), h.GetProperty("reason").GetString(), h.GetProperty("requestedBy").GetString())).ToList();
        history.ShouldBe([("retire", "contract ended", "admin"), ("version", "new EDI id after VAN move", "admin"), ("create", "onboarded", "admin")]);

        await using var db = host.NewDb();
        var entries = (await db.AuditEntries.Where(a => a.TargetType == "mapping:supplier" && a.After!.Contains(vendor)).ToListAsync())
            .Select(e => (e.Action, e.Reason)).ToList();
        entries.ShouldContain(("mapping.create", "onboarded"));
        entries.ShouldContain(("mapping.version", "new EDI id after VAN move"));
        entries.ShouldContain(("mapping.retire", "contract ended"));
    }

    [Fact]
    public async Task With_approval_switched_on_a_change_waits_for_a_second_administrator()
    {
        var secondKey = "test-admin2-key-" + Tag();
        await using (var db = host.NewDb())
        {
            if (!await db.Users.AnyAsync(u => u.UserName == "admin2"))
            {
                var user = new User { Id = Guid.CreateVersion7(), UserName = "admin2", DisplayName = "Second Admin", PasswordHash = "", Role = Roles.Admin, CreatedAt = DateTime.UtcNow };
                user.PasswordHash = new PasswordHasher<User>().HashPassword(user, "second-admin-password");
                db.Users.Add(user);
                db.ApiKeys.Add(new ApiKey { Id = Guid.CreateVersion7(), UserId = user.Id, Name = "t", Prefix = "test-a", KeyHash = ApiKeyHashing.Hash(secondKey), CreatedAt = DateTime.UtcNow });
            }
            else
            {
                var user = await db.Users.SingleAsync(u => u.UserName == "admin2");
                db.ApiKeys.Add(new ApiKey { Id = Guid.CreateVersion7(), UserId = user.Id, Name = "t", Prefix = "test-a", KeyHash = ApiKeyHashing.Hash(secondKey), CreatedAt = DateTime.UtcNow });
            }
            await db.SaveChangesAsync();
        }
        using var admin = host.Client(TestHost.AdminKey);
        using var second = host.Client(secondKey);
        (await admin.PutAsJsonAsync("api/v1/admin/mappings/location/approval", new { required = true, reason = "finance asked for four eyes" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        try
        {
            var code = "LOC" + Tag()[..4];
            var requested = await admin.PostAsJsonAsync("api/v1/admin/mappings/location", Save("new recovery room",
                ("facility", "NGH"), ("location_code", code), ("cost_center", "7999"), ("erp_location", "NGH-" + code), ("effective_from", "2020-01-01")));
            requested.StatusCode.ShouldBe(HttpStatusCode.Accepted);
            var changeId = (await Json(requested)).GetProperty("changeId").GetInt64();
            await using (var db = host.NewDb())
                (await db.LocationMappings.AnyAsync(l => l.LocationCode == code)).ShouldBeFalse("nothing applies before approval");

            (await admin.PostAsJsonAsync($"api/v1/admin/mapping-changes/{changeId}/approve", new { note = "mine" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
            (await second.PostAsJsonAsync($"api/v1/admin/mapping-changes/{changeId}/approve", new { note = "checked with finance" })).StatusCode.ShouldBe(HttpStatusCode.OK);
            (await second.PostAsJsonAsync($"api/v1/admin/mapping-changes/{changeId}/approve", new { note = "again" })).StatusCode.ShouldBe(HttpStatusCode.Conflict);

            await using var check = host.NewDb();
            var location = await check.LocationMappings.SingleAsync(l => l.LocationCode == code);
            location.CostCenter.ShouldBe("7999");
            var change = await check.MappingChanges.SingleAsync(c => c.Id == changeId);
            (change.Status, change.RequestedBy, change.DecidedBy, change.MappingId).ShouldBe((MappingChangeStatus.Applied, "admin", "admin2", location.Id));
        }
        finally
        {
            (await admin.PutAsJsonAsync("api/v1/admin/mappings/location/approval", new { required = false, reason = "test over" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        }
    }

    [Fact]
    public async Task A_mapping_created_from_a_gap_exception_replays_exactly_the_exceptions_it_unblocks()
    {
        var item = "ITM-GAP-" + Tag();
        var other = "ITM-GAP-" + Tag();
        var blocked = Enumerable.Range(0, 3).Select(_ => Usage.New(item, "Suture kit", 1, "EA", 145m, "NGH", "OR1", lot: "L9")).ToArray();
        var unrelated = Usage.New(other, "Other kit", 1, "EA", 10m);
        await SendAsync([.. blocked, unrelated]);
        await using (var db = host.NewDb())
            (await db.Exceptions.CountAsync(e => e.Status == ExceptionStatus.Open && e.ErrorCode == "unmapped-item" && e.ErrorDetail.Contains(item))).ShouldBe(3);
        Guid exceptionId;
        await using (var db = host.NewDb())
            exceptionId = await db.Exceptions.Where(e => e.ErrorDetail.Contains(item)).Select(e => e.Id).FirstAsync();

        using var admin = host.Client(TestHost.AdminKey);
        var suggestion = await Json(await admin.GetAsync($"api/v1/admin/mapping-fixes/{exceptionId}"));
        suggestion.GetProperty("type").GetString().ShouldBe("item");
        suggestion.GetProperty("values").GetProperty("item_code").GetString().ShouldBe(item);

        var values = new Dictionary<string, string?>
        {
            ["item_code"] = item, ["sku"] = "SKU-40030", ["description"] = "Suture kit", ["base_uom"] = "EA", ["billable"] = "true",
            ["effective_from"] = suggestion.GetProperty("values").GetProperty("effective_from").GetString(),
        };
        var preview = await Json(await admin.PostAsJsonAsync("api/v1/admin/mapping-fixes/preview", new { type = "item", values }));
        preview.GetProperty("unblocked").GetInt32().ShouldBe(3);
        await using (var db = host.NewDb())
            (await db.ItemMappings.AnyAsync(i => i.ItemCode == item)).ShouldBeFalse("a preview changes nothing");

        var applied = await admin.PostAsJsonAsync("api/v1/admin/mapping-fixes", new { type = "item", values, reason = "suture kit stocked as SKU-40030" });
        applied.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await Json(applied)).GetProperty("unblocked").GetInt32().ShouldBe(3);

        await Eventually.TrueAsync(async () =>
        {
            await using var db = host.NewDb();
            return await db.Exceptions.CountAsync(e => e.ErrorDetail.Contains(item) && e.Status == ExceptionStatus.Resolved) == 3;
        }, TimeSpan.FromSeconds(30), "the three unblocked exceptions to be replayed and resolved");
        await host.DrainedAsync();
        await using (var db = host.NewDb())
        {
            var ids = blocked.Select(b => b.TransactionId).ToList();
            var usages = await db.UsageEvents.Where(u => ids.Contains(u.SourceEventId)).ToListAsync();
            usages.Count.ShouldBe(3);
            usages.ShouldAllBe(u => u.Sku == "SKU-40030");
            var cids = usages.Select(u => u.CorrelationId).ToList();
            (await db.OutboxMessages.CountAsync(o => cids.Contains(o.CorrelationId) && o.TargetSystem == "billing" && o.Status == OutboxStatus.Delivered)).ShouldBe(3, "one charge each, never two");
            (await db.LineageSteps.CountAsync(s => cids.Contains(s.CorrelationId) && s.Step == "replayed")).ShouldBe(3);
            (await db.Exceptions.SingleAsync(e => e.ErrorDetail.Contains(other))).Status.ShouldBe(ExceptionStatus.Open, "a different item stays blocked");
        }
    }

    [Fact]
    public async Task A_purchase_order_is_addressed_to_the_EDI_partner_id_of_its_ERP_vendor()
    {
        var vendor = "V" + Tag();
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PostAsJsonAsync("api/v1/admin/mappings/supplier", Save("EDI onboarding",
            ("erp_vendor_id", vendor), ("name", "Acme Surgical"), ("edi_partner_id", "ACMEEDI"), ("effective_from", "2020-01-01")))).StatusCode.ShouldBe(HttpStatusCode.Created);
        var po = new HealthSync.Adapters.Canonical.PurchaseOrder("PO" + Tag(), DateOnly.FromDateTime(DateTime.UtcNow), "00", new("NGH", "North General", "92"),
            new(vendor, "Acme Surgical", "92"), new("NGH", "North General", "92"), "USD",
            [new HealthSync.Adapters.Canonical.ItemLine("1", "SKU-40030", "V-40030", null, "Screw", 10, "EA", 14.5m)]);
        var x12 = HealthSync.Adapters.X12.PurchaseOrder850Writer.Write(po, new HealthSync.Adapters.X12.X12Envelope("ZZ", "ERPPROD", "ZZ", "HEALTHSYNC", 4711, 4711, DateTimeOffset.UtcNow, "004010"));
        using var integration = host.Client(TestHost.IntegrationKey);
        (await integration.PostAsync("edi/x12", new StringContent(x12, Encoding.ASCII, "application/edi-x12"))).StatusCode.ShouldBe(HttpStatusCode.OK);
        await host.DrainedAsync();

        await using var db = host.NewDb();
        var delivery = await db.OutboxMessages.SingleAsync(o => o.IdempotencyKey == $"po:{po.PoNumber}:850");
        delivery.Status.ShouldBe(OutboxStatus.Delivered);
        delivery.Payload.ShouldContain("ACMEEDI");
        (await db.LineageSteps.AnyAsync(s => s.CorrelationId == delivery.CorrelationId && s.Step == "routed" && s.Detail!.Contains($"ERP vendor {vendor}, EDI partner ACMEEDI"))).ShouldBeTrue();
        (await db.BusinessDocuments.SingleAsync(d => d.Kind == "purchase-order" && d.BusinessKey == po.PoNumber)).Partner.ShouldBe(vendor, "the recorded order keeps the ERP's vendor id");
    }

    [Theory]
    [InlineData(TestHost.AnalystKey)]
    [InlineData(TestHost.SupplyKey)]
    public async Task Only_administrators_reach_the_mapping_API(string key)
    {
        using var client = host.Client(key);
        (await client.GetAsync("api/v1/admin/mappings")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("api/v1/admin/mappings/item")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("api/v1/admin/mappings/item/export.csv")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("api/v1/admin/mappings/item", Save("x", ("item_code", "X")))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsync("api/v1/admin/mappings/uom/import?reason=x", new StringContent("sku\n", Encoding.UTF8, "text/csv"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.PostAsJsonAsync("api/v1/admin/mapping-fixes", new { type = "item", values = new { }, reason = "x" })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await client.GetAsync("api/v1/admin/mapping-changes")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Theory]
    [InlineData("analyst", "analyst-demo")]
    [InlineData("supply", "supply-demo")]
    public async Task Only_administrators_reach_the_mapping_pages(string user, string password)
    {
        using var session = await PortalSession.SignInAsync(host, user, password);
        foreach (var path in new[] { "/admin/mappings", "/admin/mappings/item/1" })
        {
            var response = await session.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            response.Headers.Location!.ToString().ShouldContain("/account/denied");
        }
    }

    [Fact]
    public async Task The_mapping_pages_render_for_an_administrator()
    {
        using var session = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        var list = await session.GetDocumentAsync("/admin/mappings?type=item&new=true");
        list.QuerySelectorAll("[data-testid=mapping-row]").Length.ShouldBeGreaterThan(5);
        list.QuerySelector("[data-testid=create-form]").ShouldNotBeNull();
        list.QuerySelector("[data-testid=import-form]").ShouldNotBeNull();
        var firstId = list.QuerySelector("[data-testid=mapping-row]")!.GetAttribute("data-id");
        var detail = await session.GetDocumentAsync($"/admin/mappings/item/{firstId}");
        detail.QuerySelectorAll("[data-testid=version-row]").Length.ShouldBeGreaterThan(0);
        detail.QuerySelector("[data-testid=version-form]").ShouldNotBeNull();
    }
}
