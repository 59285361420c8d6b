using HealthSync.Adapters.Csv;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Transports;

/// <summary>
/// CSV feeds over HTTP: gateway settlement files and billing receipt feeds. Good rows are accepted, bad rows are
/// reported one by one with their row number (and each becomes an exception); a file with no usable row is refused.
/// </summary>
public static class CsvEndpoints
{
    public static IEndpointRouteBuilder MapCsvIntake(this IEndpointRouteBuilder app)
    {
        app.MapPost("/csv", Receive).RequireAuthorization(FhirEndpoints.IntakePolicy).WithTags("CSV intake")
            .WithSummary("Receive a settlement or receipt CSV file; answers row by row");
        return app;
    }

    public sealed record RowFinding(string Path, string Code, string Message);

    public sealed record CsvReport(Guid CorrelationId, string Feed, int RowsAccepted, int RowsRejected, bool Duplicate, IReadOnlyList<RowFinding> Findings);

    private static async Task<IResult> Receive(HttpContext http, Inbox.Inbox inbox, IOptions<IntakeLimits> limits, CancellationToken ct)
    {
        var (body, refusal) = await HttpIntake.ReceiveAsync(http, inbox, limits.Value.MaxHttpBodyBytes, Formats.Csv, "csv", ["text/csv", "text/plain", "application/octet-stream", "application/vnd.ms-excel"], ct);
        if (refusal is not null) return HttpIntake.Problem(refusal.Status, refusal.Title, refusal.Detail, refusal.CorrelationId);

        var read = CsvFeeds.Read(body.Payload);
        var accepted = await inbox.AcceptAsync(Describe(body.Payload, read.MessageType, HttpIntake.Source(http, "csv-client"), "http"), ct);
        http.Response.Headers["X-Correlation-Id"] = accepted.CorrelationId.ToString();
        var findings = read.Findings.Select(f => new RowFinding(f.Path, f.Code, f.Message)).ToList();
        if (read.Facts.Count == 0 && read.Findings.Count > 0)
        {
            return HttpIntake.Problem(StatusCodes.Status400BadRequest, "CSV file refused",
                $"No row of the file could be accepted. It was stored as transaction {accepted.CorrelationId} and an exception was raised for it.",
                accepted.CorrelationId, read.Findings);
        }
        var rejectedRows = read.Findings.Select(f => f.Path.Split(',')[0]).Distinct().Count();
        return Results.Ok(new CsvReport(accepted.CorrelationId, read.MessageType, read.Facts.Count, rejectedRows, accepted.Duplicate, findings));
    }

    public static InboundMessage Describe(byte[] payload, string feed, string source, string transport, string? fileName = null) =>
        new(payload, Formats.Csv, transport, source, HttpIntake.HashKey("csv", payload), feed, null,
            fileName is null ? null : [(KeyTypes.File, fileName)]);
}
