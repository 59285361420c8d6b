using System.Data.Common;
using System.Globalization;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Kpis;

/// <summary>
/// Runs the KPI queries as hand-written SQL (SQLite or PostgreSQL, see <see cref="SqlDialect"/>) over the stored facts. The KPIs count and join in the database (no row
/// leaves it that a number does not need) and their SQL is the one definition the tiles, trends and drill-down lists share.
/// </summary>
internal static class KpiSql
{
    /// <summary>The dialect of the database a context is connected to.</summary>
    public static SqlDialect Dialect(HealthSyncDb db) => SqlDialect.Of(db.Database);

    /// <summary>The expression naming the bucket (hour or day, by the filter's grain) a stored time falls in.</summary>
    public static string Bucket(SqlDialect sql, string time, TrendGrain grain) => sql.Truncate(time, grain == TrendGrain.Hour);

    /// <summary>Every bucket start of the window, so hours or days without items show as gaps rather than disappearing.</summary>
    public static IEnumerable<DateTime> Buckets(KpiFilter f)
    {
        var start = f.Grain == TrendGrain.Hour
            ? new DateTime(f.From.Year, f.From.Month, f.From.Day, f.From.Hour, 0, 0, DateTimeKind.Utc)
            : f.From.Date;
        var step = f.Grain == TrendGrain.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
        for (var t = DateTime.SpecifyKind(start, DateTimeKind.Utc); t < f.To; t += step) yield return t;
    }

    /// <summary>The parameters every KPI query may use; the providers ignore the ones a statement does not name.</summary>
    public static Dictionary<string, object?> Parameters(SqlDialect sql, KpiFilter f, DateTime now, DateTime? lo = null, DateTime? hi = null) => new()
    {
        ["@lo"] = sql.Time(lo ?? f.From),
        ["@hi"] = sql.Time(hi ?? f.To),
        ["@split"] = sql.Time(f.From),
        ["@now"] = sql.Time(now),
        ["@facility"] = f.Facility,
        ["@vendor"] = f.Vendor,
        ["@payer"] = f.Payer,
        ["@workflow"] = f.Workflow,
        ["@sla_hours"] = f.CashSla.TotalHours,
    };

    public static async Task<List<T>> QueryAsync<T>(HealthSyncDb db, string sql, IReadOnlyDictionary<string, object?> parameters, Func<DbDataReader, T> read, CancellationToken ct)
    {
        var connection = db.Database.GetDbConnection();
        var opened = connection.State != System.Data.ConnectionState.Open;
        if (opened) await db.Database.OpenConnectionAsync(ct);
        try
        {
            await using var cmd = connection.CreateCommand();
            if (Dialect(db).ReadTuning is { } tuning)
            {
                cmd.CommandText = tuning;
                await cmd.ExecuteNonQueryAsync(ct);
            }
            cmd.CommandText = sql;
            foreach (var (name, value) in parameters)
            {
                var p = cmd.CreateParameter();
                p.ParameterName = name;
                p.Value = value ?? DBNull.Value;
                cmd.Parameters.Add(p);
            }
            var rows = new List<T>();
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) rows.Add(read(reader));
            return rows;
        }
        finally
        {
            if (opened) await db.Database.CloseConnectionAsync();
        }
    }

    /// <summary>Text, or a guid (PostgreSQL's uuid) in the upper-case form SQLite stores it in, so keys read alike on both.</summary>
    public static string? Text(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        Guid g => g.ToString("D").ToUpperInvariant(),
        var v => Convert.ToString(v, CultureInfo.InvariantCulture),
    };

    public static int Int(this DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt32(r.GetValue(i), CultureInfo.InvariantCulture);

    public static double? Real(this DbDataReader r, int i) => r.IsDBNull(i) ? null : Convert.ToDouble(r.GetValue(i), CultureInfo.InvariantCulture);

    /// <summary>A guid: uuid on PostgreSQL, text on SQLite.</summary>
    public static Guid? Id(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetValue(i) switch
    {
        Guid g => g,
        string s when Guid.TryParse(s, out var g) => g,
        _ => null,
    };

    /// <summary>A stored time or bucket start, on either provider (see <see cref="StoredTime.Read"/>).</summary>
    public static DateTime Time(this DbDataReader r, int i) => StoredTime.Read(r.GetValue(i));

    /// <summary>A bucket start, or null for the unnamed bucket (the previous window).</summary>
    public static DateTime? BucketStart(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.Time(i);
}
