namespace HealthSync.Portal.Health;

/// <summary>
/// How a flow's normal interval is learned (<c>Health:Silence</c> in configuration): from the gaps between its own
/// messages over <see cref="HistoryDays"/> before its last message, at most the latest <see cref="MaxSamples"/> of them.
/// </summary>
public sealed class SilenceOptions
{
    public int HistoryDays { get; set; } = 7;

    /// <summary>The share of gaps the normal interval covers: a gap longer than this one is unusual for the flow.</summary>
    public double Percentile { get; set; } = 0.95;

    /// <summary>No flow is called silent sooner than this, however busy it usually is.</summary>
    public double FloorMinutes { get; set; } = 5;

    /// <summary>Fewer gaps than this are too little history to know what is normal; such a flow raises no alert.</summary>
    public int MinimumGaps { get; set; } = 5;

    /// <summary>Busy flows are judged on their latest messages only, so the page stays fast whatever the volume.</summary>
    public int MaxSamples { get; set; } = 2000;
}

/// <summary>Learns a flow's normal interval from its own gaps, and says whether its present silence is longer.</summary>
public static class SilenceRules
{
    /// <param name="newestFirst">Arrival times of the flow's recent messages, newest first.</param>
    /// <returns>Null when there is too little history to say what is normal.</returns>
    public static TimeSpan? NormalInterval(IReadOnlyList<DateTime> newestFirst, SilenceOptions options)
    {
        if (newestFirst.Count - 1 < Math.Max(1, options.MinimumGaps)) return null;
        var gaps = new List<double>(newestFirst.Count - 1);
        for (var i = 1; i < newestFirst.Count; i++) gaps.Add(Math.Abs((newestFirst[i - 1] - newestFirst[i]).TotalSeconds));
        var learned = TimeSpan.FromSeconds(Percentiles.NearestRank(gaps, options.Percentile));
        var floor = TimeSpan.FromMinutes(options.FloorMinutes);
        return learned > floor ? learned : floor;
    }

    public static bool IsSilent(DateTime lastReceivedAt, DateTime now, TimeSpan? normal) => normal is { } n && now - lastReceivedAt > n;
}

/// <summary>Percentiles as the health page reports them.</summary>
public static class Percentiles
{
    /// <summary>Nearest rank: the smallest value that at least the share <paramref name="p"/> of values do not exceed. Sorts the list.</summary>
    public static double NearestRank(List<double> values, double p)
    {
        values.Sort();
        return values[Math.Clamp((int)Math.Ceiling(Math.Clamp(p, 0, 1) * values.Count) - 1, 0, values.Count - 1)];
    }
}

/// <summary>Durations for people: "45 s", "12 min", "3 h 5 min", "2 d 4 h".</summary>
public static class Durations
{
    public static string Describe(TimeSpan span)
    {
        if (span < TimeSpan.Zero) span = TimeSpan.Zero;
        if (span.TotalMinutes < 1) return $"{(int)span.TotalSeconds} s";
        if (span.TotalHours < 1) return $"{(int)span.TotalMinutes} min";
        if (span.TotalDays < 1) return span.Minutes == 0 ? $"{(int)span.TotalHours} h" : $"{(int)span.TotalHours} h {span.Minutes} min";
        return span.Hours == 0 ? $"{(int)span.TotalDays} d" : $"{(int)span.TotalDays} d {span.Hours} h";
    }
}
