using System.Security.Cryptography;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace HealthSync.Engine.Transports;

/// <summary>FHIR R4 intake over HTTP. The body is stored before any answer is given.</summary>
public static class FhirEndpoints
{
    public const string IntakePolicy = "intake";
    private const int MaxBodyBytes = 4 * 1024 * 1024;
    private const string FhirJson = "application/fhir+json";

    public static IEndpointRouteBuilder MapFhirIntake(this IEndpointRouteBuilder app)
    {
        var fhir = app.MapGroup("/fhir").RequireAuthorization(IntakePolicy).WithTags("FHIR intake");
        fhir.MapPost("/ChargeItem", Receive).WithSummary("Receive a ChargeItem (supply usage to charge capture)");
        fhir.MapPost("/", Receive).WithSummary("Receive a transaction or batch Bundle of ChargeItems");
        return app;
    }

    private static async Task<IResult> Receive(HttpContext http, Inbox.Inbox inbox, MappingCatalog catalog, TimeProvider time, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxBodyBytes)
            return Outcome(StatusCodes.Status413PayloadTooLarge, [new ValidationFinding("$", "too-large", $"The body exceeds {MaxBodyBytes} bytes.")], null);
        var payload = buffer.ToArray();
        if (payload.Length == 0)
            return Outcome(StatusCodes.Status400BadRequest, [new ValidationFinding("$", "required", "The request body is empty.")], null);

        var idempotency = http.Request.Headers["Idempotency-Key"].FirstOrDefault() is { Length: > 0 } key
            ? "fhir:key:" + key
            : "fhir:sha256:" + Convert.ToHexString(SHA256.HashData(payload));
        var read = ChargeItemReader.Read(Hl7Text.Decode(payload));
        var keys = read.Usages.SelectMany(u => new[] { (KeyTypes.Encounter, u.Encounter), (KeyTypes.PatientAccount, u.PatientAccount) })
            .Where(k => !string.IsNullOrEmpty(k.Item2)).Select(k => (k.Item1, k.Item2!)).Distinct().ToList();
        var first = read.Usages.FirstOrDefault();
        var source = http.User.Identity?.Name ?? "fhir-client";
        var accepted = await inbox.AcceptAsync(new InboundMessage(payload, Formats.FhirJson, "http", source, idempotency,
            read.Usages.Count > 1 ? "Bundle" : "ChargeItem", first?.Encounter ?? first?.PatientAccount, keys), ct);
        http.Response.Headers["X-Correlation-Id"] = accepted.CorrelationId.ToString();
        if (accepted.Duplicate)
            return Results.Content(OperationOutcome.BuildInformation($"Duplicate of an earlier request (transaction {accepted.CorrelationId}); not processed again."), FhirJson, statusCode: StatusCodes.Status200OK);

        var map = await catalog.CurrentAsync(ct);
        var outcome = SupplyChargeIntake.ReadFhir(read, map, time.GetUtcNow().UtcDateTime);
        if (outcome.Rejection is not null)
            return Outcome(StatusCodes.Status400BadRequest, read.Errors.Count > 0 ? read.Errors : [Finding(outcome.Rejection)], accepted.CorrelationId);
        var problems = outcome.AllProblems.ToList();
        if (problems.Count > 0)
            return Outcome(StatusCodes.Status422UnprocessableEntity, problems.Select(Finding).ToList(), accepted.CorrelationId);
        return Results.Content(OperationOutcome.BuildInformation($"Accepted as transaction {accepted.CorrelationId}."), FhirJson, statusCode: StatusCodes.Status202Accepted);
    }

    private static ValidationFinding Finding(Exceptions.Problem p) => new(p.Path ?? "ChargeItem", p.Code, p.Detail);

    private static IResult Outcome(int status, IReadOnlyList<ValidationFinding> findings, Guid? correlationId)
    {
        var list = correlationId is { } id
            ? findings.Append(new ValidationFinding("$", "stored", $"The request was stored as transaction {id} and an exception was raised for it.")).ToList()
            : findings.ToList();
        return Results.Content(OperationOutcome.Build(list), FhirJson, statusCode: status);
    }
}
