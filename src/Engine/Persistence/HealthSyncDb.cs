using System.Text;
using HealthSync.Engine.Scale;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace HealthSync.Engine.Persistence;

/// <summary>
/// The engine's single unit of work. Table and column names are snake_case so the same SQL
/// migrations shape works for SQLite and PostgreSQL.
/// </summary>
public sealed class HealthSyncDb(DbContextOptions<HealthSyncDb> options) : DbContext(options)
{
    public DbSet<InboxMessage> InboxMessages => Set<InboxMessage>();
    public DbSet<OutboxMessage> OutboxMessages => Set<OutboxMessage>();
    public DbSet<LineageStep> LineageSteps => Set<LineageStep>();
    public DbSet<BusinessKey> BusinessKeys => Set<BusinessKey>();
    public DbSet<BusinessDocument> BusinessDocuments => Set<BusinessDocument>();
    public DbSet<ExceptionRecord> Exceptions => Set<ExceptionRecord>();
    public DbSet<UsageEvent> UsageEvents => Set<UsageEvent>();
    public DbSet<Charge> Charges => Set<Charge>();
    public DbSet<InventoryMovement> InventoryMovements => Set<InventoryMovement>();
    public DbSet<ReplenishmentSignal> ReplenishmentSignals => Set<ReplenishmentSignal>();
    public DbSet<Facility> Facilities => Set<Facility>();
    public DbSet<ItemMapping> ItemMappings => Set<ItemMapping>();
    public DbSet<ChargeCodeMapping> ChargeCodeMappings => Set<ChargeCodeMapping>();
    public DbSet<LocationMapping> LocationMappings => Set<LocationMapping>();
    public DbSet<UomConversion> UomConversions => Set<UomConversion>();
    public DbSet<SupplierMapping> SupplierMappings => Set<SupplierMapping>();
    public DbSet<MappingChange> MappingChanges => Set<MappingChange>();
    public DbSet<Setting> Settings => Set<Setting>();
    public DbSet<WorkflowOwner> WorkflowOwners => Set<WorkflowOwner>();
    public DbSet<RoutingRule> RoutingRules => Set<RoutingRule>();
    public DbSet<OwnershipEntry> Ownership => Set<OwnershipEntry>();
    public DbSet<User> Users => Set<User>();
    public DbSet<ApiKey> ApiKeys => Set<ApiKey>();
    public DbSet<AuditEntry> AuditEntries => Set<AuditEntry>();
    public DbSet<ExceptionComment> ExceptionComments => Set<ExceptionComment>();
    public DbSet<PayloadVersion> PayloadVersions => Set<PayloadVersion>();
    public DbSet<SavedView> SavedViews => Set<SavedView>();
    public DbSet<BulkOperation> BulkOperations => Set<BulkOperation>();
    public DbSet<JobRun> JobRuns => Set<JobRun>();
    public DbSet<ReconciliationResult> ReconciliationResults => Set<ReconciliationResult>();
    public DbSet<Checkpoint> Checkpoints => Set<Checkpoint>();
    public DbSet<KpiDayTotal> KpiDayTotals => Set<KpiDayTotal>();
    public DbSet<EstateInventory> EstateInventory => Set<EstateInventory>();
    public DbSet<EstatePosting> EstatePostings => Set<EstatePosting>();
    public DbSet<WorkLease> WorkLeases => Set<WorkLease>();
    public DbSet<WorkOwner> WorkOwners => Set<WorkOwner>();

    public override int SaveChanges(bool acceptAllChangesOnSuccess)
    {
        WorkPartitions.Assign(ChangeTracker);
        return base.SaveChanges(acceptAllChangesOnSuccess);
    }

    public override Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        WorkPartitions.Assign(ChangeTracker);
        return base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // Every timestamp is UTC; SQLite hands DateTime back as Unspecified, so the kind is restored on read.
        configurationBuilder.Properties<DateTime>().HaveConversion<UtcDateTimeConverter>();
        if (Database.IsSqlite())
        {
            // SQLite has no decimal type and cannot compare or sum TEXT decimals in SQL; REAL keeps
            // amounts and quantities aggregatable in the database. PostgreSQL keeps numeric.
            configurationBuilder.Properties<decimal>().HaveConversion<double>();
        }
    }

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<InboxMessage>(e =>
        {
            e.ToTable("inbox_messages");
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => new { x.Status, x.Id });
            e.HasIndex(x => x.CorrelationId);
            // KPIs (db/sqlite/0007): throughput per hour or day and workflow, counted from the index alone.
            e.HasIndex(x => new { x.ReceivedAt, x.Format, x.MessageType });
            // Integration health: flows found by a loose index scan, each flow's windows and gaps read from the index alone.
            e.HasIndex(x => new { x.SourceSystem, x.Transport, x.Format, x.ReceivedAt, x.Status });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            // Workers on PostgreSQL claim rows by status: a row another worker already settled fails the batch's commit.
            e.Property(x => x.Status).IsConcurrencyToken();
        });
        b.Entity<OutboxMessage>(e =>
        {
            e.ToTable("outbox_messages");
            e.HasIndex(x => x.IdempotencyKey).IsUnique();
            e.HasIndex(x => new { x.Status, x.NextAttemptAt });
            e.HasIndex(x => new { x.OrderingKey, x.Status, x.Id });
            e.HasIndex(x => x.CorrelationId);
            // KPIs: deliveries, retries, dead letters and attempt errors per target over a window; lag per transaction by last delivery.
            e.HasIndex(x => new { x.CreatedAt, x.TargetSystem, x.Status, x.Attempts, x.Operation, x.Facility });
            e.HasIndex(x => new { x.DeliveredAt, x.CorrelationId, x.SourceReceivedAt, x.Facility, x.Operation });
            // Integration health: deliveries per target in a window, and how many needed a retry, from the index alone.
            e.HasIndex(x => new { x.TargetSystem, x.DeliveredAt, x.Attempts });
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.Status).IsConcurrencyToken();
        });
        b.Entity<LineageStep>(e =>
        {
            e.ToTable("lineage_steps");
            e.HasIndex(x => new { x.CorrelationId, x.Id });
        });
        b.Entity<BusinessKey>(e =>
        {
            e.ToTable("business_keys");
            e.HasIndex(x => new { x.KeyType, x.KeyValue });
            e.HasIndex(x => new { x.CorrelationId, x.KeyType, x.KeyValue }).IsUnique();
        });
        b.Entity<BusinessDocument>(e =>
        {
            e.ToTable("business_documents");
            e.HasIndex(x => new { x.Kind, x.BusinessKey });
            e.HasIndex(x => x.CorrelationId);
            e.HasIndex(x => new { x.Kind, x.Reference });
        });
        b.Entity<ExceptionRecord>(e =>
        {
            e.ToTable("exceptions");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.Status, x.SlaDueAt });
            e.HasIndex(x => x.CorrelationId);
            e.HasIndex(x => new { x.Category, x.Status });
            // The queue's typical filters, each leading with status so open work is found without scanning history.
            e.HasIndex(x => new { x.Status, x.Team, x.SlaDueAt });
            e.HasIndex(x => new { x.Status, x.CauseKey });
            e.HasIndex(x => new { x.Status, x.BusinessKey });
            e.HasIndex(x => new { x.Status, x.Owner });
            e.HasIndex(x => new { x.Status, x.Facility, x.SlaDueAt });
            e.HasIndex(x => new { x.Status, x.Workflow, x.SlaDueAt });
            // Measured at 1,000,000 exceptions (tests/Benchmarks --exceptions). Without statistics SQLite takes any equality on
            // status as highly selective and would rather sort than walk an index in order; an index that gives the full
            // queue order (SLA, then amount descending, then id) after the filtered columns lets it stop after one page.
            e.HasIndex(x => new { x.Status, x.SlaDueAt, x.AmountAtRisk, x.Id }).IsDescending(false, false, true, false);
            // Team and owner each carry the other at the end, so "my team, unassigned, breached" is counted from either index alone.
            e.HasIndex(x => new { x.Status, x.Team, x.SlaDueAt, x.AmountAtRisk, x.Id, x.Owner }).IsDescending(false, false, false, true, false, false);
            e.HasIndex(x => new { x.Status, x.Facility, x.SlaDueAt, x.AmountAtRisk, x.Id }).IsDescending(false, false, false, true, false);
            e.HasIndex(x => new { x.Status, x.Workflow, x.SlaDueAt, x.AmountAtRisk, x.Id }).IsDescending(false, false, false, true, false);
            e.HasIndex(x => new { x.Status, x.Owner, x.SlaDueAt, x.AmountAtRisk, x.Id, x.Team }).IsDescending(false, false, false, true, false, false);
            e.HasIndex(x => new { x.Status, x.Category, x.Facility, x.SlaDueAt, x.AmountAtRisk, x.Id }).IsDescending(false, false, false, false, true, false);
            // Also covers the cause groups (count, amount, earliest SLA) without reading the table.
            e.HasIndex(x => new { x.Status, x.CauseKey, x.SlaDueAt, x.AmountAtRisk, x.Id }).IsDescending(false, false, false, true, false);
            // The entity groups, counted and summed from the index alone.
            e.HasIndex(x => new { x.Status, x.BusinessKeyType, x.BusinessKey, x.AmountAtRisk, x.SlaDueAt });
            // Newest first (and the age filter), largest amount first (and the minimum amount filter).
            e.HasIndex(x => new { x.Status, x.CreatedAt, x.Id }).IsDescending(false, true, false);
            e.HasIndex(x => new { x.Status, x.AmountAtRisk, x.SlaDueAt, x.Id }).IsDescending(false, true, false, false);
            // The detail page's related exceptions: same business entity (any status) or same transaction.
            e.HasIndex(x => new { x.BusinessKey, x.BusinessKeyType });
            e.HasIndex(x => x.InboxMessageId);
            e.HasIndex(x => x.OutboxMessageId);
            // KPIs: open exceptions by team, facility, owner, workflow, age and SLA in one pass over an index; resolved in a window with time to resolve.
            e.HasIndex(x => new { x.Status, x.Team, x.Facility, x.Owner, x.Workflow, x.CreatedAt, x.SlaDueAt });
            e.HasIndex(x => new { x.Status, x.ResolvedAt, x.CreatedAt, x.SlaDueAt, x.Facility, x.Workflow });
        });
        b.Entity<ExceptionComment>(e =>
        {
            e.ToTable("exception_comments");
            e.HasIndex(x => x.ExceptionId);
        });
        b.Entity<PayloadVersion>(e =>
        {
            e.ToTable("payload_versions");
            e.HasIndex(x => new { x.InboxMessageId, x.Version }).IsUnique();
        });
        b.Entity<SavedView>(e => e.ToTable("saved_views"));
        b.Entity<JobRun>(e =>
        {
            e.ToTable("job_runs");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.JobName, x.StartedAt });
            e.HasIndex(x => x.StartedAt);
            // Every job start looks for runs still "running" whose heartbeat stopped.
            e.HasIndex(x => x.Status);
        });
        b.Entity<ReconciliationResult>(e =>
        {
            e.ToTable("reconciliation_results");
            e.HasIndex(x => new { x.Reconciliation, x.SubjectKey }).IsUnique();
            e.HasIndex(x => new { x.Reconciliation, x.SubjectDate });
            // KPIs: inventory accuracy selects the item-locations whose latest comparison ran in the window.
            e.HasIndex(x => new { x.Reconciliation, x.EvaluatedAt });
        });
        b.Entity<WorkLease>(e =>
        {
            e.ToTable("work_leases");
            e.HasKey(x => new { x.Queue, x.WorkPartition });
        });
        b.Entity<WorkOwner>(e =>
        {
            e.ToTable("work_owners");
            e.HasKey(x => x.Owner);
        });
        b.Entity<Checkpoint>(e =>
        {
            e.ToTable("checkpoints");
            e.HasKey(x => x.Name);
        });
        b.Entity<KpiDayTotal>(e =>
        {
            e.ToTable("kpi_day_totals");
            e.HasIndex(x => new { x.Kpi, x.Measure, x.Day });
        });
        b.Entity<BulkOperation>(e =>
        {
            e.ToTable("bulk_operations");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => x.Status);
        });
        b.Entity<UsageEvent>(e =>
        {
            e.ToTable("usage_events");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => new { x.Facility, x.SourceEventId, x.Kind }).IsUnique();
            e.HasIndex(x => x.OccurredAt);
            // KPIs: charge capture reads the window's billable usage from this index alone, then looks up charges and reversals.
            e.HasIndex(x => new { x.OccurredAt, x.Kind, x.Billable, x.Facility, x.SourceEventId, x.CorrelationId, x.Id });
            e.HasIndex(x => x.CorrelationId);
        });
        b.Entity<Charge>(e =>
        {
            e.ToTable("charges");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => x.UsageEventId);
            // KPIs: a usage's posted net from the index alone.
            e.HasIndex(x => new { x.UsageEventId, x.Status, x.Amount });
        });
        b.Entity<InventoryMovement>(e =>
        {
            e.ToTable("inventory_movements");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => x.UsageEventId);
        });
        b.Entity<ReplenishmentSignal>(e =>
        {
            e.ToTable("replenishment_signals");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
        });
        b.Entity<Facility>(e =>
        {
            e.ToTable("facilities");
            e.HasKey(x => x.Code);
        });
        b.Entity<ItemMapping>(e =>
        {
            e.ToTable("item_mappings");
            e.HasIndex(x => new { x.ItemCode, x.Facility });
        });
        b.Entity<ChargeCodeMapping>(e =>
        {
            e.ToTable("charge_code_mappings");
            e.HasIndex(x => new { x.Sku, x.Facility });
        });
        b.Entity<LocationMapping>(e =>
        {
            e.ToTable("location_mappings");
            e.HasIndex(x => new { x.Facility, x.LocationCode });
        });
        b.Entity<UomConversion>(e =>
        {
            e.ToTable("uom_conversions");
            e.HasIndex(x => new { x.Sku, x.FromUom });
        });
        b.Entity<SupplierMapping>(e =>
        {
            e.ToTable("supplier_mappings");
            e.HasIndex(x => x.ErpVendorId);
            e.HasIndex(x => x.EdiPartnerId);
        });
        b.Entity<MappingChange>(e =>
        {
            e.ToTable("mapping_changes");
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.HasIndex(x => new { x.MappingType, x.MappingId });
            e.HasIndex(x => new { x.Status, x.RequestedAt });
        });
        b.Entity<Setting>(e =>
        {
            e.ToTable("settings");
            e.HasKey(x => x.Key);
        });
        b.Entity<WorkflowOwner>(e =>
        {
            e.ToTable("workflow_owners");
            e.HasKey(x => x.Workflow);
        });
        b.Entity<RoutingRule>(e => e.ToTable("routing_rules"));
        b.Entity<OwnershipEntry>(e =>
        {
            e.ToTable("ownership_entries");
            e.HasIndex(x => new { x.Entity, x.Field }).IsUnique();
        });
        b.Entity<User>(e =>
        {
            e.ToTable("users");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.UserName).IsUnique();
        });
        b.Entity<ApiKey>(e =>
        {
            e.ToTable("api_keys");
            e.Property(x => x.Id).ValueGeneratedNever();
            e.HasIndex(x => x.KeyHash).IsUnique();
        });
        b.Entity<AuditEntry>(e =>
        {
            e.ToTable("audit_entries");
            e.HasIndex(x => x.At);
            e.HasIndex(x => new { x.TargetType, x.TargetId });
            e.HasIndex(x => new { x.Actor, x.At });
            e.HasIndex(x => new { x.Action, x.At });
        });
        b.Entity<EstateInventory>(e =>
        {
            e.ToTable("estate_inventory");
            e.HasIndex(x => new { x.Facility, x.Location, x.Sku }).IsUnique();
        });
        b.Entity<EstatePosting>(e =>
        {
            e.ToTable("estate_postings");
            e.HasIndex(x => new { x.System, x.IdempotencyKey }).IsUnique();
        });

        foreach (var entity in b.Model.GetEntityTypes())
        {
            foreach (var property in entity.GetProperties())
                property.SetColumnName(SnakeCase(property.Name));
            foreach (var key in entity.GetKeys())
                key.SetName(SnakeCase(key.GetName() ?? "pk"));
            foreach (var index in entity.GetIndexes())
                index.SetDatabaseName("ix_" + entity.GetTableName() + "_" + string.Join("_", index.Properties.Select(p => SnakeCase(p.Name))));
        }
    }

    internal static string SnakeCase(string name)
    {
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && (char.IsLower(name[i - 1]) || (i + 1 < name.Length && char.IsLower(name[i + 1]) && char.IsUpper(name[i - 1]))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.ToString();
    }

    internal sealed class UtcDateTimeConverter() : ValueConverter<DateTime, DateTime>(
        v => v.Kind == DateTimeKind.Utc ? v : v.ToUniversalTime(),
        v => DateTime.SpecifyKind(v, DateTimeKind.Utc));
}
