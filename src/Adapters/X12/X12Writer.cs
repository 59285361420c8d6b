using System.Globalization;
using System.Text;

namespace HealthSync.Adapters.X12;

/// <summary>Writes interchanges back to X12 text, optionally with other delimiters than they were read with.</summary>
public static class X12Writer
{
    /// <summary>
    /// Writes <paramref name="interchange"/> with <paramref name="delimiters"/> (default: the ones it was read with).
    /// Trailers are written as read; a missing trailer is written with the counts and control number it should have.
    /// </summary>
    /// <param name="lineBreaks">Put a line feed after every segment terminator (ignored when the terminator is one).</param>
    /// <exception cref="ArgumentException">A data value contains one of the output delimiters; X12 has no escape for that.</exception>
    public static string Serialize(X12Interchange interchange, X12Delimiters? delimiters = null, bool lineBreaks = false)
    {
        var target = delimiters ?? interchange.Delimiters;
        var output = new X12Output(target, lineBreaks);
        var isa = interchange.Header.Elements.Select((e, i) => i switch
        {
            10 => target.Repetition is { } r && IsRepetitionVersion(interchange.Version) ? r.ToString() : RepetitionFallback(e, target),
            15 => target.Component.ToString(),
            _ => e,
        }).ToArray();
        output.Raw("ISA", isa);

        foreach (var group in interchange.Groups)
        {
            output.Translate(group.Header);
            var setCount = 0;
            foreach (var set in group.TransactionSets)
            {
                var count = 0;
                foreach (var segment in set.Segments)
                {
                    output.Translate(segment);
                    count++;
                }

                if (set.Segments[^1].Id != "SE")
                {
                    output.Values("SE", (count + 1).ToString(CultureInfo.InvariantCulture), set.ControlNumber);
                }

                setCount++;
            }

            if (group.Trailer is { } ge)
            {
                output.Translate(ge);
            }
            else
            {
                output.Values("GE", setCount.ToString(CultureInfo.InvariantCulture), group.ControlNumber);
            }
        }

        if (interchange.Trailer is { } iea)
        {
            output.Translate(iea);
        }
        else
        {
            output.Values("IEA", interchange.Groups.Count.ToString(CultureInfo.InvariantCulture), interchange.ControlNumber);
        }

        return output.ToString();
    }

    internal static bool IsRepetitionVersion(string isa12) => int.TryParse(isa12, out var v) && v >= 402;

    // Before 00402 ISA-11 is the standards identifier (U); keep it unless it collides with an output delimiter.
    private static string RepetitionFallback(string original, X12Delimiters target) =>
        original.Length == 1 && target.IsDelimiter(original[0]) ? "U" : original;
}

/// <summary>Accumulates segments written with one set of delimiters.</summary>
internal sealed class X12Output(X12Delimiters delimiters, bool lineBreaks)
{
    private readonly StringBuilder _text = new();

    public X12Delimiters Delimiters => delimiters;

    public int Count { get; private set; }

    /// <summary>Writes a segment whose elements are already in the output delimiters (used for ISA).</summary>
    public void Raw(string id, IReadOnlyList<string> elements)
    {
        _text.Append(id);
        foreach (var e in elements)
        {
            _text.Append(delimiters.Element).Append(e);
        }

        End();
    }

    /// <summary>Writes a segment of simple values, dropping trailing empty elements; each value is checked for delimiters.</summary>
    public void Values(string id, params string?[] values)
    {
        var last = values.Length - 1;
        while (last >= 0 && string.IsNullOrEmpty(values[last]))
        {
            last--;
        }

        _text.Append(id);
        for (var i = 0; i <= last; i++)
        {
            _text.Append(delimiters.Element).Append(Check(values[i] ?? "", id));
        }

        End();
    }

    /// <summary>Writes a composite element value from components (used by writers that build composites).</summary>
    public string Composite(params string?[] components) =>
        string.Join(delimiters.Component, components.Select(c => Check(c ?? "", "composite"))).TrimEnd(delimiters.Component);

    /// <summary>Writes a segment read from another interchange, re-splitting repetitions and components.</summary>
    public void Translate(X12Segment segment)
    {
        var source = segment.Delimiters;
        _text.Append(segment.Id);
        foreach (var element in segment.Elements)
        {
            _text.Append(delimiters.Element);
            var repetitions = source.Repetition is { } r ? element.Split(r) : [element];
            for (var i = 0; i < repetitions.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(delimiters.Repetition ?? throw new ArgumentException($"Segment {segment.Id} has repeated elements but the output has no repetition separator."));
                }

                var components = repetitions[i].Split(source.Component);
                for (var c = 0; c < components.Length; c++)
                {
                    if (c > 0)
                    {
                        _text.Append(delimiters.Component);
                    }

                    _text.Append(Check(components[c], segment.Id));
                }
            }
        }

        End();
    }

    public override string ToString() => _text.ToString();

    private void End()
    {
        _text.Append(delimiters.Segment);
        if (lineBreaks && delimiters.Segment is not ('\n' or '\r'))
        {
            _text.Append('\n');
        }

        Count++;
    }

    private string Check(string value, string segmentId)
    {
        foreach (var c in value)
        {
            if (delimiters.IsDelimiter(c))
            {
                throw new ArgumentException($"A value in segment {segmentId} contains the delimiter '{c}'; choose other delimiters.");
            }
        }

        return value;
    }
}
