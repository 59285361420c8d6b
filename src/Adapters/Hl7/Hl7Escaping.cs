using System.Globalization;
using System.Text;
using HealthSync.Adapters.Mllp;

namespace HealthSync.Adapters.Hl7;

/// <summary>
/// HL7 v2 escape sequences (chapter 2.7): delimiters inside values are written as \F\ \S\ \T\ \R\ \E\ (and \P\ for
/// the truncation character), line breaks as \.br\ and other bytes as \Xhh..\. Unknown sequences such as
/// highlighting (\H\ \N\) or character-set switches are kept verbatim so no information is lost.
/// </summary>
public static class Hl7Escaping
{
    /// <summary>Decodes escape sequences in one leaf value (a subcomponent or an unsplit component).</summary>
    public static string Unescape(ReadOnlySpan<char> value, Hl7Delimiters delimiters)
    {
        if (delimiters.Escape is not char esc || value.IndexOf(esc) < 0)
        {
            return value.ToString();
        }

        var sb = new StringBuilder(value.Length);
        var i = 0;
        while (i < value.Length)
        {
            var c = value[i];
            if (c != esc)
            {
                sb.Append(c);
                i++;
                continue;
            }

            var close = value[(i + 1)..].IndexOf(esc);
            if (close < 0)
            {
                sb.Append(value[i..]);
                break;
            }

            var sequence = value.Slice(i + 1, close);
            if (!TryAppendDecoded(sb, sequence, delimiters))
            {
                sb.Append(value.Slice(i, close + 2));
            }

            i += close + 2;
        }

        return sb.ToString();
    }

    /// <summary>Encodes a value so it can be written as one leaf; throws when escaping is needed but MSH-2 has no escape character.</summary>
    public static string Escape(string? value, Hl7Delimiters delimiters)
    {
        if (string.IsNullOrEmpty(value))
        {
            return string.Empty;
        }

        var needs = false;
        foreach (var c in value)
        {
            if (NeedsEscape(c, delimiters))
            {
                needs = true;
                break;
            }
        }

        if (!needs)
        {
            return value;
        }

        if (delimiters.Escape is not char esc)
        {
            throw new ArgumentException(
                "The value contains a delimiter or line break but the message declares no escape character.", nameof(value));
        }

        var sb = new StringBuilder(value.Length + 8);
        foreach (var c in value)
        {
            string? code = c switch
            {
                _ when c == delimiters.Field => "F",
                _ when c == delimiters.Component => "S",
                _ when c == delimiters.Repetition => "R",
                _ when c == esc => "E",
                _ when c == delimiters.Subcomponent => "T",
                _ when c == delimiters.Truncation => "P",
                '\n' => ".br",
                '\r' => "X0D",
                _ => null,
            };
            if (code is null)
            {
                sb.Append(c);
            }
            else
            {
                sb.Append(esc).Append(code).Append(esc);
            }
        }

        return sb.ToString();
    }

    private static bool NeedsEscape(char c, Hl7Delimiters d) => c is '\r' or '\n' || d.IsDelimiter(c);

    private static bool TryAppendDecoded(StringBuilder sb, ReadOnlySpan<char> sequence, Hl7Delimiters d)
    {
        if (sequence.Length == 1)
        {
            char? decoded = sequence[0] switch
            {
                'F' => d.Field,
                'S' => d.Component,
                'R' => d.Repetition,
                'E' => d.Escape,
                'T' => d.Subcomponent,
                'P' => d.Truncation,
                _ => null,
            };
            if (decoded is char ch)
            {
                sb.Append(ch);
                return true;
            }

            return false;
        }

        if (sequence.Equals(".br", StringComparison.Ordinal))
        {
            sb.Append('\n');
            return true;
        }

        if (sequence.Length >= 3 && sequence[0] == 'X' && (sequence.Length - 1) % 2 == 0)
        {
            var hex = sequence[1..];
            var bytes = new byte[hex.Length / 2];
            for (var k = 0; k < bytes.Length; k++)
            {
                if (!byte.TryParse(hex.Slice(k * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out bytes[k]))
                {
                    return false;
                }
            }

            sb.Append(Hl7Text.Decode(bytes));
            return true;
        }

        return false;
    }

    /// <summary>
    /// Re-encodes a raw field written with one delimiter set so it means the same under another (used when echoing
    /// fields of a message that arrived with custom delimiters).
    /// </summary>
    internal static string ReencodeField(string raw, Hl7Delimiters from, Hl7Delimiters to)
    {
        if (raw.Length == 0 || from == to)
        {
            return raw;
        }

        var reps = raw.Split(from.Repetition);
        for (var r = 0; r < reps.Length; r++)
        {
            var comps = reps[r].Split(from.Component);
            for (var c = 0; c < comps.Length; c++)
            {
                var subs = from.Subcomponent is char fs ? comps[c].Split(fs) : [comps[c]];
                for (var s = 0; s < subs.Length; s++)
                {
                    subs[s] = subs[s] == Hl7Segment.NullValue ? subs[s] : Escape(Unescape(subs[s], from), to);
                }

                comps[c] = subs.Length == 1
                    ? subs[0]
                    : string.Join(to.Subcomponent ?? throw new ArgumentException("Target delimiters have no subcomponent separator.", nameof(to)), subs);
            }

            reps[r] = string.Join(to.Component, comps);
        }

        return string.Join(to.Repetition, reps);
    }
}
