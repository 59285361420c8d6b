using System.Diagnostics;
using System.Globalization;
using HealthSync.Engine;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Lineage;
using Microsoft.Data.Sqlite;

namespace HealthSync.Benchmarks;

/// <summary>What the seeder wrote, and the values the measured queries filter on.</summary>
internal sealed record SeededExceptions(
    int Total, int Open, int WithMessage, int DistinctCauses, TimeSpan Elapsed,
    string CommonCause, string EntityType, string Entity, string TextKey, IReadOnlyList<Guid> DetailIds, string Admin);

/// <summary>
/// Writes a realistic exception history straight into a migrated database with batched, prepared ADO.NET inserts
/// inside large transactions (no change tracking). The exceptions table's secondary indexes are dropped for the load
/// and recreated from their own stored DDL afterwards, so the schema ends up exactly as migrated.
/// </summary>
internal static class ExceptionSeeder
{
    public const int Seed = 20261120;
    private const int Batch = 50_000;

    public static readonly string[] Facilities = ["NGH", "SCH", "CMC"];
    public static readonly string[] Teams = ["revenue-cycle", "supply-chain", "master-data", "integration-ops"];
    public static readonly string[] Owners = ["avery.chen", "jordan.patel", "sam.rivera", "morgan.lee", "casey.nguyen", "riley.brooks", "taylor.kim", "drew.santos"];
    public const string AdminUser = "bench.admin";

    private static readonly string[] Sources = ["or-documentation", "erp", "billing", "supplier-edi", "clearinghouse", "payment-gateway", "adt"];

    /// <summary>Ten failure shapes; each combined with twenty context words gives 200 distinct cause groups.</summary>
    private static readonly (string Category, string Code, string Format)[] Shapes =
    [
        (Categories.MappingGap, "MAP-ITEM", "No SKU mapped for item '{0}' used in {1} (event {2})"),
        (Categories.MappingGap, "MAP-CHARGE", "SKU-{2} has no charge code in the chargemaster for {1}"),
        (Categories.Validation, "VAL-QTY", "Quantity {2} outside the allowed range for {1} line {3}"),
        (Categories.Validation, "VAL-REQUIRED", "Required field '{0}' missing from {1} segment {3}"),
        (Categories.UpstreamData, "UPS-PRICE", "Invoice price {2}.{3} differs from the PO price by more than tolerance for {1}"),
        (Categories.UpstreamData, "UPS-QTY", "Received quantity {2} does not match ordered {3} on {1}"),
        (Categories.DownstreamUnavailable, "DOWN-HTTP", "POST to {1} failed with HTTP 503 after {2} attempts ({3} ms)"),
        (Categories.DownstreamUnavailable, "DOWN-TIMEOUT", "Timed out after {2} s waiting for {1} acknowledgement {3}"),
        (Categories.Duplicate, "DUP-EVENT", "Event {2} already processed for {1}; control number '{0}'"),
        (Categories.Sequencing, "SEQ-ORDER", "Update {2} for {1} arrived before create {3}"),
    ];

    private static readonly string[] Contexts =
    [
        "main OR suite", "cardiac cath lab", "emergency department", "intensive care unit", "medical surgical unit",
        "billing interface", "ERP inventory", "warehouse management", "supplier portal", "payment gateway",
        "Medline orders", "Stryker orders", "Cardinal orders", "chargemaster", "claims clearinghouse",
        "remittance advice", "settlement file", "patient accounting", "item master", "vendor master",
    ];

    public static async Task<SeededExceptions> SeedAsync(string connectionString, int total, int withMessage, DateTime now, Report report)
    {
        var watch = Stopwatch.StartNew();
        await using var c = new SqliteConnection(connectionString);
        await c.OpenAsync();
        await ExecAsync(c, "PRAGMA synchronous=OFF; PRAGMA cache_size=-200000; PRAGMA temp_store=MEMORY;");

        // Secondary indexes of the exceptions table: dropped for the load, rebuilt from their own DDL afterwards.
        var indexes = new List<(string Name, string Sql)>();
        await using (var cmd = c.CreateCommand())
        {
            cmd.CommandText = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'exceptions' AND sql IS NOT NULL";
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) indexes.Add((r.GetString(0), r.GetString(1)));
        }
        foreach (var (name, _) in indexes) await ExecAsync(c, $"DROP INDEX \"{name}\"");

        await SeedUsersAsync(c, now);
        var payloads = Payloads();
        var rng = new Random(Seed);
        var causes = new HashSet<string>(StringComparer.Ordinal);
        var causeCounts = new Dictionary<string, int>(StringComparer.Ordinal);
        var detailIds = new List<Guid>();
        string? entityType = null, entity = null, textKey = null;
        var open = 0;
        var sampleEvery = withMessage > 0 ? Math.Max(1, total / withMessage) : int.MaxValue;
        long messageId = 0;
        var span = TimeSpan.FromDays(10);
        var start = now - span;

        var ex = Insert(c, "exceptions",
            "id", "correlation_id", "inbox_message_id", "outbox_message_id", "category", "error_code", "error_detail", "workflow", "facility",
            "source_system", "status", "team", "owner", "sla_due_at", "amount_at_risk", "business_key_type", "business_key", "payload_version",
            "created_at", "resolved_at", "cause_key", "replay_state", "replay_count", "last_replay_error", "resolution_code", "resolution_note",
            "resolved_by", "updated_at");
        var inbox = Insert(c, "inbox_messages",
            "correlation_id", "idempotency_key", "source_system", "transport", "format", "message_type", "ordering_key", "payload", "payload_version",
            "received_at", "status", "attempts", "processed_at", "last_error", "quarantine_reason");
        var step = Insert(c, "lineage_steps", "correlation_id", "step", "system", "outcome", "detail", "payload_version", "at", "inbox_message_id", "outbox_message_id");
        var key = Insert(c, "business_keys", "correlation_id", "key_type", "key_value");

        var tx = c.BeginTransaction();
        Enlist(tx, ex, inbox, step, key);
        for (var i = 0; i < total; i++)
        {
            if (i > 0 && i % Batch == 0)
            {
                tx.Commit();
                tx.Dispose();
                tx = c.BeginTransaction();
                Enlist(tx, ex, inbox, step, key);
                if (i % (Batch * 4) == 0) report.Progress($"seeded {i:N0} exceptions");
            }

            // Arrival order is chronological, like the engine writes them; ids are time-ordered (v7) as in production.
            var created = start + TimeSpan.FromTicks((long)(span.Ticks * (i + rng.NextDouble()) / total));
            var id = Guid.CreateVersion7(new DateTimeOffset(created));
            var correlation = Guid.NewGuid();

            // A few causes dominate, as in real failure queues: squared uniform over the 200 groups.
            var u = rng.NextDouble();
            var causeIndex = (int)(u * u * Shapes.Length * Contexts.Length);
            var shape = Shapes[causeIndex % Shapes.Length];
            var context = Contexts[causeIndex / Shapes.Length];
            var quoted = "ITM-" + rng.Next(1000, 99999).ToString(CultureInfo.InvariantCulture);
            var detail = string.Format(CultureInfo.InvariantCulture, shape.Format, quoted, context, rng.Next(1, 99999), rng.Next(1, 999));
            var cause = CauseClassifier.Key(shape.Category, shape.Code, detail);
            causes.Add(cause);
            causeCounts[cause] = causeCounts.GetValueOrDefault(cause) + 1;

            var workflow = WorkflowNames.All[rng.Next(WorkflowNames.All.Count)];
            var facility = rng.NextDouble() < 0.03 ? null : Facilities[rng.Next(Facilities.Length)];
            var team = TeamFor(shape.Category, workflow);
            var owner = rng.NextDouble() < 0.5 ? null : Owners[rng.Next(Owners.Length)];
            var sla = now + TimeSpan.FromMinutes(rng.Next(-3 * 24 * 60, 3 * 24 * 60));
            var r3 = rng.NextDouble();
            var amount = Math.Round(r3 * r3 * 25_000, 2);
            var (keyType, keyValue) = BusinessKeyFor(rng, workflow);
            var resolved = rng.NextDouble() < 0.30;
            if (!resolved) open++;
            var resolvedAt = resolved ? created + TimeSpan.FromMinutes(rng.Next(5, 3 * 24 * 60)) : (DateTime?)null;
            if (resolvedAt > now) resolvedAt = now;
            var sampled = i % sampleEvery == 0 && detailIds.Count < withMessage;
            long? inboxId = sampled ? ++messageId : null;

            var p = ex.Parameters;
            p[0].Value = id;
            p[1].Value = correlation;
            p[2].Value = (object?)inboxId ?? DBNull.Value;
            p[3].Value = DBNull.Value;
            p[4].Value = shape.Category;
            p[5].Value = shape.Code;
            p[6].Value = detail;
            p[7].Value = workflow;
            p[8].Value = (object?)facility ?? DBNull.Value;
            p[9].Value = Sources[rng.Next(Sources.Length)];
            p[10].Value = resolved ? "Resolved" : "Open";
            p[11].Value = team;
            p[12].Value = (object?)owner ?? DBNull.Value;
            p[13].Value = sla;
            p[14].Value = amount;
            p[15].Value = (object?)keyType ?? DBNull.Value;
            p[16].Value = (object?)keyValue ?? DBNull.Value;
            p[17].Value = 1;
            p[18].Value = created;
            p[19].Value = (object?)resolvedAt ?? DBNull.Value;
            p[20].Value = cause;
            p[21].Value = DBNull.Value;
            p[22].Value = 0;
            p[23].Value = DBNull.Value;
            p[24].Value = resolved ? ResolutionCodes.Offered[rng.Next(ResolutionCodes.Offered.Count - 1)] : DBNull.Value;
            p[25].Value = DBNull.Value;
            p[26].Value = resolved ? owner ?? Owners[0] : DBNull.Value;
            p[27].Value = (object?)resolvedAt ?? DBNull.Value;
            await ex.ExecuteNonQueryAsync();

            if (!sampled) continue;
            // The stored message, its business keys and lineage, so the detail page has everything to load.
            var payload = payloads[detailIds.Count % payloads.Count];
            var ip = inbox.Parameters;
            ip[0].Value = correlation;
            ip[1].Value = "bench:" + inboxId!.Value.ToString(CultureInfo.InvariantCulture);
            ip[2].Value = p[9].Value;
            ip[3].Value = "mllp";
            ip[4].Value = "hl7v2";
            ip[5].Value = payload.Type;
            ip[6].Value = (object?)keyValue ?? DBNull.Value;
            ip[7].Value = payload.Bytes;
            ip[8].Value = 1;
            ip[9].Value = created;
            ip[10].Value = "Processed";
            ip[11].Value = 1;
            ip[12].Value = created;
            ip[13].Value = DBNull.Value;
            ip[14].Value = DBNull.Value;
            await inbox.ExecuteNonQueryAsync();

            (string Step, string Outcome, string Detail)[] steps =
            [
                (Steps.Received, Steps.Ok, $"received over mllp from {p[9].Value}"),
                (Steps.Parsed, Steps.Ok, $"{payload.Type} read"),
                (Steps.Failed, Steps.Error, detail),
            ];
            var offset = 0;
            foreach (var s in steps)
            {
                var sp = step.Parameters;
                sp[0].Value = correlation;
                sp[1].Value = s.Step;
                sp[2].Value = "engine";
                sp[3].Value = s.Outcome;
                sp[4].Value = s.Detail;
                sp[5].Value = 1;
                sp[6].Value = created.AddMilliseconds(offset++ * 15);
                sp[7].Value = inboxId.Value;
                sp[8].Value = DBNull.Value;
                await step.ExecuteNonQueryAsync();
            }

            var keys = new List<(string, string)> { ("msh-10", "MSG" + inboxId.Value.ToString("D9", CultureInfo.InvariantCulture)) };
            if (keyType is not null) keys.Add((keyType, keyValue!));
            foreach (var (t, v) in keys)
            {
                key.Parameters[0].Value = correlation;
                key.Parameters[1].Value = t;
                key.Parameters[2].Value = v;
                await key.ExecuteNonQueryAsync();
            }
            detailIds.Add(id);
            if (keyType == KeyTypes.PurchaseOrder && textKey is null && !resolved) textKey = keyValue;
            if (keyType == KeyTypes.Encounter && entity is null && !resolved)
            {
                entityType = keyType;
                entity = keyValue;
            }
        }
        tx.Commit();
        tx.Dispose();
        foreach (var cmd in new[] { ex, inbox, step, key }) await cmd.DisposeAsync();

        report.Progress($"seeded {total:N0} exceptions; rebuilding {indexes.Count} indexes");
        foreach (var (_, sql) in indexes) await ExecAsync(c, sql);
        await ExecAsync(c, "PRAGMA wal_checkpoint(TRUNCATE);");

        var common = causeCounts.MaxBy(kv => kv.Value).Key;
        return new SeededExceptions(total, open, detailIds.Count, causes.Count, watch.Elapsed, common,
            entityType ?? KeyTypes.Encounter, entity ?? "ENC000000", textKey ?? "PO-000000", detailIds, AdminUser);
    }

    /// <summary>The team the product's default routing would pick for a category and workflow.</summary>
    private static string TeamFor(string category, string workflow) => category switch
    {
        Categories.MappingGap => "master-data",
        Categories.DownstreamUnavailable => "integration-ops",
        Categories.UpstreamData => "supply-chain",
        _ => workflow switch
        {
            WorkflowNames.ProcureToPay => "supply-chain",
            WorkflowNames.MasterData => "master-data",
            _ => "revenue-cycle",
        },
    };

    /// <summary>Business keys with realistic cardinality: many encounters, fewer orders and invoices, a few hundred items.</summary>
    private static (string? Type, string? Value) BusinessKeyFor(Random rng, string workflow)
    {
        if (rng.NextDouble() < 0.05) return (null, null);
        string Num(string prefix, int distinct) => prefix + rng.Next(distinct).ToString("D6", CultureInfo.InvariantCulture);
        return workflow switch
        {
            WorkflowNames.SupplyCharge => rng.NextDouble() < 0.7 ? (KeyTypes.Encounter, Num("ENC", 150_000)) : (KeyTypes.Item, Num("ITM-", 500)),
            WorkflowNames.ProcureToPay => rng.NextDouble() < 0.6 ? (KeyTypes.PurchaseOrder, Num("PO-", 40_000)) : (KeyTypes.Invoice, Num("INV-", 60_000)),
            WorkflowNames.PaymentPosting => (KeyTypes.Invoice, Num("INV-", 60_000)),
            WorkflowNames.DischargeToRevenue => (KeyTypes.Encounter, Num("ENC", 150_000)),
            _ => (KeyTypes.Item, Num("ITM-", 500)),
        };
    }

    private static async Task SeedUsersAsync(SqliteConnection c, DateTime now)
    {
        await using var tx = c.BeginTransaction();
        var users = Insert(c, "users", "id", "user_name", "display_name", "password_hash", "role", "team", "disabled", "created_at");
        users.Transaction = tx;
        var all = new List<(string Name, string Role, string? Team)> { (AdminUser, Roles.Admin, null) };
        for (var i = 0; i < Owners.Length; i++)
            all.Add((Owners[i], i % 2 == 0 ? Roles.Analyst : Roles.SupplyChainLead, Teams[i % Teams.Length]));
        foreach (var (name, role, team) in all)
        {
            var p = users.Parameters;
            p[0].Value = Guid.NewGuid();
            p[1].Value = name;
            p[2].Value = name;
            p[3].Value = "not-a-login";
            p[4].Value = role;
            p[5].Value = (object?)team ?? DBNull.Value;
            p[6].Value = 0;
            p[7].Value = now;
            await users.ExecuteNonQueryAsync();
        }
        await users.DisposeAsync();
        await tx.CommitAsync();
    }

    private static List<(string Type, byte[] Bytes)> Payloads()
    {
        var dir = Path.Combine(SamplesRoot(), "hl7v2");
        return Directory.EnumerateFiles(dir, "*.hl7").Order(StringComparer.Ordinal)
            .Select(f => (Path.GetFileNameWithoutExtension(f).Split('_').Last(), File.ReadAllBytes(f))).ToList();
    }

    private static string SamplesRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "HealthSync.Portal.sln"))) dir = dir.Parent;
        return dir is null ? throw new DirectoryNotFoundException("HealthSync.Portal.sln not found") : Path.Combine(dir.FullName, "tests", "samples");
    }

    internal static SqliteCommand Insert(SqliteConnection c, string table, params string[] columns)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = $"INSERT INTO \"{table}\" ({string.Join(", ", columns.Select(x => $"\"{x}\""))}) VALUES ({string.Join(", ", columns.Select((_, i) => "$p" + i.ToString(CultureInfo.InvariantCulture)))})";
        for (var i = 0; i < columns.Length; i++) cmd.Parameters.Add(new SqliteParameter("$p" + i.ToString(CultureInfo.InvariantCulture), null));
        return cmd;
    }

    internal static void Enlist(SqliteTransaction tx, params SqliteCommand[] commands)
    {
        foreach (var cmd in commands) cmd.Transaction = tx;
    }

    internal static async Task ExecAsync(SqliteConnection c, string sql)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        await cmd.ExecuteNonQueryAsync();
    }
}
