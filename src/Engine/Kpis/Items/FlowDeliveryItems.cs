using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Kpis.Items;

/// <summary>
/// Flow health's ratio: outbound messages delivered / outbound messages created in the window (outbox rows).
/// </summary>
/// <remarks>
/// A message still pending (retrying) or dead-lettered (Failed) is in the gap; a dead letter is blocked when the
/// exception raised on it is open, since replaying it from that exception is what delivers it. The workflow cut maps
/// each operation to the workflow that queues it.
/// </remarks>
internal sealed class FlowDeliveryItems : KpiItems
{
    public override KpiDefinition Definition => KpiCatalog.FlowHealthKpi;

    public override IReadOnlyList<(string Name, string Column)> Breakdowns => [("By target", "partner"), ("By operation", "item")];

    /// <summary>The workflow whose handler or job queues each outbound operation.</summary>
    public static string WorkflowOf(string operation) => operation switch
    {
        Operations.SupplierPurchaseOrder or Operations.ErpApBatchPost => WorkflowNames.ProcureToPay,
        Operations.ErpJournalPost or Operations.BillingPaymentPost => WorkflowNames.PaymentPosting,
        _ => WorkflowNames.SupplyCharge,
    };

    /// <summary>Every outbound operation.</summary>
    public static readonly IReadOnlyList<string> AllOperations =
    [
        Operations.ErpInventoryDecrement, Operations.ErpInventoryReturn, Operations.BillingChargePost, Operations.BillingChargeCredit,
        Operations.WarehouseReplenish, Operations.SupplierPurchaseOrder, Operations.ErpJournalPost, Operations.ErpApBatchPost, Operations.BillingPaymentPost,
    ];

    /// <summary>A SQL condition on the outbox row's operation (alias <paramref name="row"/>) for the workflow cut (the operation names are constants, never input).</summary>
    public static string WorkflowCondition(SqlDialect sql, string? workflow, string row = "o") => workflow is null
        ? sql.True
        : $"{row}.operation IN (" + string.Join(", ", AllOperations.Where(op => WorkflowOf(op) == workflow).Select(op => $"'{op}'").DefaultIfEmpty("NULL")) + ")";

    private const string OnOutboxRow = "e.outbox_message_id = o.id";

    public override string Sql(SqlDialect sql, KpiFilter f, bool detail) => $"""
        SELECT o.created_at AS at,
               CASE WHEN o.status = 'Delivered' THEN {Counted} WHEN o.status = 'Failed' AND {OpenException(sql, OnOutboxRow)} THEN {Blocked} ELSE {Uncounted} END AS state,
               o.facility AS facility, o.target_system AS partner, o.operation AS item{When(detail, $"""
               CAST(o.id AS TEXT) AS key, o.operation || ' #' || o.id AS label, o.amount_at_risk AS amount, o.attempts AS measure,
               lower(o.status) || CASE WHEN o.attempts > 1 THEN ' after ' || o.attempts || ' attempts' ELSE '' END AS outcome,
               CASE WHEN o.status = 'Delivered' THEN 'delivered ' || {sql.TimeText("o.delivered_at")} ELSE COALESCE(o.last_error, 'awaiting delivery') END AS detail,
               o.correlation_id AS correlation_id,
               CASE WHEN o.status = 'Delivered' THEN NULL ELSE (SELECT e.id FROM exceptions e WHERE {OnOutboxRow} AND {OpenStatus(sql)} LIMIT 1) END AS exception_id,
               NULL AS patient_key
               """)}
        FROM outbox_messages o
        WHERE o.created_at >= @lo AND o.created_at < @hi {Cut(f.Facility, "o.facility = @facility")} AND {WorkflowCondition(sql, f.Workflow)}
        """;
}
