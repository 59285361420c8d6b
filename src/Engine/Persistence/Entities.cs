namespace HealthSync.Engine.Persistence;

/// <summary>The lifecycle of a raw inbound message in the inbox.</summary>
public enum InboxStatus { Received, Processed, Rejected }

/// <summary>A raw inbound message exactly as received, stored before the sender is acknowledged.</summary>
public sealed class InboxMessage
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string SourceSystem { get; set; }
    public required string Transport { get; set; }
    public required string Format { get; set; }
    public string? MessageType { get; set; }
    public string? OrderingKey { get; set; }

    /// <summary>The work partition of <see cref="OrderingKey"/> (<see cref="WorkPartitions"/>), set when the row is stored.</summary>
    public int WorkPartition { get; set; }
    public required byte[] Payload { get; set; }
    public int PayloadVersion { get; set; } = 1;

    /// <summary>
    /// Set by the transport when it refused the input before it could be read (too large, wrong media type): the
    /// bytes it kept are stored all the same, and the processor raises an exception with this reason instead of parsing.
    /// </summary>
    public string? QuarantineReason { get; set; }
    public DateTime ReceivedAt { get; set; }
    public InboxStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime? ProcessedAt { get; set; }
    public string? LastError { get; set; }
}

/// <summary>A message the engine owes a target system; delivered at least once, applied once thanks to its idempotency key.</summary>
public enum OutboxStatus { Pending, Delivered, Failed }

public sealed class OutboxMessage
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public long? InboxMessageId { get; set; }
    public Guid? FactId { get; set; }
    public required string TargetSystem { get; set; }
    public required string Operation { get; set; }
    public required string Payload { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string OrderingKey { get; set; }

    /// <summary>The work partition of <see cref="OrderingKey"/> (<see cref="WorkPartitions"/>), set when the row is stored.</summary>
    public int WorkPartition { get; set; }
    public OutboxStatus Status { get; set; }
    public int Attempts { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }

    /// <summary>How long the successful call to the target took, in milliseconds (the endpoint's latency).</summary>
    public double? CallMilliseconds { get; set; }
    public DateTime SourceReceivedAt { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public string? RemoteReference { get; set; }
    public decimal AmountAtRisk { get; set; }
    public string? Facility { get; set; }
}

public sealed class LineageStep
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public required string Step { get; set; }
    public required string System { get; set; }
    public required string Outcome { get; set; }
    public string? Detail { get; set; }
    public int PayloadVersion { get; set; } = 1;
    public DateTime At { get; set; }
    public long? InboxMessageId { get; set; }
    public long? OutboxMessageId { get; set; }
}

public sealed class BusinessKey
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public required string KeyType { get; set; }
    public required string KeyValue { get; set; }
}

/// <summary>
/// A business document read from an inbound message (purchase order, acknowledgement, ship notice, receipt, invoice,
/// claim, remittance, settlement, billing receipt, visit, device): the canonical JSON plus the columns the matchers,
/// KPIs and lineage search need.
/// </summary>
public sealed class BusinessDocument
{
    public long Id { get; set; }
    public Guid CorrelationId { get; set; }
    public long InboxMessageId { get; set; }
    public int PayloadVersion { get; set; } = 1;
    public required string Kind { get; set; }
    public required string BusinessKey { get; set; }

    /// <summary>The document this one answers or bills (the PO of an 855, 856 or 810); null when none.</summary>
    public string? Reference { get; set; }

    /// <summary>The trading partner: vendor, payer or gateway.</summary>
    public string? Partner { get; set; }
    public string? Facility { get; set; }
    public DateTime? DocumentDate { get; set; }
    public decimal? Amount { get; set; }
    public int LineCount { get; set; }
    public required string Canonical { get; set; }
    public DateTime RecordedAt { get; set; }
}

public enum ExceptionStatus { Open, Resolved }

/// <summary>A failure or mismatch that a person must resolve, replay or reassign.</summary>
public sealed class ExceptionRecord
{
    public Guid Id { get; set; }
    public Guid CorrelationId { get; set; }
    public long? InboxMessageId { get; set; }
    public long? OutboxMessageId { get; set; }
    public required string Category { get; set; }
    public required string ErrorCode { get; set; }
    public required string ErrorDetail { get; set; }
    public required string Workflow { get; set; }
    public string? Facility { get; set; }
    public required string SourceSystem { get; set; }
    public ExceptionStatus Status { get; set; }
    public string? Team { get; set; }
    public string? Owner { get; set; }
    public DateTime SlaDueAt { get; set; }
    public decimal AmountAtRisk { get; set; }
    public string? BusinessKeyType { get; set; }
    public string? BusinessKey { get; set; }
    public int PayloadVersion { get; set; } = 1;
    public DateTime CreatedAt { get; set; }
    public DateTime? ResolvedAt { get; set; }

    /// <summary>The failure group this exception belongs to (category, error kind and normalised message), for grouped actions.</summary>
    public string CauseKey { get; set; } = "";

    /// <summary>Null until replayed; then pending, awaiting-delivery, failed or succeeded.</summary>
    public string? ReplayState { get; set; }
    public int ReplayCount { get; set; }
    public string? LastReplayError { get; set; }
    public string? ResolutionCode { get; set; }
    public string? ResolutionNote { get; set; }
    public string? ResolvedBy { get; set; }
    public DateTime? UpdatedAt { get; set; }
}

/// <summary>A note a person left on an exception.</summary>
public sealed class ExceptionComment
{
    public long Id { get; set; }
    public Guid ExceptionId { get; set; }
    public DateTime At { get; set; }
    public required string Author { get; set; }
    public required string Text { get; set; }
}

/// <summary>One version of a message's payload; version 1 is what the sender sent, later ones are audited edits.</summary>
public sealed class PayloadVersion
{
    public long Id { get; set; }
    public long InboxMessageId { get; set; }
    public int Version { get; set; }
    public required byte[] Payload { get; set; }
    public DateTime CreatedAt { get; set; }
    public required string CreatedBy { get; set; }
    public string? Reason { get; set; }
}

/// <summary>A named exception filter shared with a team.</summary>
public sealed class SavedView
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Team { get; set; }
    public required string Query { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
}

public enum BulkStatus { Queued, Running, Completed, Failed }

/// <summary>An action applied to every exception a filter or group selected when it was started, run in the background.</summary>
public sealed class BulkOperation
{
    public Guid Id { get; set; }
    public required string Action { get; set; }
    public required string Selection { get; set; }
    public string? Parameters { get; set; }
    public required string ExceptionIds { get; set; }
    public int Total { get; set; }
    public int Processed { get; set; }
    public int Succeeded { get; set; }
    public int Failed { get; set; }
    public BulkStatus Status { get; set; }
    public required string CreatedBy { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? FinishedAt { get; set; }
    public string? LastError { get; set; }
}

public sealed class UsageEvent
{
    public Guid Id { get; set; }
    public Guid CorrelationId { get; set; }
    public required string SourceEventId { get; set; }
    public required string Kind { get; set; }
    public required string Facility { get; set; }
    public required string Location { get; set; }
    public required string CostCenter { get; set; }
    public required string ItemCode { get; set; }
    public required string Sku { get; set; }
    public decimal Quantity { get; set; }
    public required string Uom { get; set; }
    public decimal BaseQuantity { get; set; }
    public string? Lot { get; set; }
    public string? Serial { get; set; }
    public string? PatientMrn { get; set; }
    public string? PatientAccount { get; set; }
    public string? Encounter { get; set; }
    public bool Billable { get; set; }
    public string? ChargeCode { get; set; }
    public decimal ChargeAmount { get; set; }
    public DateTime OccurredAt { get; set; }
    public DateTime RecordedAt { get; set; }
}

public enum PostingStatus { Pending, Posted, Failed }

public sealed class Charge
{
    public Guid Id { get; set; }
    public Guid UsageEventId { get; set; }
    public Guid CorrelationId { get; set; }
    public required string Facility { get; set; }
    public required string ChargeCode { get; set; }
    public decimal Quantity { get; set; }
    public decimal Amount { get; set; }
    public PostingStatus Status { get; set; }
    public string? BillingReference { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PostedAt { get; set; }
}

public sealed class InventoryMovement
{
    public Guid Id { get; set; }
    public Guid UsageEventId { get; set; }
    public Guid CorrelationId { get; set; }
    public required string Facility { get; set; }
    public required string Location { get; set; }
    public required string Sku { get; set; }
    public decimal QuantityDelta { get; set; }
    public PostingStatus Status { get; set; }
    public string? ErpReference { get; set; }
    public decimal? OnHandAfter { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? PostedAt { get; set; }
}

public sealed class ReplenishmentSignal
{
    public Guid Id { get; set; }
    public Guid CorrelationId { get; set; }
    public required string Facility { get; set; }
    public required string Location { get; set; }
    public required string Sku { get; set; }
    public decimal OnHand { get; set; }
    public decimal ParLevel { get; set; }
    public PostingStatus Status { get; set; }
    public DateTime CreatedAt { get; set; }
}

public sealed class Facility
{
    public required string Code { get; set; }
    public required string Name { get; set; }
}

/// <summary>Clinical item (or GTIN/UDI) to ERP SKU, optionally overridden per facility, valid over a date range.</summary>
public sealed class ItemMapping
{
    public long Id { get; set; }
    public required string ItemCode { get; set; }
    public string? Facility { get; set; }
    public required string Sku { get; set; }
    public required string Description { get; set; }
    public bool Active { get; set; } = true;
    public bool LotTracked { get; set; }
    public bool Billable { get; set; }
    public required string BaseUom { get; set; }
    public decimal ParLevel { get; set; }
    public DateTime EffectiveFrom { get; set; }
    public DateTime? EffectiveTo { get; set; }
}

/// <summary>ERP SKU to charge description master code and price; payers listed in PayerRestrictions may not be billed for it.</summary>
public sealed class ChargeCodeMapping
{
    public long Id { get; set; }
    public required string Sku { get; set; }
    public string? Facility { get; set; }
    public required string ChargeCode { get; set; }
    public decimal UnitPrice { get; set; }
    public bool Billable { get; set; } = true;
    /// <summary>Comma-separated payer ids that do not pay this charge separately (e.g. bundled under a contract).</summary>
    public string? PayerRestrictions { get; set; }
    public DateTime EffectiveFrom { get; set; }
    public DateTime? EffectiveTo { get; set; }
}

public sealed class LocationMapping
{
    public long Id { get; set; }
    public required string Facility { get; set; }
    public required string LocationCode { get; set; }
    public required string CostCenter { get; set; }
    public required string ErpLocation { get; set; }
    public bool Active { get; set; } = true;
    public DateTime EffectiveFrom { get; set; }
    public DateTime? EffectiveTo { get; set; }
}

/// <summary>How many base units one of <see cref="FromUom"/> holds for a SKU (a box of 10, a case of 12), optionally per facility.</summary>
public sealed class UomConversion
{
    public long Id { get; set; }
    public required string Sku { get; set; }
    public string? Facility { get; set; }
    public required string FromUom { get; set; }
    public decimal Factor { get; set; }
    public DateTime EffectiveFrom { get; set; }
    public DateTime? EffectiveTo { get; set; }
}

/// <summary>One supplier as each system knows it: the ERP vendor id, the procurement system's id and the EDI partner id.</summary>
public sealed class SupplierMapping
{
    public long Id { get; set; }
    public required string ErpVendorId { get; set; }
    public string? Facility { get; set; }
    public required string Name { get; set; }
    public string? ProcurementId { get; set; }
    public string? EdiPartnerId { get; set; }
    public DateTime EffectiveFrom { get; set; }
    public DateTime? EffectiveTo { get; set; }
}

public enum MappingChangeStatus { Pending, Applied, Rejected }

/// <summary>
/// One change to a crosswalk: who asked, why, the row before and after (JSON). Mapping types that require a second
/// person's approval keep the change Pending until another admin applies or rejects it.
/// </summary>
public sealed class MappingChange
{
    public long Id { get; set; }
    public required string MappingType { get; set; }
    public long? MappingId { get; set; }
    public required string Action { get; set; }
    public MappingChangeStatus Status { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public required string Reason { get; set; }
    public required string RequestedBy { get; set; }
    public DateTime RequestedAt { get; set; }
    public string? DecidedBy { get; set; }
    public DateTime? DecidedAt { get; set; }
    public string? DecisionNote { get; set; }
}

/// <summary>An administrator's setting (SLA, tolerance, masking rule, retention) as a validated key and value.</summary>
public sealed class Setting
{
    public required string Key { get; set; }
    public required string Value { get; set; }
    public required string UpdatedBy { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>The named business owner accountable for a workflow.</summary>
public sealed class WorkflowOwner
{
    public required string Workflow { get; set; }
    public required string Owner { get; set; }
    public string? Contact { get; set; }
}

public sealed class RoutingRule
{
    public long Id { get; set; }
    public required string Category { get; set; }
    public string? Workflow { get; set; }
    public string? Facility { get; set; }
    public required string Team { get; set; }
}

/// <summary>The system of record for an entity, or for one field of it when <see cref="Field"/> is set.</summary>
public sealed class OwnershipEntry
{
    public long Id { get; set; }
    public required string Entity { get; set; }
    public string? Field { get; set; }
    public required string SystemOfRecord { get; set; }
    public string? BusinessOwner { get; set; }
}

public sealed class User
{
    public Guid Id { get; set; }
    public required string UserName { get; set; }
    public required string DisplayName { get; set; }
    public required string PasswordHash { get; set; }
    public required string Role { get; set; }
    public string? Team { get; set; }
    public bool Disabled { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Set when an administrator resets the password: the user must choose a new one at the next sign-in.</summary>
    public bool MustChangePassword { get; set; }
    public DateTime? PasswordChangedAt { get; set; }
}

public sealed class ApiKey
{
    public Guid Id { get; set; }
    public Guid UserId { get; set; }
    public required string Name { get; set; }
    public required string Prefix { get; set; }
    public required string KeyHash { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

public sealed class AuditEntry
{
    public long Id { get; set; }
    public DateTime At { get; set; }
    public required string Actor { get; set; }
    public required string Action { get; set; }
    public required string TargetType { get; set; }
    public string? TargetId { get; set; }
    public string? Detail { get; set; }
    public string? Reason { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
}

/// <summary>Inventory position held by the simulated ERP (demo mode only).</summary>
public sealed class EstateInventory
{
    public long Id { get; set; }
    public required string Facility { get; set; }
    public required string Location { get; set; }
    public required string Sku { get; set; }
    public decimal OnHand { get; set; }
    public decimal ParLevel { get; set; }
}

/// <summary>A document posted into a simulated system, keyed by the caller's idempotency key.</summary>
public sealed class EstatePosting
{
    public long Id { get; set; }
    public required string System { get; set; }
    public required string Kind { get; set; }
    public required string IdempotencyKey { get; set; }
    public required string Reference { get; set; }
    public string? Facility { get; set; }
    public string? Sku { get; set; }
    public decimal Quantity { get; set; }
    public decimal Amount { get; set; }
    public DateTime ReceivedAt { get; set; }
    public int RequestCount { get; set; }
}

/// <summary>
/// <see cref="Interrupted"/>: the process running it stopped (crash, kill, node lost) before it could record an outcome,
/// known because its heartbeat stopped; whatever it committed stays, and the next run starts afresh.
/// </summary>
public enum JobRunStatus { Running, Succeeded, Failed, Interrupted }

/// <summary>One run of a scheduled job: who or what started it, how far it got, what it examined, matched and raised.</summary>
public sealed class JobRun
{
    public Guid Id { get; set; }
    public required string JobName { get; set; }
    public required string TriggeredBy { get; set; }

    /// <summary>The fire time a scheduled run belongs to: in a cluster, one run per fire time, whichever node took it.</summary>
    public DateTime? ScheduledAt { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime? FinishedAt { get; set; }

    /// <summary>Last sign of life of a running run, written every <see cref="Jobs.JobOptions.HeartbeatSeconds"/> by the process running it.</summary>
    public DateTime? HeartbeatAt { get; set; }
    public JobRunStatus Status { get; set; }
    public int Progress { get; set; }
    public int Examined { get; set; }
    public int Matched { get; set; }
    public int ExceptionsRaised { get; set; }
    public string? Message { get; set; }
}

/// <summary>
/// The latest verdict of a reconciliation on one item (an invoice line, a billable usage, a settlement, an item-location,
/// an order awaiting its acknowledgement). Keyed by (reconciliation, subject), so re-running a job updates the verdict
/// instead of adding a second one; the KPIs read these rows.
/// </summary>
public sealed class ReconciliationResult
{
    public long Id { get; set; }
    public required string Reconciliation { get; set; }
    public required string SubjectKey { get; set; }
    public required string Outcome { get; set; }
    public bool Matched { get; set; }
    public string? Facility { get; set; }
    public string? Partner { get; set; }
    public decimal Amount { get; set; }
    public decimal Variance { get; set; }
    public string? Detail { get; set; }

    /// <summary>The record the verdict points to, where it names one: the AP batch an aggregated invoice was posted in.</summary>
    public string? Reference { get; set; }
    public DateTime SubjectDate { get; set; }
    public DateTime EvaluatedAt { get; set; }
    public Guid RunId { get; set; }
    public Guid? ExceptionId { get; set; }
}

/// <summary>How far a micro-batch has read its source; advanced in the same transaction as the batch's facts.</summary>
public sealed class Checkpoint
{
    public required string Name { get; set; }
    public long Position { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>
/// One worker's hold on one partition of a queue (inbox or outbox) on PostgreSQL: only the holder processes the
/// partition's rows, and it must renew before <see cref="ExpiresAt"/>, so a dead worker's partitions pass to others.
/// </summary>
public sealed class WorkLease
{
    public required string Queue { get; set; }
    public int WorkPartition { get; set; }
    public string? Owner { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>A live worker process (a heartbeat): the number of live owners decides each one's fair share of partitions.</summary>
public sealed class WorkOwner
{
    public required string Owner { get; set; }
    public DateTime StartedAt { get; set; }
    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// One closed UTC day of one KPI measure for one combination of the cuts, recomputed from the stored facts by the
/// <c>kpi-rollup</c> job (never incremented), so dashboards over long windows add up days instead of re-reading every fact.
/// </summary>
/// <remarks>
/// Measures: <c>ratio</c> — the KPI's items (<see cref="Items"/>), counted (<see cref="Counted"/>) and counted if the open
/// exceptions were resolved (<see cref="CountedIfResolved"/>); <c>lag</c> — transactions (or payments) whose lag fell in
/// histogram <see cref="Bucket"/>; <c>received</c> — inbound messages; <c>outbox</c> — outbound messages with their
/// delivered, dead-lettered, retried and attempt counts. <see cref="Item"/> is the operation (flow) or workflow (lag, received).
/// </remarks>
public sealed class KpiDayTotal
{
    public long Id { get; set; }
    public DateTime Day { get; set; }
    public required string Kpi { get; set; }
    public required string Measure { get; set; }
    public string? Facility { get; set; }
    public string? Partner { get; set; }
    public string? Item { get; set; }
    public int Bucket { get; set; }
    public int Items { get; set; }
    public int Counted { get; set; }
    public int CountedIfResolved { get; set; }
    public int Failed { get; set; }
    public int Retried { get; set; }
    public int Attempts { get; set; }
    public int FailedAttempts { get; set; }
}
