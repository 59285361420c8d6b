using System.ComponentModel.DataAnnotations;

namespace HealthSync.Engine.Pipeline;

public sealed class EngineOptions
{
    /// <summary>Process roles: "portal", "worker" or "all".</summary>
    public string Role { get; set; } = "all";

    [Range(1, 5000)] public int BatchSize { get; set; } = 200;
    [Range(1, 60_000)] public int PollMilliseconds { get; set; } = 250;
    [Range(1, 100)] public int MaxProcessingAttempts { get; set; } = 5;

    public DeliveryOptions Delivery { get; set; } = new();
    public Dictionary<string, TargetOptions> Targets { get; set; } = new(StringComparer.OrdinalIgnoreCase);
    public MllpOptions Mllp { get; set; } = new();

    public bool RunsWorker => Role is "all" or "worker";
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
