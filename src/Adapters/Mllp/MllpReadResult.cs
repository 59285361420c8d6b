namespace HealthSync.Adapters.Mllp;

/// <summary>What <see cref="MllpFrameReader.ReadFrameAsync"/> produced.</summary>
public enum MllpReadStatus
{
    /// <summary>A complete frame; see <see cref="MllpReadResult.Payload"/>.</summary>
    Frame,

    /// <summary>The peer closed the connection between frames.</summary>
    EndOfStream,

    /// <summary>A protocol error; see <see cref="MllpReadResult.Error"/>.</summary>
    Error,
}

/// <summary>Kinds of MLLP protocol errors.</summary>
public enum MllpError
{
    /// <summary>No error.</summary>
    None,

    /// <summary>Bytes other than CR/LF arrived outside a frame; they were discarded up to the next start block.</summary>
    DataBeforeStartBlock,

    /// <summary>A frame exceeded the configured maximum; the rest of it is skipped and reading can continue.</summary>
    FrameTooLarge,

    /// <summary>The stream ended after a start block but before the end block.</summary>
    UnexpectedEndOfStream,
}

/// <summary>One outcome of reading an MLLP stream.</summary>
public sealed class MllpReadResult
{
    private MllpReadResult(MllpReadStatus status, byte[]? payload, MllpError error, string? errorMessage)
    {
        Status = status;
        Payload = payload;
        Error = error;
        ErrorMessage = errorMessage;
    }

    /// <summary>The clean end-of-stream result.</summary>
    public static MllpReadResult EndOfStream { get; } = new(MllpReadStatus.EndOfStream, null, MllpError.None, null);

    /// <summary>Frame, end of stream, or error.</summary>
    public MllpReadStatus Status { get; }

    /// <summary>
    /// The bytes between start and end block when <see cref="Status"/> is <see cref="MllpReadStatus.Frame"/>; for a frame
    /// that was too large or cut off by the end of the stream, the bytes that were kept (at most the maximum frame size),
    /// so the receiver can store what it refused.
    /// </summary>
    public byte[]? Payload { get; }

    /// <summary>The error kind when <see cref="Status"/> is <see cref="MllpReadStatus.Error"/>.</summary>
    public MllpError Error { get; }

    /// <summary>Description of the error for logs.</summary>
    public string? ErrorMessage { get; }

    /// <summary>True for a complete frame.</summary>
    public bool IsFrame => Status == MllpReadStatus.Frame;

    internal static MllpReadResult Frame(byte[] payload) => new(MllpReadStatus.Frame, payload, MllpError.None, null);

    internal static MllpReadResult Failure(MllpError error, string message, byte[]? kept = null) => new(MllpReadStatus.Error, kept, error, message);
}
