namespace HealthSync.Engine.Kpis;

/// <summary>
/// A ratio KPI's counts. <see cref="Value"/> is null when nothing was in the denominator: an empty window is "no data",
/// never 0 % and never 100 %.
/// </summary>
/// <param name="IfResolved">
/// Numerator plus the items whose only blocker is an open exception: what the KPI would be if the open exceptions were
/// resolved. Null where resolving exceptions does not move the KPI by definition (exception health).
/// </param>
public sealed record Ratio(int Numerator, int Denominator, int? IfResolved)
{
    public static readonly Ratio Empty = new(0, 0, 0);

    public double? Value => Denominator == 0 ? null : (double)Numerator / Denominator;

    public double? IfResolvedValue => Denominator == 0 || IfResolved is null ? null : (double)IfResolved.Value / Denominator;

    /// <summary>Items in the denominator and not in the numerator.</summary>
    public int Gap => Denominator - Numerator;
}

/// <summary>One point of a KPI's trend: the items of one hour or day (UTC) of the window.</summary>
public sealed record TrendPoint(DateTime Start, int Numerator, int Denominator)
{
    public double? Value => Denominator == 0 ? null : (double)Numerator / Denominator;
}

/// <summary>A KPI split by one attribute of its items (facility, item, vendor, outcome, team...).</summary>
public sealed record Breakdown(string Name, IReadOnlyList<BreakdownRow> Rows);

public sealed record BreakdownRow(string Key, int Numerator, int Denominator)
{
    public double? Value => Denominator == 0 ? null : (double)Numerator / Denominator;
}

/// <summary>Settlement to ERP posting lag of the payments posted (any lag, within SLA or not).</summary>
public sealed record PaymentLag(int Posted, double? MedianHours, double SlaHours);

/// <summary>Open exceptions by age (now), SLA breaches, and the window's raised and resolved counts.</summary>
/// <param name="MeanHoursToResolve">Mean of resolved minus raised over the exceptions resolved in the window; null when none was.</param>
public sealed record ExceptionHealthDetail(
    int Open,
    int Breached,
    IReadOnlyList<AgeBucket> Ages,
    int RaisedInWindow,
    int ResolvedInWindow,
    int ResolvedLateInWindow,
    double? MeanHoursToResolve,
    IReadOnlyList<TrendCount> Raised,
    IReadOnlyList<TrendCount> Resolved,
    IReadOnlyList<ExceptionGroupCount> ByTeam,
    IReadOnlyList<ExceptionGroupCount> ByFacility,
    IReadOnlyList<ExceptionGroupCount> ByOwner,
    IReadOnlyList<ExceptionGroupCount> ByWorkflow);

public sealed record AgeBucket(string Label, int Open, int Breached);

/// <param name="Key">The team, facility, owner or workflow; null for unassigned.</param>
public sealed record ExceptionGroupCount(string? Key, int Open, int Breached);

public sealed record TrendCount(DateTime Start, int Count);

/// <summary>Engine flow over the window, from stored inbox and outbox rows, plus the live circuit state of each target.</summary>
/// <param name="LagP50Seconds">Median of last delivery minus receipt over transactions whose last delivery fell in the window.</param>
public sealed record FlowHealthDetail(
    int Received,
    double ReceivedPerHour,
    IReadOnlyList<TrendCount> Throughput,
    int Transactions,
    double? LagP50Seconds,
    double? LagP95Seconds,
    int Retried,
    int DeadLetters,
    int Pending,
    IReadOnlyList<EndpointFlow> Endpoints);

/// <param name="AttemptErrorRate">Failed delivery attempts / all attempts; null when no attempt was made.</param>
/// <param name="Circuit">Live state of the circuit breaker (closed, open, half-open); not stored, so not part of past windows.</param>
public sealed record EndpointFlow(string Target, int Messages, int Delivered, int Pending, int Failed, int Retried, int Attempts, int FailedAttempts, string? Circuit)
{
    public double? AttemptErrorRate => Attempts == 0 ? null : (double)FailedAttempts / Attempts;
}

/// <summary>One KPI over the filter's window: the ratio, the previous window's ratio, the trend and what does not apply.</summary>
/// <param name="Previous">The same KPI over the window of equal length just before; null where the KPI has no history (open exceptions now).</param>
/// <param name="UncutBy">Cuts set in the filter that this KPI's facts do not carry: the value is for all of them.</param>
/// <param name="OutsideWorkflow">The workflow cut names another workflow than the KPI's: nothing of it is in the cut.</param>
public sealed record KpiResult(
    KpiDefinition Definition,
    Ratio Current,
    Ratio? Previous,
    IReadOnlyList<TrendPoint> Trend,
    IReadOnlyList<KpiCut> UncutBy,
    bool OutsideWorkflow,
    IReadOnlyList<Breakdown> Breakdowns,
    PaymentLag? PaymentLag = null,
    ExceptionHealthDetail? Exceptions = null,
    FlowHealthDetail? Flow = null)
{
    public string Id => Definition.Id;

    /// <summary>Current minus previous value; null when either has no data.</summary>
    public double? Delta => Current.Value is { } c && Previous?.Value is { } p ? c - p : null;
}

/// <summary>Every KPI for one filter, computed at <see cref="ComputedAt"/>.</summary>
/// <param name="ClosedDaysAsOf">
/// When the closed days of a day-grain window were counted by the <c>kpi-rollup</c> job; null when every figure was
/// counted from the facts just now.
/// </param>
public sealed record KpiDashboard(KpiFilter Filter, DateTime ComputedAt, TrendGrain Grain, IReadOnlyList<KpiResult> Kpis, DateTime? ClosedDaysAsOf = null)
{
    public KpiResult this[string id] => Kpis.First(k => k.Id == id);
}

/// <summary>Which drill-down list: the numerator's items, the denominator's, or the gap between them.</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<DrillList>))]
public enum DrillList { Numerator, Denominator, Gap }

/// <summary>One item behind a KPI.</summary>
/// <param name="Key">The item's identity (usage id, verdict subject, outbox id, exception id).</param>
/// <param name="Amount">Money at stake for the item (charge, invoiced, settled, at risk); null where the item has none (an item-location).</param>
/// <param name="Measure">The KPI's per-item figure: posted net for a usage, variance for an invoice line or item-location, posting lag in hours for a payment, attempts for a delivery, hours past SLA for an exception.</param>
/// <param name="PatientKey">A patient identifier (encounter or account) when the item carries one; the portal masks it for roles without need.</param>
/// <param name="ExceptionId">The open exception blocking the item, when there is one (or the exception itself).</param>
public sealed record KpiRow(
    string Key,
    string Label,
    DateTime At,
    string? Facility,
    string? Partner,
    string? Item,
    decimal? Amount,
    double? Measure,
    string Outcome,
    string? Detail,
    Guid? CorrelationId,
    Guid? ExceptionId,
    bool InNumerator,
    bool BlockedByOpenException,
    string? PatientKey);

/// <summary>Open exceptions behind a KPI's gap, grouped by category and error code.</summary>
public sealed record GapCause(string Category, string ErrorCode, string Workflow, int Items, decimal AmountAtRisk);

/// <summary>One page of one drill-down list. Numerator total plus gap total always equals the denominator total.</summary>
public sealed record KpiDrillPage(
    KpiDefinition Definition,
    KpiFilter Filter,
    DrillList List,
    int Page,
    int PageSize,
    int Total,
    IReadOnlyList<KpiRow> Rows,
    Ratio Ratio,
    IReadOnlyList<GapCause> GapCauses)
{
    public int Pages => Math.Max(1, (Total + PageSize - 1) / PageSize);
}
