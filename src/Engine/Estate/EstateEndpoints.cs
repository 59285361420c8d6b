using HealthSync.Engine.Persistence;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Estate;

public sealed class EstateOptions
{
    public bool Enabled { get; set; }
    /// <summary>Shared secret the engine presents in X-Estate-Key; set at start-up when empty.</summary>
    public string Key { get; set; } = "";
}

/// <summary>
/// The simulated ERP, warehouse and billing systems: real HTTP endpoints with their own state, honouring the
/// caller's Idempotency-Key the way production ERPs and billing systems do, with runtime fault injection.
/// </summary>
public static class EstateEndpoints
{
    public const string KeyHeader = "X-Estate-Key";

    public sealed record InventoryRequest(string Facility, string Location, string Sku, decimal Quantity, decimal ParLevel);
    public sealed record ChargeRequest(string Facility, string? Account, string? Encounter, string ChargeCode, decimal Quantity, decimal Amount);
    public sealed record ReplenishRequest(string Facility, string Location, string Sku, decimal Quantity);
    public sealed record ApBatchRequest(string BatchId, string Vendor, DateOnly Day, IReadOnlyList<string> Invoices, decimal Total);
    public sealed record PaymentRequest(string PaymentId, string ClaimId, decimal Paid, decimal? Charged, string? Payer);
    public sealed record JournalRequest(string EntryId, string Facility, DateOnly Day, decimal Gross, decimal Fees, decimal Net, int Count);

    public static IEndpointRouteBuilder MapSimulatedEstate(this IEndpointRouteBuilder app)
    {
        var estate = app.MapGroup("/estate").AllowAnonymous().ExcludeFromDescription();
        var erp = estate.MapGroup("/erp").AddEndpointFilter(Faults("erp"));
        erp.MapPost("/inventory/decrements", (HttpContext h, InventoryRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) => Inventory(h, r, -1, db, t, ct));
        erp.MapPost("/inventory/returns", (HttpContext h, InventoryRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) => Inventory(h, r, +1, db, t, ct));
        var billing = estate.MapGroup("/billing").AddEndpointFilter(Faults("billing"));
        billing.MapPost("/charges", (HttpContext h, HealthSyncDb db, TimeProvider t, CancellationToken ct) => BillingAsync(h, "charge", "CHG", 1, db, t, ct));
        billing.MapPost("/charges/credits", (HttpContext h, HealthSyncDb db, TimeProvider t, CancellationToken ct) => BillingAsync(h, "credit", "CRD", -1, db, t, ct));
        var warehouse = estate.MapGroup("/warehouse").AddEndpointFilter(Faults("warehouse"));
        warehouse.MapPost("/replenishments", async (HttpContext h, ReplenishRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) =>
        {
            var result = await Post(h, "warehouse", "replenishment", "REQ", r.Facility, r.Sku, r.Quantity, 0, db, t, ct);
            // The simulated warehouse fills the request at once, so stock recovers during a long demo run.
            if (db.ChangeTracker.Entries<EstatePosting>().Any(e => e.Entity.Kind == "replenishment"))
                await db.EstateInventory.Where(i => i.Facility == r.Facility && i.Location == r.Location && i.Sku == r.Sku)
                    .ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand + r.Quantity), ct);
            return result;
        });
        estate.MapGet("/gateway/settlements", Settlements).AddEndpointFilter(Faults("gateway"));
        estate.MapPost("/supplier/x12", SupplierAsync).AddEndpointFilter(Faults("supplier"));
        erp.MapPost("/journal", (HttpContext h, JournalRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) =>
            Post(h, "erp", "journal", "JE", r.Facility, null, r.Count, r.Net, db, t, ct));
        erp.MapPost("/ap-batches", (HttpContext h, ApBatchRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) =>
            Post(h, "erp", "ap-batch", "AP", r.Vendor, null, r.Invoices.Count, r.Total, db, t, ct));
        billing.MapPost("/payments", (HttpContext h, PaymentRequest r, HealthSyncDb db, TimeProvider t, CancellationToken ct) =>
            Post(h, "billing", "payment", "PMT", r.Payer ?? "payer", null, 1, r.Paid, db, t, ct));
        erp.MapGet("/onhand", async (HealthSyncDb db, CancellationToken ct) =>
            Results.Ok(await db.EstateInventory.AsNoTracking().OrderBy(i => i.Id).Select(i => new { i.Facility, i.Location, i.Sku, i.OnHand, Uom = "EA" }).ToListAsync(ct)));
        // The warehouse counts the same shelves; about one item-location in twenty has drifted from the ERP (a miscount,
        // an unrecorded move), deterministically so the drift reconciliation finds the same variances on every run.
        warehouse.MapGet("/onhand", async (HealthSyncDb db, CancellationToken ct) =>
            Results.Ok((await db.EstateInventory.AsNoTracking().OrderBy(i => i.Id).ToListAsync(ct))
                .Select(i => new { i.Facility, i.Location, i.Sku, OnHand = i.Id % 20 == 7 ? i.OnHand + (i.Id % 3) + 1 : i.OnHand, Uom = "EA" })));
        estate.MapGet("/erp/inventory", async (string facility, string sku, HealthSyncDb db, CancellationToken ct) =>
            Results.Ok(await db.EstateInventory.AsNoTracking().Where(i => i.Facility == facility && i.Sku == sku)
                .Select(i => new { i.Location, i.OnHand, i.ParLevel }).ToListAsync(ct)))
            .AddEndpointFilter(Faults("erp"));
        return app;
    }

    private static Func<EndpointFilterInvocationContext, EndpointFilterDelegate, ValueTask<object?>> Faults(string system) => async (ctx, next) =>
    {
        var http = ctx.HttpContext;
        var options = http.RequestServices.GetService(typeof(IOptions<EstateOptions>)) as IOptions<EstateOptions>;
        if (options is null || http.Request.Headers[KeyHeader] != options.Value.Key)
            return Results.Problem(title: "Unauthorized", detail: $"The {system} system requires its integration key.", statusCode: StatusCodes.Status401Unauthorized);
        var faults = ((FaultInjection)http.RequestServices.GetService(typeof(FaultInjection))!).Get(system);
        if (faults.LatencyMs > 0) await Task.Delay(faults.LatencyMs, http.RequestAborted);
        if (faults.Outage)
            return Results.Problem(title: "Service unavailable", detail: $"{system} is down (simulated outage).", statusCode: StatusCodes.Status503ServiceUnavailable);
        if (faults.ThrottleRate > 0 && Random.Shared.NextDouble() < faults.ThrottleRate)
        {
            http.Response.Headers.RetryAfter = faults.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Results.Problem(title: "Too many requests", detail: $"{system} is throttling.", statusCode: StatusCodes.Status429TooManyRequests);
        }
        if (faults.ErrorRate > 0 && Random.Shared.NextDouble() < faults.ErrorRate)
            return Results.Problem(title: "Internal error", detail: $"{system} failed (simulated).", statusCode: StatusCodes.Status500InternalServerError);
        return await next(ctx);
    };

    private static async Task<IResult> Inventory(HttpContext http, InventoryRequest r, int sign, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrEmpty(key)) return Results.Problem(title: "Missing Idempotency-Key", statusCode: StatusCodes.Status400BadRequest);
        var existing = await db.EstatePostings.AsNoTracking().FirstOrDefaultAsync(p => p.System == "erp" && p.IdempotencyKey == key, ct);
        var stock = await db.EstateInventory.FirstOrDefaultAsync(i => i.Facility == r.Facility && i.Location == r.Location && i.Sku == r.Sku, ct);
        if (existing is not null)
        {
            await db.EstatePostings.Where(p => p.Id == existing.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.RequestCount, p => p.RequestCount + 1), ct);
            return Results.Ok(new { reference = existing.Reference, onHand = stock?.OnHand, parLevel = stock?.ParLevel, replayed = true });
        }
        if (stock is null)
            return Results.Problem(title: "Unknown stock location", detail: $"SKU {r.Sku} is not stocked at {r.Location} ({r.Facility}).", statusCode: StatusCodes.Status422UnprocessableEntity);
        var reference = $"INV-{Guid.CreateVersion7().ToString("N")[..12].ToUpperInvariant()}";
        // Concurrent postings for the same stock row: the balance changes in one UPDATE, in the same transaction as the posting.
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.EstatePostings.Add(new EstatePosting
        {
            System = "erp", Kind = sign < 0 ? "decrement" : "return", IdempotencyKey = key, Reference = reference, Facility = r.Facility, Sku = r.Sku,
            Quantity = r.Quantity, ReceivedAt = time.GetUtcNow().UtcDateTime, RequestCount = 1,
        });
        if (!await TrySaveAsync(db, ct))
        {
            await tx.RollbackAsync(ct);
            return await Inventory(http, r, sign, db, time, ct);
        }
        var delta = sign * r.Quantity;
        await db.EstateInventory.Where(i => i.Id == stock.Id).ExecuteUpdateAsync(s => s.SetProperty(i => i.OnHand, i => i.OnHand + delta), ct);
        // Read the balance this posting left, inside its own transaction: the row stays locked until commit, so a concurrent
        // posting cannot slip in between and every posting answers a different balance.
        var onHand = await db.EstateInventory.AsNoTracking().Where(i => i.Id == stock.Id).Select(i => i.OnHand).SingleAsync(ct);
        await tx.CommitAsync(ct);
        return Results.Ok(new { reference, onHand, parLevel = stock.ParLevel });
    }

    /// <summary>
    /// The simulated billing system takes charges as HL7 v2 DFT^P03 (and, for older clients, JSON) and answers an HL7
    /// ACK whose MSA-3 is its charge reference, or AR with the reason.
    /// </summary>
    private static async Task<IResult> BillingAsync(HttpContext http, string kind, string prefix, int sign, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        using var reader = new StreamReader(http.Request.Body);
        var body = await reader.ReadToEndAsync(ct);
        if (!(http.Request.ContentType ?? "").Contains("hl7", StringComparison.OrdinalIgnoreCase))
        {
            var json = System.Text.Json.JsonSerializer.Deserialize<ChargeRequest>(body, new System.Text.Json.JsonSerializerOptions(System.Text.Json.JsonSerializerDefaults.Web));
            return json is null
                ? Results.Problem(title: "Unreadable charge", statusCode: StatusCodes.Status400BadRequest)
                : await Post(http, "billing", kind, prefix, json.Facility, null, json.Quantity, sign * json.Amount, db, time, ct);
        }

        var parsed = HealthSync.Adapters.Hl7.Hl7Parser.Parse(body);
        var msg = parsed.Message;
        var ft1 = msg?.Segment("FT1");
        var now = time.GetUtcNow();
        string Ack(HealthSync.Adapters.Hl7.AckCode code, string text) =>
            HealthSync.Adapters.Hl7.Hl7Ack.Build(msg ?? parsed.Header, code, text,
                code == HealthSync.Adapters.Hl7.AckCode.AA ? null : new HealthSync.Adapters.Canonical.ValidationFinding("FT1", "101", text), now, "BIL" + now.ToUnixTimeMilliseconds());
        if (msg is null || ft1 is null || msg.MessageType != "DFT"
            || !decimal.TryParse(ft1.Value(10), System.Globalization.CultureInfo.InvariantCulture, out var quantity)
            || !decimal.TryParse(ft1.Value(11), System.Globalization.CultureInfo.InvariantCulture, out var amount))
            return Results.Text(Ack(HealthSync.Adapters.Hl7.AckCode.AR, "Not a readable DFT^P03 charge"), "x-application/hl7-v2+er7", statusCode: StatusCodes.Status422UnprocessableEntity);
        var result = await Post(http, "billing", kind, prefix, msg.SendingFacility ?? "", null, quantity, sign * amount, db, time, ct);
        if (result is IValueHttpResult { Value: { } value } && value.GetType().GetProperty("reference")?.GetValue(value) is string reference)
            return Results.Text(Ack(HealthSync.Adapters.Hl7.AckCode.AA, reference), "x-application/hl7-v2+er7");
        return result;
    }

    /// <summary>
    /// The simulated supplier's EDI gateway: takes an X12 850 and answers the functional acknowledgement (999), 422
    /// when it rejects the interchange. Orders it accepts are answered later with 855, 856 and 810 (see SupplierSimulator).
    /// </summary>
    private static async Task<IResult> SupplierAsync(HttpContext http, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        var read = HealthSync.Adapters.X12.X12Reader.Read(buffer.ToArray());
        var acks = HealthSync.Adapters.X12.X12Acknowledgements.Build(read,
            new HealthSync.Adapters.X12.X12AckOptions((int)(time.GetUtcNow().ToUnixTimeSeconds() % 999_999_999), time.GetUtcNow()));
        var ack = string.Join("\n", acks.Select(a => a.Text));
        var orders = read.Transactions.Where(t => t.Read.Success).SelectMany(t => t.Read.Facts).OfType<HealthSync.Adapters.Canonical.PurchaseOrder>().ToList();
        if (acks.Count == 0 || acks.Any(a => !a.Accepted) || orders.Count == 0)
            return Results.Text(ack.Length > 0 ? ack : "No readable interchange", "application/edi-x12", statusCode: StatusCodes.Status422UnprocessableEntity);
        foreach (var po in orders)
        {
            var result = await Post(http, "supplier", "purchase-order", "SO", po.ShipTo?.Id ?? "", null, po.Lines.Count, po.Total, db, time, ct);
            if (result is not IValueHttpResult) return result;
        }
        return Results.Text(ack, "application/edi-x12");
    }

    private static async Task<IResult> Post(HttpContext http, string system, string kind, string prefix, string facility, string? sku, decimal quantity, decimal amount,
        HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var key = http.Request.Headers["Idempotency-Key"].ToString();
        if (string.IsNullOrEmpty(key)) return Results.Problem(title: "Missing Idempotency-Key", statusCode: StatusCodes.Status400BadRequest);
        var existing = await db.EstatePostings.AsNoTracking().FirstOrDefaultAsync(p => p.System == system && p.IdempotencyKey == key, ct);
        if (existing is not null)
        {
            await db.EstatePostings.Where(p => p.Id == existing.Id).ExecuteUpdateAsync(s => s.SetProperty(p => p.RequestCount, p => p.RequestCount + 1), ct);
            return Results.Ok(new { reference = existing.Reference, replayed = true });
        }
        var reference = $"{prefix}-{Guid.CreateVersion7().ToString("N")[..12].ToUpperInvariant()}";
        db.EstatePostings.Add(new EstatePosting
        {
            System = system, Kind = kind, IdempotencyKey = key, Reference = reference, Facility = facility, Sku = sku, Quantity = quantity, Amount = amount,
            ReceivedAt = time.GetUtcNow().UtcDateTime, RequestCount = 1,
        });
        if (!await TrySaveAsync(db, ct))
            return await Post(http, system, kind, prefix, facility, sku, quantity, amount, db, time, ct);
        return Results.Ok(new { reference });
    }

    /// <summary>
    /// The payment gateway's settlement file for one day (CSV, as card processors deliver it): patient payments
    /// taken against the charges billing received that day, every third one in arrival order, 20 % of the charge, minus a 2.9 % fee.
    /// A payment settles six hours after its charge, but never later than the file's day nor than the moment the file is
    /// produced: a file lists what has settled, so the daily cash reconciliation of that day finds it.
    /// </summary>
    private static async Task<IResult> Settlements(DateOnly date, HealthSyncDb db, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var from = date.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var to = from.AddDays(1);
        var charges = await db.EstatePostings.AsNoTracking()
            .Where(p => p.System == "billing" && p.Kind == "charge" && p.ReceivedAt >= from && p.ReceivedAt < to)
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Reference, p.Facility, p.Amount, p.ReceivedAt }).ToListAsync(ct);
        var csv = new System.Text.StringBuilder("settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n");
        string[] brands = ["VISA", "MC", "AMEX", "DISC"];
        foreach (var c in charges.Where((_, i) => i % 3 == 0))
        {
            var gross = Math.Round(c.Amount * 0.2m, 2);
            var fee = Math.Round(gross * 0.029m, 2);
            csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"STL-{c.Id:D8},{c.Reference},{c.Facility},{gross:0.00},{fee:0.00},{gross - fee:0.00},{Min(c.ReceivedAt.AddHours(6), now, to.AddSeconds(-1)):yyyy-MM-ddTHH:mm:ssZ},{brands[c.Id % brands.Length]}\n");
        }
        return Results.Text(csv.ToString(), "text/csv");

        static DateTime Min(DateTime a, DateTime b, DateTime c) => new(Math.Min(Math.Min(a.Ticks, b.Ticks), c.Ticks), DateTimeKind.Utc);
    }

    /// <summary>
    /// A retry can arrive while the first request with the same key is still being handled; the loser of that race
    /// sees the unique key violation and answers with the winner's posting, as an idempotent API must.
    /// </summary>
    private static async Task<bool> TrySaveAsync(HealthSyncDb db, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException ex) when (DatabaseProviders.IsUniqueViolation(ex))
        {
            db.ChangeTracker.Clear();
            return false;
        }
    }

}
