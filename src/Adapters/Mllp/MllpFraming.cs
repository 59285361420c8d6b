using System.Buffers;

namespace HealthSync.Adapters.Mllp;

/// <summary>
/// Minimal Lower Layer Protocol framing: <c>&lt;VT&gt; payload &lt;FS&gt;&lt;CR&gt;</c>.
/// </summary>
public static class MllpFraming
{
    /// <summary>Start block (VT).</summary>
    public const byte StartBlock = 0x0B;

    /// <summary>End block (FS).</summary>
    public const byte EndBlock = 0x1C;

    /// <summary>Carriage return that follows the end block.</summary>
    public const byte CarriageReturn = 0x0D;

    /// <summary>Writes one frame with a single write and flushes.</summary>
    /// <exception cref="ArgumentException">The payload contains a start or end block byte, which would break framing.</exception>
    public static async ValueTask WriteFrameAsync(Stream s, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (payload.Span.IndexOfAny(StartBlock, EndBlock) >= 0)
        {
            throw new ArgumentException("An MLLP payload cannot contain the start (0x0B) or end (0x1C) block bytes.", nameof(payload));
        }

        var length = payload.Length + 3;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            buffer[0] = StartBlock;
            payload.Span.CopyTo(buffer.AsSpan(1));
            buffer[payload.Length + 1] = EndBlock;
            buffer[payload.Length + 2] = CarriageReturn;
            await s.WriteAsync(buffer.AsMemory(0, length), ct);
            await s.FlushAsync(ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Writes an HL7 message as one UTF-8 frame.</summary>
    public static ValueTask WriteFrameAsync(Stream s, string message, CancellationToken ct) =>
        WriteFrameAsync(s, Hl7Text.Encode(message), ct);
}
