using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>
/// Reads X12 files: decodes the bytes, finds each interchange and its delimiters, checks the envelopes, builds the
/// loop tree of every transaction set and maps the sets HealthSync understands to canonical facts.
/// </summary>
public static class X12Reader
{
    private const int IsaLength = 106;

    // Offsets of the 16 element separators within the fixed-width ISA segment.
    private static readonly int[] IsaSeparatorOffsets = [3, 6, 17, 20, 31, 34, 50, 53, 69, 76, 81, 83, 89, 99, 101, 103];

    /// <summary>
    /// Reads every interchange in <paramref name="bytes"/>. Never throws: every problem, including inputs over
    /// <paramref name="limits"/>, is reported as a finding on the result, the envelope or the transaction set.
    /// </summary>
    public static X12ReadResult Read(byte[] bytes, X12Limits? limits = null)
    {
        limits ??= X12Limits.Default;
        try
        {
            return ReadCore(bytes ?? [], limits);
        }
#pragma warning disable CA1031 // The contract is "never throws": a defect becomes a rejection, not a crashed pipeline.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return new X12ReadResult([], [], [new ValidationFinding("ISA", X12FindingCodes.Internal, "The X12 reader failed: " + ex.Message)]);
        }
    }

    private static X12ReadResult ReadCore(byte[] bytes, X12Limits limits)
    {
        var findings = new List<ValidationFinding>();
        if (bytes.Length > limits.MaxBytes)
        {
            findings.Add(new ValidationFinding("ISA", X12FindingCodes.LimitExceeded, $"The input has {bytes.Length} bytes; at most {limits.MaxBytes} are accepted."));
            return new X12ReadResult([], [], findings);
        }

        var text = X12Text.Decode(bytes, out var encodingFinding);
        if (encodingFinding is not null)
        {
            findings.Add(encodingFinding);
        }

        if (text is null)
        {
            return new X12ReadResult([], [], findings);
        }

        var scanner = new Scanner(text, limits.MaxSegments);
        var interchanges = new List<X12Interchange>();
        var transactions = new List<X12TransactionRead>();
        scanner.SkipWhitespace();
        if (scanner.AtEnd)
        {
            findings.Add(new ValidationFinding("ISA", X12FindingCodes.Encoding, "The input holds no text."));
        }

        while (!scanner.AtEnd)
        {
            if (!scanner.StartsWithIsa())
            {
                findings.Add(new ValidationFinding("ISA", X12FindingCodes.Encoding,
                    interchanges.Count == 0
                        ? "The input does not start with an ISA segment; it is not an X12 interchange."
                        : $"Text after interchange {interchanges[^1].ControlNumber} is not an ISA segment; it was ignored."));
                break;
            }

            var interchange = ReadInterchange(scanner, findings);
            if (interchange is null)
            {
                break;
            }

            interchanges.Add(interchange);
            AddTransactions(interchange, transactions);
            scanner.SkipWhitespace();
        }

        if (scanner.LimitHit)
        {
            findings.Add(new ValidationFinding("ISA", X12FindingCodes.LimitExceeded, $"The input has more than {limits.MaxSegments} segments; the rest was not read."));
        }

        foreach (var interchange in interchanges)
        {
            findings.AddRange(interchange.Findings);
            foreach (var group in interchange.Groups)
            {
                findings.AddRange(group.Findings);
            }
        }

        return new X12ReadResult(interchanges, transactions, findings);
    }

    private static void AddTransactions(X12Interchange interchange, List<X12TransactionRead> transactions)
    {
        foreach (var group in interchange.Groups)
        {
            // A broken group or interchange envelope rejects every set in it: the partner must resend the whole.
            var inherited = interchange.Findings.Concat(group.Findings).ToList();
            foreach (var set in group.TransactionSets)
            {
                var loops = X12LoopSpecs.Build(set);
                var (facts, semantic) = set.Findings.Count == 0
                    ? X12Mappings.Map(set, loops, group.Version)
                    : ([], []);
                var all = new List<ValidationFinding>(set.Findings);
                all.AddRange(semantic);
                all.AddRange(inherited);
                var read = new AdapterRead("x12", set.Id, set.ControlNumber, all.Count == 0 ? facts : [], all);
                transactions.Add(new X12TransactionRead(interchange.ControlNumber, group.ControlNumber, group.FunctionalId, group.Version, set.Id, set.ControlNumber, loops, read));
            }
        }
    }

    private static X12Interchange? ReadInterchange(Scanner scanner, List<ValidationFinding> fileFindings)
    {
        var start = scanner.Position;
        var text = scanner.Text;
        var findings = new List<ValidationFinding>();
        var element = start + 3 < text.Length ? text[start + 3] : '\0';
        if (element == '\0' || char.IsLetterOrDigit(element) || char.IsWhiteSpace(element))
        {
            fileFindings.Add(new ValidationFinding("ISA", FindingCodes.Malformed, "The ISA segment has no usable element separator after \"ISA\"."));
            return null;
        }

        char component, terminator;
        int end;
        var fixedWidth = start + IsaLength <= text.Length;
        if (fixedWidth)
        {
            foreach (var offset in IsaSeparatorOffsets)
            {
                if (text[start + offset] != element)
                {
                    fixedWidth = false;
                    break;
                }
            }
        }

        if (fixedWidth)
        {
            component = text[start + 104];
            terminator = text[start + 105];
            end = start + IsaLength;
        }
        else
        {
            // Not the fixed layout: find the 16th separator and take ISA-16 and the terminator after it.
            var i = start + 3;
            var seen = 0;
            while (i < text.Length && seen < 16)
            {
                if (text[i] == element)
                {
                    seen++;
                }

                if (seen < 16)
                {
                    i++;
                }
            }

            if (seen < 16 || i + 2 >= text.Length)
            {
                fileFindings.Add(new ValidationFinding("ISA", X12FindingCodes.IsaFormat, "The ISA segment is incomplete: it needs 16 elements, a component separator and a segment terminator."));
                return null;
            }

            component = text[i + 1];
            terminator = text[i + 2];
            end = i + 3;
            findings.Add(new ValidationFinding("ISA", X12FindingCodes.IsaFormat, $"The ISA segment is {end - start} characters long; the fixed layout has {IsaLength}."));
        }

        if (char.IsLetterOrDigit(terminator) || terminator == element || terminator == component || char.IsLetterOrDigit(component) || component == element)
        {
            fileFindings.Add(new ValidationFinding("ISA", FindingCodes.Malformed, "The ISA segment declares unusable delimiters (letters, digits or the same character twice)."));
            return null;
        }

        var isaText = text[(start + 4)..(end - 1)];
        var isaElements = isaText.Split(element);
        var version = isaElements.Length > 11 ? isaElements[11] : "";
        char? repetition = null;
        if (isaElements.Length > 10 && isaElements[10].Length == 1 && int.TryParse(version, out var v) && v >= 402)
        {
            var r = isaElements[10][0];
            if (r != element && r != component && r != terminator && !char.IsLetterOrDigit(r) && !char.IsWhiteSpace(r))
            {
                repetition = r;
            }
        }

        var delimiters = new X12Delimiters(element, component, terminator, repetition);
        var header = new X12Segment("ISA", isaElements, delimiters);
        scanner.Position = end;
        scanner.SegmentsRead++;

        string Isa(int n) => header.Raw(n);
        var control = Isa(13).Trim();
        if (control.Length != 9 || !control.All(char.IsAsciiDigit))
        {
            findings.Add(new ValidationFinding("ISA-13", X12FindingCodes.IsaFormat, $"ISA-13 \"{control}\" is not a 9-digit control number."));
        }

        if (Isa(15) is not ("P" or "T"))
        {
            findings.Add(new ValidationFinding("ISA-15", FindingCodes.InvalidValue, $"ISA-15 \"{Isa(15)}\" must be P (production) or T (test)."));
        }

        var groups = new List<X12FunctionalGroup>();
        X12Segment? trailer = null;
        GroupBuilder? group = null;
        SetBuilder? set = null;

        while (true)
        {
            scanner.SkipWhitespace();
            if (scanner.AtEnd || scanner.StartsWithIsa() || scanner.LimitHit)
            {
                break;
            }

            var segment = scanner.NextSegment(delimiters);
            if (segment is null)
            {
                break;
            }

            if (!IsSegmentId(segment.Id))
            {
                if (set is not null)
                {
                    var bad = segment.At(set.Segments.Count + 1);
                    set.Segments.Add(bad);
                    set.Findings.Add(new ValidationFinding($"{Printable(segment.Id)}[{bad.Position}]", X12FindingCodes.UnrecognizedSegment, $"\"{Printable(segment.Id)}\" is not a valid segment id."));
                }
                else
                {
                    findings.Add(new ValidationFinding(Printable(segment.Id), X12FindingCodes.UnrecognizedSegment, $"\"{Printable(segment.Id)}\" is not a valid segment id and is outside any transaction set."));
                }

                continue;
            }

            switch (segment.Id)
            {
                case "IEA":
                    CloseSet(ref set, group);
                    CloseGroup(ref group, groups, null);
                    trailer = segment;
                    break;
                case "GS":
                    CloseSet(ref set, group);
                    CloseGroup(ref group, groups, null);
                    group = new GroupBuilder(segment);
                    break;
                case "GE":
                    CloseSet(ref set, group);
                    if (group is null)
                    {
                        findings.Add(new ValidationFinding("GE", X12FindingCodes.UnexpectedSegment, "GE without a GS header."));
                    }
                    else
                    {
                        CloseGroup(ref group, groups, segment);
                    }

                    break;
                case "ST":
                    CloseSet(ref set, group);
                    if (group is null)
                    {
                        findings.Add(new ValidationFinding("GS", X12FindingCodes.TrailerMissing, "A transaction set starts outside a functional group (no GS before ST)."));
                        group = new GroupBuilder(new X12Segment("GS", [], delimiters));
                    }

                    set = new SetBuilder(segment.At(1));
                    break;
                case "SE":
                    if (set is null)
                    {
                        findings.Add(new ValidationFinding("SE", X12FindingCodes.UnexpectedSegment, "SE without an ST header."));
                    }
                    else
                    {
                        set.Segments.Add(segment.At(set.Segments.Count + 1));
                        set.Trailer = set.Segments[^1];
                        CloseSet(ref set, group);
                    }

                    break;
                default:
                    if (set is not null)
                    {
                        set.Segments.Add(segment.At(set.Segments.Count + 1));
                    }
                    else
                    {
                        findings.Add(new ValidationFinding(segment.Id, X12FindingCodes.UnexpectedSegment, $"Segment {segment.Id} is outside any transaction set."));
                    }

                    break;
            }

            if (trailer is not null)
            {
                break;
            }
        }

        CloseSet(ref set, group);
        CloseGroup(ref group, groups, null);

        if (trailer is null)
        {
            findings.Add(new ValidationFinding("IEA", X12FindingCodes.TrailerMissing, $"Interchange {control} has no IEA trailer; the input is truncated."));
        }
        else
        {
            if (!SameControl(trailer.Raw(2), control))
            {
                findings.Add(new ValidationFinding("IEA-02", X12FindingCodes.ControlMismatch, $"IEA-02 \"{trailer.Raw(2)}\" differs from ISA-13 \"{control}\"."));
            }

            if (!int.TryParse(trailer.Raw(1), out var count) || count != groups.Count)
            {
                findings.Add(new ValidationFinding("IEA-01", X12FindingCodes.CountMismatch, $"IEA-01 says \"{trailer.Raw(1)}\" functional groups; interchange {control} has {groups.Count}."));
            }
        }

        return new X12Interchange(delimiters, Isa(5).Trim(), Isa(6).Trim(), Isa(7).Trim(), Isa(8).Trim(), Isa(9), Isa(10), control,
            version, Isa(15) == "T", header, trailer, groups, findings);
    }

    private static void CloseSet(ref SetBuilder? set, GroupBuilder? group)
    {
        if (set is null)
        {
            return;
        }

        var st = set.Segments[0];
        var control = st.Raw(2).Trim();
        if (st.Value(1) is null)
        {
            set.Findings.Add(new ValidationFinding("ST[1]-01", FindingCodes.Required, "ST-01 transaction set identifier is missing."));
        }

        if (control.Length == 0)
        {
            set.Findings.Add(new ValidationFinding("ST[1]-02", FindingCodes.Required, "ST-02 transaction set control number is missing."));
        }

        if (set.Trailer is not { } se)
        {
            set.Findings.Add(new ValidationFinding("SE", X12FindingCodes.TrailerMissing, $"Transaction set {control} has no SE trailer; the input is truncated or a segment is out of place."));
        }
        else
        {
            if (!SameControl(se.Raw(2), control))
            {
                set.Findings.Add(new ValidationFinding($"SE[{se.Position}]-02", X12FindingCodes.ControlMismatch, $"SE-02 \"{se.Raw(2)}\" differs from ST-02 \"{control}\"."));
            }

            if (!int.TryParse(se.Raw(1), out var count) || count != set.Segments.Count)
            {
                set.Findings.Add(new ValidationFinding($"SE[{se.Position}]-01", X12FindingCodes.CountMismatch, $"SE-01 says \"{se.Raw(1)}\" segments; the set has {set.Segments.Count}."));
            }
        }

        group?.Sets.Add(new X12TransactionSet(st.Raw(1).Trim(), control, set.Segments, set.Findings));
        set = null;
    }

    private static void CloseGroup(ref GroupBuilder? group, List<X12FunctionalGroup> groups, X12Segment? trailer)
    {
        if (group is null)
        {
            return;
        }

        var gs = group.Header;
        var control = gs.Raw(6).Trim();
        var findings = new List<ValidationFinding>();
        if (gs.Count > 0 && (gs.Value(1) is null || control.Length == 0 || gs.Value(8) is null))
        {
            findings.Add(new ValidationFinding(gs.Value(1) is null ? "GS-01" : control.Length == 0 ? "GS-06" : "GS-08", FindingCodes.Required, "GS-01, GS-06 and GS-08 are required."));
        }

        if (trailer is null)
        {
            if (gs.Count > 0)
            {
                findings.Add(new ValidationFinding("GE", X12FindingCodes.TrailerMissing, $"Functional group {control} has no GE trailer; the input is truncated or a segment is out of place."));
            }
        }
        else
        {
            if (!SameControl(trailer.Raw(2), control))
            {
                findings.Add(new ValidationFinding("GE-02", X12FindingCodes.ControlMismatch, $"GE-02 \"{trailer.Raw(2)}\" differs from GS-06 \"{control}\"."));
            }

            if (!int.TryParse(trailer.Raw(1), out var count) || count != group.Sets.Count)
            {
                findings.Add(new ValidationFinding("GE-01", X12FindingCodes.CountMismatch, $"GE-01 says \"{trailer.Raw(1)}\" transaction sets; group {control} has {group.Sets.Count}."));
            }
        }

        groups.Add(new X12FunctionalGroup(gs.Raw(1).Trim(), gs.Raw(2).Trim(), gs.Raw(3).Trim(), gs.Value(4), gs.Value(5), control, gs.Raw(8).Trim(),
            gs, trailer, group.Sets, findings));
        group = null;
    }

    /// <summary>Control numbers match when equal, or when both are numbers of equal value (some senders drop zero padding).</summary>
    internal static bool SameControl(string a, string b)
    {
        var x = a.AsSpan().Trim();
        var y = b.AsSpan().Trim();
        if (x.SequenceEqual(y))
        {
            return true;
        }

        return x.Length > 0 && y.Length > 0 && IsDigits(x) && IsDigits(y) && x.TrimStart('0').SequenceEqual(y.TrimStart('0'));
    }

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsSegmentId(string id)
    {
        if (id.Length is < 2 or > 3)
        {
            return false;
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterUpper(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return char.IsAsciiLetterUpper(id[0]);
    }

    private static string Printable(string id)
    {
        var s = id.Length > 10 ? id[..10] + "..." : id;
        return string.Concat(s.Select(c => char.IsControl(c) ? '?' : c));
    }

    private sealed class GroupBuilder(X12Segment header)
    {
        public X12Segment Header { get; } = header;

        public List<X12TransactionSet> Sets { get; } = [];
    }

    private sealed class SetBuilder(X12Segment st)
    {
        public List<X12Segment> Segments { get; } = [st];

        public List<ValidationFinding> Findings { get; } = [];

        public X12Segment? Trailer { get; set; }
    }

    /// <summary>Walks the text segment by segment.</summary>
    private sealed class Scanner(string text, int maxSegments)
    {
        public string Text { get; } = text;

        public int Position { get; set; }

        public int SegmentsRead { get; set; }

        public bool LimitHit => SegmentsRead >= maxSegments;

        public bool AtEnd => Position >= Text.Length;

        /// <summary>Skips line breaks and indentation between segments (and stray NUL padding).</summary>
        public void SkipWhitespace()
        {
            while (Position < Text.Length && IsPadding(Text[Position]))
            {
                Position++;
            }
        }

        // Only layout characters: control characters such as 0x1C..0x1F are legitimate delimiters in X12.
        private static bool IsPadding(char c) => c is ' ' or '\t' or '\r' or '\n' or '\f' or '\v' or '\0' or '\u00A0' or '\uFEFF';

        public bool StartsWithIsa() => Text.AsSpan(Position).StartsWith("ISA", StringComparison.Ordinal);

        /// <summary>Reads one segment up to its terminator (or the end of the text).</summary>
        public X12Segment? NextSegment(X12Delimiters delimiters)
        {
            if (AtEnd || LimitHit)
            {
                return null;
            }

            var rest = Text.AsSpan(Position);
            var length = rest.IndexOf(delimiters.Segment);
            var body = length < 0 ? rest : rest[..length];
            Position += length < 0 ? rest.Length : length + 1;
            SegmentsRead++;

            // When the terminator is not a line break, a CR before it is line-ending noise from the sender's editor.
            body = body.TrimEnd("\r\n");
            var first = body.IndexOf(delimiters.Element);
            if (first < 0)
            {
                return new X12Segment(body.Trim().ToString(), [], delimiters);
            }

            var id = body[..first].Trim().ToString();
            var elements = new List<string>();
            var remaining = body[(first + 1)..];
            while (true)
            {
                var next = remaining.IndexOf(delimiters.Element);
                if (next < 0)
                {
                    elements.Add(remaining.ToString());
                    break;
                }

                elements.Add(remaining[..next].ToString());
                remaining = remaining[(next + 1)..];
            }

            return new X12Segment(id, elements, delimiters);
        }
    }
}
