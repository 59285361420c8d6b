namespace HealthSync.Adapters.Hl7;

/// <summary>
/// One segment of a parsed HL7 v2 message. Fields are kept in their raw (escaped) form and split on demand, so
/// serialising an unmodified message reproduces the original text.
/// </summary>
/// <remarks>
/// Numbering follows the standard and is 1-based throughout. For MSH, field 1 is the field separator and field 2
/// the encoding characters, so MSH-9 is <c>Value(9)</c> exactly as in the specification.
/// </remarks>
public sealed class Hl7Segment
{
    /// <summary>The HL7 explicit null (<c>""</c>): "delete any existing value", as opposed to an empty field.</summary>
    public const string NullValue = "\"\"";

    private readonly string[] _fields;

    internal Hl7Segment(string[] fields, Hl7Delimiters delimiters)
    {
        _fields = fields;
        Delimiters = delimiters;
    }

    /// <summary>Segment id, e.g. <c>PID</c> or <c>ZPI</c>.</summary>
    public string Id => _fields[0];

    /// <summary>The delimiters of the message this segment belongs to.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>Number of fields present (trailing empty fields included when the sender wrote them).</summary>
    public int FieldCount => _fields.Length - 1;

    private bool IsMsh => _fields[0] == "MSH";

    /// <summary>The field exactly as written (escape sequences and delimiters intact); empty when absent.</summary>
    public string RawField(int field)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(field, 1);
        return field < _fields.Length ? _fields[field] : string.Empty;
    }

    /// <summary>True when the whole field is the HL7 explicit null <c>""</c>.</summary>
    public bool IsNull(int field) => RawField(field) == NullValue;

    /// <summary>Number of repetitions of a field (0 when empty).</summary>
    public int RepetitionCount(int field)
    {
        var raw = RawField(field);
        if (raw.Length == 0)
        {
            return 0;
        }

        return IsEncodingField(field) ? 1 : raw.AsSpan().Count(Delimiters.Repetition) + 1;
    }

    /// <summary>Number of components in one repetition of a field (0 when empty).</summary>
    public int ComponentCount(int field, int repetition = 1)
    {
        var raw = RawField(field);
        if (raw.Length == 0)
        {
            return 0;
        }

        if (IsEncodingField(field))
        {
            return 1;
        }

        return TryPiece(raw, Delimiters.Repetition, repetition, out var rep) && !rep.IsEmpty
            ? rep.Count(Delimiters.Component) + 1
            : 0;
    }

    /// <summary>
    /// The unescaped value at a position, or null when absent or empty. The HL7 explicit null is returned as
    /// <see cref="NullValue"/> (<c>""</c>) so it stays distinguishable from an empty field.
    /// </summary>
    public string? Value(int field, int component = 1, int subcomponent = 1, int repetition = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(component, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(subcomponent, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(repetition, 1);
        var raw = RawField(field);
        if (raw.Length == 0)
        {
            return null;
        }

        if (IsEncodingField(field))
        {
            return component == 1 && subcomponent == 1 && repetition == 1 ? raw : null;
        }

        if (!TryPiece(raw, Delimiters.Repetition, repetition, out var piece)
            || !TryPiece(piece, Delimiters.Component, component, out piece))
        {
            return null;
        }

        if (Delimiters.Subcomponent is char sub)
        {
            if (!TryPiece(piece, sub, subcomponent, out piece))
            {
                return null;
            }
        }
        else if (subcomponent > 1)
        {
            return null;
        }

        return piece.IsEmpty ? null : Hl7Escaping.Unescape(piece, Delimiters);
    }

    /// <summary>The segment as written, without terminator.</summary>
    public override string ToString()
    {
        if (IsMsh && _fields.Length > 2)
        {
            return "MSH" + _fields[1] + string.Join(Delimiters.Field, _fields, 2, _fields.Length - 2);
        }

        return string.Join(Delimiters.Field, _fields);
    }

    private bool IsEncodingField(int field) => IsMsh && field is 1 or 2;

    private static bool TryPiece(ReadOnlySpan<char> text, char separator, int index, out ReadOnlySpan<char> piece)
    {
        var rest = text;
        for (var i = 1; i < index; i++)
        {
            var at = rest.IndexOf(separator);
            if (at < 0)
            {
                piece = default;
                return false;
            }

            rest = rest[(at + 1)..];
        }

        var end = rest.IndexOf(separator);
        piece = end < 0 ? rest : rest[..end];
        return true;
    }
}
