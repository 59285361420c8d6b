using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using HealthSync.Engine.Transports;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Transports;

/// <summary>
/// Thousands of mutated inputs per format against the real listeners: none crashes them, every input is answered,
/// every input is stored, and the processor settles every stored message (processed or rejected with an exception).
/// </summary>
public class ListenerFuzzTests(TestHost host) : IClassFixture<TestHost>
{
    private const int PerFormat = 1500;

    /// <summary>Byte flips, truncations, deletions, insertions, duplications and delimiter swaps of a seed input.</summary>
    private static byte[] Mutate(byte[] seed, Random rnd)
    {
        var b = seed.ToList();
        var edits = rnd.Next(1, 4);
        for (var i = 0; i < edits && b.Count > 1; i++)
        {
            var at = rnd.Next(b.Count);
            switch (rnd.Next(6))
            {
                case 0: b[at] = (byte)rnd.Next(256); break;
                case 1: b.RemoveRange(at, b.Count - at); break;
                case 2: b.RemoveRange(at, Math.Min(rnd.Next(1, 40), b.Count - at)); break;
                case 3: b.InsertRange(at, Enumerable.Range(0, rnd.Next(1, 8)).Select(_ => (byte)rnd.Next(256))); break;
                case 4:
                    var len = Math.Min(rnd.Next(1, 80), b.Count - at);
                    b.InsertRange(at, b.GetRange(at, len));
                    break;
                default:
                    byte[] delimiters = [(byte)'|', (byte)'^', (byte)'*', (byte)'~', (byte)'{', (byte)'"', (byte)',', (byte)'\r', (byte)'\n'];
                    b[at] = delimiters[rnd.Next(delimiters.Length)];
                    break;
            }
        }
        if (b.Count == 0) b.Add((byte)'x');
        return [.. b];
    }

    private static List<byte[]> Corpus(IEnumerable<byte[]> seeds, int seed)
    {
        var rnd = new Random(seed);
        var list = seeds.ToList();
        return Enumerable.Range(0, PerFormat).Select(i => Mutate(list[i % list.Count], rnd)).ToList();
    }

    [Fact]
    public async Task Mutated_HL7_over_MLLP_is_always_acknowledged_and_stored()
    {
        var inputs = Corpus(SampleFiles.Files("hl7v2").Select(File.ReadAllBytes)
            .Append(Encoding.UTF8.GetBytes(Demo.DemoMessages.Dft(Usage.Stent()))), 11);
        var keys = new List<string>();
        await Parallel.ForEachAsync(inputs.Chunk(PerFormat / 4), async (chunk, ct) =>
        {
            await using var client = await MllpClient.ConnectAsync(host.MllpPort);
            foreach (var input in chunk)
            {
                // Frame bytes inside the payload would end the frame early: the listener would see two frames.
                var payload = input.Where(b => b is not (0x0B or 0x1C)).DefaultIfEmpty((byte)'x').ToArray();
                var ack = await client.SendAsync(payload);
                Hl7Ack.TryReadCode(ack, out _).ShouldBeTrue($"an ACK for every input, got: {ack}");
                var parsed = Hl7Parser.Parse(Hl7Text.Decode(payload));
                lock (keys) keys.Add(MllpListener.Describe(payload, parsed.Success ? parsed.Message : null).IdempotencyKey);
            }
        });

        await AllStoredAsync(keys);
    }

    [Fact]
    public async Task Mutated_X12_FHIR_and_CSV_over_HTTP_are_always_answered_and_stored()
    {
        var x12 = Corpus(SampleFiles.Files("x12").Select(File.ReadAllBytes), 12);
        var fhir = Corpus(SampleFiles.Files("fhir-r4").Where(f => f.EndsWith(".json", StringComparison.Ordinal)).Select(File.ReadAllBytes), 13);
        var csv = Corpus([Encoding.UTF8.GetBytes("settlement_id,merchant_ref,facility,gross_amount,fee,net_amount,settled_at,card_brand\n"
            + "STL-F1,CHG-1,NGH,10.00,0.29,9.71,2026-11-20T10:00:00Z,VISA\nSTL-F2,CHG-2,SCH,20.00,0.58,19.42,2026-11-20T11:00:00Z,MC\n"),
            Encoding.UTF8.GetBytes("receipt_id,received_at,facility,patient_account,amount,payment_reference,method\nRC-1,2026-11-20T10:00:00Z,NGH,A1,10.00,STL-F1,card\n")], 14);
        var requests = x12.Select(b => ("edi/x12", "application/edi-x12", b))
            .Concat(fhir.Select(b => ("fhir", "application/fhir+json", b)))
            .Concat(csv.Select(b => ("csv", "text/csv", b)))
            .ToList();
        var correlations = new List<Guid>();
        using var client = host.Client(TestHost.IntegrationKey);
        await Parallel.ForEachAsync(requests, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (r, ct) =>
        {
            var content = new ByteArrayContent(r.Item3);
            content.Headers.ContentType = new MediaTypeHeaderValue(r.Item2);
            using var response = await client.PostAsync(r.Item1, content, ct);
            var answer = await response.Content.ReadAsStringAsync(ct);
            ((int)response.StatusCode).ShouldBeOneOf([200, 202, 400, 413, 415, 422], $"{r.Item1} answered {answer}");
            var id = response.Headers.TryGetValues("X-Correlation-Id", out var v) ? Guid.Parse(v.Single()) : CorrelationFromBody(answer);
            id.ShouldNotBeNull($"a stored transaction for a {r.Item1} input answered {(int)response.StatusCode}");
            lock (correlations) correlations.Add(id.Value);
        });

        await host.DrainedAsync(TimeSpan.FromSeconds(120));
        await using var db = host.NewDb();
        foreach (var chunk in correlations.Distinct().Chunk(500))
            (await db.InboxMessages.CountAsync(m => chunk.Contains(m.CorrelationId))).ShouldBe(chunk.Length);
        (await db.InboxMessages.CountAsync(m => m.Status == InboxStatus.Received)).ShouldBe(0);
    }

    private static Guid? CorrelationFromBody(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.TryGetProperty("correlationId", out var c)) return c.GetGuid();
            // OperationOutcome: "stored as transaction <id>" in the last issue's diagnostics.
            var text = doc.RootElement.GetRawText();
            var at = text.IndexOf("transaction ", StringComparison.Ordinal);
            return at >= 0 && Guid.TryParse(text.AsSpan(at + 12, 36), out var g) ? g : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task AllStoredAsync(List<string> keys)
    {
        await host.DrainedAsync(TimeSpan.FromSeconds(120));
        await using var db = host.NewDb();
        foreach (var chunk in keys.Distinct().Chunk(500))
            (await db.InboxMessages.CountAsync(m => chunk.Contains(m.IdempotencyKey))).ShouldBe(chunk.Length);
        (await db.InboxMessages.CountAsync(m => m.Status == InboxStatus.Received)).ShouldBe(0);
        using var client = host.Client();
        (await client.GetAsync("health/live")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }
}
