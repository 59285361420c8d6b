using System.Net;
using System.Net.Sockets;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Transports;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Tests.Support;

/// <summary>
/// The whole product on real Kestrel and a fresh database (see <see cref="TestDatabase"/>) migrated with the real
/// scripts: portal, engine, and the simulated estate as the delivery target. Demo traffic is off so tests control every message.
/// </summary>
public class TestHost : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0001";
    public const string AnalystKey = "test-analyst-key-0001";
    public const string SupplyKey = "test-supply-key-0001";
    public const string IntegrationKey = "test-integration-key-0001";

    private readonly string _dir = Directory.CreateTempSubdirectory("healthsync-test-").FullName;
    private WebApplicationFactory<Program>? _factory;
    private TestDatabase? _database;

    public TestDatabase Database => _database ?? throw new InvalidOperationException("The host is not started.");
    public string ConnectionString => Database.ConnectionString;
    public int HttpPort { get; private set; } = FreePort();
    public Uri BaseAddress => new($"http://127.0.0.1:{HttpPort}/");
    public int MllpPort => Services.GetRequiredService<MllpListener>().BoundPort;
    public IServiceProvider Services => _factory!.Services;

    /// <summary>Extra settings for a test class (e.g. faster retries).</summary>
    public Dictionary<string, string> Settings { get; } = new()
    {
        ["Engine:PollMilliseconds"] = "50",
        ["Engine:Delivery:RetryBaseSeconds"] = "1",
        ["Engine:Delivery:RetryMaxSeconds"] = "2",
        ["Engine:Delivery:BreakSeconds"] = "2",
        ["Engine:Delivery:AttemptTimeoutSeconds"] = "3",
        ["Engine:DropFolders:PollMilliseconds"] = "200",
        ["Engine:DropFolders:SettleMilliseconds"] = "0",
        // Jobs run when a test triggers them, never on their schedule in the middle of a test.
        ["Engine:Jobs:StartPaused"] = "true",
    };

    /// <summary>The watched drop folders of this host (one sub-folder per format).</summary>
    public string DropRoot => Path.Combine(_dir, "drop");

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync(_dir);
        await using (var db = NewDb())
            await DatabaseMigrator.MigrateAsync(db);

        // A free port can be taken by another process before Kestrel binds it (the machine is shared): try another.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                StartServer();
                break;
            }
            catch (IOException) when (attempt < 3)
            {
                await _factory!.DisposeAsync();
                HttpPort = FreePort();
            }
        }

        await using var scope = Services.CreateAsyncScope();
        var seedDb = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        await DemoSeeder.SeedAsync(seedDb, TimeProvider.System, new Dictionary<string, string>
        {
            ["admin"] = AdminKey, ["analyst"] = AnalystKey, ["supply"] = SupplyKey, ["integration"] = IntegrationKey,
        });
        var catalog = Services.GetRequiredService<MappingCatalog>();
        catalog.Invalidate();
        await catalog.ReloadAsync();
    }

    private void StartServer()
    {
        var baseUrl = BaseAddress.ToString();
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Urls", baseUrl);
            b.UseSetting("Database:Provider", Database.Provider);
            b.UseSetting("Database:ConnectionString", ConnectionString);
            b.UseSetting("Demo:Enabled", "true");
            b.UseSetting("Demo:Traffic:Enabled", "false");
            b.UseSetting("Demo:ApiKeys:admin", AdminKey);
            b.UseSetting("Demo:ApiKeys:analyst", AnalystKey);
            b.UseSetting("Demo:ApiKeys:supply", SupplyKey);
            b.UseSetting("Demo:ApiKeys:integration", IntegrationKey);
            b.UseSetting("Engine:Mllp:Port", "0");
            b.UseSetting("Logging:LogLevel:Default", "Warning");
            b.UseSetting("Engine:DropFolders:Root", DropRoot);
            foreach (var (k, v) in Settings) b.UseSetting(k, v);
        });
        _factory.UseKestrel(HttpPort);
        _factory.StartServer();
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        if (_database is not null) await _database.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    public HealthSyncDb NewDb() => Database.NewDb();

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = BaseAddress };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Waits until everything received has been processed and every delivery has settled.</summary>
    public async Task DrainedAsync(TimeSpan? timeout = null)
    {
        await Eventually.TrueAsync(async () =>
        {
            await using var db = NewDb();
            return !await db.InboxMessages.AnyAsync(m => m.Status == InboxStatus.Received)
                && !await db.OutboxMessages.AnyAsync(o => o.Status == OutboxStatus.Pending);
        }, timeout ?? TimeSpan.FromSeconds(30), "the engine to drain its inbox and outbox");
    }

    public static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}

public static class Eventually
{
    public static async Task TrueAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition()) return;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0} s waiting for {what}.");
    }
}
