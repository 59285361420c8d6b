using System.Text;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Adapters.Tests.Hl7;

public class Hl7InboundFuzzTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly string[] Texts = Samples.Hl7FileNames().Select(Samples.Hl7).ToArray();

    /// <summary>Everything the inbound and drop-folder paths do with untrusted text; none of it may throw.</summary>
    private static void Exercise(string text)
    {
        var read = Hl7Inbound.Read(text);
        (read.Facts.Count + read.Findings.Count).ShouldBeGreaterThan(0);

        var batch = Hl7Batch.Read(text);
        Hl7Batch.IsBatch(text);
        var acks = new List<string>();
        foreach (var message in batch.Messages)
        {
            if (message.Parsed.Message is { } parsed)
            {
                Hl7Inbound.Read(parsed);
            }

            var original = message.Parsed.Message ?? message.Parsed.Header;
            acks.Add(Hl7Ack.Build(original, AckCode.AA, null, null, Now, "F" + message.Ordinal));
        }

        Hl7Batch.Read(Hl7Batch.WriteAcknowledgements(batch, acks, Now)).Messages.Count.ShouldBe(acks.Count);
    }

    [Fact]
    public void Byte_flips_never_throw()
    {
        var random = new Random(101);
        for (var i = 0; i < 1500; i++)
        {
            var bytes = Encoding.UTF8.GetBytes(Texts[i % Texts.Length]);
            for (var k = 0; k < 1 + random.Next(10); k++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
            }

            Exercise(Hl7Text.Decode(bytes));
        }
    }

    [Fact]
    public void Truncations_and_segment_deletions_never_throw()
    {
        var random = new Random(202);
        foreach (var text in Texts)
        {
            for (var length = 0; length <= text.Length; length += 37)
            {
                Exercise(text[..length]);
            }

            var segments = text.Split('\n');
            for (var i = 0; i < 60; i++)
            {
                var kept = segments.Where(_ => random.Next(4) != 0);
                Exercise(string.Join('\r', kept));
            }
        }
    }

    [Fact]
    public void Delimiter_swaps_never_throw()
    {
        var random = new Random(303);
        char[] noise = ['|', '^', '~', '\\', '&', '#', '\r', '\n', '"', '\u000B', '\u001C', '\uFEFF', '\0', '9'];
        for (var i = 0; i < 1500; i++)
        {
            var chars = Texts[i % Texts.Length].ToCharArray();
            for (var k = 0; k < 1 + random.Next(12); k++)
            {
                chars[random.Next(chars.Length)] = noise[random.Next(noise.Length)];
            }

            Exercise(new string(chars));
        }
    }

    [Fact]
    public void Mutated_batch_files_never_throw()
    {
        var random = new Random(404);
        string[] pieces =
        [
            "FHS|^~\\&|A|B|C|D|20260101||||F1", "BHS|^~\\&|A|B|C|D|20260101||||B1", "BTS|1", "BTS|x", "FTS|1", "FTS|",
            "BHS#*@!%#A", "FHS", "BTS", "junk", string.Empty,
        ];
        for (var i = 0; i < 1500; i++)
        {
            var parts = new List<string>();
            for (var k = 0; k < random.Next(1, 10); k++)
            {
                parts.Add(random.Next(3) == 0
                    ? Texts[random.Next(Texts.Length)]
                    : pieces[random.Next(pieces.Length)]);
            }

            var text = string.Join(random.Next(3) switch { 0 => "\r", 1 => "\n", _ => "\r\n" }, parts);
            if (text.Length > 0 && random.Next(2) == 0)
            {
                text = text[..random.Next(text.Length)];
            }

            Exercise(text);
        }
    }
}
