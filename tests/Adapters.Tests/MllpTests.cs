using System.Text;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Adapters.Tests;

public class MllpTests
{
    private static readonly CancellationToken Ct = CancellationToken.None;

    private static byte[] Frame(string payload) => [MllpFraming.StartBlock, .. Encoding.UTF8.GetBytes(payload), MllpFraming.EndBlock, MllpFraming.CarriageReturn];

    private static async Task<List<MllpReadResult>> ReadAll(Stream stream, int maxFrameBytes = 4 * 1024 * 1024)
    {
        await using var reader = new MllpFrameReader(stream, maxFrameBytes);
        var results = new List<MllpReadResult>();
        while (true)
        {
            var result = await reader.ReadFrameAsync(Ct);
            results.Add(result);
            if (result.Status == MllpReadStatus.EndOfStream || results.Count > 100)
            {
                return results;
            }
        }
    }

    private static string Text(MllpReadResult result) => Encoding.UTF8.GetString(result.Payload.ShouldNotBeNull());

    [Fact]
    public async Task Reads_multiple_frames_from_one_buffer()
    {
        var bytes = Frame("MSH|one").Concat(Frame("MSH|two")).Concat(Frame("MSH|three")).ToArray();

        var results = await ReadAll(new MemoryStream(bytes));

        results.Count.ShouldBe(4);
        results.Take(3).Select(Text).ShouldBe(["MSH|one", "MSH|two", "MSH|three"]);
        results[3].Status.ShouldBe(MllpReadStatus.EndOfStream);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(4096)]
    public async Task Reads_frames_split_across_reads(int chunkSize)
    {
        var message = "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rPID|1||Müller";
        var bytes = Frame(message).Concat(Frame("second")).ToArray();

        var results = await ReadAll(new ChunkedStream(bytes, chunkSize));

        results.Select(r => r.Status).ShouldBe([MllpReadStatus.Frame, MllpReadStatus.Frame, MllpReadStatus.EndOfStream]);
        Text(results[0]).ShouldBe(message);
        Text(results[1]).ShouldBe("second");
    }

    [Fact]
    public async Task Reads_a_large_frame_arriving_in_small_pieces()
    {
        var payload = new string('x', 1_000_000);

        var results = await ReadAll(new ChunkedStream(Frame(payload), 1000));

        results[0].Payload!.Length.ShouldBe(1_000_000);
        results[1].Status.ShouldBe(MllpReadStatus.EndOfStream);
    }

    [Fact]
    public async Task Reports_an_oversize_frame_and_recovers_at_the_next_frame()
    {
        var bytes = Frame(new string('x', 500)).Concat(Frame("ok")).ToArray();

        var results = await ReadAll(new ChunkedStream(bytes, 64), maxFrameBytes: 100);

        results[0].Status.ShouldBe(MllpReadStatus.Error);
        results[0].Error.ShouldBe(MllpError.FrameTooLarge);
        results[0].ErrorMessage.ShouldNotBeNullOrWhiteSpace();
        Text(results[1]).ShouldBe("ok");
        results[2].Status.ShouldBe(MllpReadStatus.EndOfStream);
    }

    [Fact]
    public async Task Reports_an_oversize_frame_that_arrived_complete()
    {
        var bytes = Frame(new string('x', 101)).Concat(Frame(new string('y', 100))).ToArray();

        var results = await ReadAll(new MemoryStream(bytes), maxFrameBytes: 100);

        results[0].Error.ShouldBe(MllpError.FrameTooLarge);
        Text(results[1]).ShouldBe(new string('y', 100));
    }

    [Fact]
    public async Task Reports_junk_before_the_start_block_and_then_reads_the_frame()
    {
        var bytes = Encoding.ASCII.GetBytes("GET / HTTP/1.1\r\n").Concat(Frame("MSH|after-junk")).ToArray();

        var results = await ReadAll(new MemoryStream(bytes));

        results[0].Status.ShouldBe(MllpReadStatus.Error);
        results[0].Error.ShouldBe(MllpError.DataBeforeStartBlock);
        results[0].ErrorMessage!.ShouldContain("16 byte(s)");
        Text(results[1]).ShouldBe("MSH|after-junk");
        results[2].Status.ShouldBe(MllpReadStatus.EndOfStream);
    }

    [Fact]
    public async Task Reports_end_of_stream_inside_a_frame()
    {
        var bytes = Frame("MSH|complete").Concat(new byte[] { MllpFraming.StartBlock }).Concat(Encoding.ASCII.GetBytes("MSH|cut off")).ToArray();

        var results = await ReadAll(new ChunkedStream(bytes, 5));

        Text(results[0]).ShouldBe("MSH|complete");
        results[1].Error.ShouldBe(MllpError.UnexpectedEndOfStream);
        results[2].Status.ShouldBe(MllpReadStatus.EndOfStream);
    }

    [Fact]
    public async Task Treats_an_empty_stream_and_trailing_line_breaks_as_a_clean_close()
    {
        (await ReadAll(new MemoryStream())).ShouldHaveSingleItem().Status.ShouldBe(MllpReadStatus.EndOfStream);

        var bytes = Frame("a").Concat("\r\n"u8.ToArray()).Concat(Frame("b")).Concat("\n"u8.ToArray()).ToArray();
        var results = await ReadAll(new MemoryStream(bytes));
        results.Select(r => r.Status).ShouldBe([MllpReadStatus.Frame, MllpReadStatus.Frame, MllpReadStatus.EndOfStream]);
    }

    [Fact]
    public async Task Accepts_a_frame_whose_trailing_carriage_return_is_missing()
    {
        byte[] bytes = [MllpFraming.StartBlock, (byte)'a', MllpFraming.EndBlock, MllpFraming.StartBlock, (byte)'b', MllpFraming.EndBlock];

        var results = await ReadAll(new MemoryStream(bytes));

        results.Take(2).Select(Text).ShouldBe(["a", "b"]);
    }

    [Fact]
    public async Task Writes_frames_that_the_reader_reads_back()
    {
        var stream = new MemoryStream();

        await MllpFraming.WriteFrameAsync(stream, "MSH|Ærø", Ct);
        await MllpFraming.WriteFrameAsync(stream, Encoding.ASCII.GetBytes("MSH|2"), Ct);

        var bytes = stream.ToArray();
        bytes[0].ShouldBe((byte)0x0B);
        bytes[^2..].ShouldBe(new byte[] { 0x1C, 0x0D });
        stream.Position = 0;
        var results = await ReadAll(stream);
        results.Take(2).Select(Text).ShouldBe(["MSH|Ærø", "MSH|2"]);
    }

    [Fact]
    public async Task Refuses_to_write_a_payload_containing_framing_bytes()
    {
        await Should.ThrowAsync<ArgumentException>(async () =>
            await MllpFraming.WriteFrameAsync(new MemoryStream(), new byte[] { 0x41, MllpFraming.EndBlock }, Ct));
    }

    [Fact]
    public void Decodes_UTF8_when_valid_and_Latin1_otherwise()
    {
        Hl7Text.Decode("Müller"u8).ShouldBe("Müller");
        Hl7Text.Decode([0xEF, 0xBB, 0xBF, (byte)'M', (byte)'S', (byte)'H']).ShouldBe("MSH");
        Hl7Text.Decode([(byte)'M', 0xFC, (byte)'l', 0xE9]).ShouldBe("Mülé");

        var everyByte = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var decoded = Hl7Text.Decode(everyByte);
        decoded.Length.ShouldBe(256);
        Encoding.Latin1.GetBytes(decoded).ShouldBe(everyByte);
    }

    /// <summary>A read-only stream that hands out at most <c>chunkSize</c> bytes per read.</summary>
    private sealed class ChunkedStream(byte[] data, int chunkSize) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(chunkSize, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            return Read(buffer.Span);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
