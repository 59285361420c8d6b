using System.Globalization;
using HealthSync.Engine.Kpis;

namespace HealthSync.Portal.Kpis;

/// <summary>How KPI numbers read on the pages: percentages, deltas in points, "no data" for an empty denominator.</summary>
public static class KpiText
{
    public const string NoData = "no data";

    public static string Percent(double? value) => value is { } v ? (v * 100).ToString("0.0", CultureInfo.InvariantCulture) + " %" : NoData;

    public static string Count(int n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>Change in percentage points, signed.</summary>
    public static string Points(double delta) => (delta >= 0 ? "+" : "−") + Math.Abs(delta * 100).ToString("0.0", CultureInfo.InvariantCulture) + " pts";

    /// <summary>A duration given in hours; under an hour it reads in minutes or seconds, so a quick posting does not show as 0.0 h.</summary>
    public static string Hours(double? hours) => hours switch
    {
        null => NoData,
        < 1 => Seconds(hours.Value * 3600),
        _ => hours.Value.ToString(hours.Value < 10 ? "0.0" : "0", CultureInfo.InvariantCulture) + " h",
    };

    public static string Seconds(double? seconds) => seconds switch
    {
        null => NoData,
        < 120 => seconds.Value.ToString("0.0", CultureInfo.InvariantCulture) + " s",
        < 7200 => (seconds.Value / 60).ToString("0.0", CultureInfo.InvariantCulture) + " min",
        _ => (seconds.Value / 3600).ToString("0.0", CultureInfo.InvariantCulture) + " h",
    };

    public static string Window(KpiFilter f) =>
        $"{f.From.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} – {f.To.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC";

    public static string Length(TimeSpan span) => span.TotalHours <= 48
        ? span.TotalHours.ToString("0.#", CultureInfo.InvariantCulture) + " h"
        : span.TotalDays.ToString("0.#", CultureInfo.InvariantCulture) + " d";

    public static string Cut(KpiCut cut) => cut.ToString().ToLowerInvariant();

    /// <summary>What the drill-down's measure column holds for each KPI.</summary>
    public static string MeasureLabel(string kpi) => kpi switch
    {
        KpiCatalog.ChargeCapture => "Posted net ($)",
        KpiCatalog.InvoiceMatch => "Variance ($)",
        KpiCatalog.InventoryAccuracy => "Variance (units)",
        KpiCatalog.PaymentTimeliness => "Lag (h)",
        KpiCatalog.ExceptionHealth => "Past SLA (h)",
        _ => "Attempts",
    };

    public static string Measure(double? value) => value?.ToString("0.##", CultureInfo.InvariantCulture) ?? "";

    public static string Bucket(DateTime start, TrendGrain grain) =>
        start.ToString(grain == TrendGrain.Hour ? "MM-dd HH:00" : "yyyy-MM-dd", CultureInfo.InvariantCulture);
}
