using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;

namespace HealthSync.Engine.Estate;

/// <summary>Fault settings for one simulated system, adjustable at runtime.</summary>
public sealed record FaultSettings
{
    [Range(0, 60_000)] public int LatencyMs { get; init; }
    [Range(0, 1)] public double ErrorRate { get; init; }
    [Range(0, 1)] public double ThrottleRate { get; init; }
    [Range(1, 3600)] public int RetryAfterSeconds { get; init; } = 5;
    public bool Outage { get; init; }
}

public sealed class FaultInjection
{
    public static readonly IReadOnlyList<string> Systems = ["erp", "billing", "warehouse", "gateway", "supplier"];
    private readonly ConcurrentDictionary<string, FaultSettings> _settings = new(StringComparer.OrdinalIgnoreCase);

    public FaultSettings Get(string system) => _settings.GetValueOrDefault(system) ?? new FaultSettings();

    public void Set(string system, FaultSettings settings) => _settings[system] = settings;

    public IReadOnlyDictionary<string, FaultSettings> All => Systems.ToDictionary(s => s, Get);
}
