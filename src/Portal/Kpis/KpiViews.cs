using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Kpis;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Portal.Security;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Portal.Kpis;

/// <summary>What the dashboard pages and the API load for one request: the filter as of now, and the KPIs for it.</summary>
public static class KpiViews
{
    /// <summary>The cash posting SLA from <c>Engine:Kpis:CashPostingSlaHours</c>, or the built-in default.</summary>
    public static TimeSpan CashPostingSla(IConfiguration configuration) =>
        configuration.GetValue<double?>("Engine:Kpis:CashPostingSlaHours") is { } hours && hours > 0 ? TimeSpan.FromHours(hours) : KpiOptions.DefaultCashPostingSla;

    public static KpiFilter Filter(KpiQuery query, TimeProvider time, IConfiguration configuration) =>
        query.ToFilter(time.GetUtcNow().UtcDateTime, CashPostingSla(configuration));

    public static Task<KpiDashboard> DashboardAsync(HttpContext http, KpiQuery query, CancellationToken ct)
    {
        var (db, time, configuration, targets) = Services(http);
        return KpiQueries.DashboardAsync(db, Filter(query, time, configuration), time.GetUtcNow().UtcDateTime, targets, ct);
    }

    public static Task<KpiResult> KpiAsync(HttpContext http, string kpi, KpiQuery query, CancellationToken ct)
    {
        var (db, time, configuration, targets) = Services(http);
        return KpiQueries.KpiAsync(db, kpi, Filter(query, time, configuration), time.GetUtcNow().UtcDateTime, targets, withBreakdowns: true, ct);
    }

    /// <summary>A drill-down page with patient identifiers masked for roles without need.</summary>
    public static async Task<KpiDrillPage?> DrillAsync(HttpContext http, string kpi, KpiQuery query, DrillList list, int page, int pageSize, CancellationToken ct)
    {
        var (db, time, configuration, _) = Services(http);
        var drill = await KpiQueries.DrillAsync(db, kpi, Filter(query, time, configuration), list, page, pageSize, time.GetUtcNow().UtcDateTime, ct);
        if (drill is null || http.User.SeesPhi()) return drill;
        return drill with { Rows = [.. drill.Rows.Select(r => r with { PatientKey = PhiMask.Mask(r.PatientKey, false) })] };
    }

    private static (HealthSyncDb, TimeProvider, IConfiguration, DeliveryTargets) Services(HttpContext http) => (
        http.RequestServices.GetRequiredService<HealthSyncDb>(), http.RequestServices.GetRequiredService<TimeProvider>(),
        http.RequestServices.GetRequiredService<IConfiguration>(), http.RequestServices.GetRequiredService<DeliveryTargets>());

    public static DrillList ParseList(string? list) => Enum.TryParse<DrillList>(list, true, out var l) ? l : DrillList.Gap;
}

/// <summary>The values offered in the dashboard's filter lists, read from the facts the cuts select on.</summary>
public sealed record KpiChoices(IReadOnlyList<(string Code, string Name)> Facilities, IReadOnlyList<string> Vendors, IReadOnlyList<string> Payers)
{
    public static async Task<KpiChoices> LoadAsync(HealthSyncDb db, CancellationToken ct)
    {
        var facilities = await db.Facilities.AsNoTracking().OrderBy(f => f.Code).Select(f => new { f.Code, f.Name }).ToListAsync(ct);
        var vendors = await db.ReconciliationResults.AsNoTracking().Where(r => r.Reconciliation == Reconciliations.ThreeWay && r.Partner != null)
            .Select(r => r.Partner!).Distinct().OrderBy(p => p).Take(200).ToListAsync(ct);
        var payers = await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == FactKinds.PaymentSettlement && d.Partner != null)
            .Select(d => d.Partner!).Distinct().OrderBy(p => p).Take(200).ToListAsync(ct);
        return new KpiChoices([.. facilities.Select(f => (f.Code, f.Name))], vendors, payers);
    }
}
