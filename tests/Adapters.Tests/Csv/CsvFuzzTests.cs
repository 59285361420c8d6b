using System.Text;
using HealthSync.Adapters.Csv;

namespace HealthSync.Adapters.Tests.Csv;

public class CsvFuzzTests
{
    private static readonly string[] Fixtures =
    [
        "settlement-good.csv", "settlement-bad-rows.csv", "settlement-missing-columns.csv", "settlement-bom-crlf-quoted.csv", "receipt-mixed.csv",
    ];

    private static void Exercise(byte[] bytes)
    {
        var read = CsvFeeds.Read(bytes);
        // Every read says something: rows, findings, or (a header with no rows) an accepted empty feed.
        if (read.Facts.Count + read.Findings.Count == 0) read.MessageType.ShouldBeOneOf("settlement", "receipt");
        SettlementCsv.Read(bytes);
        ReceiptCsv.Read(bytes, new CsvLimits { MaxRows = 3, MaxBytes = 4096 });
        CsvFeeds.Detect(bytes);
    }

    [Fact]
    public void Byte_flips_truncations_and_noise_never_throw()
    {
        var random = new Random(505);
        byte[] noise = [(byte)',', (byte)'"', (byte)'\r', (byte)'\n', (byte)' ', 0xEF, 0xBB, 0xBF, 0xC3, 0xFF, 0x00, (byte)'-', (byte)'.'];
        var samples = Fixtures.Select(f => CsvFeedTests.Fixture(f)).ToArray();
        for (var i = 0; i < 3000; i++)
        {
            var bytes = (byte[])samples[i % samples.Length].Clone();
            switch (i % 3)
            {
                case 0:
                    for (var k = 0; k < 1 + random.Next(8); k++)
                    {
                        bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                    }

                    break;
                case 1:
                    bytes = bytes[..random.Next(bytes.Length + 1)];
                    break;
                default:
                    for (var k = 0; k < 1 + random.Next(8); k++)
                    {
                        bytes[random.Next(bytes.Length)] = noise[random.Next(noise.Length)];
                    }

                    break;
            }

            Exercise(bytes);
        }
    }

    [Fact]
    public void Random_rows_never_throw()
    {
        var random = new Random(606);
        string[] cells = ["", " ", "1.00", "-1", "1e5", "abc", "\"q,\"", "\"", "2026-11-20", "2026-11-20T10:00:00Z", "STL-1", "9999999999999999999999999999999", "\u00e9"];
        for (var i = 0; i < 1500; i++)
        {
            var sb = new StringBuilder(random.Next(2) == 0 ? SettlementCsv.Header : ReceiptCsv.Header).Append('\n');
            for (var r = 0; r < random.Next(0, 6); r++)
            {
                var count = random.Next(0, 11);
                sb.AppendJoin(',', Enumerable.Range(0, count).Select(_ => cells[random.Next(cells.Length)]));
                sb.Append(random.Next(2) == 0 ? "\n" : "\r\n");
            }

            Exercise(Encoding.UTF8.GetBytes(sb.ToString()));
        }
    }
}
