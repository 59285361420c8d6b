namespace HealthSync.Adapters.Hl7;

/// <summary>Writes messages back to ER7 text.</summary>
public static class Hl7Serializer
{
    /// <summary>Segments joined with <c>\r</c> (no terminator after the last segment).</summary>
    public static string Serialize(Hl7Message m) => Serialize(m, trailingTerminator: false);

    /// <summary>Segments separated by <c>\r</c>; optionally also terminates the last segment, as the standard's grammar does.</summary>
    public static string Serialize(Hl7Message m, bool trailingTerminator)
    {
        var text = string.Join('\r', m.Segments.Select(s => s.ToString()));
        return trailingTerminator ? text + "\r" : text;
    }
}
