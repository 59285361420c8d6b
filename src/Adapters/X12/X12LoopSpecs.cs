namespace HealthSync.Adapters.X12;

/// <summary>
/// A loop in a transaction set specification: opened by <paramref name="SegmentId"/> (optionally only when element 1
/// is one of <paramref name="Qualifiers"/>), holding nested loops.
/// </summary>
public sealed record X12LoopSpec(string Id, string SegmentId, IReadOnlyList<X12LoopSpec> Children, IReadOnlyList<string>? Qualifiers = null)
{
    internal bool Opens(X12Segment segment) =>
        segment.Id == SegmentId && (Qualifiers is null || (segment.Value(1) is { } q && Qualifiers.Contains(q)));
}

/// <summary>
/// The loop structure of a transaction set. Sets with an HL hierarchy (856, 837) name each HL level's loop and its
/// nested loops in <paramref name="HlLevels"/>; the tree then follows HL-01/HL-02 rather than segment order.
/// </summary>
public sealed record X12TransactionSpec(string TransactionSetId, X12LoopSpec Root, IReadOnlyDictionary<string, X12LoopSpec>? HlLevels = null);

/// <summary>Loop specifications of the transaction sets HealthSync reads, and the generic loop-tree builder.</summary>
public static class X12LoopSpecs
{
    private static X12LoopSpec L(string id, string segmentId, params X12LoopSpec[] children) => new(id, segmentId, children);

    private static X12LoopSpec Q(string id, string segmentId, string[] qualifiers, params X12LoopSpec[] children) => new(id, segmentId, children, qualifiers);

    private static readonly X12LoopSpec Ctt = L("CTT", "CTT");

    private static readonly string[] Nm1In2310 = ["71", "72", "73", "DN", "82", "77", "DK", "DQ", "ZZ", "QB", "P3", "FA", "DD", "PW", "45"];

    private static readonly X12LoopSpec Claim2300 = L("2300", "CLM",
        Q("2310", "NM1", Nm1In2310),
        L("2320", "SBR", L("2330", "NM1")),
        L("2400", "LX", L("2410", "LIN"), L("2420", "NM1"), L("2430", "SVD")));

    // Only loops whose segments matter to a mapping or an acknowledgement are declared; a segment that opens no
    // declared loop stays in the innermost open one, so e.g. PID and DTM after PO1 stay in the PO1 loop.

    /// <summary>Specifications by ST-01 (837 covers both the professional and the institutional guide).</summary>
    public static IReadOnlyDictionary<string, X12TransactionSpec> Specs { get; } = new Dictionary<string, X12TransactionSpec>(StringComparer.Ordinal)
    {
        ["850"] = new("850", L("ST", "ST", L("N9", "N9"), L("N1", "N1"), L("PO1", "PO1", L("N9", "N9"), L("N1", "N1")), Ctt)),
        ["855"] = new("855", L("ST", "ST", L("N9", "N9"), L("N1", "N1"), L("PO1", "PO1", L("N9", "N9"), L("N1", "N1")), Ctt)),
        ["810"] = new("810", L("ST", "ST", L("N1", "N1"), L("IT1", "IT1", L("SAC", "SAC"), L("N1", "N1")), L("SAC", "SAC"), L("ISS", "ISS"), Ctt)),
        ["856"] = new("856", L("ST", "ST", Ctt), new Dictionary<string, X12LoopSpec>(StringComparer.Ordinal)
        {
            ["S"] = L("HL-S", "HL", L("N1", "N1")),
            ["O"] = L("HL-O", "HL", L("N1", "N1")),
            ["T"] = L("HL-T", "HL"),
            ["P"] = L("HL-P", "HL"),
            ["I"] = L("HL-I", "HL", L("SLN", "SLN"), L("N1", "N1")),
        }),
        ["835"] = new("835", L("ST", "ST",
            Q("1000A", "N1", ["PR"]),
            Q("1000B", "N1", ["PE"]),
            L("2000", "LX", L("2100", "CLP", L("2110", "SVC"))),
            L("PLB", "PLB"))),
        ["837"] = new("837", L("ST", "ST", Q("1000A", "NM1", ["41"]), Q("1000B", "NM1", ["40"])), new Dictionary<string, X12LoopSpec>(StringComparer.Ordinal)
        {
            ["20"] = L("2000A", "HL", Q("2010AA", "NM1", ["85"]), Q("2010AB", "NM1", ["87"]), Q("2010AC", "NM1", ["PE"])),
            ["22"] = L("2000B", "HL", Q("2010BA", "NM1", ["IL"]), Q("2010BB", "NM1", ["PR"]), Claim2300),
            ["23"] = L("2000C", "HL", Q("2010CA", "NM1", ["QC"]), Claim2300),
        }),
        ["997"] = new("997", L("ST", "ST", L("AK2", "AK2", L("AK3", "AK3")))),
        ["999"] = new("999", L("ST", "ST", L("2000", "AK2", L("2100", "IK3", L("2110", "IK4"))))),
    };

    /// <summary>Builds the loop tree of <paramref name="set"/> from its specification (one flat loop for unknown sets).</summary>
    public static X12Loop Build(X12TransactionSet set) =>
        Build(set.Segments, Specs.TryGetValue(set.Id, out var spec) ? spec : new X12TransactionSpec(set.Id, L("ST", "ST")));

    /// <summary>Builds the loop tree of <paramref name="segments"/> (ST..SE) with <paramref name="spec"/>.</summary>
    public static X12Loop Build(IReadOnlyList<X12Segment> segments, X12TransactionSpec spec)
    {
        var root = new Frame(spec.Root, null);
        var stack = new List<Frame> { root };
        foreach (var segment in segments)
        {
            if (segment.Id == "SE")
            {
                root.Segments.Add(segment);
                continue;
            }

            if (segment.Id == "HL" && spec.HlLevels is { } levels)
            {
                var levelSpec = segment.Value(3) is { } level && levels.TryGetValue(level, out var s) ? s : L("HL", "HL");
                var parentId = segment.Value(2);
                var parentIndex = 0;
                if (parentId is not null)
                {
                    for (var i = stack.Count - 1; i > 0; i--)
                    {
                        if (stack[i].IsHl && stack[i].HlId == parentId)
                        {
                            parentIndex = i;
                            break;
                        }
                    }
                }

                stack.RemoveRange(parentIndex + 1, stack.Count - parentIndex - 1);
                Open(stack, levelSpec, segment, segment.Value(1));
                continue;
            }

            var opened = false;
            for (var i = stack.Count - 1; i >= 0 && !opened; i--)
            {
                foreach (var child in stack[i].Spec.Children)
                {
                    if (child.Opens(segment))
                    {
                        stack.RemoveRange(i + 1, stack.Count - i - 1);
                        Open(stack, child, segment, stack[i].HlId);
                        opened = true;
                        break;
                    }
                }

                // Loops never reach past the HL level they belong to into a sibling hierarchy.
                if (stack.Count > i && stack[i].IsHl && !opened)
                {
                    break;
                }
            }

            if (!opened)
            {
                stack[^1].Segments.Add(segment);
            }
        }

        return root.ToLoop();
    }

    private static void Open(List<Frame> stack, X12LoopSpec spec, X12Segment segment, string? hlId)
    {
        var frame = new Frame(spec, hlId) { IsHl = segment.Id == "HL" };
        frame.Segments.Add(segment);
        stack[^1].Children.Add(frame);
        stack.Add(frame);
    }

    private sealed class Frame(X12LoopSpec spec, string? hlId)
    {
        public X12LoopSpec Spec { get; } = spec;

        public string? HlId { get; } = hlId;

        public bool IsHl { get; init; }

        public List<X12Segment> Segments { get; } = [];

        public List<Frame> Children { get; } = [];

        public X12Loop ToLoop() => new(Spec.Id, Segments, [.. Children.Select(c => c.ToLoop())]);
    }
}
