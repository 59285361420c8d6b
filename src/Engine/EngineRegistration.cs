using HealthSync.Engine.Demo;
using HealthSync.Engine.Estate;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Jobs;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using HealthSync.Engine.Telemetry;
using HealthSync.Engine.Transports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine;

public static class EngineRegistration
{
    /// <summary>The sync engine: inbox, processor, outbox delivery, MLLP listener, and in demo mode the simulated estate and traffic.</summary>
    public static IHostApplicationBuilder AddSyncEngine(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        builder.AddHealthSyncDatabase();
        builder.AddHealthSyncTelemetry();
        builder.AddScheduledJobs();
        services.AddOptions<EngineOptions>().BindConfiguration("Engine").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EstateOptions>().BindConfiguration("Estate")
            .PostConfigure(o =>
            {
                if (o.Enabled && string.IsNullOrEmpty(o.Key)) o.Key = ApiKeyHashing.NewKey();
            });
        services.AddOptions<TrafficOptions>().BindConfiguration("Demo:Traffic");
        services.AddOptions<IntakeLimits>().BindConfiguration("Engine:Limits").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DropFolderOptions>().BindConfiguration("Engine:DropFolders").ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton<MappingCatalog>();
        services.AddSingleton<MappingAdministration>();
        services.AddSingleton<MappingFixes>();
        services.AddSingleton<InboxSignal>();
        services.AddSingleton<OutboxSignal>();
        services.AddSingleton<DeliveryTargets>();
        services.AddSingleton<FaultInjection>();
        services.AddSingleton<Inbox.Inbox>();
        services.AddHostedService(sp => sp.GetRequiredService<Inbox.Inbox>());
        services.AddSingleton<MllpListener>();
        services.AddSingleton<InboxProcessor>();
        services.AddSingleton<OutboxDispatcher>();
        services.AddSingleton<Scale.PartitionLeases>();
        services.AddHostedService(sp => sp.GetRequiredService<MllpListener>());
        services.AddSingleton<Exceptions.ExceptionActions>();
        services.AddOptions<Reconciliation.ReconciliationOptions>().BindConfiguration("Engine:Reconciliation");
        services.AddOptions<Kpis.KpiOptions>().BindConfiguration("Engine:Kpis");
        services.AddScoped<Reconciliation.Reconciliations>();
        services.AddScoped<Reconciliation.MicroBatches>();
        services.AddSingleton<Reconciliation.MicroBatchFaults>();
        services.AddSingleton<Exceptions.BulkRunner>();
        services.AddSingleton<DropFolderWatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DropFolderWatcher>());

        if (EngineOptions.Of(builder.Configuration).RunsWorker)
        {
            // Several workers share one PostgreSQL database by partition leases; SQLite runs one process and needs none.
            if (DatabaseOptions.Of(builder.Configuration).IsPostgres)
                services.AddHostedService(sp => sp.GetRequiredService<Scale.PartitionLeases>());
            services.AddHostedService(sp => sp.GetRequiredService<InboxProcessor>());
            services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
            services.AddHostedService(sp => sp.GetRequiredService<Exceptions.BulkRunner>());
        }
        foreach (var target in Systems.Targets)
        {
            services.AddHttpClient(OutboxDispatcher.HttpClientPrefix + target, (sp, client) =>
            {
                var options = sp.GetRequiredService<IOptions<EngineOptions>>().Value;
                if (options.Targets.TryGetValue(target, out var t) && !string.IsNullOrEmpty(t.BaseUrl))
                    client.BaseAddress = new Uri(t.BaseUrl.EndsWith('/') ? t.BaseUrl : t.BaseUrl + "/");
                if (sp.GetRequiredService<IOptions<EstateOptions>>().Value is { Enabled: true, Key.Length: > 0 } estate)
                    client.DefaultRequestHeaders.Add(EstateEndpoints.KeyHeader, estate.Key);
                // Timeouts are the resilience pipeline's job.
                client.Timeout = Timeout.InfiniteTimeSpan;
            });
        }
        services.AddHttpClient("traffic");
        services.AddHostedService<TrafficGenerator>();
        services.AddHostedService<PartnerTraffic>();
        services.AddHostedService<DemoReconciliationRuns>();
        return builder;
    }
}
