using System.Buffers;
using System.IO.Pipelines;

namespace HealthSync.Adapters.Mllp;

/// <summary>
/// Reads MLLP frames from a stream. Protocol problems are returned as <see cref="MllpReadStatus.Error"/> results,
/// never thrown; I/O failures and cancellation still surface as exceptions. The stream is not disposed.
/// </summary>
/// <remarks>
/// CR and LF bytes between frames are ignored (some senders terminate frames with CR LF or send keep-alive line
/// breaks). A frame is accepted at its end block even when the trailing CR has not arrived yet, so a sender that
/// omits the CR and waits for the ACK does not stall the conversation.
/// </remarks>
public sealed class MllpFrameReader(Stream stream, int maxFrameBytes = 4 * 1024 * 1024) : IAsyncDisposable
{
    private readonly PipeReader _reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
    private readonly int _maxFrameBytes = maxFrameBytes > 0
        ? maxFrameBytes
        : throw new ArgumentOutOfRangeException(nameof(maxFrameBytes), maxFrameBytes, "The maximum frame size must be positive.");

    // Bytes after the start block already searched for the end block, so a large frame arriving in many reads is
    // scanned once rather than once per read.
    private long _scanned;
    private bool _discarding;
    private bool _finished;

    /// <summary>Reads the next frame, end of stream, or protocol error.</summary>
    public async ValueTask<MllpReadResult> ReadFrameAsync(CancellationToken ct)
    {
        if (_finished)
        {
            return MllpReadResult.EndOfStream;
        }

        while (true)
        {
            var read = await _reader.ReadAsync(ct);
            var buffer = read.Buffer;
            var result = Process(ref buffer, read.IsCompleted);
            if (result is not null)
            {
                _reader.AdvanceTo(buffer.Start);
                return result;
            }

            _reader.AdvanceTo(buffer.Start, read.Buffer.End);
        }
    }

    /// <summary>Releases the pipe's buffers; the underlying stream stays open.</summary>
    public ValueTask DisposeAsync() => _reader.CompleteAsync();

    private MllpReadResult? Process(ref ReadOnlySequence<byte> buffer, bool completed)
    {
        if (_discarding)
        {
            var end = buffer.PositionOf(MllpFraming.EndBlock);
            if (end is null)
            {
                buffer = buffer.Slice(buffer.End);
                return completed ? Finish() : null;
            }

            buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
            _discarding = false;
        }

        var seq = new SequenceReader<byte>(buffer);
        seq.AdvancePastAny(MllpFraming.CarriageReturn, (byte)'\n');
        buffer = buffer.Slice(seq.Position);

        if (!seq.TryPeek(out var first))
        {
            return completed ? Finish() : null;
        }

        if (first != MllpFraming.StartBlock)
        {
            var start = buffer.PositionOf(MllpFraming.StartBlock);
            var junk = start is null ? buffer : buffer.Slice(0, start.Value);
            buffer = buffer.Slice(junk.End);
            return MllpReadResult.Failure(
                MllpError.DataBeforeStartBlock,
                $"{junk.Length} byte(s) arrived before a start block (0x0B) and were discarded.");
        }

        var unscanned = buffer.Slice(1 + _scanned);
        var endBlock = unscanned.PositionOf(MllpFraming.EndBlock);
        if (endBlock is not null)
        {
            var payloadLength = _scanned + unscanned.Slice(0, endBlock.Value).Length;
            _scanned = 0;
            var payload = buffer.Slice(1, payloadLength);
            var result = payloadLength > _maxFrameBytes
                ? TooLarge(payloadLength, payload.Slice(0, _maxFrameBytes).ToArray())
                : MllpReadResult.Frame(payload.ToArray());
            buffer = buffer.Slice(payloadLength + 2);
            return result;
        }

        var pending = buffer.Length - 1;
        if (pending > _maxFrameBytes)
        {
            var kept = buffer.Slice(1, _maxFrameBytes).ToArray();
            buffer = buffer.Slice(buffer.End);
            _scanned = 0;
            _discarding = true;
            return TooLarge(pending, kept);
        }

        if (completed)
        {
            var partial = buffer.Slice(1).ToArray();
            buffer = buffer.Slice(buffer.End);
            _scanned = 0;
            _finished = true;
            return MllpReadResult.Failure(
                MllpError.UnexpectedEndOfStream,
                $"The stream ended inside a frame after {pending} byte(s); the partial message was not processed.", partial);
        }

        _scanned = pending;
        return null;
    }

    private MllpReadResult TooLarge(long length, byte[] kept) =>
        MllpReadResult.Failure(
            MllpError.FrameTooLarge,
            $"A frame exceeded the maximum of {_maxFrameBytes} bytes (at least {length} bytes received); it was skipped.", kept);

    private MllpReadResult Finish()
    {
        _finished = true;
        return MllpReadResult.EndOfStream;
    }
}
