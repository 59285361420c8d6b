using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;

namespace HealthSync.Engine.Tests.Kpis;

/// <summary>
/// A fresh database on the suite's provider (<see cref="TestDatabase"/>) migrated with the real scripts, and builders for
/// the facts the KPIs read, so every KPI formula is checked on SQLite and PostgreSQL alike.
/// </summary>
public sealed class KpiFacts : IAsyncDisposable
{
    public static readonly DateTime Now = new(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc);

    private readonly string _dir = Directory.CreateTempSubdirectory("healthsync-kpi-").FullName;

    private TestDatabase _database = default!;

    public HealthSyncDb Db { get; private set; } = default!;

    public static async Task<KpiFacts> CreateAsync()
    {
        var facts = new KpiFacts();
        facts._database = await TestDatabase.CreateAsync(facts._dir, "kpi.db");
        facts.Db = facts.NewDb();
        await DatabaseMigrator.MigrateAsync(facts.Db);
        return facts;
    }

    public HealthSyncDb NewDb() => _database.NewDb();

    /// <summary>A consumption (or reversal) usage event and, when given, its charge.</summary>
    public UsageEvent Usage(string sourceEventId, DateTime occurredAt, string facility = "NGH", bool billable = true, string kind = "Consumption", decimal amount = 100m, Guid? correlationId = null)
    {
        var u = new UsageEvent
        {
            Id = Guid.CreateVersion7(), CorrelationId = correlationId ?? Guid.NewGuid(), SourceEventId = sourceEventId, Kind = kind, Facility = facility, Location = "CATH",
            CostCenter = "CC-1", ItemCode = "ITM-1", Sku = "SKU-1", Quantity = 1, Uom = "EA", BaseQuantity = 1, Billable = billable, ChargeCode = billable ? "CDM-1" : null,
            ChargeAmount = kind == "Reversal" ? -amount : amount, OccurredAt = occurredAt, RecordedAt = occurredAt, Encounter = "E" + sourceEventId, PatientAccount = "A" + sourceEventId,
        };
        Db.UsageEvents.Add(u);
        return u;
    }

    public Charge Charge(UsageEvent u, PostingStatus status, decimal? amount = null, DateTime? postedAt = null)
    {
        var c = new Charge
        {
            Id = Guid.CreateVersion7(), UsageEventId = u.Id, CorrelationId = u.CorrelationId, Facility = u.Facility, ChargeCode = "CDM-1", Quantity = 1,
            Amount = amount ?? u.ChargeAmount, Status = status, CreatedAt = u.RecordedAt, PostedAt = status == PostingStatus.Posted ? postedAt ?? u.RecordedAt.AddMinutes(1) : null,
        };
        Db.Charges.Add(c);
        return c;
    }

    public ExceptionRecord Exception(Guid correlationId, string workflow, string category, DateTime createdAt, string? facility = "NGH", decimal amount = 100m,
        long? inboxMessageId = 1, ExceptionStatus status = ExceptionStatus.Open, DateTime? slaDueAt = null, DateTime? resolvedAt = null, string? team = "revenue-cycle",
        string? owner = null, long? outboxMessageId = null, string code = "unmapped-charge-code")
    {
        var e = new ExceptionRecord
        {
            Id = Guid.CreateVersion7(), CorrelationId = correlationId, InboxMessageId = inboxMessageId, OutboxMessageId = outboxMessageId, Category = category, ErrorCode = code,
            ErrorDetail = $"{code} for a test", Workflow = workflow, Facility = facility, SourceSystem = "POU", Status = status, Team = team, Owner = owner,
            SlaDueAt = slaDueAt ?? createdAt.AddHours(24), AmountAtRisk = amount, CreatedAt = createdAt, ResolvedAt = resolvedAt, CauseKey = $"{category}|{code}",
        };
        Db.Exceptions.Add(e);
        return e;
    }

    public OutboxMessage Outbox(string operation, string target, DateTime createdAt, OutboxStatus status, int attempts = 1, DateTime? deliveredAt = null,
        DateTime? sourceReceivedAt = null, Guid? correlationId = null, string? facility = "NGH", string? idempotencyKey = null)
    {
        var o = new OutboxMessage
        {
            CorrelationId = correlationId ?? Guid.NewGuid(), TargetSystem = target, Operation = operation, Payload = "{}", IdempotencyKey = idempotencyKey ?? Guid.NewGuid().ToString(),
            OrderingKey = "k", Status = status, Attempts = attempts, CreatedAt = createdAt, NextAttemptAt = createdAt,
            DeliveredAt = status == OutboxStatus.Delivered ? deliveredAt ?? createdAt.AddSeconds(1) : null, SourceReceivedAt = sourceReceivedAt ?? createdAt, Facility = facility,
        };
        Db.OutboxMessages.Add(o);
        return o;
    }

    public InboxMessage Inbox(DateTime receivedAt, string format = "hl7v2", string? messageType = "DFT^P03")
    {
        var m = new InboxMessage
        {
            CorrelationId = Guid.NewGuid(), IdempotencyKey = Guid.NewGuid().ToString(), SourceSystem = "POU", Transport = "mllp", Format = format, MessageType = messageType,
            Payload = [1], ReceivedAt = receivedAt, Status = InboxStatus.Processed,
        };
        Db.InboxMessages.Add(m);
        return m;
    }

    public BusinessDocument Document(string kind, string businessKey, string? partner = null, string? facility = null, string? reference = null, DateTime? date = null)
    {
        var d = new BusinessDocument
        {
            CorrelationId = Guid.NewGuid(), InboxMessageId = 1, Kind = kind, BusinessKey = businessKey, Partner = partner, Facility = facility, Reference = reference,
            DocumentDate = date, Canonical = "{}", RecordedAt = date ?? Now,
        };
        Db.BusinessDocuments.Add(d);
        return d;
    }

    public Task SaveAsync() => Db.SaveChangesAsync();

    public async ValueTask DisposeAsync()
    {
        await Db.DisposeAsync();
        await _database.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
