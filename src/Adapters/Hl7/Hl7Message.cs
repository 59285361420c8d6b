namespace HealthSync.Adapters.Hl7;

/// <summary>A parsed or built HL7 v2 message. The first segment is always MSH.</summary>
public sealed class Hl7Message
{
    internal Hl7Message(Hl7Delimiters delimiters, IReadOnlyList<Hl7Segment> segments)
    {
        Delimiters = delimiters;
        Segments = segments;
    }

    /// <summary>Delimiters declared in MSH-1 / MSH-2.</summary>
    public Hl7Delimiters Delimiters { get; }

    /// <summary>All segments in order, MSH first; Z-segments included.</summary>
    public IReadOnlyList<Hl7Segment> Segments { get; }

    /// <summary>The MSH segment.</summary>
    public Hl7Segment Msh => Segments[0];

    /// <summary>MSH-9.1, e.g. <c>DFT</c>.</summary>
    public string? MessageType => Msh.Value(9, 1);

    /// <summary>MSH-9.2, e.g. <c>P03</c>.</summary>
    public string? TriggerEvent => Msh.Value(9, 2);

    /// <summary>MSH-9.3, e.g. <c>DFT_P03</c>.</summary>
    public string? MessageStructure => Msh.Value(9, 3);

    /// <summary>MSH-10.</summary>
    public string? ControlId => Msh.Value(10);

    /// <summary>MSH-11.1 (P, T or D).</summary>
    public string? ProcessingId => Msh.Value(11, 1);

    /// <summary>MSH-12.1, e.g. <c>2.5.1</c>.</summary>
    public string? Version => Msh.Value(12, 1);

    /// <summary>MSH-3.1.</summary>
    public string? SendingApplication => Msh.Value(3, 1);

    /// <summary>MSH-4.1.</summary>
    public string? SendingFacility => Msh.Value(4, 1);

    /// <summary>MSH-5.1.</summary>
    public string? ReceivingApplication => Msh.Value(5, 1);

    /// <summary>MSH-6.1.</summary>
    public string? ReceivingFacility => Msh.Value(6, 1);

    /// <summary>MSH-7 as written (HL7 TS).</summary>
    public string? Timestamp => Msh.Value(7, 1);

    /// <summary>The first segment with this id, or null.</summary>
    public Hl7Segment? Segment(string id)
    {
        foreach (var segment in Segments)
        {
            if (segment.Id == id)
            {
                return segment;
            }
        }

        return null;
    }

    /// <summary>All segments with this id, in message order.</summary>
    public IEnumerable<Hl7Segment> SegmentsNamed(string id)
    {
        foreach (var segment in Segments)
        {
            if (segment.Id == id)
            {
                yield return segment;
            }
        }
    }

    /// <summary>The message text with <c>\r</c> between segments.</summary>
    public override string ToString() => Hl7Serializer.Serialize(this);
}
