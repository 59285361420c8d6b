using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// The items behind one ratio KPI, as one SQL statement. Tiles, trends, breakdowns and every drill-down list select from
/// this same statement, which is why the lists always add up to the numbers shown.
/// </summary>
/// <remarks>
/// Columns, always: <c>at</c> (stored time the item is windowed and trended by), <c>state</c>, <c>facility</c>,
/// <c>partner</c>, <c>item</c>. With detail also: <c>key</c>, <c>label</c>, <c>amount</c>, <c>measure</c>, <c>outcome</c>,
/// <c>detail</c>, <c>correlation_id</c>, <c>exception_id</c>, <c>patient_key</c>. Parameters: <c>@lo</c>/<c>@hi</c> (the window
/// to select), <c>@now</c> and the cuts that are set (<c>@facility</c>, <c>@vendor</c>, <c>@payer</c>, <c>@workflow</c>).
/// </remarks>
internal abstract class KpiItems
{
    /// <summary>In the numerator.</summary>
    public const int Counted = 2;

    /// <summary>In the gap, and an open exception is all that stands between the item and the numerator.</summary>
    public const int Blocked = 1;

    /// <summary>In the gap for another reason (still within its grace period, posted late, variance without an exception...).</summary>
    public const int Uncounted = 0;

    public abstract KpiDefinition Definition { get; }

    /// <summary>The item statement in the dialect of the database it runs on.</summary>
    public abstract string Sql(SqlDialect sql, KpiFilter f, bool detail);

    /// <summary>False for KPIs of the present state (open exceptions): the window does not select their items.</summary>
    public virtual bool Windowed => true;

    /// <summary>The breakdowns the KPI shows, as (title, column of the item statement); a detail column needs the detail statement.</summary>
    public virtual IReadOnlyList<(string Name, string Column)> Breakdowns => [];

    /// <summary>Columns only the detail statement has.</summary>
    public static bool IsDetailColumn(string column) => column is not ("facility" or "partner" or "item");

    /// <summary>Detail columns or nothing, so one statement serves counting and listing.</summary>
    protected static string When(bool detail, string columns) => detail ? ",\n" + columns : "";

    /// <summary>
    /// An open exception blocks the item: by its id (verdict rows) — used for the gap of reconciliation KPIs. Exceptions
    /// are looked up by a key (id, transaction, outbox row) with the status kept off the index (<see cref="SqlDialect.NoIndex"/>).
    /// </summary>
    protected static string OpenVerdictException(SqlDialect sql) => OpenException(sql, "e.id = rr.exception_id");

    /// <summary>An open exception found by <paramref name="key"/> (a condition on <c>e</c>) exists.</summary>
    protected static string OpenException(SqlDialect sql, string key) => $"EXISTS (SELECT 1 FROM exceptions e WHERE {key} AND {OpenStatus(sql)})";

    /// <summary>The condition "exception <c>e</c> is open", with the status kept off the index so the key is sought instead.</summary>
    protected static string OpenStatus(SqlDialect sql) => $"{sql.NoIndex("e.status")} = 'Open'";

    /// <summary>
    /// The condition of a cut, only when the cut is set: an unset cut leaves the statement free to count from a covering
    /// index instead of reading every row for a column it would not compare.
    /// </summary>
    protected static string Cut(string? value, string condition) => value is null ? "" : "AND " + condition;

    /// <summary>The key's segment after <paramref name="skip"/> '|' separators (subject keys are '|'-joined).</summary>
    protected static string Segment(SqlDialect sql, string column, int skip, bool last)
    {
        var rest = column;
        for (var i = 0; i < skip; i++) rest = sql.After(rest, "'|'");
        return last ? rest : sql.Before(rest, "'|'");
    }
}
