using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Pipeline;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Transports;

/// <summary>
/// HL7 v2 over MLLP. Each frame is stored in the inbox (committed) before its ACK is written: AA when the
/// message is accepted, AE with the specific reason when it is readable but cannot be applied, AR when it is not
/// a message this interface takes. Rejected messages are kept too, as exceptions with their raw bytes.
/// </summary>
public sealed partial class MllpListener(Inbox.Inbox inbox, MappingCatalog catalog, TimeProvider time, IOptions<EngineOptions> options,
    ILogger<MllpListener> log) : BackgroundService
{
    private readonly MllpOptions _options = options.Value.Mllp;
    private TcpListener? _listener;

    /// <summary>The port actually bound (useful when configured with port 0).</summary>
    public int BoundPort { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        if (!_options.Enabled) return Task.CompletedTask;
        _listener = new TcpListener(IPAddress.Parse(_options.Host), _options.Port);
        _listener.Start(backlog: 512);
        BoundPort = ((IPEndPoint)_listener.LocalEndpoint).Port;
        LogListening(log, _options.Host, BoundPort);
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_listener is null) return;
        using var slots = new SemaphoreSlim(_options.MaxConnections);
        using var stop = stoppingToken.Register(() => _listener.Stop());
        while (!stoppingToken.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(stoppingToken);
            }
            catch (Exception) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException ex)
            {
                LogAcceptFailed(log, ex);
                continue;
            }
            if (!await slots.WaitAsync(0, stoppingToken))
            {
                client.Dispose();
                continue;
            }
            _ = Task.Run(async () =>
            {
                try { await ServeAsync(client, stoppingToken); }
                finally { slots.Release(); }
            }, stoppingToken);
        }
    }

    private async Task ServeAsync(TcpClient client, CancellationToken ct)
    {
        using var _ = client;
        client.NoDelay = true;
        var remote = client.Client.RemoteEndPoint?.ToString() ?? "unknown";
        await using var stream = client.GetStream();
        await using var reader = new MllpFrameReader(stream, _options.MaxFrameBytes);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var read = await reader.ReadFrameAsync(ct);
                if (read.Status == MllpReadStatus.EndOfStream) return;
                if (!read.IsFrame)
                {
                    var error = read.ErrorMessage ?? read.Error.ToString();
                    LogFrameError(log, remote, error);
                    if (read.Payload is { Length: > 0 } kept)
                        await QuarantineAsync(kept, read.Error == MllpError.FrameTooLarge ? "too-large" : "truncated", error, ct);
                    var nack = Hl7Ack.Build(null, AckCode.AR, "MLLP framing error", new ValidationFinding("MLLP", "framing", error), time.GetUtcNow(), NewControlId());
                    await MllpFraming.WriteFrameAsync(stream, Encoding.UTF8.GetBytes(nack), ct);
                    return;
                }
                var ack = await HandleAsync(read.Payload!, ct);
                await MllpFraming.WriteFrameAsync(stream, Encoding.UTF8.GetBytes(ack), ct);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException)
        {
            LogConnectionClosed(log, remote);
        }
    }

    /// <summary>Keeps the bytes of a frame the listener refused (too large, cut off), so nothing sent is lost.</summary>
    private async Task QuarantineAsync(byte[] kept, string code, string detail, CancellationToken ct)
    {
        try
        {
            await inbox.AcceptAsync(new InboundMessage(kept, Formats.Hl7v2, "mllp", "unknown", "hl7:refused:" + Convert.ToHexString(SHA256.HashData(kept)),
                code, null, null, $"{code}: {detail}"), ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFrameError(log, "storage", ex.GetType().Name);
        }
    }

    /// <summary>Stores one frame and builds its acknowledgement.</summary>
    /// <param name="transport">How the message came: "mllp", or "file" for a message of a dropped batch file.</param>
    /// <param name="fallbackKey">Idempotency key when the message has no MSH-10 (a file's hash and the message's position in it).</param>
    public async Task<string> HandleAsync(byte[] payload, CancellationToken ct, string transport = "mllp", string? fallbackKey = null)
    {
        var now = time.GetUtcNow();
        var parsed = Hl7Parser.Parse(Hl7Text.Decode(payload));
        var msg = parsed.Success ? parsed.Message : null;
        var inbound = Describe(payload, msg) with { Transport = transport };
        if (fallbackKey is not null && inbound.IdempotencyKey.StartsWith("hl7:sha256:", StringComparison.Ordinal))
            inbound = inbound with { IdempotencyKey = fallbackKey };
        // An unreadable message still gets its MSH-10 echoed when the header itself could be read.
        msg ??= parsed.Header;
        Accepted accepted;
        try
        {
            accepted = await inbox.AcceptAsync(inbound, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Not stored: the sender must resend, so it gets a negative acknowledgement and keeps the message.
            return Hl7Ack.Build(msg, AckCode.AE, "Message not stored; resend", new ValidationFinding("MSH", "207", "Storage unavailable; the message was not accepted and must be resent."), now, NewControlId());
        }
        if (accepted.Duplicate)
            return Hl7Ack.Build(msg, AckCode.AA, "Duplicate of a message already received; not processed again", null, now, NewControlId());

        var map = await catalog.CurrentAsync(ct);
        var outcome = Intake.FromHl7(parsed, map, now.UtcDateTime);
        if (outcome.Rejection is { } r)
            return Hl7Ack.Build(msg, AckCode.AR, r.Detail, new ValidationFinding(r.Path ?? "MSH", AckErrorCode(r.Code), r.Detail), now, NewControlId());
        var problem = outcome.AllProblems.FirstOrDefault();
        if (problem is not null)
            return Hl7Ack.Build(msg, AckCode.AE, $"{problem.Code}: {problem.Detail}", new ValidationFinding(problem.Path ?? "FT1", AckErrorCode(problem.Code), problem.Detail), now, NewControlId());
        return Hl7Ack.Build(msg, AckCode.AA, $"Accepted as {accepted.CorrelationId}", null, now, NewControlId());
    }

    internal static InboundMessage Describe(byte[] payload, Hl7Message? msg)
    {
        if (msg is null)
            return new InboundMessage(payload, Formats.Hl7v2, "mllp", "unknown", "hl7:sha256:" + Convert.ToHexString(SHA256.HashData(payload)));
        var source = $"{msg.SendingApplication}|{msg.SendingFacility}";
        var keys = new List<(string, string)>();
        if (msg.ControlId is { Length: > 0 } control) keys.Add((KeyTypes.MessageControlId, control));
        var pid = msg.Segment("PID");
        var pv1 = msg.Segment("PV1");
        var encounter = pv1?.Value(19);
        if (encounter is { Length: > 0 }) keys.Add((KeyTypes.Encounter, encounter));
        if (pid?.Value(18) is { Length: > 0 } account) keys.Add((KeyTypes.PatientAccount, account));
        var idempotency = msg.ControlId is { Length: > 0 } id ? $"hl7:{source}:{id}" : "hl7:sha256:" + Convert.ToHexString(SHA256.HashData(payload));
        return new InboundMessage(payload, Formats.Hl7v2, "mllp", source, idempotency, $"{msg.MessageType}^{msg.TriggerEvent}",
            encounter ?? pid?.Value(18), keys);
    }

    /// <summary>HL7 table 0357 codes for the ERR segment.</summary>
    private static string AckErrorCode(string problemCode) => problemCode.Split(':')[0] switch
    {
        "unsupported-message-type" => "200",
        "missing-lot" or "missing-item" or "missing-facility" => "101",
        "invalid-quantity" => "102",
        "unknown-location" or "unmapped-item" or "unmapped-charge-code" or "inactive-sku" or "uom-mismatch" => "103",
        _ when problemCode.StartsWith("malformed", StringComparison.Ordinal) || problemCode.StartsWith("invalid", StringComparison.Ordinal) => "102",
        _ => "207",
    };

    private static string NewControlId() => "HS" + Guid.CreateVersion7().ToString("N")[..18].ToUpperInvariant();

    [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "MLLP listening on {Host}:{Port}")]
    private static partial void LogListening(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Warning, Message = "MLLP accept failed")]
    private static partial void LogAcceptFailed(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 4003, Level = LogLevel.Warning, Message = "MLLP framing error from {Remote}: {Error}")]
    private static partial void LogFrameError(ILogger logger, string remote, string error);

    [LoggerMessage(EventId = 4004, Level = LogLevel.Debug, Message = "MLLP connection from {Remote} closed")]
    private static partial void LogConnectionClosed(ILogger logger, string remote);
}
