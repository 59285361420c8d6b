using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace HealthSync.Benchmarks;

/// <summary>
/// Records the SQL (and parameters) EF runs while capturing, then asks SQLite how it executes each statement
/// (EXPLAIN QUERY PLAN), so the report shows which index every measured query uses.
/// </summary>
internal sealed class PlanCapture : DbCommandInterceptor
{
    private readonly List<(string Sql, List<(string Name, object? Value)> Parameters)> _captured = [];
    private bool _capturing;

    public void Start()
    {
        lock (_captured)
        {
            _captured.Clear();
            _capturing = true;
        }
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<object> result, CancellationToken cancellationToken = default)
    {
        Capture(command);
        return ValueTask.FromResult(result);
    }

    private void Capture(DbCommand command)
    {
        lock (_captured)
        {
            if (!_capturing || !command.CommandText.TrimStart().StartsWith("SELECT", StringComparison.OrdinalIgnoreCase)) return;
            _captured.Add((command.CommandText, command.Parameters.Cast<DbParameter>().Select(p => (p.ParameterName, p.Value)).ToList()));
        }
    }

    /// <summary>One line per captured statement: its plan steps joined, in order. Stops capturing.</summary>
    public async Task<List<string>> ExplainAsync(string connectionString)
    {
        List<(string Sql, List<(string Name, object? Value)> Parameters)> statements;
        lock (_captured)
        {
            _capturing = false;
            statements = [.. _captured];
        }
        var lines = new List<string>();
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        foreach (var (sql, parameters) in statements)
        {
            await using var cmd = c.CreateCommand();
            cmd.CommandText = "EXPLAIN QUERY PLAN " + sql;
            foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
            var steps = new List<string>();
            await using (var r = await cmd.ExecuteReaderAsync())
                while (await r.ReadAsync()) steps.Add(r.GetString(3));
            var head = sql.Contains("COUNT(*)", StringComparison.Ordinal) ? "count" : sql.Contains("GROUP BY", StringComparison.Ordinal) ? "groups" : "rows";
            lines.Add($"{head}: {string.Join(" | ", steps)}");
        }
        return lines;
    }
}
