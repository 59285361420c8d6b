using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace HealthSync.Engine.Telemetry;

public static class TelemetrySetup
{
    /// <summary>
    /// Traces and metrics over OTLP, switched on by OTEL_EXPORTER_OTLP_ENDPOINT. The providers are built with the
    /// SDK directly and owned by the container, which disposes (and flushes) them on shutdown.
    /// </summary>
    public static IHostApplicationBuilder AddHealthSyncTelemetry(this IHostApplicationBuilder builder)
    {
        var endpoint = builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        if (string.IsNullOrWhiteSpace(endpoint)) return builder;
        var resource = ResourceBuilder.CreateDefault().AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? "healthsync");
        builder.Services.AddSingleton(_ => Sdk.CreateTracerProviderBuilder()
            .SetResourceBuilder(resource)
            .AddSource(EngineTelemetry.Name, "Microsoft.AspNetCore", "System.Net.Http", "Microsoft.EntityFrameworkCore")
            .AddOtlpExporter()
            .Build());
        builder.Services.AddSingleton(_ => Sdk.CreateMeterProviderBuilder()
            .SetResourceBuilder(resource)
            .AddMeter(EngineTelemetry.Name, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "System.Net.Http", "Microsoft.EntityFrameworkCore")
            .AddOtlpExporter()
            .Build());
        builder.Services.AddHostedService<TelemetryActivator>();
        return builder;
    }

    /// <summary>Resolves the providers at start-up so that listening begins before the first request.</summary>
    private sealed class TelemetryActivator(TracerProvider tracer, MeterProvider meter) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            GC.KeepAlive(tracer);
            GC.KeepAlive(meter);
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
