using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>Options for building functional acknowledgements.</summary>
/// <param name="InterchangeControlNumber">ISA-13 of the first acknowledgement interchange; further ones count up.</param>
/// <param name="Now">Timestamp written to ISA-09/10 and GS-04/05.</param>
/// <param name="GroupControlNumber">GS-06 of the first acknowledgement group; further ones count up.</param>
/// <param name="IncludeAcceptedSets">Write an AK2/IK5 loop for accepted sets too (most partners expect it).</param>
/// <param name="Delimiters">Delimiters of the acknowledgement (default <c>* : ~ ^</c>).</param>
public sealed record X12AckOptions(
    int InterchangeControlNumber,
    DateTimeOffset Now,
    int GroupControlNumber = 1,
    bool IncludeAcceptedSets = true,
    X12Delimiters? Delimiters = null);

/// <summary>One acknowledgement interchange.</summary>
/// <param name="Text">The X12 text (ISA..IEA).</param>
/// <param name="Accepted">True when the inbound interchange, its groups and all its sets were accepted.</param>
/// <param name="InboundInterchangeControl">ISA-13 of the interchange acknowledged.</param>
/// <param name="InterchangeControl">ISA-13 of the acknowledgement itself.</param>
public sealed record X12Ack(string Text, bool Accepted, string InboundInterchangeControl, string InterchangeControl);

/// <summary>Builds 997 / 999 functional acknowledgements for what <see cref="X12Reader"/> read.</summary>
public static class X12Acknowledgements
{
    /// <summary>
    /// One acknowledgement interchange per inbound interchange: a 997 for each 004010-family group, a 999 for each
    /// 005010 group (by GS-08, or ISA-12 when GS-08 is not a known version). Sender and receiver are swapped.
    /// </summary>
    /// <remarks>
    /// When the input has no readable ISA (not X12, wrong encoding, empty) there is nothing to address an
    /// acknowledgement to: the result is empty and the caller answers with a transport-level error carrying
    /// <see cref="X12ReadResult.Findings"/>. Interchange-level problems (IEA count or control number) belong in a TA1,
    /// which is not built here; they make <see cref="X12Ack.Accepted"/> false.
    /// </remarks>
    public static IReadOnlyList<X12Ack> Build(X12ReadResult result, X12AckOptions options)
    {
        var acks = new List<X12Ack>();
        var interchangeControl = options.InterchangeControlNumber;
        var groupControl = options.GroupControlNumber;
        foreach (var interchange in result.Interchanges)
        {
            acks.Add(BuildOne(interchange, result, options, interchangeControl++ % 1_000_000_000, ref groupControl));
        }

        return acks;
    }

    private static X12Ack BuildOne(X12Interchange inbound, X12ReadResult result, X12AckOptions options, int control, ref int groupControl)
    {
        var groupsByKind = inbound.Groups
            .Select(g => (Group: g, Is999: Is5010(g.Version, inbound.Version)))
            .GroupBy(x => x.Is999)
            .OrderBy(g => g.Key)
            .ToList();
        var any999 = groupsByKind.Any(g => g.Key) || (inbound.Groups.Count == 0 && inbound.Version.StartsWith("005", StringComparison.Ordinal));
        var d = options.Delimiters ?? X12Delimiters.Default;
        var envelope = new X12Envelope(Safe(inbound.ReceiverQualifier, d), Safe(inbound.ReceiverId, d), Safe(inbound.SenderQualifier, d), Safe(inbound.SenderId, d), control, groupControl, options.Now,
            any999 ? "005010X231A1" : "004010", inbound.IsTest, Delimiters: options.Delimiters);
        var output = new X12Output(options.Delimiters ?? X12Delimiters.Default, lineBreaks: false);
        var accepted = inbound.Findings.Count == 0;
        var first = true;
        var groupsWritten = 0;
        foreach (var kind in groupsByKind)
        {
            var is999 = kind.Key;
            var groupEnvelope = envelope with { GroupControlNumber = groupControl++, Version = is999 ? "005010X231A1" : "004010" };
            if (first)
            {
                output = X12Envelopes.Open(groupEnvelope, "FA");
                first = false;
            }
            else
            {
                output.Values("GS", "FA", envelope.SenderId.Trim(), envelope.ReceiverId.Trim(), options.Now.ToString("yyyyMMdd", CultureInfo.InvariantCulture),
                    options.Now.ToString("HHmm", CultureInfo.InvariantCulture), groupEnvelope.GroupControlNumber.ToString(CultureInfo.InvariantCulture), "X", groupEnvelope.Version);
            }

            var setNumber = 0;
            foreach (var (group, _) in kind)
            {
                accepted &= WriteAckSet(output, group, result, inbound, is999, ++setNumber, options);
            }

            output.Values("GE", setNumber.ToString(CultureInfo.InvariantCulture), groupEnvelope.GroupControlNumber.ToString(CultureInfo.InvariantCulture));
            groupsWritten++;
        }

        if (first)
        {
            output = X12Envelopes.Open(envelope, "FA");
            var text = output.ToString();

            // No group to acknowledge: an interchange with just ISA and IEA says "received, nothing in it".
            var isaOnly = text[..(text.IndexOf(output.Delimiters.Segment) + 1)];
            output = new X12Output(output.Delimiters, lineBreaks: false);
            return new X12Ack(isaOnly + "IEA" + output.Delimiters.Element + "0" + output.Delimiters.Element + control.ToString("D9", CultureInfo.InvariantCulture) + output.Delimiters.Segment,
                false, inbound.ControlNumber, control.ToString("D9", CultureInfo.InvariantCulture));
        }

        output.Values("IEA", groupsWritten.ToString(CultureInfo.InvariantCulture), control.ToString("D9", CultureInfo.InvariantCulture));
        return new X12Ack(output.ToString(), accepted, inbound.ControlNumber, control.ToString("D9", CultureInfo.InvariantCulture));
    }

    /// <summary>Writes one 997/999 set for <paramref name="group"/>; returns true when the group was accepted in full.</summary>
    private static bool WriteAckSet(X12Output output, X12FunctionalGroup group, X12ReadResult result, X12Interchange inbound, bool is999, int setNumber, X12AckOptions options)
    {
        var start = output.Count;
        var control = setNumber.ToString("D4", CultureInfo.InvariantCulture);
        output.Values("ST", is999 ? "999" : "997", control, is999 ? "005010X231A1" : null);
        var d = output.Delimiters;
        output.Values("AK1", Safe(group.FunctionalId, d), Safe(group.ControlNumber, d), is999 ? Safe(group.Version, d) : null);
        var acceptedSets = 0;
        foreach (var set in group.TransactionSets)
        {
            var read = result.Transactions.FirstOrDefault(t => ReferenceEquals(t.Loops.Segments.Count > 0 ? t.Loops.Segments[0] : null, set.Segments[0]))
                ?? result.Transactions.FirstOrDefault(t => t.InterchangeControl == inbound.ControlNumber && t.GroupControl == group.ControlNumber && t.ControlNumber == set.ControlNumber);
            var findings = read?.Read.Findings.Where(IsSetLevel).ToList() ?? [.. set.Findings];
            var setAccepted = findings.Count == 0;
            acceptedSets += setAccepted ? 1 : 0;
            if (setAccepted && !options.IncludeAcceptedSets)
            {
                continue;
            }

            output.Values("AK2", Safe(set.Id, d), Safe(set.ControlNumber, d), is999 ? Safe(set.ImplementationReference, d) : null);
            var setCodes = new List<string>();
            var segmentErrors = false;
            foreach (var byPath in findings.GroupBy(f => SegmentOf(f.Path)))
            {
                if (SetCode(byPath.First()) is { } code)
                {
                    setCodes.Add(code);
                    continue;
                }

                if (byPath.Key is not { } at)
                {
                    continue;
                }

                segmentErrors = true;
                var elementErrors = byPath.Where(f => ElementOf(f.Path) is not null).ToList();
                var segmentCode = elementErrors.Count > 0 ? "8"
                    : byPath.First().Code switch
                    {
                        X12FindingCodes.UnrecognizedSegment => "1",
                        FindingCodes.Required => "3",
                        _ => "2",
                    };
                output.Values(is999 ? "IK3" : "AK3", Safe(at.Id, d), at.Position.ToString(CultureInfo.InvariantCulture), LoopOf(read?.Loops, at.Position), segmentCode);
                foreach (var f in elementErrors)
                {
                    output.Values(is999 ? "IK4" : "AK4", ElementOf(f.Path)!.Value.ToString(CultureInfo.InvariantCulture), null, ElementCode(f.Code), BadValue(set, at.Position, ElementOf(f.Path)!.Value, output));
                }
            }

            if (segmentErrors)
            {
                setCodes.Add("5");
            }

            output.Values(is999 ? "IK5" : "AK5", [setAccepted ? "A" : "R", .. setCodes.Distinct().Take(5)]);
        }

        var groupCodes = group.Findings.Select(GroupCode).Where(c => c is not null).Distinct().Take(5).ToList();
        var received = group.TransactionSets.Count;
        var groupAccepted = groupCodes.Count == 0 && acceptedSets == received;
        var status = groupCodes.Count > 0 || acceptedSets == 0 ? "R" : acceptedSets < received ? "P" : "A";
        if (received == 0 && groupCodes.Count == 0)
        {
            status = "A";
        }

        var included = int.TryParse(group.Trailer?.Raw(1), out var n) ? n : received;
        output.Values("AK9", [status, included.ToString(CultureInfo.InvariantCulture), received.ToString(CultureInfo.InvariantCulture), acceptedSets.ToString(CultureInfo.InvariantCulture), .. groupCodes]);
        output.Values("SE", (output.Count - start + 1).ToString(CultureInfo.InvariantCulture), control);
        return groupAccepted;
    }

    private static bool Is5010(string gs08, string isa12)
    {
        if (gs08.StartsWith("005", StringComparison.Ordinal))
        {
            return true;
        }

        if (gs08.StartsWith("004", StringComparison.Ordinal) || gs08.StartsWith("003", StringComparison.Ordinal))
        {
            return false;
        }

        // GS-08 is not a version we know (e.g. "5010" in a 00401 interchange): ISA-12 decides.
        return isa12.StartsWith("005", StringComparison.Ordinal);
    }

    /// <summary>Set-level findings have a path inside the set ("PO1[7]-02", "SE[12]-01", "SE"); envelope ones do not.</summary>
    private static bool IsSetLevel(ValidationFinding f) =>
        f.Path.Contains('[', StringComparison.Ordinal) || f.Path == "SE";

    private static string? SetCode(ValidationFinding f) => (f.Code, f.Path) switch
    {
        (X12FindingCodes.TrailerMissing, _) => "2",
        (X12FindingCodes.ControlMismatch, _) => "3",
        (X12FindingCodes.CountMismatch, _) => "4",
        (FindingCodes.Unsupported, _) => "1",
        (FindingCodes.Required, "ST[1]-01") => "6",
        (FindingCodes.Required, "ST[1]-02") => "7",
        _ => null,
    };

    private static string? GroupCode(ValidationFinding f) => (f.Code, f.Path) switch
    {
        (X12FindingCodes.TrailerMissing, "GE") => "3",
        (X12FindingCodes.ControlMismatch, "GE-02") => "4",
        (X12FindingCodes.CountMismatch, "GE-01") => "5",
        (FindingCodes.Required, _) => "6",
        _ => null,
    };

    private static string ElementCode(string findingCode) => findingCode switch
    {
        FindingCodes.Required => "1",
        FindingCodes.InvalidNumber => "6",
        FindingCodes.InvalidDate => "8",
        _ => "7",
    };

    private static (string Id, int Position)? SegmentOf(string path)
    {
        var open = path.IndexOf('[', StringComparison.Ordinal);
        var close = path.IndexOf(']', StringComparison.Ordinal);
        if (open <= 0 || close < open || !int.TryParse(path.AsSpan(open + 1, close - open - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var position))
        {
            return null;
        }

        return (path[..open], position);
    }

    private static int? ElementOf(string path)
    {
        var close = path.IndexOf("]-", StringComparison.Ordinal);
        return close > 0 && int.TryParse(path.AsSpan(close + 2), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : null;
    }

    private static string? LoopOf(X12Loop? root, int position)
    {
        if (root is null)
        {
            return null;
        }

        string? found = null;
        foreach (var loop in root.Descendants())
        {
            if (loop != root && loop.Segments.Any(s => s.Position == position))
            {
                found = loop.Id;
            }
        }

        return found;
    }

    private static string? BadValue(X12TransactionSet set, int position, int element, X12Output output)
    {
        var segment = position >= 1 && position <= set.Segments.Count ? set.Segments[position - 1] : null;
        var value = segment?.Value(element);
        return value is null || value.Length > 99 || value.Any(output.Delimiters.IsDelimiter) ? null : value;
    }

    /// <summary>Values echoed from the inbound file may contain the acknowledgement's delimiters; those are dropped.</summary>
    private static string Safe(string? value, X12Delimiters d) =>
        value is null ? "" : new([.. value.Where(c => !d.IsDelimiter(c) && !char.IsControl(c))]);
}
