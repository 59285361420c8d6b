using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Tests.Transports;

public sealed class SmallLimitsHost : TestHost
{
    public SmallLimitsHost()
    {
        Settings["Engine:Mllp:MaxFrameBytes"] = "2048";
        Settings["Engine:Limits:MaxHttpBodyBytes"] = "4096";
    }
}

/// <summary>Oversized input: refused with a specific error, and still stored (what was kept of it) with an exception.</summary>
public class LimitTests(SmallLimitsHost host) : IClassFixture<SmallLimitsHost>
{
    [Fact]
    public async Task An_oversized_MLLP_frame_gets_a_negative_acknowledgement_and_its_first_bytes_are_stored()
    {
        var big = DemoMessagesWithNote(new string('X', 5000));
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", host.MllpPort);
        await using var stream = tcp.GetStream();
        await MllpFraming.WriteFrameAsync(stream, Encoding.UTF8.GetBytes(big), CancellationToken.None);
        await using var reader = new MllpFrameReader(stream);
        var ack = Encoding.UTF8.GetString((await reader.ReadFrameAsync(CancellationToken.None)).Payload!);

        Hl7Ack.ReadCode(ack).Code.ShouldBe(AckCode.AR);
        ack.ShouldContain("exceeded the maximum of 2048 bytes");
        await host.DrainedAsync();
        await using var db = host.NewDb();
        var stored = await db.InboxMessages.SingleAsync(m => m.MessageType == "too-large" && m.Transport == "mllp");
        stored.Payload.Length.ShouldBe(2048);
        stored.Status.ShouldBe(InboxStatus.Rejected);
        (await db.Exceptions.SingleAsync(e => e.CorrelationId == stored.CorrelationId)).ErrorCode.ShouldBe("too-large");
    }

    [Fact]
    public async Task An_oversized_HTTP_body_gets_413_and_its_first_bytes_are_stored()
    {
        using var client = host.Client(TestHost.IntegrationKey);
        var content = new ByteArrayContent(new byte[10_000]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/edi-x12");
        using var response = await client.PostAsync("edi/x12", content);

        response.StatusCode.ShouldBe(HttpStatusCode.RequestEntityTooLarge);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        problem.RootElement.GetProperty("detail").GetString()!.ShouldContain("10,000 bytes exceeds the limit of 4,096 bytes");
        var cid = problem.RootElement.GetProperty("correlationId").GetGuid();
        await host.DrainedAsync();
        await using var db = host.NewDb();
        (await db.InboxMessages.SingleAsync(m => m.CorrelationId == cid)).Payload.Length.ShouldBe(4096);
        (await db.Exceptions.SingleAsync(e => e.CorrelationId == cid)).ErrorCode.ShouldBe("too-large");
    }

    private static string DemoMessagesWithNote(string note) =>
        Demo.DemoMessages.Dft(Usage.Stent()) + $"NTE|1||{note}\r";
}
