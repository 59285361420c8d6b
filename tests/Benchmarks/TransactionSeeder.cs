using System.Diagnostics;
using System.Globalization;
using System.Text;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using Microsoft.Data.Sqlite;
using static HealthSync.Benchmarks.ExceptionSeeder;

namespace HealthSync.Benchmarks;

/// <summary>What the seeder wrote, and keys that exist, for the measured searches.</summary>
internal sealed record SeededTransactions(int Transactions, long LineageSteps, long BusinessKeys, int Exceptions, TimeSpan Elapsed,
    IReadOnlyList<(string Type, string Value)> SampleKeys);

/// <summary>
/// A network's history written straight into a migrated database: supply usages with their inventory movements,
/// charges and deliveries; purchase orders, acknowledgements, ship notices and invoices with three-way verdicts; payment
/// settlements with their journal postings and cash verdicts; visits; ten lineage steps per transaction; business keys with
/// realistic cardinality; exceptions for the failures; inventory drift verdicts per item-location. Prepared ADO.NET
/// inserts in large transactions, secondary indexes dropped for the load and rebuilt from their own DDL afterwards.
/// </summary>
internal static class TransactionSeeder
{
    private const int Batch = 20_000;
    public const int StepsPerTransaction = 10;

    private static readonly string[] Locations = ["OR1", "OR2", "CATH", "ICU", "ED", "MEDSURG", "PACU", "LAB"];
    private static readonly string[] Vendors = ["MEDLINE", "STRYKER", "CARDINAL", "BSCI", "OWENS"];
    private static readonly string[] Payers = ["AETNA", "BCBS", "MEDICARE", "CIGNA", "UHC"];
    private static readonly string[] SeededTables =
        ["inbox_messages", "outbox_messages", "lineage_steps", "business_keys", "business_documents", "usage_events", "charges", "inventory_movements",
         "reconciliation_results", "exceptions"];

    public static async Task<SeededTransactions> SeedAsync(string connectionString, int transactions, DateTime now, Report report)
    {
        var watch = Stopwatch.StartNew();
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        await ExecAsync(c, "PRAGMA synchronous=OFF; PRAGMA cache_size=-400000; PRAGMA temp_store=MEMORY;");
        var indexes = new List<(string Name, string Sql)>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = $"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ({string.Join(",", SeededTables.Select(t => $"'{t}'"))})";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) indexes.Add((r.GetString(0), r.GetString(1)));
        }
        foreach (var (name, _) in indexes) await ExecAsync(c, $"DROP INDEX \"{name}\"");

        var inbox = Insert(c, "inbox_messages", "correlation_id", "idempotency_key", "source_system", "transport", "format", "message_type", "ordering_key",
            "payload", "payload_version", "received_at", "status", "attempts", "processed_at", "last_error", "quarantine_reason");
        var outbox = Insert(c, "outbox_messages", "correlation_id", "inbox_message_id", "fact_id", "target_system", "operation", "payload", "idempotency_key",
            "ordering_key", "status", "attempts", "created_at", "next_attempt_at", "delivered_at", "source_received_at", "last_status_code", "last_error",
            "remote_reference", "amount_at_risk", "facility");
        var step = Insert(c, "lineage_steps", "correlation_id", "step", "system", "outcome", "detail", "payload_version", "at", "inbox_message_id", "outbox_message_id");
        var key = Insert(c, "business_keys", "correlation_id", "key_type", "key_value");
        var doc = Insert(c, "business_documents", "correlation_id", "inbox_message_id", "payload_version", "kind", "business_key", "reference", "partner",
            "facility", "document_date", "amount", "line_count", "canonical", "recorded_at");
        var usage = Insert(c, "usage_events", "id", "correlation_id", "source_event_id", "kind", "facility", "location", "cost_center", "item_code", "sku",
            "quantity", "uom", "base_quantity", "lot", "serial", "patient_mrn", "patient_account", "encounter", "billable", "charge_code", "charge_amount",
            "occurred_at", "recorded_at");
        var charge = Insert(c, "charges", "id", "usage_event_id", "correlation_id", "facility", "charge_code", "quantity", "amount", "status",
            "billing_reference", "created_at", "posted_at");
        var movement = Insert(c, "inventory_movements", "id", "usage_event_id", "correlation_id", "facility", "location", "sku", "quantity_delta", "status",
            "erp_reference", "on_hand_after", "created_at", "posted_at");
        var verdict = Insert(c, "reconciliation_results", "reconciliation", "subject_key", "outcome", "matched", "facility", "partner", "amount", "variance",
            "detail", "subject_date", "evaluated_at", "run_id", "exception_id");
        var exception = Insert(c, "exceptions", "id", "correlation_id", "inbox_message_id", "outbox_message_id", "category", "error_code", "error_detail",
            "workflow", "facility", "source_system", "status", "team", "owner", "sla_due_at", "amount_at_risk", "business_key_type", "business_key",
            "payload_version", "created_at", "resolved_at", "cause_key", "replay_state", "replay_count", "last_replay_error", "resolution_code",
            "resolution_note", "resolved_by", "updated_at");
        SqliteCommand[] all = [inbox, outbox, step, key, doc, usage, charge, movement, verdict, exception];

        var rng = new Random(Seed);
        var span = TimeSpan.FromDays(90);
        var start = now - span;
        var runId = Guid.NewGuid();
        var payload = Encoding.ASCII.GetBytes("MSH|^~\\&|POU|NGH|HEALTHSYNC|NETWORK|20261121|| DFT^P03|CTL|P|2.5.1\rEVN|P03\rFT1|1|||||CG|ITM^Item\r");
        long steps = 0, keys = 0, outboxId = 0;
        var exceptions = 0;
        var samples = new List<(string, string)>();
        var recentOrders = new List<string>();
        var tx = c.BeginTransaction();
        Enlist(tx, all);

        for (var i = 0; i < transactions; i++)
        {
            if (i > 0 && i % Batch == 0)
            {
                tx.Commit();
                tx.Dispose();
                tx = c.BeginTransaction();
                Enlist(tx, all);
                if (i % (Batch * 10) == 0) report.Progress($"seeded {i:N0} transactions");
            }
            var at = start + TimeSpan.FromTicks((long)(span.Ticks * (i + rng.NextDouble()) / transactions));
            var cid = Guid.CreateVersion7(new DateTimeOffset(at));
            var inboxId = i + 1L;
            var facility = Facilities[rng.Next(Facilities.Length)];
            var roll = rng.NextDouble();
            var (kind, format, transport, source, messageType) = roll switch
            {
                < 0.70 => ("usage", "hl7v2", "mllp", $"POU|{facility}", "DFT^P03"),
                < 0.78 => ("po", "x12", "http", "erp", "850"),
                < 0.84 => ("invoice", "x12", "http", "supplier-edi", "810"),
                < 0.92 => ("settlement", "csv", "file", "payment-gateway", "settlement"),
                _ => ("visit", "hl7v2", "mllp", $"ADT|{facility}", "ADT^A03"),
            };

            var ip = inbox.Parameters;
            ip[0].Value = cid; ip[1].Value = "bench:" + inboxId.ToString(CultureInfo.InvariantCulture); ip[2].Value = source; ip[3].Value = transport;
            ip[4].Value = format; ip[5].Value = messageType; ip[6].Value = DBNull.Value; ip[7].Value = payload; ip[8].Value = 1; ip[9].Value = at;
            ip[10].Value = "Processed"; ip[11].Value = 1; ip[12].Value = at.AddMilliseconds(40); ip[13].Value = DBNull.Value; ip[14].Value = DBNull.Value;
            await inbox.ExecuteNonQueryAsync();

            var txKeys = new List<(string, string)> { (KeyTypes.MessageControlId, "CTL" + inboxId.ToString("D9", CultureInfo.InvariantCulture)) };
            var failed = false;
            long? firstOutbox = null;
            string lastSystem = "engine";
            switch (kind)
            {
                case "usage":
                {
                    var encounter = "ENC" + rng.Next(1, 150_000).ToString("D6", CultureInfo.InvariantCulture);
                    var sku = "SKU-" + (40000 + rng.Next(0, 500)).ToString(CultureInfo.InvariantCulture);
                    var item = "ITM-" + sku[4..];
                    var implant = rng.NextDouble() < 0.3;
                    var lot = implant ? "L" + rng.Next(1, 200_000).ToString("D6", CultureInfo.InvariantCulture) : null;
                    var billable = rng.NextDouble() < 0.65;
                    var price = Math.Round(20 + rng.NextDouble() * rng.NextDouble() * 6000, 2);
                    var location = Locations[rng.Next(Locations.Length)];
                    txKeys.AddRange([(KeyTypes.SourceEvent, "TX" + inboxId.ToString(CultureInfo.InvariantCulture)), (KeyTypes.Encounter, encounter),
                        (KeyTypes.PatientAccount, "ACC" + encounter[3..]), (KeyTypes.Mrn, "MRN" + encounter[3..]), (KeyTypes.Item, item), (KeyTypes.Sku, sku)]);
                    if (lot is not null) txKeys.Add((KeyTypes.Lot, lot));
                    failed = rng.NextDouble() < 0.03;
                    if (failed)
                    {
                        exceptions++;
                        await AddExceptionAsync(exception, rng, cid, inboxId, null, Categories.MappingGap, "unmapped-charge-code",
                            $"Billable SKU {sku} has no charge-description-master code at {facility}.", WorkflowNames.SupplyCharge, facility, source, price, (KeyTypes.Encounter, encounter), at, now);
                        break;
                    }
                    var usageId = Guid.CreateVersion7(new DateTimeOffset(at));
                    var up = usage.Parameters;
                    up[0].Value = usageId; up[1].Value = cid; up[2].Value = "TX" + inboxId.ToString(CultureInfo.InvariantCulture); up[3].Value = "Consumption";
                    up[4].Value = facility; up[5].Value = location; up[6].Value = "CC" + location; up[7].Value = item; up[8].Value = sku; up[9].Value = 1.0;
                    up[10].Value = "EA"; up[11].Value = 1.0; up[12].Value = (object?)lot ?? DBNull.Value; up[13].Value = DBNull.Value; up[14].Value = "MRN" + encounter[3..];
                    up[15].Value = "ACC" + encounter[3..]; up[16].Value = encounter; up[17].Value = billable; up[18].Value = billable ? "CDM-" + sku[4..] : DBNull.Value;
                    up[19].Value = billable ? price : 0.0; up[20].Value = at.AddMinutes(-5); up[21].Value = at;
                    await usage.ExecuteNonQueryAsync();

                    var erpFailed = rng.NextDouble() < 0.01;
                    var erpAt = at.AddMilliseconds(200 + rng.Next(0, 3000));
                    var mp = movement.Parameters;
                    mp[0].Value = Guid.NewGuid(); mp[1].Value = usageId; mp[2].Value = cid; mp[3].Value = facility; mp[4].Value = location; mp[5].Value = sku;
                    mp[6].Value = -1.0; mp[7].Value = erpFailed ? "Failed" : "Posted"; mp[8].Value = erpFailed ? DBNull.Value : "ERP" + inboxId;
                    mp[9].Value = DBNull.Value; mp[10].Value = at; mp[11].Value = erpFailed ? DBNull.Value : erpAt;
                    await movement.ExecuteNonQueryAsync();
                    firstOutbox = await AddOutboxAsync(outbox, rng, ++outboxId, cid, inboxId, "erp", "erp.inventory.decrement", facility, at, erpAt, erpFailed, price);
                    if (erpFailed)
                    {
                        exceptions++;
                        await AddExceptionAsync(exception, rng, cid, inboxId, outboxId, Categories.DownstreamUnavailable, "delivery-failed",
                            "POST to erp failed with HTTP 503 after 12 attempts", WorkflowNames.SupplyCharge, facility, "engine", price, (KeyTypes.Encounter, encounter), erpAt, now);
                    }
                    lastSystem = "erp";
                    if (billable)
                    {
                        var billFailed = rng.NextDouble() < 0.01;
                        var billAt = erpAt.AddMilliseconds(rng.Next(50, 4000));
                        var cp = charge.Parameters;
                        cp[0].Value = Guid.NewGuid(); cp[1].Value = usageId; cp[2].Value = cid; cp[3].Value = facility; cp[4].Value = "CDM-" + sku[4..];
                        cp[5].Value = 1.0; cp[6].Value = price; cp[7].Value = billFailed ? "Failed" : "Posted"; cp[8].Value = billFailed ? DBNull.Value : "BIL" + inboxId;
                        cp[9].Value = at; cp[10].Value = billFailed ? DBNull.Value : billAt;
                        await charge.ExecuteNonQueryAsync();
                        await AddOutboxAsync(outbox, rng, ++outboxId, cid, inboxId, "billing", "billing.charge.post", facility, at, billAt, billFailed, price);
                        lastSystem = "billing";
                    }
                    if (samples.Count < 400 && rng.NextDouble() < 0.01)
                    {
                        samples.Add((KeyTypes.Encounter, encounter));
                        samples.Add((KeyTypes.Sku, sku));
                        if (lot is not null) samples.Add((KeyTypes.Lot, lot));
                    }
                    break;
                }
                case "po" or "invoice":
                {
                    var vendor = Vendors[rng.Next(Vendors.Length)];
                    // Each order has its own number; an invoice bills one of the recent orders.
                    var po = kind == "po" || recentOrders.Count == 0
                        ? "PO" + inboxId.ToString("D8", CultureInfo.InvariantCulture)
                        : recentOrders[rng.Next(recentOrders.Count)];
                    if (kind == "po")
                    {
                        if (recentOrders.Count < 1000) recentOrders.Add(po);
                        else recentOrders[rng.Next(1000)] = po;
                    }
                    var amount = Math.Round(100 + rng.NextDouble() * 20_000, 2);
                    txKeys.Add((KeyTypes.PurchaseOrder, po));
                    string docKind, docKey;
                    if (kind == "po")
                    {
                        (docKind, docKey) = ("purchase-order", po);
                        var acked = at < now.AddDays(-2) || rng.NextDouble() < 0.5;
                        await AddVerdictAsync(verdict, "edi-ack-aging", po, acked ? "acknowledged" : "awaiting-855", acked, facility, vendor, amount, 0, at, now, runId);
                    }
                    else
                    {
                        var invoice = "INV" + inboxId.ToString("D8", CultureInfo.InvariantCulture);
                        txKeys.Add((KeyTypes.Invoice, invoice));
                        (docKind, docKey) = ("invoice", invoice);
                        var matched = rng.NextDouble() < 0.92;
                        var variance = matched ? 0 : Math.Round(amount * 0.08, 2);
                        Guid? exceptionId = null;
                        if (!matched)
                        {
                            exceptions++;
                            exceptionId = await AddExceptionAsync(exception, rng, cid, inboxId, null, Categories.UpstreamData, "price-variance",
                                $"Invoice {invoice} line 1 is 8% over the PO price", WorkflowNames.ProcureToPay, facility, source, variance, (KeyTypes.Invoice, invoice), at, now);
                        }
                        await AddVerdictAsync(verdict, "three-way-match", invoice + ":1", matched ? "matched" : "price-variance", matched, facility, vendor, amount, variance,
                            at, now, runId, exceptionId);
                        if (samples.Count < 400 && rng.NextDouble() < 0.05) samples.Add((KeyTypes.Invoice, invoice));
                    }
                    if (samples.Count < 400 && rng.NextDouble() < 0.02) samples.Add((KeyTypes.PurchaseOrder, po));
                    await AddDocumentAsync(doc, cid, inboxId, docKind, docKey, po, vendor, facility, at, amount);
                    break;
                }
                case "settlement":
                {
                    var payer = Payers[rng.Next(Payers.Length)];
                    var payment = "PAY" + inboxId.ToString("D8", CultureInfo.InvariantCulture);
                    var amount = Math.Round(50 + rng.NextDouble() * 5000, 2);
                    txKeys.AddRange([(KeyTypes.Payment, payment), (KeyTypes.Settlement, "SET" + at.ToString("yyyyMMdd", CultureInfo.InvariantCulture))]);
                    await AddDocumentAsync(doc, cid, inboxId, "payment-settlement", payment, null, payer, facility, at, amount);
                    var postedAt = at.AddHours(rng.NextDouble() < 0.9 ? rng.Next(1, 20) : rng.Next(30, 96));
                    var timely = postedAt - at <= TimeSpan.FromHours(24);
                    firstOutbox = await AddOutboxAsync(outbox, rng, ++outboxId, cid, inboxId, "erp", "erp.journal.post", facility, at, postedAt, false, amount);
                    await AddVerdictAsync(verdict, "daily-cash", payment, timely ? "matched" : "late", timely, facility, payer, amount, 0, at, now, runId);
                    lastSystem = "erp";
                    break;
                }
                default:
                {
                    var encounter = "ENC" + rng.Next(1, 150_000).ToString("D6", CultureInfo.InvariantCulture);
                    txKeys.AddRange([(KeyTypes.Encounter, encounter), (KeyTypes.PatientAccount, "ACC" + encounter[3..]), (KeyTypes.Mrn, "MRN" + encounter[3..])]);
                    await AddDocumentAsync(doc, cid, inboxId, "patient-visit", encounter, null, null, facility, at, null);
                    break;
                }
            }

            // Ten steps per transaction, from receipt to the last system's answer.
            string[] names = failed
                ? [Steps.Received, Steps.Parsed, Steps.Validated, Steps.Mapped, Steps.Failed, Steps.Retried, Steps.Replayed, Steps.Mapped, Steps.Failed, Steps.Failed]
                : [Steps.Received, Steps.Parsed, Steps.Validated, Steps.Mapped, Steps.Routed, Steps.Delivered, Steps.Acknowledged, Steps.Posted, Steps.Recorded, Steps.Posted];
            for (var s = 0; s < StepsPerTransaction; s++)
            {
                var sp = step.Parameters;
                sp[0].Value = cid; sp[1].Value = names[s]; sp[2].Value = s < 4 ? "engine" : lastSystem; sp[3].Value = failed && s >= 4 ? Steps.Error : Steps.Ok;
                sp[4].Value = $"{messageType} step {s + 1}"; sp[5].Value = 1; sp[6].Value = at.AddMilliseconds(s * 40); sp[7].Value = inboxId;
                sp[8].Value = s >= 5 && firstOutbox is { } o ? o : DBNull.Value;
                await step.ExecuteNonQueryAsync();
                steps++;
            }
            foreach (var (type, value) in txKeys)
            {
                var kp = key.Parameters;
                kp[0].Value = cid; kp[1].Value = type; kp[2].Value = value;
                await key.ExecuteNonQueryAsync();
                keys++;
            }
        }

        // The latest drift verdict per item-location: three facilities, eight locations, 500 SKUs.
        foreach (var f in Facilities)
            foreach (var l in Locations)
                for (var s = 0; s < 500; s++)
                {
                    var agree = rng.NextDouble() < 0.96;
                    var sku = "SKU-" + (40000 + s).ToString(CultureInfo.InvariantCulture);
                    await AddVerdictAsync(verdict, "inventory-drift", $"{f}|{l}|{sku}", agree ? "in-sync" : "drift", agree, f, null, 0, agree ? 0 : rng.Next(1, 12), now.AddHours(-1), now, runId);
                }
        tx.Commit();
        tx.Dispose();
        report.Progress("rebuilding indexes");
        foreach (var (_, sql) in indexes) await ExecAsync(c, sql);
        await ExecAsync(c, "ANALYZE; PRAGMA optimize;");
        return new SeededTransactions(transactions, steps, keys, exceptions, watch.Elapsed, samples);
    }

    private static async Task<long> AddOutboxAsync(SqliteCommand outbox, Random rng, long id, Guid cid, long inboxId, string target, string operation, string facility,
        DateTime received, DateTime delivered, bool failed, double amount)
    {
        var op = outbox.Parameters;
        op[0].Value = cid; op[1].Value = inboxId; op[2].Value = DBNull.Value; op[3].Value = target; op[4].Value = operation; op[5].Value = "{}";
        op[6].Value = $"{cid}:{target}"; op[7].Value = facility; op[8].Value = failed ? "Failed" : "Delivered"; op[9].Value = failed ? 12 : rng.NextDouble() < 0.05 ? 2 : 1;
        op[10].Value = received; op[11].Value = delivered; op[12].Value = failed ? DBNull.Value : delivered; op[13].Value = received;
        op[14].Value = failed ? 503 : 200; op[15].Value = failed ? "HTTP 503" : DBNull.Value; op[16].Value = failed ? DBNull.Value : "R" + id;
        op[17].Value = amount; op[18].Value = facility;
        await outbox.ExecuteNonQueryAsync();
        return id;
    }

    private static async Task AddVerdictAsync(SqliteCommand verdict, string reconciliation, string subject, string outcome, bool matched, string? facility, string? partner,
        double amount, double variance, DateTime subjectDate, DateTime now, Guid runId, Guid? exceptionId = null)
    {
        var vp = verdict.Parameters;
        vp[0].Value = reconciliation; vp[1].Value = subject; vp[2].Value = outcome; vp[3].Value = matched; vp[4].Value = (object?)facility ?? DBNull.Value;
        vp[5].Value = (object?)partner ?? DBNull.Value; vp[6].Value = amount; vp[7].Value = variance; vp[8].Value = outcome; vp[9].Value = subjectDate;
        vp[10].Value = now; vp[11].Value = runId; vp[12].Value = (object?)exceptionId ?? DBNull.Value;
        await verdict.ExecuteNonQueryAsync();
    }

    private static async Task AddDocumentAsync(SqliteCommand doc, Guid cid, long inboxId, string kind, string businessKey, string? reference, string? partner,
        string facility, DateTime at, double? amount)
    {
        var dp = doc.Parameters;
        dp[0].Value = cid; dp[1].Value = inboxId; dp[2].Value = 1; dp[3].Value = kind; dp[4].Value = businessKey; dp[5].Value = (object?)reference ?? DBNull.Value;
        dp[6].Value = (object?)partner ?? DBNull.Value; dp[7].Value = facility; dp[8].Value = at.Date; dp[9].Value = (object?)amount ?? DBNull.Value; dp[10].Value = 1;
        dp[11].Value = "{}"; dp[12].Value = at;
        await doc.ExecuteNonQueryAsync();
    }

    private static async Task<Guid> AddExceptionAsync(SqliteCommand exception, Random rng, Guid cid, long inboxId, long? outboxId, string category, string code,
        string detail, string workflow, string facility, string source, double amount, (string Type, string Value) businessKey, DateTime at, DateTime now)
    {
        var id = Guid.CreateVersion7(new DateTimeOffset(at));
        var resolved = at < now.AddDays(-7) ? rng.NextDouble() < 0.9 : rng.NextDouble() < 0.4;
        var resolvedAt = resolved ? at.AddHours(rng.Next(1, 72)) : (DateTime?)null;
        if (resolvedAt > now) resolvedAt = now;
        var p = exception.Parameters;
        p[0].Value = id; p[1].Value = cid; p[2].Value = inboxId; p[3].Value = (object?)outboxId ?? DBNull.Value; p[4].Value = category; p[5].Value = code;
        p[6].Value = detail; p[7].Value = workflow; p[8].Value = facility; p[9].Value = source; p[10].Value = resolved ? "Resolved" : "Open";
        p[11].Value = workflow == WorkflowNames.ProcureToPay ? "supply-chain" : category == Categories.MappingGap ? "master-data" : "revenue-cycle";
        p[12].Value = DBNull.Value; p[13].Value = at + Categories.Sla(category); p[14].Value = amount; p[15].Value = businessKey.Type; p[16].Value = businessKey.Value;
        p[17].Value = 1; p[18].Value = at; p[19].Value = (object?)resolvedAt ?? DBNull.Value; p[20].Value = CauseClassifier.Key(category, code, detail);
        p[21].Value = DBNull.Value; p[22].Value = 0; p[23].Value = DBNull.Value; p[24].Value = resolved ? ResolutionCodes.FixedInSource : DBNull.Value;
        p[25].Value = DBNull.Value; p[26].Value = resolved ? "bench.admin" : DBNull.Value; p[27].Value = (object?)resolvedAt ?? DBNull.Value;
        await exception.ExecuteNonQueryAsync();
        return id;
    }
}
