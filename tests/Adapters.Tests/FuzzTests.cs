using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Fhir;
using HealthSync.Adapters.Hl7;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Adapters.Tests;

public class FuzzTests
{
    private static readonly DateTimeOffset Now = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Everything the inbound path does with untrusted text; none of it may throw.</summary>
    private static void Exercise(string text)
    {
        var parsed = Hl7Parser.Parse(text);
        if (parsed.Message is { } message)
        {
            DftP03Reader.Read(message);
            Hl7Serializer.Serialize(message);
            foreach (var segment in message.Segments)
            {
                for (var f = 1; f <= Math.Min(segment.FieldCount, 50); f++)
                {
                    segment.Value(f, 1, 1, 1);
                    segment.Value(f, 2, 2, 2);
                    segment.RepetitionCount(f);
                }
            }
        }

        var original = parsed.Message ?? parsed.Header;
        var error = parsed.Errors.Count > 0 ? parsed.Errors[0] : null;
        var ack = Hl7Ack.Build(original, error is null ? AckCode.AA : AckCode.AR, "fuzz", error, Now, "F1");
        Hl7Ack.ReadCode(ack);
        ChargeItemReader.Read(text);
    }

    [Fact]
    public void Random_bytes_never_make_the_readers_throw()
    {
        var random = new Random(20240305);
        var prefix = "MSH|^~\\&|"u8.ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = new byte[random.Next(0, 300)];
            random.NextBytes(bytes);
            if (i % 2 == 0 && bytes.Length >= prefix.Length)
            {
                prefix.CopyTo(bytes, 0);
            }

            Exercise(Hl7Text.Decode(bytes));
        }
    }

    [Fact]
    public void Truncations_of_every_sample_never_throw()
    {
        foreach (var name in Samples.Hl7FileNames())
        {
            var text = Samples.Hl7(name);
            for (var length = 0; length <= text.Length; length += 13)
            {
                Exercise(text[..length]);
            }
        }

        var json = Samples.Fhir("chargeitem-example.json");
        for (var length = 0; length <= json.Length; length += 7)
        {
            var result = ChargeItemReader.Read(json[..length]);
            (result.Errors.Count + result.Usages.Count).ShouldBeGreaterThan(0);
        }
    }

    [Fact]
    public void Delimiter_mutations_of_the_DFT_sample_never_throw()
    {
        var random = new Random(7);
        var text = Samples.Hl7("fhirconverter_DFT-P03-01.hl7");
        char[] noise = ['|', '^', '~', '\\', '&', '\r', '\n', '"', '#', 'X', '0', '\u00e9', '\uFEFF', '\0'];
        for (var i = 0; i < 1500; i++)
        {
            var chars = text.ToCharArray();
            for (var k = 0; k < 1 + random.Next(8); k++)
            {
                chars[random.Next(chars.Length)] = noise[random.Next(noise.Length)];
            }

            Exercise(new string(chars));
        }
    }

    [Fact]
    public async Task Random_MLLP_streams_end_without_throwing()
    {
        var random = new Random(11);
        for (var i = 0; i < 300; i++)
        {
            var bytes = new byte[random.Next(0, 2000)];
            random.NextBytes(bytes);
            for (var k = 0; k < bytes.Length / 50; k++)
            {
                bytes[random.Next(bytes.Length)] = random.Next(2) == 0 ? MllpFraming.StartBlock : MllpFraming.EndBlock;
            }

            await using var reader = new MllpFrameReader(new MemoryStream(bytes), maxFrameBytes: 256);
            var reads = 0;
            MllpReadResult result;
            do
            {
                result = await reader.ReadFrameAsync(CancellationToken.None);
                if (result.IsFrame)
                {
                    Exercise(Hl7Text.Decode(result.Payload));
                }

                reads++;
            }
            while (result.Status != MllpReadStatus.EndOfStream && reads < 10_000);

            result.Status.ShouldBe(MllpReadStatus.EndOfStream);
        }
    }

    [Fact]
    public void Escaping_round_trips_random_text()
    {
        var random = new Random(3);
        const string alphabet = "ab|^~\\&#\r\n \"XZ.br";
        var delimiters = new Hl7Delimiters('|', '^', '~', '\\', '&', '#');
        for (var i = 0; i < 2000; i++)
        {
            var value = new string(Enumerable.Range(0, random.Next(0, 20)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());

            var escaped = Hl7Escaping.Escape(value, delimiters);

            escaped.IndexOfAny(['|', '^', '~', '&', '#', '\r', '\n']).ShouldBe(-1);
            Hl7Escaping.Unescape(escaped, delimiters).ShouldBe(value);
        }
    }

    [Fact]
    public void Findings_are_well_formed_for_empty_input()
    {
        Hl7Parser.Parse(null).Errors.ShouldHaveSingleItem().ShouldBe(new ValidationFinding("MSH", "required", "The message is empty."));
    }
}
