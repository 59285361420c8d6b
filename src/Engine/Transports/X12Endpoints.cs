using System.Text;
using HealthSync.Adapters.X12;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Workflows.SupplyCharge;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;

namespace HealthSync.Engine.Transports;

/// <summary>
/// X12 EDI intake over HTTP. The file is stored before any answer; the answer is the functional acknowledgement
/// (997 for 004010, 999 for 005010) of every interchange in it, accepted or rejected with the segment and element at fault.
/// </summary>
public static class X12Endpoints
{
    public const string MediaType = "application/edi-x12";

    public static IEndpointRouteBuilder MapX12Intake(this IEndpointRouteBuilder app)
    {
        app.MapPost("/edi/x12", Receive).RequireAuthorization(FhirEndpoints.IntakePolicy).WithTags("X12 intake")
            .WithSummary("Receive an X12 file (850, 855, 856, 810, 835, 837; several interchanges allowed); answers with 997/999");
        return app;
    }

    private static async Task<IResult> Receive(HttpContext http, Inbox.Inbox inbox, IOptions<IntakeLimits> limits, TimeProvider time, CancellationToken ct)
    {
        var (body, refusal) = await HttpIntake.ReceiveAsync(http, inbox, limits.Value.MaxHttpBodyBytes, Formats.X12, "x12", [MediaType, "application/edi", "text/plain", "application/octet-stream"], ct);
        if (refusal is not null) return HttpIntake.Problem(refusal.Status, refusal.Title, refusal.Detail, refusal.CorrelationId);

        var read = X12Reader.Read(body.Payload);
        var accepted = await inbox.AcceptAsync(Describe(body.Payload, read, HttpIntake.Source(http, "x12-partner"), "http"), ct);
        http.Response.Headers["X-Correlation-Id"] = accepted.CorrelationId.ToString();
        var acks = X12Acknowledgements.Build(read, new X12AckOptions(AckControlNumber(accepted.InboxId), time.GetUtcNow()));
        if (acks.Count == 0)
        {
            return HttpIntake.Problem(StatusCodes.Status400BadRequest, "Not an X12 interchange",
                $"No readable ISA interchange header, so nothing can be acknowledged. The file was stored as transaction {accepted.CorrelationId} and an exception was raised for it.",
                accepted.CorrelationId, read.Findings);
        }
        http.Response.Headers["X-Ack-Status"] = acks.All(a => a.Accepted) ? "accepted" : "rejected";
        if (accepted.Duplicate) http.Response.Headers["X-Duplicate"] = "true";
        return Results.Text(string.Join("\n", acks.Select(a => a.Text)), MediaType, Encoding.UTF8, StatusCodes.Status200OK);
    }

    /// <summary>Idempotency: one interchange is known by its sender and control number; several by the file's hash.</summary>
    public static InboundMessage Describe(byte[] payload, X12ReadResult read, string source, string transport, string? fileName = null)
    {
        var types = read.Transactions.Select(t => t.TransactionSetId).Distinct().ToList();
        var keys = new List<(string, string)>();
        foreach (var t in read.Transactions)
        {
            foreach (var fact in t.Read.Facts)
                keys.Add((Workflows.Documents.DocumentHandler.KeyFor(Adapters.Canonical.FactKinds.Of(fact)), fact.BusinessKey));
        }
        if (fileName is not null) keys.Add((KeyTypes.File, fileName));
        var sender = read.Interchanges.Count == 1 ? read.Interchanges[0].SenderId?.Trim() : null;
        var idempotency = read.Interchanges.Count == 1 && !string.IsNullOrEmpty(sender)
            ? $"x12:{sender}:{read.Interchanges[0].ControlNumber}"
            : HttpIntake.HashKey("x12", payload);
        return new InboundMessage(payload, Formats.X12, transport, sender is { Length: > 0 } ? sender : source, idempotency,
            types.Count == 0 ? "X12" : string.Join("+", types), null, keys.Distinct().Take(200).ToList());
    }

    /// <summary>Acknowledgement control numbers are nine digits; the inbox id keeps them unique per stored file.</summary>
    public static int AckControlNumber(long inboxId) => (int)(inboxId % 999_999_999) + 1;
}
