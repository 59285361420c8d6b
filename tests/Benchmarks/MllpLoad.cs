using System.Diagnostics;
using System.Net.Sockets;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Benchmarks;

internal sealed record LoadResult(double[] AckLatenciesMs, long Acked, long Failures, IReadOnlyList<string> FailureSamples, TimeSpan Elapsed);

/// <summary>
/// A set of MLLP senders: each connection sends its share one message at a time and waits for the acknowledgement
/// before sending the next, as an interface engine on the hospital side does.
/// </summary>
internal sealed class MllpLoad(string host, int port)
{
    private const int MaxSamples = 10;
    private readonly List<string> _samples = [];
    private long _acked;
    private long _failures;

    public long Acked => Interlocked.Read(ref _acked);
    public long Failures => Interlocked.Read(ref _failures);

    public async Task<LoadResult> RunAsync(IReadOnlyList<byte[]> messages, int connections, CancellationToken ct)
    {
        var shares = Enumerable.Range(0, connections)
            .Select(c => messages.Where((_, i) => i % connections == c).ToList())
            .ToList();
        var watch = Stopwatch.StartNew();
        var latencies = await Task.WhenAll(shares.Select(share => Task.Run(() => SendShareAsync(share, ct), ct)));
        watch.Stop();
        var all = latencies.SelectMany(l => l).ToArray();
        Array.Sort(all);
        lock (_samples) return new LoadResult(all, Acked, Failures, [.. _samples], watch.Elapsed);
    }

    private async Task<List<double>> SendShareAsync(List<byte[]> share, CancellationToken ct)
    {
        var latencies = new List<double>(share.Count);
        Connection? connection = null;
        try
        {
            foreach (var payload in share)
            {
                try
                {
                    connection ??= await Connection.OpenAsync(host, port, ct);
                    var started = Stopwatch.GetTimestamp();
                    await MllpFraming.WriteFrameAsync(connection.Stream, payload, ct);
                    var read = await connection.Reader.ReadFrameAsync(ct);
                    var elapsed = Stopwatch.GetElapsedTime(started);
                    if (!read.IsFrame)
                    {
                        Fail($"no acknowledgement frame ({read.Status} {read.ErrorMessage})");
                        await connection.DisposeAsync();
                        connection = null;
                        continue;
                    }
                    latencies.Add(elapsed.TotalMilliseconds);
                    var ack = Hl7Text.Decode(read.Payload);
                    if (AckCode(ack) == "AA") Interlocked.Increment(ref _acked);
                    else Fail(ack.Replace('\r', ' ').Trim());
                }
                catch (Exception ex) when (ex is IOException or SocketException)
                {
                    Fail($"{ex.GetType().Name}: {ex.Message}");
                    if (connection is not null) await connection.DisposeAsync();
                    connection = null;
                }
            }
        }
        finally
        {
            if (connection is not null) await connection.DisposeAsync();
        }
        return latencies;
    }

    private void Fail(string detail)
    {
        Interlocked.Increment(ref _failures);
        lock (_samples)
        {
            if (_samples.Count < MaxSamples) _samples.Add(detail);
        }
    }

    /// <summary>MSA-1 of an acknowledgement, or null when there is no MSA segment.</summary>
    internal static string? AckCode(string ack)
    {
        foreach (var segment in ack.Split('\r', '\n'))
        {
            if (!segment.StartsWith("MSA|", StringComparison.Ordinal)) continue;
            var fields = segment.Split('|');
            return fields.Length > 1 ? fields[1] : null;
        }
        return null;
    }

    private sealed class Connection : IAsyncDisposable
    {
        private readonly TcpClient _tcp;

        private Connection(TcpClient tcp)
        {
            _tcp = tcp;
            Stream = tcp.GetStream();
            Reader = new MllpFrameReader(Stream);
        }

        public NetworkStream Stream { get; }
        public MllpFrameReader Reader { get; }

        public static async Task<Connection> OpenAsync(string host, int port, CancellationToken ct)
        {
            var tcp = new TcpClient { NoDelay = true };
            try
            {
                await tcp.ConnectAsync(host, port, ct);
                return new Connection(tcp);
            }
            catch
            {
                tcp.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            await Reader.DisposeAsync();
            await Stream.DisposeAsync();
            _tcp.Dispose();
        }
    }
}
