using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>Outcome of reading a DFT^P03.</summary>
/// <param name="Usages">One entry per FT1 that mapped without findings, in message order.</param>
/// <param name="Errors">Findings; FT1 paths use the FT1's 1-based position in the message (<c>FT1[2]-10</c>).</param>
public sealed record DftReadResult(IReadOnlyList<SupplyUsage> Usages, IReadOnlyList<ValidationFinding> Errors)
{
    /// <summary>True when every FT1 was mapped.</summary>
    public bool Success => Errors.Count == 0;
}

/// <summary>Maps the FT1 segments of a DFT^P03 (post detail financial transactions) to <see cref="SupplyUsage"/>.</summary>
public static class DftP03Reader
{
    /// <summary>Reads every FT1 of the message.</summary>
    /// <remarks>
    /// FT1 timestamps without a zone offset take the offset of MSH-7 (the sender's zone) when MSH-7 has one, else UTC.
    /// Device data (lot, serial, UDI) comes from the first PRT after the FT1 and before the next FT1 that carries any
    /// of PRT-16, PRT-19 or PRT-20; v2.7+ senders put it either directly after FT1 or under the FT1's PR1.
    /// </remarks>
    public static DftReadResult Read(Hl7Message m)
    {
        var errors = new List<ValidationFinding>();
        if (m.MessageType != "DFT" || m.TriggerEvent != "P03")
        {
            errors.Add(new ValidationFinding(
                "MSH-9",
                FindingCodes.Unsupported,
                $"Expected a DFT^P03 message; received {m.MessageType ?? "(none)"}^{m.TriggerEvent ?? "(none)"}."));
            return new DftReadResult([], errors);
        }

        return ReadFinancialTransactions(m);
    }

    /// <summary>
    /// Reads every FT1 without checking MSH-9: DFT^P11 carries the same FT1 segment (in FINANCIAL groups), so it maps
    /// the same way.
    /// </summary>
    internal static DftReadResult ReadFinancialTransactions(Hl7Message m)
    {
        var errors = new List<ValidationFinding>();
        var msh = m.Msh;
        var pid = m.Segment("PID");
        var pv1 = m.Segment("PV1");
        var facility = Text(msh, 4);
        var mrn = pid is null ? null : Text(pid, 3);
        var account = pid is null ? null : Text(pid, 18);
        var encounter = pv1 is null ? null : Text(pv1, 19);
        var defaultOffset = Hl7DateTime.TryGetOffset(m.Timestamp, out var mshOffset) ? mshOffset : TimeSpan.Zero;

        var usages = new List<SupplyUsage>();
        var ordinal = 0;
        var segments = m.Segments;
        for (var i = 0; i < segments.Count; i++)
        {
            if (segments[i].Id != "FT1")
            {
                continue;
            }

            ordinal++;
            var ft1 = segments[i];
            var device = FindDevicePrt(segments, i);
            var usage = ReadFt1(ft1, ordinal, m, device, defaultOffset, facility, mrn, account, encounter, errors);
            if (usage is not null)
            {
                usages.Add(usage);
            }
        }

        if (ordinal == 0)
        {
            errors.Add(new ValidationFinding("FT1", FindingCodes.Required, $"A DFT^{m.TriggerEvent} must contain at least one FT1 segment."));
        }

        return new DftReadResult(usages, errors);
    }

    private static SupplyUsage? ReadFt1(
        Hl7Segment ft1,
        int n,
        Hl7Message m,
        Hl7Segment? device,
        TimeSpan defaultOffset,
        string? facility,
        string? mrn,
        string? account,
        string? encounter,
        List<ValidationFinding> errors)
    {
        var before = errors.Count;
        var path = $"FT1[{n}]";

        var sourceId = Text(ft1, 2) ?? $"{m.ControlId}-{Text(ft1, 1) ?? n.ToString(CultureInfo.InvariantCulture)}";

        var type = Text(ft1, 6)?.Trim().ToUpperInvariant();
        UsageKind kind;
        switch (type)
        {
            case null or "CG" or "CH":
                kind = UsageKind.Consumption;
                break;
            case "CD" or "CR":
                kind = UsageKind.Reversal;
                break;
            default:
                kind = UsageKind.Consumption;
                errors.Add(new ValidationFinding(
                    $"{path}-6",
                    FindingCodes.InvalidValue,
                    $"Transaction type '{type}' is neither a charge (CG/CH) nor a credit (CD/CR)."));
                break;
        }

        DateTimeOffset? occurredAt = null;
        var dateText = Text(ft1, 4);
        if (dateText is not null)
        {
            if (Hl7DateTime.TryParse(dateText, defaultOffset, out var parsed))
            {
                occurredAt = parsed;
            }
            else
            {
                errors.Add(new ValidationFinding($"{path}-4", FindingCodes.InvalidDate, $"Transaction date '{dateText}' is not an HL7 timestamp."));
            }
        }

        var itemCode = Text(ft1, 34) ?? Text(ft1, 7);
        if (itemCode is null)
        {
            errors.Add(new ValidationFinding($"{path}-7", FindingCodes.Required, "FT1-7 (transaction code) or FT1-34 (item number) is required."));
        }

        var quantity = Number(ft1, 10, path, "quantity", errors) ?? 1m;
        var unitPrice = Number(ft1, 12, path, "unit amount", errors);

        if (errors.Count > before)
        {
            return null;
        }

        return new SupplyUsage(
            SourceEventId: sourceId,
            Kind: kind,
            OccurredAt: occurredAt,
            Facility: facility,
            Location: Text(ft1, 13) ?? Text(ft1, 16),
            ItemCode: itemCode,
            ItemDescription: Text(ft1, 7, 2),
            Quantity: quantity,
            Uom: Text(ft1, 43, 2) ?? "EA",
            UnitPrice: unitPrice,
            Lot: device is null ? null : Text(device, 19),
            Serial: device is null ? null : Text(device, 20),
            Udi: device is null ? null : Text(device, 16),
            PatientMrn: mrn,
            PatientAccount: account,
            Encounter: encounter,
            ProcedureCode: Text(ft1, 25));
    }

    private static Hl7Segment? FindDevicePrt(IReadOnlyList<Hl7Segment> segments, int ft1Index)
    {
        for (var j = ft1Index + 1; j < segments.Count && segments[j].Id != "FT1"; j++)
        {
            var s = segments[j];
            if (s.Id == "PRT" && (Text(s, 16) ?? Text(s, 19) ?? Text(s, 20)) is not null)
            {
                return s;
            }
        }

        return null;
    }

    private static decimal? Number(Hl7Segment ft1, int field, string path, string name, List<ValidationFinding> errors)
    {
        var text = Text(ft1, field);
        if (text is null)
        {
            return null;
        }

        if (decimal.TryParse(
                text,
                NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint,
                CultureInfo.InvariantCulture,
                out var value))
        {
            return value;
        }

        errors.Add(new ValidationFinding($"{path}-{field}", FindingCodes.InvalidNumber, $"FT1-{field} ({name}) '{text}' is not a number."));
        return null;
    }

    /// <summary>A value with the HL7 explicit null and blank text treated as absent.</summary>
    private static string? Text(Hl7Segment s, int field, int component = 1, int subcomponent = 1)
    {
        var value = s.Value(field, component, subcomponent);
        return string.IsNullOrWhiteSpace(value) || value == Hl7Segment.NullValue ? null : value;
    }
}
