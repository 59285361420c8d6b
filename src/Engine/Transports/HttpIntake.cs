using System.Security.Cryptography;
using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Inbox;
using Microsoft.AspNetCore.Http;

namespace HealthSync.Engine.Transports;

/// <summary>Limits of the inbound listeners; every one is configurable (<c>Engine:Limits</c>).</summary>
public sealed class IntakeLimits
{
    [System.ComponentModel.DataAnnotations.Range(1024, 1024 * 1024 * 1024)]
    public int MaxHttpBodyBytes { get; set; } = 16 * 1024 * 1024;

    [System.ComponentModel.DataAnnotations.Range(1024, 1024 * 1024 * 1024)]
    public int MaxFileBytes { get; set; } = 64 * 1024 * 1024;
}

/// <summary>What the HTTP listeners share: reading a bounded body, and storing what they refuse before refusing it.</summary>
public static class HttpIntake
{
    public sealed record Body(byte[] Payload, long Length, bool TooLarge);

    /// <summary>
    /// Reads the body up to <paramref name="maxBytes"/>. A larger body is read to its end (so the client gets an
    /// answer rather than a reset), and only its first <paramref name="maxBytes"/> bytes are kept.
    /// </summary>
    public static async Task<Body> ReadBodyAsync(HttpRequest request, int maxBytes, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            var keep = (int)Math.Clamp(maxBytes - total, 0, read);
            if (keep > 0) buffer.Write(chunk, 0, keep);
            total += read;
        }
        return new Body(buffer.ToArray(), total, total > maxBytes);
    }

    public static string Source(HttpContext http, string fallback) => http.User.Identity?.Name ?? fallback;

    public static string HashKey(string prefix, byte[] payload) => $"{prefix}:sha256:{Convert.ToHexString(SHA256.HashData(payload))}";

    /// <summary>Whether the request's media type is one of <paramref name="accepted"/> (a missing Content-Type is accepted).</summary>
    public static bool MediaTypeAccepted(HttpRequest request, params string[] accepted)
    {
        if (string.IsNullOrEmpty(request.ContentType)) return true;
        var media = request.ContentType.Split(';')[0].Trim();
        return accepted.Any(a => string.Equals(a, media, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Stores an input the listener refuses, so it is never lost; the processor turns it into an exception.</summary>
    public static Task<Accepted> QuarantineAsync(Inbox.Inbox inbox, HttpContext http, string format, string prefix, byte[] payload, string code, string detail,
        CancellationToken ct) =>
        inbox.AcceptAsync(new InboundMessage(payload, format, "http", Source(http, format + "-client"),
            HashKey(prefix + ":refused", payload) + ":" + code, code, null, null, $"{code}: {detail}"), ct);

    public static IResult Problem(int status, string title, string detail, Guid? correlationId, IReadOnlyList<ValidationFinding>? findings = null)
    {
        var extensions = new Dictionary<string, object?>();
        if (correlationId is { } id) extensions["correlationId"] = id;
        if (findings is { Count: > 0 })
            extensions["findings"] = findings.Select(f => new { path = f.Path, code = f.Code, message = f.Message }).ToList();
        return Results.Problem(detail: detail, statusCode: status, title: title, extensions: extensions);
    }

    /// <summary>Why a listener refused an input before reading it; what was kept of it is stored as <see cref="CorrelationId"/>.</summary>
    public sealed record Refusal(int Status, string Title, string Code, string Detail, Guid CorrelationId);

    /// <summary>
    /// Reads the body and refuses a media type outside <paramref name="mediaTypes"/> (415) or a body over the limit (413),
    /// storing what was kept of it first so the input is never lost.
    /// </summary>
    public static async Task<(Body Body, Refusal? Refusal)> ReceiveAsync(HttpContext http, Inbox.Inbox inbox, int maxBytes, string format, string prefix,
        string[] mediaTypes, CancellationToken ct)
    {
        var body = await ReadBodyAsync(http.Request, maxBytes, ct);
        var (status, title, code, detail) = !MediaTypeAccepted(http.Request, mediaTypes)
            ? (StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "unsupported-media-type",
                $"Content-Type '{http.Request.ContentType}' is not accepted; send {string.Join(", ", mediaTypes.Take(2))}.")
            : body.TooLarge
                ? (StatusCodes.Status413PayloadTooLarge, "Payload too large", "too-large", TooLargeDetail(body, maxBytes))
                : (0, "", "", "");
        if (status == 0) return (body, null);
        var refused = await QuarantineAsync(inbox, http, format, prefix, body.Payload, code, detail, ct);
        return (body, new Refusal(status, title, code, detail, refused.CorrelationId));
    }

    public static string TooLargeDetail(Body body, int max) =>
        $"The body of {body.Length:N0} bytes exceeds the limit of {max:N0} bytes; the first {max:N0} bytes were stored for review.";
}
