using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Admin;

/// <summary>Users, roles and API keys administered through /admin/users and /api/v1/admin/users, and what it does to sign-in.</summary>
public class UserAdminTests(TestHost host) : IClassFixture<TestHost>
{
    private const string Users = "api/v1/admin/users";

    [Fact]
    public async Task A_created_user_signs_in_with_their_password_which_is_stored_only_as_a_hash()
    {
        var user = await CreateUserAsync(Roles.Analyst, team: "revenue-cycle");

        await using (var db = host.NewDb())
        {
            var stored = await db.Users.SingleAsync(u => u.Id == user.Id);
            stored.PasswordHash.ShouldNotContain(user.Password);
            new PasswordHasher<User>().VerifyHashedPassword(stored, stored.PasswordHash, user.Password).ShouldBe(PasswordVerificationResult.Success);
            stored.MustChangePassword.ShouldBeFalse();
        }
        using var session = await PortalSession.SignInAsync(host, user.UserName, user.Password);
        (await session.GetDocumentAsync("/")).QuerySelector("[data-testid=current-user]")!.TextContent.ShouldContain("Revenue cycle analyst");

        using var admin = host.Client(TestHost.AdminKey);
        var listed = await admin.GetFromJsonAsync<JsonElement>($"{Users}?q={user.UserName}");
        listed.GetArrayLength().ShouldBe(1);
        listed[0].GetProperty("team").GetString().ShouldBe("revenue-cycle");
        listed[0].TryGetProperty("passwordHash", out _).ShouldBeFalse();
        var detail = await admin.GetFromJsonAsync<JsonElement>($"{Users}/{user.Id}");
        detail.GetProperty("user").GetProperty("userName").GetString().ShouldBe(user.UserName);
        detail.GetProperty("apiKeys").GetArrayLength().ShouldBe(0);
        (await admin.GetAsync($"{Users}/{Guid.NewGuid()}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task A_duplicate_user_name_and_invalid_fields_are_refused_with_field_messages()
    {
        var user = await CreateUserAsync(Roles.SupplyChainLead);
        using var admin = host.Client(TestHost.AdminKey);

        using var duplicate = await admin.PostAsJsonAsync(Users, NewUser(user.UserName.ToUpperInvariant(), Roles.Analyst, "another-password-1"));
        duplicate.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var errors = (await duplicate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        errors.GetProperty("userName")[0].GetString()!.ShouldContain("already taken");

        using var invalid = await admin.PostAsJsonAsync(Users, new { userName = "x", displayName = "", role = "boss", team = "Not A Team", password = "short" });
        invalid.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var fields = (await invalid.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").EnumerateObject().Select(p => p.Name).ToList();
        fields.ShouldBe(new[] { "userName", "displayName", "role", "team", "password" }, ignoreOrder: true);

        using var unchanged = await admin.PutAsJsonAsync($"{Users}/{user.Id}", new { displayName = "Someone", role = "boss" });
        unchanged.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        await using var db = host.NewDb();
        (await db.Users.CountAsync(u => u.UserName.ToLower() == user.UserName.ToLower())).ShouldBe(1);
        (await db.Users.SingleAsync(u => u.Id == user.Id)).Role.ShouldBe(Roles.SupplyChainLead);
    }

    [Fact]
    public async Task Disabling_a_user_refuses_their_sign_in_their_API_keys_and_their_open_session_until_enabled()
    {
        var user = await CreateUserAsync(Roles.Analyst);
        var key = await IssueKeyAsync(user.Id);
        using var browser = await PortalSession.SignInAsync(host, user.UserName, user.Password);
        (await browser.GetAsync("/exceptions")).StatusCode.ShouldBe(HttpStatusCode.OK);
        using var script = host.Client(key);
        (await script.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.OK);

        using var admin = host.Client(TestHost.AdminKey);
        using (var disabled = await admin.PostAsync($"{Users}/{user.Id}/disable", null))
        {
            disabled.StatusCode.ShouldBe(HttpStatusCode.OK);
            (await disabled.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("disabled").GetBoolean().ShouldBeTrue();
        }

        using (var open = await browser.GetAsync("/exceptions"))
        {
            open.StatusCode.ShouldBe(HttpStatusCode.Redirect);
            open.Headers.Location!.ToString().ShouldContain("/account/login");
        }
        (await script.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var again = PortalSession.Anonymous(host);
        (await again.PostLoginAsync(user.UserName, user.Password)).ShouldStartWith("/account/login?error=1");

        (await admin.PostAsync($"{Users}/{user.Id}/enable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await again.PostLoginAsync(user.UserName, user.Password)).ShouldBe("/");
        (await script.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_last_enabled_administrator_can_be_neither_disabled_nor_demoted_and_nobody_disables_themselves()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var adminId = await IdOfAsync("admin");
        // Earlier tests may have left other administrators enabled; the demo admin is to be the only one.
        foreach (var other in (await admin.GetFromJsonAsync<JsonElement>(Users)).EnumerateArray()
                     .Where(u => u.GetProperty("role").GetString() == Roles.Admin && !u.GetProperty("disabled").GetBoolean() && u.GetProperty("userName").GetString() != "admin"))
            (await admin.PostAsync($"{Users}/{other.GetProperty("id").GetGuid()}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var demoted = await admin.PutAsJsonAsync($"{Users}/{adminId}", new { displayName = "Alex Admin", role = Roles.Analyst, team = "integration-ops" });
        demoted.StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await demoted.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString()!.ShouldContain("last enabled administrator");
        (await admin.PostAsync($"{Users}/{adminId}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);

        using var browser = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        var back = await browser.SubmitAsync($"/admin/users/{adminId}", "[data-testid=edit-user-form]", ("role", Roles.SupplyChainLead));
        back.ShouldContain("ok=False");
        (await browser.GetDocumentAsync(back)).QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("last enabled administrator");

        // With a second administrator the first may be disabled, but no one can disable themselves.
        var second = await CreateUserAsync(Roles.Admin);
        using var secondAdmin = host.Client(await IssueKeyAsync(second.Id));
        (await secondAdmin.PostAsync($"{Users}/{second.Id}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await secondAdmin.PostAsync($"{Users}/{adminId}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await secondAdmin.PutAsJsonAsync($"{Users}/{second.Id}", new { displayName = "Second", role = Roles.Analyst })).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await secondAdmin.PostAsync($"{Users}/{adminId}/enable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsync($"{Users}/{second.Id}/disable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        await using var db = host.NewDb();
        (await db.Users.SingleAsync(u => u.Id == adminId)).ShouldSatisfyAllConditions(u => u.Role.ShouldBe(Roles.Admin), u => u.Disabled.ShouldBeFalse());
    }

    [Fact]
    public async Task After_a_password_reset_the_user_must_change_it_before_reaching_any_other_page()
    {
        var user = await CreateUserAsync(Roles.SupplyChainLead);
        using var before = await PortalSession.SignInAsync(host, user.UserName, user.Password);
        using var admin = host.Client(TestHost.AdminKey);

        using var reset = await admin.PostAsync($"{Users}/{user.Id}/password-reset", null);
        reset.StatusCode.ShouldBe(HttpStatusCode.OK);
        var temporary = (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("temporaryPassword").GetString()!;
        temporary.Length.ShouldBeGreaterThanOrEqualTo(12);
        (await RedirectOf(before, "/exceptions")).ShouldStartWith("/account/password");

        using var browser = PortalSession.Anonymous(host);
        (await browser.PostLoginAsync(user.UserName, user.Password)).ShouldStartWith("/account/login?error=1");
        (await browser.PostLoginAsync(user.UserName, temporary)).ShouldStartWith("/account/password");
        (await RedirectOf(browser, "/exceptions")).ShouldBe("/account/password?returnUrl=%2Fexceptions");
        (await RedirectOf(browser, "/admin/users")).ShouldStartWith("/account/password");
        (await browser.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await browser.GetDocumentAsync("/account/password")).QuerySelector("[data-testid=must-change-password]").ShouldNotBeNull();

        const string form = "[data-testid=change-password-form]";
        var newPassword = "a-new-password-" + Guid.NewGuid().ToString("N")[..6];
        foreach (var (current, next, confirm, complaint) in new[]
                 {
                     ("wrong-password-1", newPassword, newPassword, "current password is not right"),
                     (temporary, newPassword, newPassword + "x", "not the same"),
                     (temporary, "too-short", "too-short", "at least 12 characters"),
                     (temporary, temporary, temporary, "must differ"),
                 })
        {
            var refused = await browser.SubmitAsync("/account/password", form, ("currentPassword", current), ("newPassword", next), ("confirmPassword", confirm));
            (await browser.GetDocumentAsync(refused)).QuerySelector("[data-testid=account-message]")!.TextContent.ShouldContain(complaint);
        }
        var changed = await browser.SubmitAsync("/account/password?returnUrl=%2Fexceptions", form,
            ("currentPassword", temporary), ("newPassword", newPassword), ("confirmPassword", newPassword));
        (await browser.GetDocumentAsync(changed)).QuerySelector("[data-testid=continue]")!.GetAttribute("href").ShouldBe("/exceptions");
        (await browser.GetAsync("/exceptions")).StatusCode.ShouldBe(HttpStatusCode.OK);

        await using (var db = host.NewDb())
        {
            var stored = await db.Users.SingleAsync(u => u.Id == user.Id);
            stored.MustChangePassword.ShouldBeFalse();
            stored.PasswordChangedAt.ShouldNotBeNull();
        }
        // The session from before the reset ended with the change; the new password signs in.
        (await RedirectOf(before, "/exceptions")).ShouldContain("/account/login?");
        using var after = PortalSession.Anonymous(host);
        (await after.PostLoginAsync(user.UserName, newPassword)).ShouldBe("/");
    }

    [Fact]
    public async Task An_API_key_works_for_API_calls_records_its_last_use_and_is_refused_once_revoked()
    {
        var user = await CreateUserAsync(Roles.SupplyChainLead);
        using var admin = host.Client(TestHost.AdminKey);
        using var created = await admin.PostAsJsonAsync($"{Users}/{user.Id}/api-keys", new { name = "nightly export" });
        created.StatusCode.ShouldBe(HttpStatusCode.Created);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        var key = body.GetProperty("key").GetString()!;
        var keyId = body.GetProperty("apiKey").GetProperty("id").GetGuid();
        key.ShouldStartWith(body.GetProperty("apiKey").GetProperty("prefix").GetString()!);
        await using (var db = host.NewDb())
        {
            var stored = await db.ApiKeys.SingleAsync(k => k.Id == keyId);
            stored.KeyHash.ShouldBe(ApiKeyHashing.Hash(key));
            stored.LastUsedAt.ShouldBeNull();
        }

        using var script = host.Client(key);
        (await script.GetAsync("api/v1/exceptions")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await script.GetAsync(Users)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var listed = (await admin.GetFromJsonAsync<JsonElement>($"{Users}/{user.Id}/api-keys")).EnumerateArray().Single();
        listed.GetProperty("lastUsedAt").ValueKind.ShouldBe(JsonValueKind.String);
        listed.TryGetProperty("key", out _).ShouldBeFalse();
        listed.TryGetProperty("keyHash", out _).ShouldBeFalse();

        (await admin.PostAsync($"{Users}/{Guid.NewGuid()}/api-keys/{keyId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.NotFound);
        (await admin.PostAsync($"{Users}/{user.Id}/api-keys/{keyId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await script.GetAsync("api/v1/exceptions")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await admin.PostAsync($"{Users}/{user.Id}/api-keys/{keyId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.Conflict);
        (await admin.PostAsJsonAsync($"{Users}/{user.Id}/api-keys", new { name = " " })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var detail = await admin.GetFromJsonAsync<JsonElement>($"{Users}/{user.Id}");
        detail.GetProperty("user").GetProperty("activeApiKeys").GetInt32().ShouldBe(0);
        detail.GetProperty("apiKeys")[0].GetProperty("revokedAt").ValueKind.ShouldBe(JsonValueKind.String);
    }

    [Fact]
    public async Task The_pages_create_edit_disable_reset_and_issue_keys_showing_each_secret_only_once()
    {
        using var browser = await PortalSession.SignInAsync(host, "admin", "admin-demo");
        var userName = "page-" + Guid.NewGuid().ToString("N")[..8];
        var created = await browser.SubmitAsync("/admin/users", "[data-testid=create-user-form]",
            ("userName", userName), ("displayName", "Pat Page"), ("role", Roles.Analyst), ("team", "revenue-cycle"), ("password", "first-password-1"));
        created.ShouldContain("ok=True");
        var userPage = created.Split('?')[0];
        var page = await browser.GetDocumentAsync(created);
        page.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("created");
        page.QuerySelector("[data-testid=must-change-password]").ShouldNotBeNull();

        var duplicate = await browser.SubmitAsync("/admin/users", "[data-testid=create-user-form]",
            ("userName", userName), ("displayName", "Pat Again"), ("role", Roles.Analyst), ("password", "first-password-1"));
        var refused = await browser.GetDocumentAsync(duplicate);
        refused.QuerySelector("[data-testid=admin-message]")!.TextContent.ShouldContain("already taken");
        refused.QuerySelector<IHtmlInputElement>("[data-testid=create-user-form] input[name=displayName]")!.Value.ShouldBe("Pat Again");

        var search = await browser.GetDocumentAsync($"/admin/users?q={userName}");
        search.QuerySelectorAll("[data-testid=user-row]").Select(r => r.GetAttribute("data-user")).ToArray().ShouldBe(new[] { userName });
        search.QuerySelector("[data-testid=user-row] [data-testid=must-change-password]").ShouldNotBeNull();

        (await browser.SubmitAsync(userPage, "[data-testid=edit-user-form]", ("displayName", "Pat Renamed"), ("role", Roles.SupplyChainLead), ("team", "theatre-stores")))
            .ShouldContain("ok=True");
        page = await browser.GetDocumentAsync(userPage);
        page.QuerySelector("[data-testid=role]")!.TextContent.ShouldBe("Supply chain lead");
        page.QuerySelector("[data-testid=team]")!.TextContent.ShouldBe("theatre-stores");
        page.QuerySelectorAll("datalist#edit-teams option").Select(o => o.GetAttribute("value")).ShouldContain("theatre-stores");

        (await browser.SubmitAsync(userPage, "[data-testid=password-reset-form]", ("temporaryPassword", "")))
            .ShouldContain("ok=True");
        var secret = (await browser.GetDocumentAsync(userPage)).QuerySelector("[data-testid=new-secret]")!.TextContent;
        (await browser.GetDocumentAsync(userPage)).QuerySelector("[data-testid=new-secret]").ShouldBeNull();
        using (var user = PortalSession.Anonymous(host))
            (await user.PostLoginAsync(userName, secret)).ShouldStartWith("/account/password");

        (await browser.SubmitAsync(userPage, "[data-testid=create-key-form]", ("name", "page key"))).ShouldContain("ok=True");
        page = await browser.GetDocumentAsync(userPage);
        var key = page.QuerySelector("[data-testid=new-secret]")!.TextContent;
        page.QuerySelector("[data-testid=api-key-row]")!.TextContent.ShouldContain("page key");
        page.Body!.InnerHtml.Split(key).Length.ShouldBe(2);
        using var script = host.Client(key);
        (await script.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await browser.SubmitAsync(userPage, "[data-testid=revoke-key-form]")).ShouldContain("ok=True");
        (await script.GetAsync("api/v1/overview")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);

        (await browser.SubmitAsync(userPage, "[data-testid=status-form]", ("reason", "left the team"))).ShouldContain("ok=True");
        page = await browser.GetDocumentAsync(userPage);
        page.QuerySelector("h1 [data-testid=user-status]")!.TextContent.ShouldBe("disabled");
        page.QuerySelector<IHtmlFormElement>("[data-testid=status-form]")!.Action.ShouldEndWith("/enable");
        page.QuerySelector("[data-testid=create-key-form]").ShouldBeNull();
    }

    [Fact]
    public async Task Every_change_is_audited_with_its_action_and_without_passwords_hashes_or_keys()
    {
        var user = await CreateUserAsync(Roles.Analyst);
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync($"{Users}/{user.Id}", new { displayName = "Audited Person", role = Roles.SupplyChainLead, team = "supply-chain" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsJsonAsync($"{Users}/{user.Id}/disable", new { reason = "on leave" })).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.PostAsync($"{Users}/{user.Id}/enable", null)).StatusCode.ShouldBe(HttpStatusCode.OK);
        const string temporary = "temporary-password-7";
        (await admin.PostAsJsonAsync($"{Users}/{user.Id}/password-reset", new { temporaryPassword = temporary })).StatusCode.ShouldBe(HttpStatusCode.OK);
        using (var browser = PortalSession.Anonymous(host))
        {
            (await browser.PostLoginAsync(user.UserName, temporary)).ShouldStartWith("/account/password");
            (await browser.SubmitAsync("/account/password", "[data-testid=change-password-form]",
                ("currentPassword", temporary), ("newPassword", "changed-password-9"), ("confirmPassword", "changed-password-9"))).ShouldContain("changed=1");
        }
        var key = await IssueKeyAsync(user.Id);
        var keyId = (await admin.GetFromJsonAsync<JsonElement>($"{Users}/{user.Id}/api-keys"))[0].GetProperty("id").GetGuid();
        (await admin.PostAsync($"{Users}/{user.Id}/api-keys/{keyId}/revoke", null)).StatusCode.ShouldBe(HttpStatusCode.OK);

        var entries = (await Audit(admin, "user.")).Where(e => e.GetProperty("targetId").GetString() == user.UserName)
            .Concat((await Audit(admin, "api-key.")).Where(e => e.GetProperty("targetId").GetString() == keyId.ToString())).ToList();
        entries.Select(e => e.GetProperty("action").GetString()!).ToArray().ShouldBe(
            new[] { "user.create", "user.update", "user.disable", "user.enable", "user.password-reset", "user.password-change", "api-key.create", "api-key.revoke" },
            ignoreOrder: true);
        // The action filter is a prefix that ignores case, on every database provider.
        (await Audit(admin, "User.Dis")).ShouldContain(e => e.GetProperty("targetId").GetString() == user.UserName);
        var byAction = entries.ToDictionary(e => e.GetProperty("action").GetString()!);
        byAction["user.update"].GetProperty("after").GetString()!.ShouldContain("Audited Person");
        byAction["user.disable"].GetProperty("reason").GetString().ShouldBe("on leave");
        byAction["user.password-change"].GetProperty("actor").GetString().ShouldBe(user.UserName);
        byAction["api-key.revoke"].GetProperty("after").GetString()!.ShouldContain(user.UserName);
        foreach (var e in entries) e.GetProperty("actor").GetString().ShouldBe(e.GetProperty("action").GetString() == "user.password-change" ? user.UserName : "admin");

        await using var db = host.NewDb();
        var hash = (await db.Users.SingleAsync(u => u.Id == user.Id)).PasswordHash;
        var everything = string.Join("\n", entries.Select(e => e.GetRawText()));
        foreach (var secret in new[] { user.Password, temporary, "changed-password-9", hash, key, ApiKeyHashing.Hash(key), "passwordHash", "keyHash" })
            everything.ShouldNotContain(secret, Case.Insensitive);
    }

    [Theory]
    [InlineData(TestHost.AnalystKey)]
    [InlineData(TestHost.SupplyKey)]
    public async Task Analysts_and_supply_chain_leads_are_refused_every_user_administration_endpoint(string apiKey)
    {
        var user = await CreateUserAsync(Roles.Analyst);
        var keyId = Guid.NewGuid();
        using var client = host.Client(apiKey);
        var calls = new (HttpMethod Method, string Path, object? Body)[]
        {
            (HttpMethod.Get, Users, null),
            (HttpMethod.Get, $"{Users}/{user.Id}", null),
            (HttpMethod.Post, Users, NewUser("intruder", Roles.Admin, "intruder-password-1")),
            (HttpMethod.Put, $"{Users}/{user.Id}", new { displayName = "Changed", role = Roles.Admin }),
            (HttpMethod.Post, $"{Users}/{user.Id}/disable", null),
            (HttpMethod.Post, $"{Users}/{user.Id}/enable", null),
            (HttpMethod.Post, $"{Users}/{user.Id}/password-reset", null),
            (HttpMethod.Get, $"{Users}/{user.Id}/api-keys", null),
            (HttpMethod.Post, $"{Users}/{user.Id}/api-keys", new { name = "stolen" }),
            (HttpMethod.Post, $"{Users}/{user.Id}/api-keys/{keyId}/revoke", null),
        };
        foreach (var (method, path, body) in calls)
        {
            using var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
            using var response = await client.SendAsync(request);
            response.StatusCode.ShouldBe(HttpStatusCode.Forbidden, $"{method} {path}");
        }
        await using var db = host.NewDb();
        (await db.Users.SingleAsync(u => u.Id == user.Id)).ShouldSatisfyAllConditions(
            u => u.Role.ShouldBe(Roles.Analyst), u => u.Disabled.ShouldBeFalse(), u => u.MustChangePassword.ShouldBeFalse());
        (await db.Users.AnyAsync(u => u.UserName == "intruder")).ShouldBeFalse();
        (await db.ApiKeys.AnyAsync(k => k.UserId == user.Id)).ShouldBeFalse();
    }

    [Theory]
    [InlineData("analyst", "analyst-demo")]
    [InlineData("supply", "supply-demo")]
    public async Task Analysts_and_supply_chain_leads_are_refused_the_users_pages_and_forms(string userName, string password)
    {
        var target = await CreateUserAsync(Roles.Analyst);
        using var session = await PortalSession.SignInAsync(host, userName, password);
        foreach (var path in new[] { "/admin/users", $"/admin/users/{target.Id}" })
        {
            using var response = await session.GetAsync(path);
            response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
            response.Headers.Location!.ToString().ShouldContain("/account/denied");
        }
        (await session.PostFormAsync($"/admin/users/{target.Id}/disable", ("reason", "not allowed"))).ShouldContain("/account/denied");
        (await session.PostFormAsync("/admin/users/create", ("userName", "sneaky"), ("displayName", "S"), ("role", Roles.Admin), ("password", "sneaky-password-1")))
            .ShouldContain("/account/denied");
        await using var db = host.NewDb();
        (await db.Users.SingleAsync(u => u.Id == target.Id)).Disabled.ShouldBeFalse();
        (await db.Users.AnyAsync(u => u.UserName == "sneaky")).ShouldBeFalse();
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_user_administration_endpoints()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var paths = (await admin.GetFromJsonAsync<JsonElement>("openapi/v1.json")).GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/api/v1/admin/users", "get"), ("/api/v1/admin/users", "post"), ("/api/v1/admin/users/{id}", "get"), ("/api/v1/admin/users/{id}", "put"),
                     ("/api/v1/admin/users/{id}/disable", "post"), ("/api/v1/admin/users/{id}/enable", "post"), ("/api/v1/admin/users/{id}/password-reset", "post"),
                     ("/api/v1/admin/users/{id}/api-keys", "get"), ("/api/v1/admin/users/{id}/api-keys", "post"), ("/api/v1/admin/users/{id}/api-keys/{keyId}/revoke", "post"),
                 })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            operation.GetProperty("tags")[0].GetString().ShouldBe("Admin");
            operation.GetProperty("summary").GetString().ShouldNotBeNullOrWhiteSpace();
        }
        paths.EnumerateObject().ShouldNotContain(p => p.Name.StartsWith("/admin/users", StringComparison.Ordinal));
    }

    private sealed record CreatedUser(Guid Id, string UserName, string Password);

    private static object NewUser(string userName, string role, string password, string? team = null) =>
        new { userName, displayName = "Test " + userName, role, team, password };

    private async Task<CreatedUser> CreateUserAsync(string role, string? team = null)
    {
        var userName = "u-" + Guid.NewGuid().ToString("N")[..10];
        var password = "pw-" + Guid.NewGuid().ToString("N")[..12];
        using var admin = host.Client(TestHost.AdminKey);
        using var response = await admin.PostAsJsonAsync(Users, NewUser(userName, role, password, team));
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        response.Headers.Location!.ToString().ShouldBe($"/{Users}/{id}");
        return new CreatedUser(id, userName, password);
    }

    private async Task<string> IssueKeyAsync(Guid userId)
    {
        using var admin = host.Client(TestHost.AdminKey);
        using var response = await admin.PostAsJsonAsync($"{Users}/{userId}/api-keys", new { name = "test key" });
        response.StatusCode.ShouldBe(HttpStatusCode.Created);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("key").GetString()!;
    }

    private async Task<Guid> IdOfAsync(string userName)
    {
        await using var db = host.NewDb();
        return (await db.Users.SingleAsync(u => u.UserName == userName)).Id;
    }

    private static async Task<List<JsonElement>> Audit(HttpClient admin, string action) =>
        (await admin.GetFromJsonAsync<JsonElement>($"api/v1/audit?action={action}")).GetProperty("entries").EnumerateArray().ToList();

    private static async Task<string> RedirectOf(PortalSession browser, string path)
    {
        using var response = await browser.GetAsync(path);
        response.StatusCode.ShouldBe(HttpStatusCode.Redirect, path);
        return response.Headers.Location!.ToString();
    }
}
