using System.Text;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Workflows.SupplyCharge;

namespace HealthSync.Engine.Demo;

/// <summary>
/// A load for scale tests and benchmarks: <c>keys</c> encounters × <c>perKey</c> DFT^P03 usages, interleaved so that each
/// encounter's events arrive in sequence among everyone else's, as inbox rows the MLLP intake would have stored
/// (ordering key = encounter). Written straight to the inbox, they measure the engine rather than the network.
/// </summary>
public static class KeyedStream
{
    public const string Source = "POU|SCALE";

    public static IEnumerable<InboxMessage> Messages(int keys, int perKey, int seed = 7)
    {
        var world = new DemoWorld(seed, badDataRate: 0);
        var at = DateTime.UtcNow.AddHours(-1);
        for (var s = 0; s < perKey; s++)
        for (var k = 0; k < keys; k++)
        {
            var u = world.Next(at).Single() with
            {
                Encounter = $"E{k:D9}", TransactionId = $"SC{k:D5}{s:D4}", ControlId = $"SCALE{k:D5}{s:D4}",
            };
            yield return new InboxMessage
            {
                CorrelationId = Guid.CreateVersion7(), IdempotencyKey = $"hl7:{Source}:{u.ControlId}", SourceSystem = Source, Transport = "mllp",
                Format = Formats.Hl7v2, MessageType = "DFT^P03", OrderingKey = u.Encounter, Payload = Encoding.UTF8.GetBytes(DemoMessages.Dft(u)),
                ReceivedAt = DateTime.UtcNow, Status = InboxStatus.Received,
            };
        }
    }
}
