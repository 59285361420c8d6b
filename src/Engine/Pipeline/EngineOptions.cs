using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;

namespace HealthSync.Engine.Pipeline;

public sealed class EngineOptions
{
    /// <summary>The configured section <c>Engine</c>, for registration code that runs before options can be resolved.</summary>
    public static EngineOptions Of(IConfiguration configuration) => configuration.GetSection("Engine").Get<EngineOptions>() ?? new EngineOptions();

    /// <summary>Process roles: "portal", "worker" or "all".</summary>
    [RegularExpression("^(all|portal|worker)$")] public string Role { get; set; } = "all";

    [Range(1, 5000)] public int BatchSize { get; set; } = 200;
    [Range(1, 60_000)] public int PollMilliseconds { get; set; } = 250;
    [Range(1, 100)] public int MaxProcessingAttempts { get; set; } = 5;

    public DeliveryOptions Delivery { get; set; } = new();
    public Dictionary<string, TargetOptions> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public MllpOptions Mllp { get; set; } = new();
    public ScaleOptions Scale { get; set; } = new();

    /// <summary>Processing, delivery, bulk actions and scheduled jobs run here.</summary>
    public bool RunsWorker => Role is "all" or "worker";

    /// <summary>Pages, the API and the portal's own endpoints are served here (a worker serves only probes and intake).</summary>
    public bool RunsPortal => Role is "all" or "portal";
}

/// <summary>Work partition leases of worker processes sharing a PostgreSQL database (see <c>PartitionLeases</c>).</summary>
public sealed class ScaleOptions
{
    /// <summary>How long a lease outlives its last renewal: a dead worker's partitions wait this long for a new owner.</summary>
    [Range(2, 3600)] public double LeaseSeconds { get; set; } = 15;
    [Range(0.2, 600)] public double RenewSeconds { get; set; } = 3;
}

public sealed class DeliveryOptions
{
    [Range(1, 1000)] public int MaxAttempts { get; set; } = 12;
    [Range(1, 3600)] public double RetryBaseSeconds { get; set; } = 2;
    [Range(1, 86_400)] public double RetryMaxSeconds { get; set; } = 60;
    [Range(0.1, 120)] public double AttemptTimeoutSeconds { get; set; } = 5;
    [Range(0.1, 600)] public double BreakSeconds { get; set; } = 10;
    [Range(1, 64)] public int Parallelism { get; set; } = 8;
    [Range(1, 5000)] public int BatchSize { get; set; } = 200;
}

public sealed class TargetOptions
{
    [Required] public string BaseUrl { get; set; } = "";
    public string? ApiKey { get; set; }
}

public sealed class MllpOptions
{
    public bool Enabled { get; set; } = true;
    public string Host { get; set; } = "127.0.0.1";
    [Range(0, 65535)] public int Port { get; set; } = 2575;
    [Range(1, 10_000)] public int MaxConnections { get; set; } = 200;
    [Range(1024, 256 * 1024 * 1024)] public int MaxFrameBytes { get; set; } = 4 * 1024 * 1024;
}
