using System.Globalization;
using HealthSync.Engine.Kpis;

namespace HealthSync.Portal.Kpis;

/// <summary>
/// The dashboard's filters as they travel in a URL: a named window (24h, 7d, 30d) or a custom one (from, to), and the
/// cuts. Pages, fragments and the API read the same query string, so any view is a plain link.
/// </summary>
/// <param name="From">Custom window start (UTC, date or date and time); used when <see cref="Window"/> is "custom".</param>
/// <param name="To">Custom window end, exclusive; a date alone means the end of that day.</param>
public sealed record KpiQuery(
    string Window = KpiQuery.DefaultWindow,
    DateTime? From = null,
    DateTime? To = null,
    string? Facility = null,
    string? Vendor = null,
    string? Payer = null,
    string? Workflow = null)
{
    public const string DefaultWindow = "24h";
    public const string Custom = "custom";

    public static readonly IReadOnlyList<(string Value, string Label, TimeSpan Length)> Windows =
    [
        ("24h", "Last 24 hours", TimeSpan.FromHours(24)),
        ("7d", "Last 7 days", TimeSpan.FromDays(7)),
        ("30d", "Last 30 days", TimeSpan.FromDays(30)),
    ];

    public static KpiQuery FromQuery(IQueryCollection q)
    {
        string? S(string k) => q.TryGetValue(k, out var v) && !string.IsNullOrWhiteSpace(v.ToString()) ? v.ToString().Trim() : null;
        var from = Time(S("from"), endOfDay: false);
        var to = Time(S("to"), endOfDay: true);
        var window = S("window") ?? (from is not null || to is not null ? Custom : DefaultWindow);
        if (window != Custom && !Windows.Any(w => w.Value == window)) window = DefaultWindow;
        return new KpiQuery(window, from, to, S("facility"), S("vendor"), S("payer"), S("workflow"));
    }

    private static DateTime? Time(string? text, bool endOfDay)
    {
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            return day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc).AddDays(endOfDay ? 1 : 0);
        return DateTime.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
    }

    /// <summary>The window as of <paramref name="now"/>; a custom window missing an end runs to now, one missing a start covers the day before its end.</summary>
    public KpiFilter ToFilter(DateTime now, TimeSpan cashPostingSla)
    {
        DateTime from, to;
        if (Window == Custom)
        {
            to = To ?? now;
            from = From ?? to.AddDays(-1);
            if (from >= to) (from, to) = (to, from == to ? to.AddDays(1) : from);
        }
        else
        {
            to = now;
            from = now - Windows.First(w => w.Value == Window).Length;
        }
        return new KpiFilter(from, to, Facility, Vendor, Payer, Workflow, cashPostingSla);
    }

    /// <summary>The query string (without leading '?'), plus any extra parameters.</summary>
    public string ToQueryString(params (string Key, string? Value)[] extra)
    {
        var parts = new List<string>();
        void Add(string k, string? v)
        {
            if (!string.IsNullOrWhiteSpace(v)) parts.Add($"{k}={Uri.EscapeDataString(v)}");
        }
        Add("window", Window);
        if (Window == Custom)
        {
            Add("from", From?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
            Add("to", To?.ToString("yyyy-MM-ddTHH:mm", CultureInfo.InvariantCulture));
        }
        Add("facility", Facility);
        Add("vendor", Vendor);
        Add("payer", Payer);
        Add("workflow", Workflow);
        foreach (var (k, v) in extra) Add(k, v);
        return string.Join('&', parts);
    }
}
