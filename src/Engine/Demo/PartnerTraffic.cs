using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Mllp;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Estate;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Transports;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Demo;

/// <summary>
/// The rest of the simulated estate's traffic, each through the product's real transports: the ERP's purchase orders
/// (X12 850 over HTTP), the supplier's answers to them (855, 856, 810 over HTTP), the receiving dock's goods receipts
/// (FHIR SupplyDelivery bundles), admissions and discharges (HL7 ADT over MLLP) and the payment gateway's daily
/// settlement file (CSV in the drop folder) — with the faults real partners produce: missing acknowledgements,
/// invoices over contract price, unreadable invoices, bad settlement rows, discharges without a visit number.
/// </summary>
public sealed partial class PartnerTraffic(IOptions<TrafficOptions> options, IOptions<EstateOptions> estate, IOptions<DropFolderOptions> drop,
    IServiceScopeFactory scopes, IHttpClientFactory http, TimeProvider time, ILogger<PartnerTraffic> log) : BackgroundService
{
    private readonly TrafficOptions _o = options.Value;
    private readonly HashSet<string> _sent = [];
    private readonly Random _rnd = new(options.Value.Seed + 7);
    private readonly Queue<(string Encounter, string Mrn, string Account, string Facility)> _admitted = new();
    private int _poCounter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_o.Enabled) return;
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(3), stoppingToken);
            if (!await AnyPurchaseOrdersAsync(stoppingToken))
            {
                for (var i = 0; i < _o.BackfillPurchaseOrders; i++) await SendPurchaseOrderAsync(stoppingToken);
                await DropSettlementFileAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime.AddDays(-1)), stoppingToken);
            }
            var tick = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                await Step(() => SupplierAnswersAsync(stoppingToken));
                if (tick % 4 == 0) await Step(() => SendAdtAsync(stoppingToken));
                if (tick % Math.Max(1, _o.PurchaseOrderEveryTicks) == 0) await Step(() => SendPurchaseOrderAsync(stoppingToken));
                // Today's file a minute in (the backfill's charges have posted by then), then every hour.
                if (tick % 720 == 12) await Step(() => DropSettlementFileAsync(DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime), stoppingToken));
                tick++;
                await Task.Delay(TimeSpan.FromSeconds(5), stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    private async Task Step(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (Exception ex) when (ex is HttpRequestException or SocketException or IOException or DbUpdateException or JsonException)
        {
            LogStepFailed(log, ex);
        }
    }

    private async Task<bool> AnyPurchaseOrdersAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<HealthSyncDb>().BusinessDocuments.AnyAsync(d => d.Kind == FactKinds.PurchaseOrder, ct);
    }

    /// <summary>The ERP raises a replenishment order and sends it as an X12 850 for routing to the supplier.</summary>
    private async Task SendPurchaseOrderAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var facility = DemoCatalog.Facilities[_rnd.Next(DemoCatalog.Facilities.Count)];
        var items = DemoCatalog.Items.Where(i => i.Fault is null).ToList();
        var vendor = DemoCatalog.VendorOf(items[_rnd.Next(items.Count)]);
        var lines = items.Where(i => DemoCatalog.VendorOf(i) == vendor).OrderBy(_ => _rnd.Next()).Take(_rnd.Next(1, 4))
            .Select((item, n) => new ItemLine((n + 1).ToString(CultureInfo.InvariantCulture), item.Sku, "V-" + item.Sku[4..], null, item.Description,
                Math.Max(1, item.Par), item.BaseUom, DemoCatalog.ContractPrice(item)))
            .ToList();
        var number = Interlocked.Increment(ref _poCounter);
        var po = new PurchaseOrder($"PO{now:yyMMddHHmm}{number:D3}", DateOnly.FromDateTime(now.UtcDateTime), "00",
            new Party(facility.Code, facility.Name, "92"), new Party(vendor.Id, vendor.Name, "92"), new Party(facility.Code, facility.Name, "92"), "USD", lines);
        var control = (int)(now.ToUnixTimeMilliseconds() % 900_000_000) + number;
        var x12 = PurchaseOrder850Writer.Write(po, new X12Envelope("ZZ", "ERPPROD", "ZZ", "HEALTHSYNC", control, control, now, "004010"));
        await PostAsync("edi/x12", x12, "application/edi-x12", ct);
    }

    /// <summary>
    /// The supplier answers every order it accepted: 855 at once (one order in twenty is never acknowledged), then the
    /// 856 with the dock's goods receipt, then the 810 (one in ten over contract price, one in twenty-five unreadable).
    /// </summary>
    private async Task SupplierAnswersAsync(CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<HealthSyncDb>();
        var since = time.GetUtcNow().UtcDateTime.AddHours(-6);
        var orders = await db.EstatePostings.AsNoTracking()
            .Where(p => p.System == "supplier" && p.Kind == "purchase-order" && p.ReceivedAt > since)
            .OrderBy(p => p.Id).Select(p => new { p.IdempotencyKey, p.ReceivedAt }).Take(200).ToListAsync(ct);
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var order in orders)
        {
            var poNumber = order.IdempotencyKey.Split(':') is [_, var n, ..] ? n : null;
            if (poNumber is null) continue;
            var canonical = await db.BusinessDocuments.AsNoTracking().Where(d => d.Kind == FactKinds.PurchaseOrder && d.BusinessKey == poNumber)
                .Select(d => d.Canonical).FirstOrDefaultAsync(ct);
            if (canonical is null || CanonicalJson.Deserialize(canonical) is not PurchaseOrder po) continue;
            var vendor = po.Vendor?.Id ?? "SUPPLIER";
            // Stable across restarts: the same order always gets the same faults and the same control numbers, so a
            // restarted simulator resends what the engine already has (recognised as duplicates), never new documents.
            var hash = (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(poNumber))) % 100_000);
            var age = now - order.ReceivedAt;
            var control = 100_000_000 + hash * 1_000;
            var answered = await db.BusinessDocuments.AsNoTracking()
                .Where(d => (d.Kind == FactKinds.PurchaseOrderAck && d.BusinessKey == poNumber) || (d.Reference == poNumber && (d.Kind == FactKinds.ShipNotice || d.Kind == FactKinds.Invoice)))
                .Select(d => d.Kind).ToListAsync(ct);
            if (hash % 20 != 0 && !answered.Contains(FactKinds.PurchaseOrderAck) && Once(poNumber + ":855"))
                await PostAsync("edi/x12", DemoX12.Ack855(po, vendor, control + 1, now), "application/edi-x12", ct);
            if (age > TimeSpan.FromSeconds(20) && !answered.Contains(FactKinds.ShipNotice) && Once(poNumber + ":856"))
            {
                await PostAsync("edi/x12", DemoX12.Asn856(po, vendor, control + 2, now), "application/edi-x12", ct);
                await PostAsync("fhir", DemoFhir.Receipts(po, now), "application/fhir+json", ct);
            }
            if (age > TimeSpan.FromSeconds(40) && !answered.Contains(FactKinds.Invoice) && Once(poNumber + ":810"))
            {
                var factor = hash % 10 == 3 ? 1.08m : 1m;
                await PostAsync("edi/x12", DemoX12.Invoice810(po, vendor, control + 3, now, factor, badQuantity: hash % 25 == 7), "application/edi-x12", ct);
            }
        }
    }

    private bool Once(string key) => _sent.Add(key);

    /// <summary>Admissions and discharges over MLLP; one discharge in fifteen arrives without its visit number.</summary>
    private async Task SendAdtAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var facility = DemoCatalog.Facilities[_rnd.Next(DemoCatalog.Facilities.Count)].Code;
        var visit = ($"E{_rnd.Next(100000000, 999999999)}", $"MRN{_rnd.Next(1000000, 9999999)}", $"A{_rnd.Next(100000000, 999999999)}", facility);
        var messages = new List<string> { DemoMessages.Adt("A01", visit.Item1, visit.Item2, visit.Item3, visit.Item4, now, $"ADT{now:HHmmssfff}1", withVisit: true) };
        _admitted.Enqueue(visit);
        if (_admitted.Count > 5 && _admitted.TryDequeue(out var done))
            messages.Add(DemoMessages.Adt("A03", done.Encounter, done.Mrn, done.Account, done.Facility, now, $"ADT{now:HHmmssfff}3", withVisit: _rnd.Next(15) != 0));
        using var tcp = new TcpClient { NoDelay = true };
        await tcp.ConnectAsync(_o.MllpHost, _o.MllpPort, ct);
        await using var stream = tcp.GetStream();
        await using var reader = new MllpFrameReader(stream);
        foreach (var m in messages)
        {
            await MllpFraming.WriteFrameAsync(stream, Encoding.UTF8.GetBytes(m), ct);
            await reader.ReadFrameAsync(ct);
        }
    }

    /// <summary>Fetches the gateway's settlement file for a day and drops it where the engine watches; sometimes with a bad row.</summary>
    private async Task DropSettlementFileAsync(DateOnly day, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(drop.Value.Root)) return;
        var client = http.CreateClient("traffic");
        client.BaseAddress ??= new Uri(_o.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Get, $"estate/gateway/settlements?date={day:yyyy-MM-dd}");
        request.Headers.Add(EstateEndpoints.KeyHeader, estate.Value.Key);
        using var response = await client.SendAsync(request, ct);
        if (!response.IsSuccessStatusCode) return;
        var csv = await response.Content.ReadAsStringAsync(ct);
        if (_rnd.Next(3) == 0)
            csv += $"STL-BAD{_rnd.Next(1000, 9999)},CHG-UNKNOWN,NGH,12.5O,0.36,12.14,{day:yyyy-MM-dd}T18:00:00Z,VISA\n";
        var dir = Path.Combine(drop.Value.Root, "csv");
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, $"settlement-{day:yyyyMMdd}-{time.GetUtcNow():HHmmss}.csv");
        await File.WriteAllTextAsync(path + ".tmp", csv, ct);
        File.Move(path + ".tmp", path);

        // Billing's receipt feed for the same payments: nearly every settlement has its receipt; a few are missing or
        // were keyed with a different amount, which the daily cash reconciliation must find.
        var receipts = new StringBuilder("receipt_id,received_at,facility,patient_account,amount,payment_reference,method\n");
        foreach (var line in csv.Split('\n').Skip(1).Where(l => l.Length > 0 && !l.StartsWith("STL-BAD", StringComparison.Ordinal)))
        {
            var f = line.Split(',');
            var n = (int)(BitConverter.ToUInt32(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(f[0]))) % 100);
            if (n < 2) continue;
            var amount = decimal.Parse(f[3], CultureInfo.InvariantCulture) + (n == 2 ? 1.00m : 0m);
            receipts.Append(CultureInfo.InvariantCulture, $"RCT-{f[0][4..]},{f[6]},{f[2]},,{amount:0.00},{f[1]},card\n");
        }
        var receiptPath = Path.Combine(dir, $"receipts-{day:yyyyMMdd}-{time.GetUtcNow():HHmmss}.csv");
        await File.WriteAllTextAsync(receiptPath + ".tmp", receipts.ToString(), ct);
        File.Move(receiptPath + ".tmp", receiptPath);
    }

    private async Task PostAsync(string path, string body, string mediaType, CancellationToken ct)
    {
        var client = http.CreateClient("traffic");
        client.BaseAddress ??= new Uri(_o.BaseUrl);
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, mediaType) };
        request.Headers.Add("X-Api-Key", _o.ApiKey);
        using var response = await client.SendAsync(request, ct);
    }

    [LoggerMessage(EventId = 5101, Level = LogLevel.Warning, Message = "Partner traffic step failed")]
    private static partial void LogStepFailed(ILogger logger, Exception ex);
}

/// <summary>The receiving dock's goods receipts as FHIR SupplyDelivery resources in a transaction Bundle.</summary>
public static class DemoFhir
{
    public static string Receipts(PurchaseOrder po, DateTime at) => JsonSerializer.Serialize(new
    {
        resourceType = "Bundle",
        type = "transaction",
        entry = po.Lines.Select(l => new
        {
            resource = new
            {
                resourceType = "SupplyDelivery",
                identifier = new[] { new { system = "urn:healthsync:receipt", value = $"RCV-{po.PoNumber}-{l.LineNumber}" } },
                basedOn = new[] { new { identifier = new { value = po.PoNumber } } },
                status = "completed",
                type = new { coding = new[] { new { system = "http://terminology.hl7.org/CodeSystem/supply-item-type", code = "device" } } },
                suppliedItem = new
                {
                    quantity = new { value = l.Quantity, code = l.Uom },
                    itemCodeableConcept = new { coding = new[] { new { system = "urn:healthsync:sku", code = l.BuyerItem, display = l.Description } } },
                },
                occurrenceDateTime = at.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                supplier = new { identifier = new { value = po.Vendor?.Id }, display = po.Vendor?.Name },
                destination = new { identifier = new { value = po.ShipTo?.Id }, display = "Receiving dock" },
            },
            request = new { method = "POST", url = "SupplyDelivery" },
        }),
    });
}
