using HealthSync.Engine.Estate;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Portal.Estate;
using HealthSync.Portal.Exceptions;
using HealthSync.Portal.Health;
using HealthSync.Portal.Lineage;
using HealthSync.Portal.Overview;
using HealthSync.Portal.Security;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace HealthSync.Portal.Api;

/// <summary>The versioned REST API. Same queries as the pages; same masking; API key or cookie.</summary>
public static class ApiV1
{
    public static IEndpointRouteBuilder MapApiV1(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1").RequireAuthorization(Policies.People).WithTags("v1");

        api.MapExceptionApi();
        HealthSync.Portal.Kpis.KpiApi.MapKpiApi(api);

        api.MapGet("/lineage/{correlationId:guid}", async Task<Results<Ok<TransactionLineage>, NotFound>> (Guid correlationId, HttpContext http, HealthSyncDb db, CancellationToken ct) =>
                await LineageQueries.GetAsync(db, correlationId, http.User.SeesPhi(), ct) is { } lineage ? TypedResults.Ok(lineage) : TypedResults.NotFound())
            .WithSummary("The full lineage of one transaction: steps, deliveries with attempts, verdicts, replays, payload versions, exceptions and its outcome");

        api.MapGet("/lineage/{correlationId:guid}/diff", async Task<Results<Ok<PayloadDiffView>, NotFound>> (Guid correlationId, [FromQuery] int from, [FromQuery] int to,
                HttpContext http, HealthSyncDb db, CancellationToken ct) =>
                await PayloadDiff.GetAsync(db, correlationId, from, to, http.User.SeesPhi(), ct) is { } diff ? TypedResults.Ok(diff) : TypedResults.NotFound())
            .WithSummary("The line diff between two stored payload versions of a transaction");

        api.MapGet("/lineage", async ([FromQuery] string q, [FromQuery] string? type, HttpContext http, HealthSyncDb db, CancellationToken ct) =>
                TypedResults.Ok(await LineageQueries.SearchAsync(db, q, http.User.SeesPhi(), ct, keyType: type)))
            .WithSummary("Find transactions by correlation id or business key (encounter, account, item, SKU, lot, PO, invoice, shipment, claim, payment, settlement, message control id), with first and last activity and outcome");

        api.MapGet("/lineage/chain", async Task<Results<Ok<ChainView>, ProblemHttpResult>> ([FromQuery] string type, [FromQuery] string key, HttpContext http, HealthSyncDb db, CancellationToken ct) =>
            {
                var (chain, refusal) = await ChainQueries.BuildAsync(db, type, key, http.User.SeesPhi(), ct);
                if (chain is not null) return TypedResults.Ok(chain);
                var forbidden = LineageKeys.Find(type) is { } kind && HealthSync.Engine.Lineage.KeyTypes.IsPatientIdentifier(kind.Type);
                return TypedResults.Problem(title: refusal!.Reason, statusCode: forbidden ? StatusCodes.Status403Forbidden : StatusCodes.Status400BadRequest);
            })
            .WithSummary("Every transaction that carries a business key and the answers that live in other transactions, in time order, with each one's outcome and the chain's");

        api.MapGet("/health/endpoints", async (HealthSyncDb db, DeliveryTargets targets, TimeProvider time, IConfiguration configuration, CancellationToken ct) =>
                TypedResults.Ok(await IntegrationHealthQuery.GetAsync(db, targets, time, HealthSettings.Silence(configuration), ct)))
            .WithSummary("Every inbound endpoint and flow and every outbound target: throughput, error rate, latency, circuit state, last success, and silence alerts");

        api.MapGet("/overview", async (HealthSyncDb db, DeliveryTargets targets, TimeProvider time, CancellationToken ct) =>
                TypedResults.Ok(await OverviewQuery.GetAsync(db, targets, time, ct)))
            .WithSummary("Engine flow for the last 24 hours and the state of every outbound endpoint");

        var estate = api.MapGroup("/estate").RequireAuthorization(Policies.Admin);
        estate.MapGet("/faults", (FaultInjection faults) => TypedResults.Ok(faults.All)).WithSummary("Fault injection of the simulated estate");
        estate.MapPut("/faults/{system}", async Task<Results<Ok<FaultSettings>, NotFound, ValidationProblem>> (string system, FaultSettings settings, HttpContext http, FaultInjection faults, HealthSyncDb db, TimeProvider time) =>
            {
                if (!FaultInjection.Systems.Contains(system)) return TypedResults.NotFound();
                var errors = EstateFaultActions.Validate(settings);
                if (errors.Count > 0) return TypedResults.ValidationProblem(errors);
                await EstateFaultActions.ApplyAsync(system, settings, http.User, faults, db, time);
                return TypedResults.Ok(faults.Get(system));
            })
            .WithSummary("Change latency, error rate, throttling or outage of one simulated system");
        return app;
    }
}
