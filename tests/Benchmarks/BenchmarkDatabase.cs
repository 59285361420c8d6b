using HealthSync.Engine.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthSync.Benchmarks;

/// <summary>
/// A fresh SQLite file in its own temp directory, and the services a measured query needs: the product's DbContext
/// registration (pragmas included) with every statement's plan captured.
/// </summary>
internal static class BenchmarkDatabase
{
    public static (string Dir, string ConnectionString, ServiceCollection Services, PlanCapture Plans) Create(string prefix)
    {
        var dir = Path.Combine(Path.GetTempPath(), prefix + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(dir);
        var connectionString = $"Data Source={Path.Combine(dir, "hs.db")}";
        var services = new ServiceCollection();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SqlitePragmas>();
        var plans = new PlanCapture();
        services.AddDbContext<HealthSyncDb>((sp, o) =>
        {
            DatabaseRegistration.Configure(o, new DatabaseOptions { ConnectionString = connectionString }, sp.GetRequiredService<SqlitePragmas>());
            o.AddInterceptors(plans);
        });
        return (dir, connectionString, services, plans);
    }
}
