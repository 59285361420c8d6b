using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>The four delimiters of one interchange, as declared by its ISA segment.</summary>
/// <param name="Element">Data element separator (the character after "ISA").</param>
/// <param name="Component">Component element separator (ISA-16).</param>
/// <param name="Segment">Segment terminator (the character after ISA-16).</param>
/// <param name="Repetition">Repetition separator (ISA-11) from version 00402 on; null when the interchange has none.</param>
public sealed record X12Delimiters(char Element, char Component, char Segment, char? Repetition)
{
    /// <summary>The delimiters most partners use: <c>* : ~</c> and <c>^</c> for repetitions.</summary>
    public static X12Delimiters Default { get; } = new('*', ':', '~', '^');

    /// <summary>True when no two delimiters are the same character.</summary>
    public bool AreDistinct =>
        Element != Component && Element != Segment && Component != Segment
        && (Repetition is not { } r || (r != Element && r != Component && r != Segment));

    internal bool IsDelimiter(char c) => c == Element || c == Component || c == Segment || c == Repetition;
}

/// <summary>Limits that keep a hostile or broken file from exhausting memory or time.</summary>
/// <param name="MaxBytes">Largest input accepted (default 16 MiB).</param>
/// <param name="MaxSegments">Most segments read from one input (default 200 000).</param>
public sealed record X12Limits(int MaxBytes = 16 * 1024 * 1024, int MaxSegments = 200_000)
{
    public static X12Limits Default { get; } = new();
}

/// <summary>One segment: its id and the raw text of its data elements, split with the delimiters it was read with.</summary>
public sealed class X12Segment
{
    private readonly string[] _elements;

    /// <param name="id">Segment id (ST, BEG, PO1, ...).</param>
    /// <param name="elements">Raw element texts, element 1 first; they may contain component and repetition separators.</param>
    /// <param name="delimiters">The delimiters the element texts are written with.</param>
    /// <param name="position">Position within the transaction set (ST = 1), or 0 for envelope segments.</param>
    public X12Segment(string id, IReadOnlyList<string> elements, X12Delimiters delimiters, int position = 0)
    {
        Id = id;
        _elements = [.. elements];
        Delimiters = delimiters;
        Position = position;
    }

    public string Id { get; }

    /// <summary>Raw element texts; index 0 is element 1 (ST-01 for ST).</summary>
    public IReadOnlyList<string> Elements => _elements;

    public X12Delimiters Delimiters { get; }

    /// <summary>Position of the segment within its transaction set, ST = 1; 0 outside a set (ISA, GS, GE, IEA).</summary>
    public int Position { get; }

    /// <summary>Number of data elements present (trailing empty ones included as sent).</summary>
    public int Count => _elements.Length;

    /// <summary>The raw text of element <paramref name="n"/> (1-based), or "" when absent.</summary>
    public string Raw(int n) => n >= 1 && n <= _elements.Length ? _elements[n - 1] : "";

    /// <summary>
    /// The first component of the first repetition of element <paramref name="n"/>, trimmed; null when empty.
    /// Mappings read through this so the canonical value does not depend on the delimiters the sender chose.
    /// </summary>
    public string? Value(int n) => Component(n, 1);

    /// <summary>Component <paramref name="c"/> (1-based) of the first repetition of element <paramref name="n"/>, trimmed; null when empty.</summary>
    public string? Component(int n, int c)
    {
        var raw = FirstRepetition(Raw(n));
        var start = 0;
        for (var i = 1; i < c; i++)
        {
            var next = raw.IndexOf(Delimiters.Component, start);
            if (next < 0)
            {
                return null;
            }

            start = next + 1;
        }

        var end = raw.IndexOf(Delimiters.Component, start);
        var part = (end < 0 ? raw.AsSpan(start) : raw.AsSpan(start, end - start)).Trim();
        return part.IsEmpty ? null : part.ToString();
    }

    /// <summary>All components of the first repetition of element <paramref name="n"/> (empty ones as "").</summary>
    public IReadOnlyList<string> Components(int n)
    {
        var raw = FirstRepetition(Raw(n));
        return raw.Length == 0 ? [] : raw.Split(Delimiters.Component);
    }

    /// <summary>The repetitions of element <paramref name="n"/> (one when the interchange has no repetition separator).</summary>
    public IReadOnlyList<string> Repetitions(int n)
    {
        var raw = Raw(n);
        return Delimiters.Repetition is { } r ? raw.Split(r) : [raw];
    }

    /// <summary>A copy of this segment with a different position.</summary>
    public X12Segment At(int position) => new(Id, _elements, Delimiters, position);

    /// <summary>The segment as written with its own delimiters, without the terminator.</summary>
    public override string ToString() =>
        _elements.Length == 0 ? Id : Id + Delimiters.Element + string.Join(Delimiters.Element, _elements);

    private string FirstRepetition(string raw)
    {
        if (Delimiters.Repetition is not { } r)
        {
            return raw;
        }

        var i = raw.IndexOf(r);
        return i < 0 ? raw : raw[..i];
    }
}

/// <summary>One loop of a transaction set: the segment that opened it, the segments in it and nested loops.</summary>
/// <param name="Id">Loop id (e.g. "PO1", "N1", "2300", "HL-20"); the root loop is "ST".</param>
public sealed record X12Loop(string Id, IReadOnlyList<X12Segment> Segments, IReadOnlyList<X12Loop> Children)
{
    /// <summary>The segment that opened the loop.</summary>
    public X12Segment? Opening => Segments.Count > 0 ? Segments[0] : null;

    /// <summary>This loop and every loop below it, depth first.</summary>
    public IEnumerable<X12Loop> Descendants()
    {
        yield return this;
        foreach (var child in Children)
        {
            foreach (var d in child.Descendants())
            {
                yield return d;
            }
        }
    }

    /// <summary>The first segment with id <paramref name="segmentId"/> directly in this loop.</summary>
    public X12Segment? First(string segmentId) => Segments.FirstOrDefault(s => s.Id == segmentId);

    /// <summary>Every segment of this loop and its children, in document order.</summary>
    public IEnumerable<X12Segment> AllSegments()
    {
        // Segments of a loop always precede its child loops, so this is document order.
        foreach (var s in Segments)
        {
            yield return s;
        }

        foreach (var child in Children)
        {
            foreach (var s in child.AllSegments())
            {
                yield return s;
            }
        }
    }
}

/// <summary>A transaction set (ST..SE) as read.</summary>
/// <param name="Id">ST-01, e.g. "850".</param>
/// <param name="ControlNumber">ST-02.</param>
/// <param name="Segments">Every segment from ST to SE (or to where the input ended), positions 1..n.</param>
/// <param name="Findings">Syntax findings of this set (trailer, counts, segment syntax).</param>
public sealed record X12TransactionSet(string Id, string ControlNumber, IReadOnlyList<X12Segment> Segments, IReadOnlyList<ValidationFinding> Findings)
{
    /// <summary>ST-03 implementation convention reference when sent (5010).</summary>
    public string? ImplementationReference => Segments.Count > 0 && Segments[0].Id == "ST" ? Segments[0].Value(3) : null;
}

/// <summary>A functional group (GS..GE).</summary>
/// <param name="FunctionalId">GS-01 (PO, PR, SH, IN, HC, HP, FA, ...).</param>
/// <param name="Version">GS-08, e.g. 004010 or 005010X222A1.</param>
public sealed record X12FunctionalGroup(
    string FunctionalId,
    string SenderCode,
    string ReceiverCode,
    string? Date,
    string? Time,
    string ControlNumber,
    string Version,
    X12Segment Header,
    X12Segment? Trailer,
    IReadOnlyList<X12TransactionSet> TransactionSets,
    IReadOnlyList<ValidationFinding> Findings);

/// <summary>An interchange (ISA..IEA).</summary>
/// <param name="SenderQualifier">ISA-05.</param>
/// <param name="SenderId">ISA-06, trimmed.</param>
/// <param name="ReceiverQualifier">ISA-07.</param>
/// <param name="ReceiverId">ISA-08, trimmed.</param>
/// <param name="ControlNumber">ISA-13.</param>
/// <param name="Version">ISA-12, e.g. 00401, 00501.</param>
/// <param name="IsTest">ISA-15 is T.</param>
public sealed record X12Interchange(
    X12Delimiters Delimiters,
    string SenderQualifier,
    string SenderId,
    string ReceiverQualifier,
    string ReceiverId,
    string Date,
    string Time,
    string ControlNumber,
    string Version,
    bool IsTest,
    X12Segment Header,
    X12Segment? Trailer,
    IReadOnlyList<X12FunctionalGroup> Groups,
    IReadOnlyList<ValidationFinding> Findings);

/// <summary>One transaction set with its envelope keys and what the adapter made of it.</summary>
/// <param name="InterchangeControl">ISA-13 of the enclosing interchange.</param>
/// <param name="GroupControl">GS-06 of the enclosing group.</param>
/// <param name="FunctionalId">GS-01.</param>
/// <param name="Version">GS-08.</param>
/// <param name="TransactionSetId">ST-01.</param>
/// <param name="ControlNumber">ST-02.</param>
/// <param name="Loops">The loop tree of the set (root id "ST").</param>
/// <param name="Read">Facts and findings; the set is rejected (no facts) when it has findings.</param>
public sealed record X12TransactionRead(
    string InterchangeControl,
    string GroupControl,
    string FunctionalId,
    string Version,
    string TransactionSetId,
    string ControlNumber,
    X12Loop Loops,
    AdapterRead Read);

/// <summary>Outcome of <see cref="X12Reader.Read"/>.</summary>
/// <param name="Interchanges">Every interchange found, with its groups and sets.</param>
/// <param name="Transactions">One entry per transaction set, in file order.</param>
/// <param name="Findings">Problems of the input as a whole and of the envelopes (ISA, IEA, GS, GE, encoding, limits).</param>
public sealed record X12ReadResult(
    IReadOnlyList<X12Interchange> Interchanges,
    IReadOnlyList<X12TransactionRead> Transactions,
    IReadOnlyList<ValidationFinding> Findings)
{
    /// <summary>True when at least one set was read and neither the envelopes nor any set has a finding.</summary>
    public bool Success => Findings.Count == 0 && Transactions.Count > 0 && Transactions.All(t => t.Read.Success);

    /// <summary>All facts of the accepted sets, in file order.</summary>
    public IReadOnlyList<ICanonicalFact> Facts => [.. Transactions.SelectMany(t => t.Read.Facts)];
}

/// <summary>Finding codes specific to X12, in addition to <see cref="FindingCodes"/>.</summary>
public static class X12FindingCodes
{
    /// <summary>The bytes are not text in a supported encoding, or contain no ISA header.</summary>
    public const string Encoding = "x12-encoding";

    /// <summary>The ISA segment is not the fixed 106-character header.</summary>
    public const string IsaFormat = "x12-isa-format";

    /// <summary>A trailer (SE, GE, IEA) is missing: the input was truncated or segments are out of place.</summary>
    public const string TrailerMissing = "x12-trailer-missing";

    /// <summary>A header control number differs from its trailer's (ST-02/SE-02, GS-06/GE-02, ISA-13/IEA-02).</summary>
    public const string ControlMismatch = "x12-control-mismatch";

    /// <summary>A trailer count differs from what was read (SE-01, GE-01, IEA-01).</summary>
    public const string CountMismatch = "x12-count-mismatch";

    /// <summary>A segment appears where it may not (outside a set, envelope segment inside a set, unknown syntax).</summary>
    public const string UnexpectedSegment = "x12-unexpected-segment";

    /// <summary>A segment id is not two or three upper-case letters and digits.</summary>
    public const string UnrecognizedSegment = "x12-unrecognized-segment";

    /// <summary>The input is larger than <see cref="X12Limits"/> allow.</summary>
    public const string LimitExceeded = "x12-limit-exceeded";

    /// <summary>The reader failed unexpectedly; the input is rejected and the defect should be reported.</summary>
    public const string Internal = "x12-internal";
}
