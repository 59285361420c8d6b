namespace HealthSync.Engine.Kpis;

/// <summary>
/// The window and the cuts every KPI is computed over. The window is half-open, [<see cref="From"/>, <see cref="To"/>), in UTC,
/// so consecutive windows never count an item twice. A null cut means "all".
/// </summary>
/// <param name="CashPostingSla">
/// How long after settlement a matched payment may take to reach the ERP as part of a journal entry and still count as
/// timely. Comes from configuration (<c>Engine:Kpis:CashPostingSlaHours</c>) so finance can hold the portal to its own close.
/// </param>
public sealed record KpiFilter(
    DateTime From,
    DateTime To,
    string? Facility = null,
    string? Vendor = null,
    string? Payer = null,
    string? Workflow = null,
    TimeSpan? CashPostingSla = null)
{
    /// <summary>Windows up to this long are trended by hour, longer ones by day.</summary>
    public static readonly TimeSpan HourlyUpTo = TimeSpan.FromHours(48);

    public TimeSpan Length => To - From;

    public TrendGrain Grain => Length <= HourlyUpTo ? TrendGrain.Hour : TrendGrain.Day;

    public TimeSpan CashSla => CashPostingSla ?? KpiOptions.DefaultCashPostingSla;

    /// <summary>The window of the same length just before this one, for the delta shown on each tile.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public KpiFilter Previous => this with { From = From - Length, To = From };

    /// <summary>The window ending at <paramref name="now"/> with the given length and no cuts.</summary>
    public static KpiFilter Last(TimeSpan length, DateTime now) => new(now - length, now);

    /// <summary>True when the cut is set and names something else than <paramref name="value"/>.</summary>
    internal static bool Excludes(string? cut, string value) => cut is not null && !string.Equals(cut, value, StringComparison.Ordinal);
}

[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<TrendGrain>))]
public enum TrendGrain { Hour, Day }

/// <summary>KPI settings (<c>Engine:Kpis</c>).</summary>
public sealed class KpiOptions
{
    /// <summary>
    /// Matched patient payments must be in the ERP within two days of settlement: the gateway settles at the end of a day
    /// and the daily cash run posts the next morning, so two days leave room for one missed run without calling it late.
    /// </summary>
    public static readonly TimeSpan DefaultCashPostingSla = TimeSpan.FromHours(48);

    public double CashPostingSlaHours { get; set; } = DefaultCashPostingSla.TotalHours;

    /// <summary>How many closed days back the <c>kpi-rollup</c> job keeps day totals for (windows over 48 hours read them).</summary>
    public int RollupDays { get; set; } = 120;
}
