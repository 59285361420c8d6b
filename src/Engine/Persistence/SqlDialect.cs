using Microsoft.EntityFrameworkCore.Infrastructure;

namespace HealthSync.Engine.Persistence;

/// <summary>
/// The few fragments in which hand-written SQL must differ between SQLite and PostgreSQL. Queries keep one text and ask
/// here for the provider-specific pieces (time buckets, time differences, booleans as numbers, string aggregation,
/// planner hints), so a query reads the same on both providers and its SQLite form, which is tuned, stays exactly as it was.
/// </summary>
/// <remarks>
/// The storage differs underneath: SQLite keeps timestamps as ordered text (<c>yyyy-MM-dd HH:mm:ss.FFFFFFF</c>) and
/// guids as text, PostgreSQL as <c>timestamp with time zone</c> and <c>uuid</c>. Times are therefore passed through
/// <see cref="Time"/>, never formatted by the caller.
/// </remarks>
public abstract class SqlDialect
{
    public static readonly SqlDialect Sqlite = new SqliteDialect();

    public static readonly SqlDialect Postgres = new PostgresDialect();

    /// <summary>The dialect of the provider a context is connected to.</summary>
    public static SqlDialect Of(DatabaseFacade database) => database.IsPostgres() ? Postgres : Sqlite;

    /// <summary>A time as a command parameter value, comparable with the stored column.</summary>
    public abstract object Time(DateTime utc);

    /// <summary>Statement to run on a connection before a read-heavy query; null when the provider needs none.</summary>
    public virtual string? ReadTuning => null;

    /// <summary>The start of the hour or day <paramref name="time"/> falls in (UTC), as a value <see cref="StoredTime.Read"/> understands.</summary>
    public abstract string Truncate(string time, bool hour);

    /// <summary>Seconds from <paramref name="from"/> to <paramref name="to"/>, as a floating-point number.</summary>
    public string Seconds(string to, string from) => Elapsed(to, from, 86400);

    /// <summary>Hours from <paramref name="from"/> to <paramref name="to"/>, as a floating-point number.</summary>
    public string Hours(string to, string from) => Elapsed(to, from, 24);

    /// <summary>The time difference in units of which a day holds <paramref name="perDay"/>.</summary>
    protected abstract string Elapsed(string to, string from, int perDay);

    /// <summary>A condition as 1 or 0, so it can be summed or subtracted.</summary>
    public abstract string Flag(string condition);

    /// <summary>The literal true, for a boolean column compared or a condition that always holds.</summary>
    public abstract string True { get; }

    /// <summary>The distinct values of a text expression in a group, comma-joined.</summary>
    public abstract string DistinctList(string text);

    /// <summary>The smallest guid of a group.</summary>
    public abstract string MinGuid(string column);

    /// <summary>The text after the first <paramref name="separator"/>; all of it when there is none.</summary>
    public abstract string After(string text, string separator);

    /// <summary>The text before the first <paramref name="separator"/>; empty when there is none.</summary>
    public abstract string Before(string text, string separator);

    /// <summary>
    /// A column of a grouped statement that is the same in every row of the group (a transaction's facility, say).
    /// SQLite takes it bare; PostgreSQL wants an aggregate.
    /// </summary>
    public abstract string Same(string column);

    /// <summary>A time's UTC day as <c>yyyyMMdd</c> text.</summary>
    public abstract string DayStamp(string time);

    /// <summary>A time as text for people (<c>yyyy-MM-dd HH:mm:ss</c>, UTC), for labels built in SQL.</summary>
    public abstract string TimeText(string time);

    /// <summary>
    /// A column kept from being used to pick an index. SQLite has no statistics, and without the unary plus would walk,
    /// say, every open exception by the status index instead of seeking the key; PostgreSQL's planner needs no such hint.
    /// </summary>
    public abstract string NoIndex(string column);

    private sealed class SqliteDialect : SqlDialect
    {
        public override object Time(DateTime utc) => StoredTime.Text(utc);

        /// <summary>
        /// KPIs read index pages scattered over the file (ids are random); reading them memory-mapped instead of through
        /// read() calls measured about a third faster on a 300,000-transaction database. Per connection, read-only effect.
        /// </summary>
        public override string ReadTuning => "PRAGMA mmap_size = " + 512L * 1024 * 1024;

        /// <summary>The stored text's prefix (<c>yyyy-MM-dd HH</c> or <c>yyyy-MM-dd</c>): no parsing, and ordered as the times are.</summary>
        public override string Truncate(string time, bool hour) => $"substr({time}, 1, {(hour ? 13 : 10)})";

        protected override string Elapsed(string to, string from, int perDay) => $"(julianday({to}) - julianday({from})) * {perDay}.0";

        public override string Flag(string condition) => $"({condition})";

        public override string True => "1";

        public override string DistinctList(string text) => $"group_concat(DISTINCT {text})";

        public override string MinGuid(string column) => $"MIN({column})";

        public override string After(string text, string separator) => $"substr({text}, instr({text}, {separator}) + 1)";

        public override string Before(string text, string separator) => $"substr({text}, 1, instr({text}, {separator}) - 1)";

        public override string Same(string column) => column;

        public override string DayStamp(string time) => $"strftime('%Y%m%d', {time})";

        public override string TimeText(string time) => time;

        public override string NoIndex(string column) => "+" + column;
    }

    private sealed class PostgresDialect : SqlDialect
    {
        /// <summary>Npgsql sends a UTC DateTime as <c>timestamp with time zone</c>; any other kind it refuses for that type.</summary>
        public override object Time(DateTime utc) => DateTime.SpecifyKind(utc.Kind == DateTimeKind.Local ? utc.ToUniversalTime() : utc, DateTimeKind.Utc);

        /// <summary>Truncated in UTC explicitly: the session's time zone must not move a bucket.</summary>
        public override string Truncate(string time, bool hour) => $"date_trunc('{(hour ? "hour" : "day")}', {time}, 'UTC')";

        protected override string Elapsed(string to, string from, int perDay) =>
            $"(EXTRACT(EPOCH FROM ({to}) - ({from}))::double precision / {86400 / perDay}.0)";

        public override string Flag(string condition) => $"CAST(({condition}) AS integer)";

        public override string True => "TRUE";

        public override string DistinctList(string text) => $"string_agg(DISTINCT {text}, ',')";

        /// <summary>PostgreSQL has no MIN over uuid; the text form orders as the uuid does.</summary>
        public override string MinGuid(string column) => $"CAST(MIN(CAST({column} AS text)) AS uuid)";

        public override string After(string text, string separator) => $"substr({text}, strpos({text}, {separator}) + 1)";

        /// <summary>As SQLite's <c>substr</c> with a negative length: PostgreSQL refuses one.</summary>
        public override string Before(string text, string separator) => $"substr({text}, 1, GREATEST(strpos({text}, {separator}) - 1, 0))";

        public override string Same(string column) => $"MIN({column})";

        public override string DayStamp(string time) => $"to_char({time} AT TIME ZONE 'UTC', 'YYYYMMDD')";

        public override string TimeText(string time) => $"to_char({time} AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')";

        public override string NoIndex(string column) => column;
    }
}
