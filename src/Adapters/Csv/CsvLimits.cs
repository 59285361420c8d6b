namespace HealthSync.Adapters.Csv;

/// <summary>
/// Size limits for inbound CSV feeds. A file over a limit is rejected with a finding (code
/// <see cref="CsvFindingCodes.LimitExceeded"/>) and no facts, never with an exception, so one runaway export cannot
/// exhaust the engine's memory or stall the drop folder.
/// </summary>
public sealed record CsvLimits
{
    /// <summary>32 MiB: about 300,000 settlement rows, far above a day's volume.</summary>
    public const long DefaultMaxBytes = 32L * 1024 * 1024;

    /// <summary>Default maximum number of data rows (the header not counted).</summary>
    public const int DefaultMaxRows = 500_000;

    /// <summary>The defaults.</summary>
    public static CsvLimits Default { get; } = new();

    /// <summary>Largest accepted file, in bytes.</summary>
    public long MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>Largest accepted number of data rows.</summary>
    public int MaxRows { get; init; } = DefaultMaxRows;
}

/// <summary>Finding codes specific to CSV feeds, in addition to <see cref="Canonical.FindingCodes"/>.</summary>
public static class CsvFindingCodes
{
    /// <summary>The row's key (settlement id, receipt id) already appears in an earlier row of the same file.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>The file is larger than <see cref="CsvLimits"/> allows.</summary>
    public const string LimitExceeded = "limit-exceeded";
}
