using System.Diagnostics;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace HealthSync.Engine.Scale;

/// <summary>
/// Which work partitions this worker process owns, on PostgreSQL where several workers share one database. Each tick
/// renews this worker's heartbeat and leases, then moves towards a fair share (partitions ÷ live workers): it releases
/// its surplus and claims free or expired partitions with <c>FOR UPDATE SKIP LOCKED</c>, so a dead worker's partitions
/// pass to the others once its leases expire. The database clock decides expiry, so hosts' clocks never matter.
/// Leases keep one worker per key in normal operation; the status check on commit (a concurrency token) is what makes a
/// stale owner's batch fail rather than apply twice.
/// </summary>
public sealed partial class PartitionLeases(IServiceScopeFactory scopes, IOptions<EngineOptions> options, ILogger<PartitionLeases> log) : BackgroundService
{
    public const string Inbox = "inbox";
    public const string Outbox = "outbox";
    private static readonly string[] Queues = [Inbox, Outbox];

    private readonly ScaleOptions _options = options.Value.Scale;
    private readonly Dictionary<string, int[]> _held = new() { [Inbox] = [], [Outbox] = [] };
    private long _validUntil;
    private volatile bool _active;

    /// <summary>This process in <c>work_leases.owner</c>: host, process id (to find a killed process's leases) and a nonce.</summary>
    public string Owner { get; } = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid().ToString("N")[..8]}";

    /// <summary>
    /// The partitions of <paramref name="queue"/> this worker may process now, or null when the engine is not partitioned
    /// (SQLite, one process: everything). Empty once the leases were not renewed in time.
    /// </summary>
    public IReadOnlyList<int>? Held(string queue)
    {
        if (!_active) return null;
        lock (_held) return Stopwatch.GetTimestamp() < Interlocked.Read(ref _validUntil) ? _held[queue] : [];
    }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _active = true;
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var seeded = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                var connection = (NpgsqlConnection)scope.ServiceProvider.GetRequiredService<HealthSyncDb>().Database.GetDbConnection();
                await connection.OpenAsync(stoppingToken);
                if (!seeded) await SeedAsync(connection, stoppingToken);
                seeded = true;
                await TickAsync(connection, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException)
            {
                LogTickFailed(log, ex);
            }
            try { await Task.Delay(TimeSpan.FromSeconds(_options.RenewSeconds), stoppingToken); }
            catch (OperationCanceledException) { return; }
        }
    }

    /// <summary>Hands the partitions back at once on a clean stop, so the others need not wait for the leases to expire.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        lock (_held) Interlocked.Exchange(ref _validUntil, 0);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var connection = (NpgsqlConnection)scope.ServiceProvider.GetRequiredService<HealthSyncDb>().Database.GetDbConnection();
            await connection.OpenAsync(cancellationToken);
            await ExecuteAsync(connection, "UPDATE work_leases SET owner = NULL, expires_at = now() WHERE owner = @me; DELETE FROM work_owners WHERE owner = @me", cancellationToken);
        }
        catch (Exception ex) when (ex is NpgsqlException or InvalidOperationException or OperationCanceledException)
        {
            LogTickFailed(log, ex);
        }
    }

    private static async Task SeedAsync(NpgsqlConnection c, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO work_leases (queue, work_partition, owner, expires_at)
            SELECT q, p, NULL, now() FROM unnest(@queues) q, generate_series(0, @count - 1) p
            ON CONFLICT DO NOTHING
            """, c);
        cmd.Parameters.AddWithValue("queues", Queues);
        cmd.Parameters.AddWithValue("count", WorkPartitions.Count);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private async Task TickAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        await ExecuteAsync(c, """
            INSERT INTO work_owners (owner, started_at, expires_at) VALUES (@me, now(), now() + @lease)
            ON CONFLICT (owner) DO UPDATE SET expires_at = excluded.expires_at;
            DELETE FROM work_owners WHERE expires_at < now() - interval '1 day';
            """, ct);
        var live = Math.Max(1, Convert.ToInt32(await ScalarAsync(c, "SELECT count(*) FROM work_owners WHERE expires_at > now()", ct), System.Globalization.CultureInfo.InvariantCulture));
        var fair = (WorkPartitions.Count + live - 1) / live;
        var next = new Dictionary<string, int[]>();
        foreach (var queue in Queues)
        {
            var held = await PartitionsAsync(c, "UPDATE work_leases SET expires_at = now() + @lease WHERE queue = @queue AND owner = @me RETURNING work_partition, NULL::text", queue, 0, ct);
            if (held.Count > fair)
            {
                var surplus = held.Select(h => h.Partition).Order().Skip(fair).ToArray();
                await using var cmd = new NpgsqlCommand("UPDATE work_leases SET owner = NULL, expires_at = now() WHERE queue = @queue AND owner = @me AND work_partition = ANY(@surplus)", c);
                cmd.Parameters.AddWithValue("queue", queue);
                cmd.Parameters.AddWithValue("me", Owner);
                cmd.Parameters.AddWithValue("surplus", surplus);
                await cmd.ExecuteNonQueryAsync(ct);
                held = held.Where(h => !surplus.Contains(h.Partition)).ToList();
            }
            else if (held.Count < fair)
            {
                var claimed = await PartitionsAsync(c, """
                    WITH free AS (
                        SELECT work_partition, owner FROM work_leases
                        WHERE queue = @queue AND (owner IS NULL OR expires_at < now())
                        ORDER BY work_partition LIMIT @need FOR UPDATE SKIP LOCKED)
                    UPDATE work_leases l SET owner = @me, expires_at = now() + @lease
                    FROM free WHERE l.queue = @queue AND l.work_partition = free.work_partition
                    RETURNING l.work_partition, free.owner
                    """, queue, fair - held.Count, ct);
                foreach (var previous in claimed.Where(x => x.PreviousOwner is not null && x.PreviousOwner != Owner).GroupBy(x => x.PreviousOwner!))
                    LogTakenOver(log, previous.Count(), queue, previous.Key);
                held.AddRange(claimed);
            }
            next[queue] = held.Select(h => h.Partition).Order().ToArray();
        }
        // Trust the leases locally only until shortly before they expire in the database, measured from before the renewal.
        var margin = TimeSpan.FromSeconds(Math.Max(_options.LeaseSeconds - _options.RenewSeconds, _options.LeaseSeconds / 2));
        lock (_held)
        {
            foreach (var (queue, partitions) in next) _held[queue] = partitions;
            Interlocked.Exchange(ref _validUntil, started + (long)(margin.TotalSeconds * Stopwatch.Frequency));
        }
    }

    private async Task<List<(int Partition, string? PreviousOwner)>> PartitionsAsync(NpgsqlConnection c, string sql, string queue, int need, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("queue", queue);
        cmd.Parameters.AddWithValue("me", Owner);
        cmd.Parameters.AddWithValue("lease", TimeSpan.FromSeconds(_options.LeaseSeconds));
        cmd.Parameters.AddWithValue("need", need);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        var rows = new List<(int, string?)>();
        while (await r.ReadAsync(ct)) rows.Add((r.GetInt32(0), r.IsDBNull(1) ? null : r.GetString(1)));
        return rows;
    }

    private async Task ExecuteAsync(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        cmd.Parameters.AddWithValue("me", Owner);
        cmd.Parameters.AddWithValue("lease", TimeSpan.FromSeconds(_options.LeaseSeconds));
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c);
        return await cmd.ExecuteScalarAsync(ct);
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning, Message = "Renewing work partition leases failed; retrying")]
    private static partial void LogTickFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 2102, Level = LogLevel.Information, Message = "Took over {Count} {Queue} partitions from {PreviousOwner}")]
    private static partial void LogTakenOver(ILogger logger, int count, string queue, string previousOwner);
}
