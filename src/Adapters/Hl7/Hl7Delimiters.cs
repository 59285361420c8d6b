namespace HealthSync.Adapters.Hl7;

/// <summary>
/// The separator and escape characters of one HL7 v2 message, as declared in MSH-1 and MSH-2.
/// </summary>
/// <remarks>
/// MSH-2 is positional (component, repetition, escape, subcomponent, truncation), so an optional character can
/// only be present when every character before it is: a subcomponent separator implies an escape character.
/// </remarks>
public sealed record Hl7Delimiters
{
    /// <summary>Creates a delimiter set; throws <see cref="ArgumentException"/> when the characters are unusable.</summary>
    public Hl7Delimiters(char field, char component, char repetition, char? escape, char? subcomponent, char? truncation = null)
    {
        var problem = Check(field, component, repetition, escape, subcomponent, truncation);
        if (problem is not null)
        {
            throw new ArgumentException(problem);
        }

        Field = field;
        Component = component;
        Repetition = repetition;
        Escape = escape;
        Subcomponent = subcomponent;
        Truncation = truncation;
    }

    /// <summary>The delimiters recommended by the standard: <c>|^~\&amp;</c>.</summary>
    public static Hl7Delimiters Default { get; } = new('|', '^', '~', '\\', '&');

    /// <summary>MSH-1.</summary>
    public char Field { get; }

    /// <summary>MSH-2 position 1.</summary>
    public char Component { get; }

    /// <summary>MSH-2 position 2.</summary>
    public char Repetition { get; }

    /// <summary>MSH-2 position 3; without it values cannot contain delimiter characters.</summary>
    public char? Escape { get; }

    /// <summary>MSH-2 position 4.</summary>
    public char? Subcomponent { get; }

    /// <summary>MSH-2 position 5 (v2.7 and later); only recognised, never used to shorten values.</summary>
    public char? Truncation { get; }

    /// <summary>The MSH-2 text for this set, e.g. <c>^~\&amp;</c>.</summary>
    public string EncodingCharacters
    {
        get
        {
            Span<char> chars = stackalloc char[5];
            var length = 0;
            chars[length++] = Component;
            chars[length++] = Repetition;
            if (Escape is char e)
            {
                chars[length++] = e;
                if (Subcomponent is char s)
                {
                    chars[length++] = s;
                    if (Truncation is char t)
                    {
                        chars[length++] = t;
                    }
                }
            }

            return new string(chars[..length]);
        }
    }

    /// <summary>Reads MSH-2 text; returns an explanation instead of throwing when it is unusable.</summary>
    internal static Hl7Delimiters? TryCreate(char field, ReadOnlySpan<char> encoding, out string? problem)
    {
        if (encoding.Length < 2)
        {
            problem = $"MSH-2 must hold at least the component and repetition separators; found '{encoding}'.";
            return null;
        }

        if (encoding.Length > 5)
        {
            problem = $"MSH-2 holds {encoding.Length} characters; at most 5 encoding characters are defined.";
            return null;
        }

        char? escape = encoding.Length > 2 ? encoding[2] : null;
        char? sub = encoding.Length > 3 ? encoding[3] : null;
        char? truncation = encoding.Length > 4 ? encoding[4] : null;
        problem = Check(field, encoding[0], encoding[1], escape, sub, truncation);
        return problem is null ? new Hl7Delimiters(field, encoding[0], encoding[1], escape, sub, truncation) : null;
    }

    internal static string? Check(char field, char component, char repetition, char? escape, char? subcomponent, char? truncation)
    {
        if (subcomponent is not null && escape is null)
        {
            return "A subcomponent separator requires an escape character (MSH-2 is positional).";
        }

        if (truncation is not null && subcomponent is null)
        {
            return "A truncation character requires the escape and subcomponent characters (MSH-2 is positional).";
        }

        Span<char> all = stackalloc char[6];
        var count = 0;
        all[count++] = field;
        all[count++] = component;
        all[count++] = repetition;
        if (escape is char e)
        {
            all[count++] = e;
        }

        if (subcomponent is char s)
        {
            all[count++] = s;
        }

        if (truncation is char t)
        {
            all[count++] = t;
        }

        for (var i = 0; i < count; i++)
        {
            var c = all[i];
            if (char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || char.IsControl(c))
            {
                return $"'{Printable(c)}' cannot be an HL7 delimiter: delimiters must be visible punctuation.";
            }

            for (var j = i + 1; j < count; j++)
            {
                if (all[j] == c)
                {
                    return $"'{c}' is used for two different delimiters.";
                }
            }
        }

        return null;
    }

    internal bool IsDelimiter(char c) =>
        c == Field || c == Component || c == Repetition || c == Escape || c == Subcomponent || c == Truncation;

    private static string Printable(char c) => char.IsControl(c) || char.IsWhiteSpace(c) ? $"U+{(int)c:X4}" : c.ToString();
}
