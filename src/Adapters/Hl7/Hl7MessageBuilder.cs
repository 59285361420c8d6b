namespace HealthSync.Adapters.Hl7;

/// <summary>
/// Composes outbound messages. Values passed to the builder are plain text and are escaped on the way in, so a
/// description such as "A&amp;E" cannot corrupt the message structure.
/// </summary>
public sealed class Hl7MessageBuilder
{
    private readonly List<Hl7SegmentBuilder> _segments = [];

    /// <summary>A builder using the standard delimiters <c>|^~\&amp;</c>.</summary>
    public Hl7MessageBuilder()
        : this(Hl7Delimiters.Default)
    {
    }

    /// <summary>A builder writing with the given delimiters.</summary>
    public Hl7MessageBuilder(Hl7Delimiters delimiters) => Delimiters = delimiters;

    /// <summary>Delimiters used for every segment.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>
    /// Appends a segment. <paramref name="fieldValues"/> fill consecutive fields as plain text: from field 1 for ordinary
    /// segments, from MSH-3 for MSH (MSH-1 and MSH-2 always come from <see cref="Delimiters"/>).
    /// </summary>
    public Hl7SegmentBuilder Segment(string id, params string?[] fieldValues)
    {
        ArgumentNullException.ThrowIfNull(id);
        if (id.Length != 3 || !id.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c)))
        {
            throw new ArgumentException($"'{id}' is not a segment id (three upper-case letters or digits).", nameof(id));
        }

        if (id == "MSH" && _segments.Count > 0)
        {
            throw new InvalidOperationException("MSH must be the first and only MSH segment.");
        }

        if (id != "MSH" && _segments.Count == 0)
        {
            throw new InvalidOperationException("The first segment must be MSH.");
        }

        var segment = new Hl7SegmentBuilder(id, Delimiters);
        var first = id == "MSH" ? 3 : 1;
        for (var i = 0; i < fieldValues.Length; i++)
        {
            segment.Set(first + i, fieldValues[i]);
        }

        _segments.Add(segment);
        return segment;
    }

    /// <summary>Creates the immutable message.</summary>
    public Hl7Message Build()
    {
        if (_segments.Count == 0)
        {
            throw new InvalidOperationException("A message needs at least an MSH segment.");
        }

        return new Hl7Message(Delimiters, _segments.Select(s => s.Build()).ToArray());
    }

    /// <summary>The message text, segments joined with <c>\r</c>.</summary>
    public string Serialize() => Hl7Serializer.Serialize(Build());
}

/// <summary>Sets the fields of one segment under construction. Field numbers follow the standard (MSH-3 is field 3).</summary>
public sealed class Hl7SegmentBuilder
{
    private readonly List<string> _fields;
    private readonly Hl7Delimiters _d;

    internal Hl7SegmentBuilder(string id, Hl7Delimiters delimiters)
    {
        _d = delimiters;
        _fields = id == "MSH" ? ["MSH", delimiters.Field.ToString(), delimiters.EncodingCharacters] : [id];
    }

    /// <summary>Segment id.</summary>
    public string Id => _fields[0];

    /// <summary>Replaces a whole field with one plain-text value (delimiters in it are escaped).</summary>
    public Hl7SegmentBuilder Set(int field, string? value) => SetRaw(field, Hl7Escaping.Escape(value, _d));

    /// <summary>Sets one component of the first repetition, keeping the other components.</summary>
    public Hl7SegmentBuilder Set(int field, int component, string? value) => SetPart(field, component, 0, value);

    /// <summary>Sets one subcomponent of the first repetition, keeping the rest of the field.</summary>
    public Hl7SegmentBuilder Set(int field, int component, int subcomponent, string? value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(subcomponent, 1);
        return SetPart(field, component, subcomponent, value);
    }

    private Hl7SegmentBuilder SetPart(int field, int component, int subcomponent, string? value)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(component, 1);
        var raw = Raw(field);
        var reps = raw.Split(_d.Repetition);
        var comps = reps[0].Split(_d.Component).ToList();
        Pad(comps, component);
        var escaped = Hl7Escaping.Escape(value, _d);
        if (subcomponent == 0)
        {
            comps[component - 1] = escaped;
        }
        else
        {
            var sub = _d.Subcomponent ?? throw new InvalidOperationException("The delimiters declare no subcomponent separator.");
            var subs = comps[component - 1].Split(sub).ToList();
            Pad(subs, subcomponent);
            subs[subcomponent - 1] = escaped;
            comps[component - 1] = string.Join(sub, TrimTrailingEmpty(subs));
        }

        reps[0] = string.Join(_d.Component, TrimTrailingEmpty(comps));
        return SetRaw(field, string.Join(_d.Repetition, reps));
    }

    /// <summary>Replaces a field with plain-text components (trailing empty components are dropped).</summary>
    public Hl7SegmentBuilder SetComponents(int field, params string?[] components) =>
        SetRaw(field, string.Join(_d.Component, TrimTrailingEmpty(components.Select(c => Hl7Escaping.Escape(c, _d)).ToList())));

    /// <summary>Replaces a field with repetitions, each one plain-text value.</summary>
    public Hl7SegmentBuilder SetRepetitions(int field, params string?[] repetitions) =>
        SetRaw(field, string.Join(_d.Repetition, repetitions.Select(r => Hl7Escaping.Escape(r, _d))));

    /// <summary>Writes the HL7 explicit null <c>""</c> ("clear the stored value" for the receiver).</summary>
    public Hl7SegmentBuilder SetNull(int field) => SetRaw(field, Hl7Segment.NullValue);

    /// <summary>Writes already-encoded text; the caller is responsible for its escaping.</summary>
    public Hl7SegmentBuilder SetRaw(int field, string raw)
    {
        ArgumentNullException.ThrowIfNull(raw);
        var first = Id == "MSH" ? 3 : 1;
        if (field < first)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, Id == "MSH"
                ? "MSH-1 and MSH-2 are defined by the delimiters."
                : "Field numbers start at 1.");
        }

        if (raw.Contains('\r', StringComparison.Ordinal) || raw.Contains('\n', StringComparison.Ordinal) || raw.Contains(_d.Field, StringComparison.Ordinal))
        {
            throw new ArgumentException("Raw field text cannot contain the field separator or line breaks.", nameof(raw));
        }

        while (_fields.Count <= field)
        {
            _fields.Add(string.Empty);
        }

        _fields[field] = raw;
        return this;
    }

    internal Hl7Segment Build()
    {
        var count = _fields.Count;
        var minimum = Id == "MSH" ? 3 : 1;
        while (count > minimum && _fields[count - 1].Length == 0)
        {
            count--;
        }

        return new Hl7Segment(_fields.Take(count).ToArray(), _d);
    }

    private string Raw(int field) => field < _fields.Count ? _fields[field] : string.Empty;

    private static void Pad(List<string> parts, int count)
    {
        while (parts.Count < count)
        {
            parts.Add(string.Empty);
        }
    }

    private static List<string> TrimTrailingEmpty(List<string> parts)
    {
        while (parts.Count > 1 && parts[^1].Length == 0)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        return parts;
    }
}
