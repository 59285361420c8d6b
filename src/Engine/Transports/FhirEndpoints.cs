using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Pipeline;
using HealthSync.Engine.Workflows.Documents;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Transports;

/// <summary>
/// FHIR R4 intake over HTTP: POST a resource (to <c>/fhir</c> or <c>/fhir/{type}</c>) or a transaction / batch Bundle
/// (to <c>/fhir</c>). The body is stored before any answer; errors are OperationOutcomes with the element path.
/// </summary>
public static class FhirEndpoints
{
    public const string IntakePolicy = "intake";
    private const string FhirJson = "application/fhir+json";

    public static IEndpointRouteBuilder MapFhirIntake(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").RequireAuthorization(IntakePolicy).WithTags("FHIR intake");
        fhir.MapGet("/metadata", (HttpContext http, TimeProvider time) =>
                Results.Content(FhirCapability.Build($"{http.Request.Scheme}://{http.Request.Host}/fhir", time.GetUtcNow()), FhirJson))
            .WithSummary("CapabilityStatement: the resources and interactions this server supports");
        fhir.MapPost("/", (HttpContext http, Inbox.Inbox inbox, MappingCatalog catalog, IOptions<IntakeLimits> limits, TimeProvider time, CancellationToken ct) =>
                Receive(null, http, inbox, catalog, limits, time, ct))
            .WithSummary("Receive a resource, or a transaction or batch Bundle");
        fhir.MapPost("/{type}", (string type, HttpContext http, Inbox.Inbox inbox, MappingCatalog catalog, IOptions<IntakeLimits> limits, TimeProvider time, CancellationToken ct) =>
                Receive(type, http, inbox, catalog, limits, time, ct))
            .WithSummary("Receive one resource of the named type (ChargeItem, SupplyDelivery, Encounter, Invoice, Claim, ...)");
        return app;
    }

    private static async Task<IResult> Receive(string? type, HttpContext http, Inbox.Inbox inbox, MappingCatalog catalog, IOptions<IntakeLimits> limits,
        TimeProvider time, CancellationToken ct)
    {
        var (body, refusal) = await HttpIntake.ReceiveAsync(http, inbox, limits.Value.MaxHttpBodyBytes, Formats.FhirJson, "fhir", [FhirJson, "application/json", "text/plain"], ct);
        if (refusal is not null) return Outcome(refusal.Status, [new ValidationFinding("$", refusal.Code, refusal.Detail)], refusal.CorrelationId);
        if (body.Payload.Length == 0)
            return Outcome(StatusCodes.Status400BadRequest, [new ValidationFinding("$", FindingCodes.Required, "The request body is empty.")], null);

        var fhir = FhirReader.Read(Hl7Text.Decode(body.Payload));
        if (type is not null && fhir.ResourceType is { } actual && !string.Equals(type, actual, StringComparison.Ordinal))
        {
            var detail = $"The body is a {actual} but was posted to /fhir/{type}.";
            var refused = await HttpIntake.QuarantineAsync(inbox, http, Formats.FhirJson, "fhir", body.Payload, "resource-type-mismatch", detail, ct);
            return Outcome(StatusCodes.Status400BadRequest, [new ValidationFinding("resourceType", FindingCodes.InvalidValue, detail)], refused.CorrelationId);
        }

        var idempotency = http.Request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 } key
            ? "fhir:key:" + key
            : HttpIntake.HashKey("fhir", body.Payload);
        var facts = fhir.Read.Facts;
        var keys = facts.SelectMany(Keys).Distinct().Take(200).ToList();
        var first = facts.OfType<SupplyUsage>().FirstOrDefault();
        var accepted = await inbox.AcceptAsync(new InboundMessage(body.Payload, Formats.FhirJson, "http", HttpIntake.Source(http, "fhir-client"), idempotency,
            fhir.Read.MessageType, first?.Encounter ?? first?.PatientAccount, keys), ct);
        http.Response.Headers["X-Correlation-Id"] = accepted.CorrelationId.ToString();
        if (accepted.Duplicate)
            return Results.Content(OperationOutcome.BuildInformation($"Duplicate of an earlier request (transaction {accepted.CorrelationId}); not processed again."), FhirJson, statusCode: StatusCodes.Status200OK);

        var map = await catalog.CurrentAsync(ct);
        var intake = Intake.FromFhir(fhir, map, time.GetUtcNow().UtcDateTime);
        if (intake.Rejection is not null)
            return Outcome(StatusCodes.Status400BadRequest, fhir.Read.Findings.Count > 0 ? fhir.Read.Findings : [Finding(intake.Rejection)], accepted.CorrelationId);
        if (fhir.BundleType is not null)
            return Results.Content(FhirResponses.BundleResponse(fhir, _ => $"Transaction/{accepted.CorrelationId}"), FhirJson, statusCode: StatusCodes.Status200OK);
        var problems = intake.AllProblems.ToList();
        if (problems.Count > 0)
            return Outcome(StatusCodes.Status422UnprocessableEntity, problems.Select(Finding).ToList(), accepted.CorrelationId);
        return Results.Content(OperationOutcome.BuildInformation($"Accepted as transaction {accepted.CorrelationId}."), FhirJson, statusCode: StatusCodes.Status202Accepted);
    }

    private static IEnumerable<(string, string)> Keys(ICanonicalFact fact) => fact switch
    {
        SupplyUsage u => new[] { (KeyTypes.Encounter, u.Encounter), (KeyTypes.PatientAccount, u.PatientAccount) }
            .Where(k => !string.IsNullOrEmpty(k.Item2)).Select(k => (k.Item1, k.Item2!)),
        _ => DocumentProjection.Of(fact).Keys,
    };

    private static ValidationFinding Finding(Exceptions.Problem p) => new(p.Path ?? "$", p.Code, p.Detail);

    private static IResult Outcome(int status, IReadOnlyList<ValidationFinding> findings, Guid? correlationId)
    {
        var list = correlationId is { } id
            ? findings.Append(new ValidationFinding("$", "stored", $"The request was stored as transaction {id} and an exception was raised for it.")).ToList()
            : findings.ToList();
        return Results.Content(OperationOutcome.Build(list), FhirJson, statusCode: status);
    }
}
