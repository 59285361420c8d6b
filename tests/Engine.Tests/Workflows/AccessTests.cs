using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Workflows;

public class AccessTests(TestHost host) : IClassFixture<TestHost>
{
    [Theory]
    [InlineData("/")]
    [InlineData("/exceptions")]
    [InlineData("/lineage")]
    public async Task Pages_send_anonymous_visitors_to_sign_in(string path)
    {
        using var client = host.Client();
        using var response = await client.GetAsync(path);

        response.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        response.Headers.Location!.ToString().ShouldContain("/account/login");
    }

    [Theory]
    [InlineData("api/v1/exceptions")]
    [InlineData("openapi/v1.json")]
    [InlineData("api/v1/overview")]
    public async Task The_API_refuses_requests_without_a_valid_key(string path)
    {
        using var anonymous = host.Client();
        (await anonymous.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        using var wrong = host.Client("not-a-key");
        (await wrong.GetAsync(path)).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Interface_accounts_may_send_messages_but_not_read_the_portal_API()
    {
        using var integration = host.Client(TestHost.IntegrationKey);
        (await integration.GetAsync("api/v1/exceptions")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var analyst = host.Client(TestHost.AnalystKey);
        (await analyst.PostAsync("fhir/ChargeItem", new StringContent("{}"))).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [Fact]
    public async Task Only_admins_change_the_simulated_estate()
    {
        using var analyst = host.Client(TestHost.AnalystKey);
        (await analyst.PutAsJsonAsync("api/v1/estate/faults/erp", new { latencyMs = 10 })).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        using var admin = host.Client(TestHost.AdminKey);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { errorRate = 2.0 })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await admin.PutAsJsonAsync("api/v1/estate/faults/erp", new { latencyMs = 0 })).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Supply_chain_leads_see_patient_identifiers_masked_and_cannot_search_by_them()
    {
        var usage = Usage.Stent();
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AA");
        await host.DrainedAsync();

        using var analyst = host.Client(TestHost.AnalystKey);
        var hits = await analyst.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.Encounter}");
        var id = hits.EnumerateArray().Single().GetProperty("correlationId").GetGuid();
        var clear = await analyst.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{id}");
        Keys(clear).ShouldContain(usage.Encounter);

        using var supply = host.Client(TestHost.SupplyKey);
        var masked = await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage/{id}");
        Keys(masked).ShouldNotContain(usage.Encounter);
        var lastTwo = usage.Encounter.Substring(usage.Encounter.Length - 2);
        Keys(masked).ShouldContain(k => k.StartsWith('•') && k.EndsWith(lastTwo, StringComparison.Ordinal));
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.Encounter}")).GetArrayLength().ShouldBe(0);
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/lineage?q={usage.ControlId}")).GetArrayLength().ShouldBe(1);
    }

    [Fact]
    public async Task Exceptions_are_found_by_any_business_key_and_patient_keys_only_by_roles_that_see_them()
    {
        var usage = Usage.Stent() with { Lot = null, Serial = null };
        Usage.Msa(await MllpClient.SendOnceAsync(host.MllpPort, DemoMessages.Dft(usage))).ShouldBe("AE");
        await host.DrainedAsync();

        using var analyst = host.Client(TestHost.AnalystKey);
        (await analyst.GetFromJsonAsync<JsonElement>($"api/v1/exceptions?q={usage.ControlId}")).GetProperty("total").GetInt32().ShouldBe(1);
        (await analyst.GetFromJsonAsync<JsonElement>($"api/v1/exceptions?q={usage.Encounter}")).GetProperty("total").GetInt32().ShouldBe(1);
        using var supply = host.Client(TestHost.SupplyKey);
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/exceptions?q={usage.ControlId}")).GetProperty("total").GetInt32().ShouldBe(1);
        (await supply.GetFromJsonAsync<JsonElement>($"api/v1/exceptions?q={usage.Encounter}")).GetProperty("total").GetInt32().ShouldBe(0);
    }

    [Fact]
    public async Task The_OpenAPI_document_describes_the_v1_API()
    {
        using var admin = host.Client(TestHost.AdminKey);
        var doc = await admin.GetFromJsonAsync<JsonElement>("openapi/v1.json");
        var paths = doc.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        paths.ShouldContain("/api/v1/exceptions");
        paths.ShouldContain("/api/v1/lineage/{correlationId}");
        paths.ShouldContain("/fhir/{type}");
        paths.ShouldContain("/edi/x12");
        paths.ShouldContain("/csv");
    }

    [Fact]
    public async Task Health_probes_answer_without_sign_in()
    {
        using var client = host.Client();
        (await client.GetAsync("health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.GetAsync("health/ready")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    private static List<string> Keys(JsonElement lineage) => lineage.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("value").GetString()!).ToList();
}
