using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Csv;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Transports;

/// <summary>Where the watched drop folders live (<c>Engine:DropFolders</c>); disabled when <see cref="Root"/> is empty.</summary>
public sealed class DropFolderOptions
{
    /// <summary>Root directory: one sub-folder per format (<c>hl7v2/</c>, <c>x12/</c>, <c>csv/</c>, <c>fhir/</c>).</summary>
    public string? Root { get; set; }

    [System.ComponentModel.DataAnnotations.Range(100, 600_000)]
    public int PollMilliseconds { get; set; } = 1000;

    /// <summary>A file is picked up only once it has not changed for this long (the sender may still be writing it).</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 600_000)]
    public int SettleMilliseconds { get; set; } = 500;
}

/// <summary>
/// Watched drop folders. A file dropped into <c>&lt;root&gt;/&lt;format&gt;/</c> is claimed by an atomic rename into
/// <c>.processing/</c> (so exactly one process takes it), each message in it is stored in the inbox, the reply
/// (HL7 ACK batch, X12 997/999, CSV or FHIR report) is written to <c>ack/</c>, and the file moves to
/// <c>archive/&lt;date&gt;/</c>. A crash in between leaves the file in <c>.processing/</c>; it is taken up again at the next
/// start, and the idempotency keys make the second pass store nothing twice.
/// </summary>
public sealed partial class DropFolderWatcher(
    Inbox.Inbox inbox, MllpListener hl7, IOptions<DropFolderOptions> options, IOptions<IntakeLimits> limits, TimeProvider time,
    ILogger<DropFolderWatcher> log) : BackgroundService
{
    public static readonly IReadOnlyList<string> FormatFolders = ["hl7v2", "x12", "csv", "fhir"];
    private readonly DropFolderOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(_options.Root)) return;
        foreach (var folder in FormatFolders)
        {
            foreach (var sub in new[] { "", ".processing", "ack", "archive" })
                Directory.CreateDirectory(Path.Combine(_options.Root, folder, sub));
        }
        LogWatching(log, _options.Root);

        // Files a previous run claimed but did not finish.
        foreach (var folder in FormatFolders)
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(_options.Root, folder, ".processing")))
                await ProcessClaimedAsync(folder, file, stoppingToken);
        }

        using var wake = new SemaphoreSlim(0);
        using var watcher = new FileSystemWatcher(_options.Root) { IncludeSubdirectories = true, EnableRaisingEvents = true };
        watcher.Created += (_, _) => Release(wake);
        watcher.Renamed += (_, _) => Release(wake);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ScanAsync(stoppingToken);
                await wake.WaitAsync(TimeSpan.FromMilliseconds(_options.PollMilliseconds), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogScanFailed(log, ex);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }
    }

    private static void Release(SemaphoreSlim s)
    {
        if (s.CurrentCount == 0) s.Release();
    }

    /// <summary>Takes every settled file of every format folder once. Public so tests can drive a scan.</summary>
    public async Task<int> ScanAsync(CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(_options.Root)) return 0;
        var taken = 0;
        var settledBefore = time.GetUtcNow().UtcDateTime.AddMilliseconds(-_options.SettleMilliseconds);
        foreach (var folder in FormatFolders)
        {
            var dir = Path.Combine(_options.Root, folder);
            if (!Directory.Exists(dir)) continue;
            foreach (var file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal).ToList())
            {
                var name = Path.GetFileName(file);
                if (name.StartsWith('.') || name.EndsWith(".tmp", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".part", StringComparison.OrdinalIgnoreCase))
                    continue;
                if (File.GetLastWriteTimeUtc(file) > settledBefore) continue;
                var claimed = Path.Combine(dir, ".processing", $"{name}.{Guid.CreateVersion7():N}");
                try
                {
                    File.Move(file, claimed);
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    continue; // Another process claimed it first, or the sender still holds it.
                }
                await ProcessClaimedAsync(folder, claimed, ct);
                taken++;
            }
        }
        return taken;
    }

    private async Task ProcessClaimedAsync(string folder, string claimed, CancellationToken ct)
    {
        var root = Path.Combine(_options.Root!, folder);
        var name = OriginalName(claimed);
        byte[] payload;
        bool tooLarge;
        await using (var stream = File.OpenRead(claimed))
        {
            var max = limits.Value.MaxFileBytes;
            tooLarge = stream.Length > max;
            payload = new byte[Math.Min(stream.Length, max)];
            await stream.ReadExactlyAsync(payload, ct);
        }

        string reply;
        string replyName;
        if (tooLarge)
        {
            var detail = $"The file is larger than the limit of {limits.Value.MaxFileBytes:N0} bytes; its first {payload.Length:N0} bytes were stored for review.";
            var format = folder == "fhir" ? Formats.FhirJson : folder;
            var refused = await inbox.AcceptAsync(new InboundMessage(payload, format, "file", "drop:" + folder, HttpIntake.HashKey(folder + ":refused", payload),
                "too-large", null, [(KeyTypes.File, name)], $"too-large: {detail}"), ct);
            (reply, replyName) = (Report(new { file = name, status = "refused", reason = detail, correlationId = refused.CorrelationId }), name + ".report.json");
        }
        else
        {
            (reply, replyName) = folder switch
            {
                "hl7v2" => (await Hl7Async(name, payload, ct), name + ".ack"),
                "x12" => (await X12Async(name, payload, ct), name + ".ack"),
                "csv" => (await CsvAsync(name, payload, ct), name + ".report.json"),
                _ => (await FhirAsync(name, payload, ct), name + ".outcome.json"),
            };
        }

        // The reply is written before the file leaves .processing: a crash here re-runs the file, which only re-writes it.
        var ackPath = Path.Combine(root, "ack", replyName);
        await File.WriteAllTextAsync(ackPath + ".tmp", reply, ct);
        File.Move(ackPath + ".tmp", ackPath, overwrite: true);
        var archive = Path.Combine(root, "archive", time.GetUtcNow().ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(archive);
        var target = Path.Combine(archive, name);
        if (File.Exists(target)) target = Path.Combine(archive, $"{Path.GetFileNameWithoutExtension(name)}.{Guid.CreateVersion7():N}{Path.GetExtension(name)}");
        File.Move(claimed, target);
        LogFileDone(log, folder, name);
    }

    private async Task<string> Hl7Async(string name, byte[] payload, CancellationToken ct)
    {
        var text = Hl7Text.Decode(payload);
        var fileKey = HttpIntake.HashKey("hl7:file", payload);
        if (!Hl7Batch.IsBatch(text))
            return await hl7.HandleAsync(payload, ct, "file", fileKey + ":1");

        var batch = Hl7Batch.Read(text);
        var acks = new List<string>();
        foreach (var m in batch.Messages)
            acks.Add(await hl7.HandleAsync(Encoding.UTF8.GetBytes(m.Text), ct, "file", $"{fileKey}:{m.Ordinal}"));
        if (batch.Findings.Count > 0)
        {
            // The envelope itself is wrong (counts, trailers): the messages are tracked on their own, and the whole
            // file is kept with the reason so someone can tell the sender.
            var detail = string.Join("; ", batch.Findings.Select(f => $"{f.Path}: {f.Message}"));
            await inbox.AcceptAsync(new InboundMessage(payload, Formats.Hl7v2, "file", "drop:hl7v2", fileKey + ":envelope", "HL7 batch", null,
                [(KeyTypes.File, name)], $"invalid-batch: {detail}"), ct);
        }
        return Hl7Batch.WriteAcknowledgements(batch, acks, time.GetUtcNow());
    }

    private async Task<string> X12Async(string name, byte[] payload, CancellationToken ct)
    {
        var read = X12Reader.Read(payload);
        var accepted = await inbox.AcceptAsync(X12Endpoints.Describe(payload, read, "drop:x12", "file", name), ct);
        var acks = X12Acknowledgements.Build(read, new X12AckOptions(X12Endpoints.AckControlNumber(accepted.InboxId), time.GetUtcNow()));
        return acks.Count == 0
            ? $"No readable ISA interchange header; nothing can be acknowledged. Stored as transaction {accepted.CorrelationId}.\n"
                + string.Join("\n", read.Findings.Select(f => $"{f.Path}: {f.Message}")) + "\n"
            : string.Join("\n", acks.Select(a => a.Text));
    }

    private async Task<string> CsvAsync(string name, byte[] payload, CancellationToken ct)
    {
        var read = CsvFeeds.Read(payload);
        var accepted = await inbox.AcceptAsync(CsvEndpoints.Describe(payload, read.MessageType, "drop:csv", "file", name), ct);
        return Report(new
        {
            file = name, feed = read.MessageType, correlationId = accepted.CorrelationId, duplicate = accepted.Duplicate,
            rowsAccepted = read.Facts.Count, status = read.Facts.Count == 0 && read.Findings.Count > 0 ? "refused" : read.Findings.Count == 0 ? "accepted" : "partially accepted",
            findings = read.Findings.Select(f => new { path = f.Path, code = f.Code, message = f.Message }),
        });
    }

    private async Task<string> FhirAsync(string name, byte[] payload, CancellationToken ct)
    {
        var fhir = FhirReader.Read(Hl7Text.Decode(payload));
        var keys = fhir.Read.Facts.SelectMany(f => Workflows.Documents.DocumentProjection.Of(f).Keys).Append((KeyTypes.File, name)).Distinct().Take(200).ToList();
        var accepted = await inbox.AcceptAsync(new InboundMessage(payload, Formats.FhirJson, "file", "drop:fhir", HttpIntake.HashKey("fhir:file", payload),
            fhir.Read.MessageType, null, keys), ct);
        return fhir.Read.Findings.Count == 0
            ? OperationOutcome.BuildInformation($"Accepted as transaction {accepted.CorrelationId}.")
            : OperationOutcome.Build(fhir.Read.Findings);
    }

    private static string OriginalName(string claimed)
    {
        var file = Path.GetFileName(claimed);
        var dot = file.LastIndexOf('.');
        return dot > 0 ? file[..dot] : file;
    }

    private static string Report(object value) => JsonSerializer.Serialize(value, new JsonSerializerOptions(JsonSerializerDefaults.Web) { WriteIndented = true });

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Watching drop folders under {Root}")]
    private static partial void LogWatching(ILogger logger, string root);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Drop folder {Folder}: file {File} stored and acknowledged")]
    private static partial void LogFileDone(ILogger logger, string folder, string file);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Warning, Message = "Drop folder scan failed; retrying")]
    private static partial void LogScanFailed(ILogger logger, Exception ex);
}
