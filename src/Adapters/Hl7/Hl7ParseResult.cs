using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>Outcome of <see cref="Hl7Parser.Parse"/>.</summary>
public sealed class Hl7ParseResult
{
    private Hl7ParseResult(Hl7Message? message, Hl7Message? header, IReadOnlyList<ValidationFinding> errors)
    {
        Message = message;
        Header = header;
        Errors = errors;
    }

    /// <summary>True when the text is a structurally valid message.</summary>
    public bool Success => Message is not null;

    /// <summary>The parsed message; null on failure.</summary>
    public Hl7Message? Message { get; }

    /// <summary>
    /// A message holding only the MSH segment whenever MSH itself could be split (even when parsing failed later),
    /// so a negative acknowledgement can still echo the sender's control id and applications.
    /// </summary>
    public Hl7Message? Header { get; }

    /// <summary>Why parsing failed; empty on success.</summary>
    public IReadOnlyList<ValidationFinding> Errors { get; }

    internal static Hl7ParseResult Ok(Hl7Message message) => new(message, new Hl7Message(message.Delimiters, [message.Msh]), []);

    internal static Hl7ParseResult Fail(IReadOnlyList<ValidationFinding> errors, Hl7Message? header = null) => new(null, header, errors);
}
