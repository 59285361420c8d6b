using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace HealthSync.Engine.Jobs;

public sealed class ThreeWayMatchJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<ThreeWayMatchJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.Reconciliations>().ThreeWayMatchAsync(progress, ct);
}

public sealed class ChargeCaptureJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<ChargeCaptureJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.Reconciliations>().ChargeCaptureAsync(progress, ct);
}

public sealed class DailyCashJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<DailyCashJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.Reconciliations>().DailyCashAsync(progress, ct);
}

public sealed class InventoryDriftJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<InventoryDriftJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.Reconciliations>().InventoryDriftAsync(progress, ct);
}

public sealed class AckAgingJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<AckAgingJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.Reconciliations>().AckAgingAsync(progress, ct);
}

public sealed class RemittanceImportJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<RemittanceImportJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.MicroBatches>().RemittanceImportAsync(progress, ct);
}

public sealed class InvoiceAggregationJob(IServiceScopeFactory scopes, TimeProvider time, ILogger<InvoiceAggregationJob> log) : TrackedJob(scopes, time, log)
{
    protected override Task<JobOutcome> RunAsync(IServiceProvider services, JobProgress progress, CancellationToken ct) =>
        services.GetRequiredService<Reconciliation.MicroBatches>().InvoiceAggregationAsync(progress, ct);
}
