using HealthSync.Portal.Jobs;
using HealthSync.Engine;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using HealthSync.Portal.Account;
using HealthSync.Portal.Api;
using HealthSync.Portal.Components;
using HealthSync.Portal.Overview;
using HealthSync.Portal.Security;
using HealthSync.Engine.Estate;
using HealthSync.Engine.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace HealthSync.Portal;

public sealed class DemoOptions
{
    public bool Enabled { get; set; }
    /// <summary>Fixed API keys per demo user name, so scripts can call the API (e.g. Demo__ApiKeys__admin).</summary>
    public Dictionary<string, string> ApiKeys { get; set; } = new(StringComparer.OrdinalIgnoreCase);
}

/// <summary>Composition of the whole product: portal, API, engine, and in demo mode the simulated estate.</summary>
public static class PortalApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        ApplyDemoDefaults(builder);
        configure?.Invoke(builder);
        Configure(builder);
        var app = builder.Build();
        Map(app);
        return app;
    }

    /// <summary>Demo mode wires the engine's targets to the simulated estate hosted by this same process.</summary>
    public static void ApplyDemoDefaults(WebApplicationBuilder builder)
    {
        if (!builder.Configuration.GetValue<bool>("Demo:Enabled")) return;
        var baseUrl = (builder.Configuration["Urls"] ?? "http://127.0.0.1:5080").Split(';')[0].TrimEnd('/') + "/";
        var defaults = new Dictionary<string, string?>
        {
            ["Estate:Enabled"] = "true",
            ["Demo:Traffic:Enabled"] = "true",
            ["Demo:Traffic:BaseUrl"] = baseUrl,
            ["Demo:Traffic:MllpPort"] = builder.Configuration["Engine:Mllp:Port"] ?? "2575",
            ["Engine:Targets:erp:BaseUrl"] = baseUrl + "estate/erp/",
            ["Engine:Targets:billing:BaseUrl"] = baseUrl + "estate/billing/",
            ["Engine:Targets:warehouse:BaseUrl"] = baseUrl + "estate/warehouse/",
            ["Engine:Targets:supplier:BaseUrl"] = baseUrl + "estate/supplier/",
        };
        // Explicit configuration wins over these defaults.
        var missing = defaults.Where(d => builder.Configuration[d.Key] is null).ToDictionary();
        builder.Configuration.AddInMemoryCollection(missing);
        if (string.IsNullOrEmpty(builder.Configuration["Demo:ApiKeys:integration"]))
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Demo:ApiKeys:integration"] = ApiKeyHashing.NewKey() });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Demo:Traffic:ApiKey"] = builder.Configuration["Demo:ApiKeys:integration"] });
    }

    private static void Configure(WebApplicationBuilder builder)
    {
        builder.Logging.ClearProviders();
        builder.Logging.AddJsonConsole(o =>
        {
            o.IncludeScopes = true;
            o.UseUtcTimestamp = true;
        });
        builder.Services.AddOptions<DemoOptions>().BindConfiguration("Demo");
        builder.AddSyncEngine();
        builder.AddPortalSecurity();
        builder.Services.AddRazorComponents();
        builder.Services.AddAntiforgery();
        builder.Services.AddOpenApi("v1");
        builder.Services.AddHealthChecks()
            .AddCheck("live", () => HealthCheckResult.Healthy(), tags: ["live"])
            .AddDbContextCheck<HealthSyncDb>("database", tags: ["ready"]);
    }

    private static void Map(WebApplication app)
    {
        app.UseStaticFiles();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapHealthChecks("/health/live", new() { Predicate = c => c.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new() { Predicate = c => c.Tags.Contains("ready") }).AllowAnonymous();
        // Listeners run on any node; a worker serves them and its probes but no pages or API.
        app.MapFhirIntake();
        app.MapX12Intake();
        app.MapCsvIntake();
        if (app.Configuration.GetValue<bool>("Estate:Enabled")) app.MapSimulatedEstate();
        if (!EngineOptions.Of(app.Configuration).RunsPortal) return;
        app.MapOpenApi("/openapi/{documentName}.json").RequireAuthorization(Policies.People);
        app.MapAccount();
        app.MapApiV1();
        app.MapJobs();
        HealthSync.Portal.Admin.AdminEndpoints.MapAdmin(app);
        app.MapFragments();
        HealthSync.Portal.Exceptions.ExceptionForms.MapExceptionForms(app);
        app.MapRazorComponents<App>();
    }

    /// <summary>Refuses to start on a database that was not set up, and seeds the demo estate in demo mode.</summary>
    public static async Task PrepareAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var pending = await PendingMigrationsAsync(db);
        if (pending.Count > 0)
            throw new InvalidOperationException($"The database is missing migrations {string.Join(", ", pending)}. Run 'healthsync setup' first.");
        var demo = app.Configuration.GetSection("Demo").Get<DemoOptions>() ?? new DemoOptions();
        if (demo.Enabled)
            await DemoSeeder.SeedAsync(db, scope.ServiceProvider.GetRequiredService<TimeProvider>(), demo.ApiKeys);
    }

    public static async Task<IReadOnlyList<string>> PendingMigrationsAsync(HealthSyncDb db)
    {
        var all = DatabaseMigrator.Scripts(DatabaseProviders.Of(db.Database)).Select(s => s.Version).ToList();
        try
        {
            var applied = await db.Database.SqlQueryRaw<string>("SELECT version AS \"Value\" FROM schema_migrations").ToListAsync();
            return all.Except(applied).ToList();
        }
        // No schema_migrations table yet: nothing was applied (either provider's error derives from DbException).
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException)
        {
            return all;
        }
    }
}
