using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Bogus;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Demo;

public sealed class TrafficOptions
{
    public bool Enabled { get; set; }
    /// <summary>Events sent at first start, spread over the past 24 hours, so every screen has a day of history.</summary>
    public int BackfillEvents { get; set; } = 1200;
    public double EventsPerMinute { get; set; } = 30;
    /// <summary>Share of events with a deliberate fault (missing lot, inactive SKU, unmapped charge, UoM, unknown location, duplicate, out of order).</summary>
    public double BadDataRate { get; set; } = 0.08;
    /// <summary>Share of events sent as FHIR ChargeItem over HTTP instead of HL7 DFT^P03 over MLLP.</summary>
    public double FhirShare { get; set; } = 0.2;
    public string MllpHost { get; set; } = "127.0.0.1";
    public int MllpPort { get; set; } = 2575;
    public string BaseUrl { get; set; } = "http://127.0.0.1:5080/";
    public string ApiKey { get; set; } = "";
    public int Seed { get; set; } = 20261121;
    /// <summary>Purchase orders the ERP sends at first start, so procure-to-pay screens have history.</summary>
    public int BackfillPurchaseOrders { get; set; } = 12;
    /// <summary>A purchase order every N partner-traffic ticks (a tick is 5 s).</summary>
    public int PurchaseOrderEveryTicks { get; set; } = 12;
}

/// <summary>One generated usage event, before it is rendered as HL7 or FHIR.</summary>
public sealed record GeneratedUsage(
    string TransactionId, string ControlId, DateTime OccurredAt, string Facility, string Location, string ItemCode, string Description,
    decimal Quantity, string Uom, decimal UnitPrice, string? Lot, string? Serial, string Mrn, string Account, string Encounter,
    string LastName, string FirstName, bool Reversal, string? Fault);

/// <summary>
/// Produces a hospital network's supply usage through the product's real inbound transports: DFT^P03 over MLLP
/// and FHIR ChargeItem over HTTP, with a configurable share of realistic bad data.
/// </summary>
public sealed partial class TrafficGenerator(IOptions<TrafficOptions> options, IServiceScopeFactory scopes, IHttpClientFactory http,
    TimeProvider time, ILogger<TrafficGenerator> log) : BackgroundService
{
    private readonly TrafficOptions _o = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_o.Enabled) return;
        await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
        var world = new DemoWorld(_o.Seed, _o.BadDataRate);
        try
        {
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
                if (!await db.InboxMessages.AnyAsync(stoppingToken) && _o.BackfillEvents > 0)
                {
                    LogBackfill(log, _o.BackfillEvents);
                    var start = time.GetUtcNow().UtcDateTime.AddHours(-24);
                    var step = TimeSpan.FromHours(24) / _o.BackfillEvents;
                    var events = Enumerable.Range(0, _o.BackfillEvents).SelectMany(i => world.Next(start + step * i)).ToList();
                    await Parallel.ForEachAsync(events.Chunk(Math.Max(1, events.Count / 4)), new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = stoppingToken },
                        async (chunk, ct) => await SendAllAsync(chunk, ct));
                }
            }
            var interval = TimeSpan.FromMinutes(1) / Math.Max(0.1, _o.EventsPerMinute);
            while (!stoppingToken.IsCancellationRequested)
            {
                await SendAllAsync(world.Next(time.GetUtcNow().UtcDateTime), stoppingToken);
                await Task.Delay(interval, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            LogStopped(log, ex);
        }
    }

    private async Task SendAllAsync(IEnumerable<GeneratedUsage> events, CancellationToken ct)
    {
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(_o.MllpHost, _o.MllpPort, ct);
        await using var stream = tcp.GetStream();
        await using var reader = new MllpFrameReader(stream);
        var rnd = new Random(events.GetHashCode());
        foreach (var e in events)
        {
            try
            {
                if (rnd.NextDouble() < _o.FhirShare && e.Fault != "duplicate")
                    await SendFhirAsync(e, ct);
                else
                {
                    await MllpFraming.WriteFrameAsync(stream, Encoding.UTF8.GetBytes(DemoMessages.Dft(e)), ct);
                    await reader.ReadFrameAsync(ct);
                }
            }
            catch (HttpRequestException ex)
            {
                LogSendFailed(log, ex);
            }
        }
    }

    private async Task SendFhirAsync(GeneratedUsage e, CancellationToken ct)
    {
        var client = http.CreateClient("traffic");
        client.BaseAddress ??= new Uri(_o.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, "fhir/ChargeItem")
        {
            Content = new StringContent(DemoMessages.ChargeItem(e), Encoding.UTF8, "application/fhir+json"),
        };
        request.Headers.Add("X-Api-Key", _o.ApiKey);
        using var response = await client.SendAsync(request, ct);
    }

    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Sending a backfill of {Count} usage events for the past 24 hours")]
    private static partial void LogBackfill(ILogger logger, int count);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Warning, Message = "Traffic generator stopped")]
    private static partial void LogStopped(ILogger logger, Exception ex);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Traffic generator could not send an event")]
    private static partial void LogSendFailed(ILogger logger, Exception ex);
}

/// <summary>The simulated patients and procedures, deterministic for a seed.</summary>
public sealed class DemoWorld(int seed, double badDataRate)
{
    private readonly Random _rnd = new(seed);
    private readonly Faker _faker = new() { Random = new Randomizer(seed) };
    private readonly List<GeneratedUsage> _sent = [];
    private readonly Queue<GeneratedUsage> _deferred = new();
    private long _counter;

    private static readonly string[] Faults = ["missing-lot", "inactive-sku", "unmapped-charge-code", "uom-mismatch", "unknown-location", "duplicate", "out-of-order"];

    /// <summary>The next event(s) to send at <paramref name="at"/>: usually one, two when an out-of-order pair completes.</summary>
    public IReadOnlyList<GeneratedUsage> Next(DateTime at)
    {
        var result = new List<GeneratedUsage>();
        if (_deferred.TryDequeue(out var deferred)) result.Add(deferred with { ControlId = NewControlId() });
        var fault = _rnd.NextDouble() < badDataRate ? Faults[_rnd.Next(Faults.Length)] : null;
        if (fault == "duplicate" && _sent.Count > 0)
        {
            var original = _sent[_rnd.Next(_sent.Count)];
            result.Add(original with { ControlId = NewControlId(), Fault = "duplicate" });
            return result;
        }
        var e = Fresh(at, fault == "duplicate" ? null : fault);
        if (fault == "out-of-order")
        {
            // The reversal is sent now; the usage it reverses follows with the next event.
            result.Add(e with { Reversal = true, ControlId = NewControlId() });
            _deferred.Enqueue(e with { Fault = null });
            return result;
        }
        _sent.Add(e);
        if (_sent.Count > 500) _sent.RemoveAt(0);
        result.Add(e);
        return result;
    }

    private GeneratedUsage Fresh(DateTime at, string? fault)
    {
        var facility = DemoCatalog.Facilities[_rnd.Next(DemoCatalog.Facilities.Count)];
        var location = DemoCatalog.Locations[_rnd.Next(DemoCatalog.Locations.Count)];
        var candidates = DemoCatalog.Items.Where(i => i.Fault is null).ToList();
        var item = fault switch
        {
            "missing-lot" => Pick(candidates.Where(i => i.Implant)),
            "inactive-sku" => DemoCatalog.Items.First(i => i.Fault == "inactive-sku"),
            "unmapped-charge-code" => DemoCatalog.Items.First(i => i.Fault == "unmapped-charge-code"),
            "uom-mismatch" => Pick(candidates.Where(i => i.Pack is null && !i.Implant)),
            _ => Pick(candidates),
        };
        var uom = item.BaseUom;
        var qty = item.Implant ? 1m : _rnd.Next(1, 4);
        if (fault == "uom-mismatch") uom = "BX";
        else if (item.Pack is { } pack && _rnd.NextDouble() < 0.15) { uom = pack.Uom; qty = 1; }
        var locationCode = fault == "unknown-location" ? "PACU-" + _rnd.Next(2, 9) : location.Code;
        var n = Interlocked.Increment(ref _counter);
        return new GeneratedUsage(
            TransactionId: $"{facility.Code}{at:yyMMdd}{n:D6}",
            ControlId: NewControlId(),
            OccurredAt: at,
            Facility: facility.Code,
            Location: locationCode,
            ItemCode: item.ItemCode,
            Description: item.Description,
            Quantity: qty,
            Uom: uom,
            UnitPrice: item.Price,
            Lot: item.Implant && fault != "missing-lot" ? $"L{_rnd.Next(100000, 999999)}" : null,
            Serial: item.Implant && fault != "missing-lot" && item.Price > 1000 ? $"SN{_rnd.Next(1000000, 9999999)}" : null,
            Mrn: $"MRN{_rnd.Next(1000000, 9999999)}",
            Account: $"A{_rnd.Next(100000000, 999999999)}",
            Encounter: $"E{_rnd.Next(100000000, 999999999)}",
            LastName: _faker.Name.LastName().ToUpperInvariant(),
            FirstName: _faker.Name.FirstName().ToUpperInvariant(),
            Reversal: false,
            Fault: fault);
    }

    private DemoCatalog.DemoItem Pick(IEnumerable<DemoCatalog.DemoItem> items)
    {
        var list = items.ToList();
        return list[_rnd.Next(list.Count)];
    }

    private string NewControlId() => $"MSG{_rnd.NextInt64(1_000_000_000L, 9_999_999_999L)}";
}

/// <summary>Renders generated events in the formats sending systems use.</summary>
public static class DemoMessages
{
    public static string Dft(GeneratedUsage e)
    {
        var ts = e.OccurredAt.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var ft1 = new string[44];
        ft1[0] = "FT1";
        ft1[1] = "1";
        ft1[2] = e.TransactionId;
        ft1[4] = ts;
        ft1[5] = ts;
        ft1[6] = e.Reversal ? "CD" : "CG";
        ft1[7] = $"{e.ItemCode}^{Escape(e.Description)}^L";
        ft1[10] = e.Quantity.ToString(CultureInfo.InvariantCulture);
        ft1[11] = $"{(e.Quantity * e.UnitPrice).ToString("0.00", CultureInfo.InvariantCulture)}&USD";
        ft1[12] = $"{e.UnitPrice.ToString("0.00", CultureInfo.InvariantCulture)}&USD";
        ft1[13] = e.Location;
        ft1[34] = e.ItemCode;
        ft1[43] = $"{e.Quantity.ToString(CultureInfo.InvariantCulture)}^{e.Uom}";
        var sb = new StringBuilder();
        sb.Append($"MSH|^~\\&|POU|{e.Facility}|HEALTHSYNC|NETWORK|{ts}||DFT^P03^DFT_P03|{e.ControlId}|P|2.5.1\r");
        sb.Append($"EVN|P03|{ts}\r");
        sb.Append($"PID|1||{e.Mrn}^^^{e.Facility}^MR||{e.LastName}^{e.FirstName}|||||||||||||{e.Account}\r");
        sb.Append($"PV1|1|I|{e.Location}^^^{e.Facility}||||||||||||||||{e.Encounter}\r");
        sb.Append(string.Join('|', ft1)).Append('\r');
        if (e.Lot is not null || e.Serial is not null)
        {
            // PRT-16 device identifier, PRT-19 lot number, PRT-20 serial number (HL7 v2.7+ device participation).
            var prt = new string[21];
            prt[0] = "PRT";
            prt[1] = "1";
            prt[2] = "UC";
            prt[16] = e.ItemCode;
            prt[19] = e.Lot ?? "";
            prt[20] = e.Serial ?? "";
            sb.Append(string.Join('|', prt)).Append('\r');
        }
        return sb.ToString();
    }

    public static string ChargeItem(GeneratedUsage e)
    {
        var device = e.Lot is null && e.Serial is null ? null : new Dictionary<string, object?>
        {
            ["resourceType"] = "Device", ["id"] = "dev1", ["lotNumber"] = e.Lot, ["serialNumber"] = e.Serial,
        };
        var resource = new Dictionary<string, object?>
        {
            ["resourceType"] = "ChargeItem",
            ["identifier"] = new[] { new { system = "urn:healthsync:pou-usage", value = e.TransactionId } },
            ["status"] = e.Reversal ? "entered-in-error" : "billable",
            ["code"] = new { coding = new[] { new { system = "urn:healthsync:item", code = e.ItemCode, display = e.Description } } },
            ["subject"] = new { identifier = new { value = e.Mrn } },
            ["context"] = new { identifier = new { value = e.Encounter } },
            ["occurrenceDateTime"] = e.OccurredAt.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["performingOrganization"] = new { identifier = new { value = e.Facility } },
            ["costCenter"] = new { identifier = new { value = e.Location } },
            ["quantity"] = new { value = e.Quantity, code = e.Uom },
            ["priceOverride"] = new { value = e.UnitPrice, currency = "USD" },
            ["account"] = new[] { new { identifier = new { value = e.Account } } },
        };
        if (device is not null)
        {
            resource["contained"] = new[] { device };
            resource["productReference"] = new { reference = "#dev1" };
        }
        return JsonSerializer.Serialize(resource);
    }

    /// <summary>An ADT^A01 (admit) or A03 (discharge); <paramref name="withVisit"/> false leaves PV1-19 empty, which the engine must reject.</summary>
    public static string Adt(string trigger, string encounter, string mrn, string account, string facility, DateTime at, string controlId, bool withVisit)
    {
        var ts = at.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        var pv1 = new string[46];
        pv1[0] = "PV1";
        pv1[1] = "1";
        pv1[2] = "I";
        pv1[3] = $"MEDSURG^^^{facility}";
        pv1[19] = withVisit ? encounter : "";
        pv1[44] = at.AddHours(-30).ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        if (trigger == "A03") pv1[45] = ts;
        var sb = new StringBuilder();
        sb.Append($"MSH|^~\\&|ADT|{facility}|HEALTHSYNC|NETWORK|{ts}||ADT^{trigger}^ADT_A01|{controlId}|P|2.5.1\r");
        sb.Append($"EVN|{trigger}|{ts}\r");
        sb.Append($"PID|1||{mrn}^^^{facility}^MR||DOE^PAT|||||||||||||{account}\r");
        sb.Append(string.Join('|', pv1)).Append('\r');
        return sb.ToString();
    }

    private static string Escape(string s) => s.Replace("\\", "\\E\\").Replace("|", "\\F\\").Replace("^", "\\S\\").Replace("&", "\\T\\").Replace("~", "\\R\\");
}
