using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Demo;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Lineage;

/// <summary>
/// Procure to pay as the ERP and the supplier send it: the ERP's 850 over HTTP, then the supplier's 855, 856 and 810
/// and the dock's goods receipts (FHIR), each built the way the simulated estate builds them, with fresh numbers.
/// </summary>
internal sealed class TradingPartner(TestHost host)
{
    private static int _control = Random.Shared.Next(100_000, 400_000_000);

    public static int NextControl() => Interlocked.Increment(ref _control);

    /// <summary>A guidewire order (one line, two units) from North General to the item's distributor.</summary>
    public static PurchaseOrder Order()
    {
        var item = DemoCatalog.Items.Single(i => i.ItemCode == "ITM-SUP-GW01");
        var vendor = DemoCatalog.VendorOf(item);
        var facility = DemoCatalog.Facilities[0];
        var line = new ItemLine("1", item.Sku, "V-" + item.Sku[4..], null, item.Description, 2, item.BaseUom, DemoCatalog.ContractPrice(item));
        return new PurchaseOrder($"PO-LIN-{NextControl()}", DateOnly.FromDateTime(DateTime.UtcNow), "00",
            new Party(facility.Code, facility.Name, "92"), new Party(vendor.Id, vendor.Name, "92"), new Party(facility.Code, facility.Name, "92"), "USD", [line]);
    }

    public static string Vendor(PurchaseOrder po) => po.Vendor!.Id!;

    /// <summary>The ERP's purchase order, which the engine records and routes on to the supplier.</summary>
    public Task<Guid> SendOrderAsync(PurchaseOrder po)
    {
        var control = NextControl();
        return PostX12Async(PurchaseOrder850Writer.Write(po, new X12Envelope("ZZ", "ERPPROD", "ZZ", "HEALTHSYNC", control, control, DateTimeOffset.UtcNow, "004010")));
    }

    public Task<Guid> AcknowledgeAsync(PurchaseOrder po) => PostX12Async(DemoX12.Ack855(po, Vendor(po), NextControl(), DateTime.UtcNow));

    public Task<Guid> ShipAsync(PurchaseOrder po) => PostX12Async(DemoX12.Asn856(po, Vendor(po), NextControl(), DateTime.UtcNow));

    public Task<Guid> ReceiveAsync(PurchaseOrder po) => PostAsync("fhir", DemoFhir.Receipts(po, DateTime.UtcNow), "application/fhir+json");

    /// <param name="priceFactor">1 bills the contract price; above 1 bills over it.</param>
    /// <returns>The transaction and the invoice number (<see cref="DemoX12.Invoice810"/> numbers it after its control number).</returns>
    public async Task<(Guid CorrelationId, string Invoice)> InvoiceAsync(PurchaseOrder po, decimal priceFactor = 1m)
    {
        var control = NextControl();
        var id = await PostX12Async(DemoX12.Invoice810(po, Vendor(po), control, DateTime.UtcNow, priceFactor, badQuantity: false));
        return (id, "INV" + control.ToString(CultureInfo.InvariantCulture));
    }

    public Task<Guid> PostX12Async(string x12) => PostAsync("edi/x12", x12, "application/edi-x12");

    public async Task<Guid> PostAsync(string path, string body, string mediaType)
    {
        using var client = host.Client(TestHost.IntegrationKey);
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        content.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        using var response = await client.PostAsync(path, content);
        response.StatusCode.ShouldBeOneOf(HttpStatusCode.OK, HttpStatusCode.Created, HttpStatusCode.Accepted);
        if (response.Headers.TryGetValues("X-Correlation-Id", out var ids)) return Guid.Parse(ids.Single());
        // The CSV endpoint answers a row report that names the stored transaction.
        using var report = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return report.RootElement.GetProperty("correlationId").GetGuid();
    }
}
