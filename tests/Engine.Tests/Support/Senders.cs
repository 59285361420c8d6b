using System.Net.Sockets;
using System.Text;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Demo;

namespace HealthSync.Engine.Tests.Support;

/// <summary>An MLLP client as interface engines use it: one frame out, one ACK back.</summary>
public sealed class MllpClient : IAsyncDisposable
{
    private readonly TcpClient _tcp = new() { NoDelay = true };
    private NetworkStream? _stream;
    private MllpFrameReader? _reader;

    public static async Task<MllpClient> ConnectAsync(int port)
    {
        var c = new MllpClient();
        await c._tcp.ConnectAsync("127.0.0.1", port);
        c._stream = c._tcp.GetStream();
        c._reader = new MllpFrameReader(c._stream);
        return c;
    }

    public Task<string> SendAsync(string message) => SendAsync(Encoding.UTF8.GetBytes(message));

    public async Task<string> SendAsync(byte[] message)
    {
        await MllpFraming.WriteFrameAsync(_stream!, message, CancellationToken.None);
        var read = await _reader!.ReadFrameAsync(CancellationToken.None);
        if (!read.IsFrame) throw new IOException($"No ACK: {read.Status} {read.ErrorMessage}");
        return Encoding.UTF8.GetString(read.Payload!);
    }

    public static async Task<string> SendOnceAsync(int port, string message)
    {
        await using var c = await ConnectAsync(port);
        return await c.SendAsync(message);
    }

    public async ValueTask DisposeAsync()
    {
        if (_reader is not null) await _reader.DisposeAsync();
        _tcp.Dispose();
    }
}

/// <summary>Usage events built the way the point-of-use systems send them.</summary>
public static class Usage
{
    private static int _n;

    public static GeneratedUsage Stent(string? facility = "NGH", string location = "CATH") => New("ITM-IMP-STENT01", "Coronary stent", 1, "EA", 1350m, facility!, location, lot: "L123456", serial: "SN7654321");

    public static GeneratedUsage New(string item, string description, decimal qty, string uom, decimal price, string facility = "NGH", string location = "OR1",
        string? lot = null, string? serial = null)
    {
        var n = Interlocked.Increment(ref _n);
        var tag = $"{Environment.ProcessId}{n:D5}{Random.Shared.Next(1000, 9999)}";
        return new GeneratedUsage($"TX{tag}", $"CTL{tag}", DateTime.UtcNow.AddMinutes(-5), facility, location, item, description, qty, uom, price, lot, serial,
            $"MRN{tag}", $"ACC{tag}", $"ENC{tag}", "TESTPATIENT", "ALEX", false, null);
    }

    public static string Msa(string ack) => ack.Split('\r').First(s => s.StartsWith("MSA", StringComparison.Ordinal)).Split('|')[1];
}
