using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>
/// Parses HL7 v2 (ER7 / pipe-delimited) text. Never throws for bad input: every problem is reported as a
/// <see cref="ValidationFinding"/>.
/// </summary>
public static class Hl7Parser
{
    // Binary garbage after a valid MSH would otherwise produce one finding per line.
    private const int MaxFindings = 25;

    /// <summary>Parses one message; segments may be terminated by <c>\r</c>, <c>\n</c> or <c>\r\n</c>.</summary>
    public static Hl7ParseResult Parse(string? text)
    {
        text ??= string.Empty;
        var start = 0;
        while (start < text.Length && (char.IsWhiteSpace(text[start]) || text[start] == '\uFEFF'))
        {
            start++;
        }

        if (start == text.Length)
        {
            return Fail("MSH", FindingCodes.Required, "The message is empty.");
        }

        var body = text.AsSpan(start);
        if (!body.StartsWith("MSH", StringComparison.Ordinal))
        {
            return Fail("MSH", FindingCodes.Malformed, $"The message must start with an MSH segment; it starts with '{Preview(body)}'.");
        }

        if (body.Length < 4 || body[3] is '\r' or '\n')
        {
            return Fail("MSH-1", FindingCodes.Malformed, "MSH-1 (field separator) is missing.");
        }

        var fieldSeparator = body[3];
        var lines = SplitLines(body);
        var mshLine = lines[0];
        var encodingEnd = mshLine.IndexOf(fieldSeparator, 4);
        var encoding = encodingEnd < 0 ? mshLine.AsSpan(4) : mshLine.AsSpan(4, encodingEnd - 4);
        var delimiters = Hl7Delimiters.TryCreate(fieldSeparator, encoding, out var problem);
        if (delimiters is null)
        {
            var path = char.IsLetterOrDigit(fieldSeparator) || char.IsWhiteSpace(fieldSeparator) || char.IsControl(fieldSeparator)
                ? "MSH-1"
                : "MSH-2";
            return Fail(path, FindingCodes.Malformed, problem ?? "Invalid delimiters.");
        }

        var msh = new Hl7Segment(SplitMsh(mshLine, delimiters), delimiters);
        var header = new Hl7Message(delimiters, [msh]);
        if (msh.FieldCount < 12)
        {
            return Hl7ParseResult.Fail(
                [new ValidationFinding("MSH", FindingCodes.Malformed, $"MSH has {msh.FieldCount} fields; MSH-1 to MSH-12 are required.")],
                header);
        }

        var findings = new List<ValidationFinding>();
        RequireValue(msh, 9, "MSH-9", "message type", findings);
        RequireValue(msh, 10, "MSH-10", "message control id", findings);
        RequireValue(msh, 12, "MSH-12", "version id", findings);

        var segments = new List<Hl7Segment>(lines.Count) { msh };
        for (var i = 1; i < lines.Count && findings.Count < MaxFindings; i++)
        {
            var line = lines[i];
            var ordinal = i + 1;
            if (!HasValidId(line, fieldSeparator))
            {
                findings.Add(new ValidationFinding(
                    $"Segment[{ordinal}]",
                    FindingCodes.Malformed,
                    $"Segment {ordinal} starts with '{Preview(line)}'; a segment id is three upper-case letters or digits followed by '{fieldSeparator}'."));
                continue;
            }

            if (line.StartsWith("MSH", StringComparison.Ordinal))
            {
                findings.Add(new ValidationFinding(
                    $"Segment[{ordinal}]",
                    FindingCodes.Malformed,
                    $"Segment {ordinal} is a second MSH; send one message at a time."));
                continue;
            }

            segments.Add(new Hl7Segment(line.Split(fieldSeparator), delimiters));
        }

        return findings.Count > 0
            ? Hl7ParseResult.Fail(findings, header)
            : Hl7ParseResult.Ok(new Hl7Message(delimiters, segments));
    }

    private static void RequireValue(Hl7Segment msh, int field, string path, string name, List<ValidationFinding> findings)
    {
        var value = msh.Value(field, 1);
        if (string.IsNullOrWhiteSpace(value) || value == Hl7Segment.NullValue)
        {
            findings.Add(new ValidationFinding(path, FindingCodes.Required, $"{path} ({name}) is required."));
        }
    }

    private static List<string> SplitLines(ReadOnlySpan<char> body)
    {
        var lines = new List<string>();
        foreach (var range in body.SplitAny('\r', '\n'))
        {
            var line = body[range];
            if (!line.IsWhiteSpace())
            {
                lines.Add(line.ToString());
            }
        }

        return lines;
    }

    private static string[] SplitMsh(string line, Hl7Delimiters delimiters)
    {
        // "MSH|^~\&|A|B".Split('|') gives [MSH, ^~\&, A, B]; MSH-1 is the separator itself.
        var parts = line.Split(delimiters.Field);
        var fields = new string[parts.Length + 1];
        fields[0] = "MSH";
        fields[1] = delimiters.Field.ToString();
        Array.Copy(parts, 1, fields, 2, parts.Length - 1);
        return fields;
    }

    private static bool HasValidId(string line, char fieldSeparator)
    {
        if (line.Length < 3 || (line.Length > 3 && line[3] != fieldSeparator))
        {
            return false;
        }

        for (var i = 0; i < 3; i++)
        {
            if (!char.IsAsciiLetterUpper(line[i]) && !char.IsAsciiDigit(line[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string Preview(ReadOnlySpan<char> text)
    {
        var end = text.IndexOfAny('\r', '\n');
        var head = end < 0 ? text : text[..end];
        if (head.Length > 20)
        {
            head = head[..20];
        }

        Span<char> printable = stackalloc char[head.Length];
        for (var i = 0; i < head.Length; i++)
        {
            printable[i] = char.IsControl(head[i]) ? '?' : head[i];
        }

        return new string(printable);
    }

    private static Hl7ParseResult Fail(string path, string code, string message) =>
        Hl7ParseResult.Fail([new ValidationFinding(path, code, message)]);
}
