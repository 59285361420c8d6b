namespace HealthSync.Engine.Exceptions;

public static class Categories
{
    public const string Validation = "validation";
    public const string MappingGap = "mapping-gap";
    public const string UpstreamData = "upstream-data";
    public const string DownstreamUnavailable = "downstream-unavailable";
    public const string Duplicate = "duplicate";
    public const string Sequencing = "sequencing";

    public static readonly IReadOnlyList<string> All = [Validation, MappingGap, UpstreamData, DownstreamUnavailable, Duplicate, Sequencing];

    /// <summary>Default time to resolve per category; money that is already moving gets the shortest clock.</summary>
    public static TimeSpan Sla(string category) => category switch
    {
        DownstreamUnavailable => TimeSpan.FromHours(4),
        MappingGap => TimeSpan.FromHours(24),
        Validation => TimeSpan.FromHours(24),
        UpstreamData => TimeSpan.FromHours(48),
        Sequencing => TimeSpan.FromHours(8),
        Duplicate => TimeSpan.FromHours(72),
        _ => TimeSpan.FromHours(24),
    };
}

public static class WorkflowNames
{
    public const string SupplyCharge = "supply-charge";
}

/// <summary>A problem found while handling a message: becomes an <see cref="Persistence.ExceptionRecord"/>.</summary>
public sealed record Problem(string Category, string Code, string Detail, string? Path = null);
