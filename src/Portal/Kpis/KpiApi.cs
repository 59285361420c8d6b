using HealthSync.Engine.Kpis;
using Microsoft.AspNetCore.Http.HttpResults;

namespace HealthSync.Portal.Kpis;

/// <summary>The KPIs over HTTP: the same filters, numbers and drill-down lists as the dashboard pages.</summary>
public static class KpiApi
{
    private const string Filters = "Window: window=24h|7d|30d, or from and to (UTC, date or date-time; to is exclusive). Cuts: facility, vendor, payer, workflow.";

    public static RouteGroupBuilder MapKpiApi(this RouteGroupBuilder api)
    {
        var kpis = api.MapGroup("/kpis").WithTags("KPIs");
        kpis.MapGet("/", async (HttpContext http, CancellationToken ct) => TypedResults.Ok(await KpiViews.DashboardAsync(http, KpiQuery.FromQuery(http.Request.Query), ct)))
            .WithSummary("Every KPI over a window with numerator, denominator, the value if open exceptions were resolved, the previous window and a trend by hour (windows up to 48 h) or day")
            .WithDescription(Filters + " Cuts a KPI's facts do not carry are listed in uncutBy; circuit states in flow health are live, not stored.");
        kpis.MapGet("/{kpi}/drill", async Task<Results<Ok<KpiDrillPage>, NotFound>> (string kpi, string? list, int? page, int? pageSize, HttpContext http, CancellationToken ct) =>
                await KpiViews.DrillAsync(http, kpi, KpiQuery.FromQuery(http.Request.Query), KpiViews.ParseList(list), page ?? 1, pageSize ?? 50, ct) is { } drill
                    ? TypedResults.Ok(drill)
                    : TypedResults.NotFound())
            .WithSummary($"The items behind a KPI ({string.Join(", ", KpiCatalog.All.Select(k => k.Id))}): list=numerator|denominator|gap, paged (page, pageSize up to 500), with the open exceptions behind the gap")
            .WithDescription(Filters + " Numerator total plus gap total equals denominator total. Patient identifiers are masked for roles without need.");
        return api;
    }
}
