using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>
/// Maps every inbound HL7 v2 message HealthSync accepts to canonical facts: ADT^A01/A03/A04/A08 to one
/// <see cref="PatientVisit"/>, DFT^P03/P11 to <see cref="SupplyUsage"/> per FT1, ORM^O01 to one
/// <see cref="SupplyOrder"/> per order group. Never throws for bad content; problems come back as findings.
/// </summary>
/// <remarks>
/// Findings on required or malformed fields mean the message is rejected (no facts are returned for it); whether the
/// acknowledgement is AR or AE is the caller's decision.
/// </remarks>
public static class Hl7Inbound
{
    /// <summary>The <see cref="AdapterRead.Format"/> of every HL7 v2 read.</summary>
    public const string Format = "hl7v2";

    /// <summary>Text of the finding for a message type outside the interface.</summary>
    public const string AcceptedTypes = "HealthSync accepts ADT^A01/A03/A04/A08, DFT^P03/P11, ORM^O01";

    /// <summary>Parses and reads one message; parse errors become the findings of a rejected read.</summary>
    public static AdapterRead Read(string? text)
    {
        var parsed = Hl7Parser.Parse(text);
        if (parsed.Message is { } message)
        {
            return Read(message);
        }

        var header = parsed.Header;
        return new AdapterRead(Format, header is null ? string.Empty : TypeOf(header), header?.ControlId, [], parsed.Errors);
    }

    /// <summary>Reads a parsed message.</summary>
    public static AdapterRead Read(Hl7Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var type = message.MessageType;
        var trigger = message.TriggerEvent;
        var (facts, findings) = (type, trigger) switch
        {
            ("ADT", "A01" or "A03" or "A04" or "A08") => ReadAdt(message, trigger),
            ("DFT", "P03" or "P11") => ReadDft(message),
            ("ORM", "O01") => ReadOrm(message),
            _ => ([], [new ValidationFinding(
                "MSH-9",
                FindingCodes.Unsupported,
                $"{TypeOf(message)} is not handled; {AcceptedTypes}.")]),
        };

        return new AdapterRead(Format, TypeOf(message), Usable(message.ControlId), facts, findings);
    }

    private static string TypeOf(Hl7Message m)
    {
        var type = Usable(m.MessageType) ?? "(none)";
        var trigger = Usable(m.TriggerEvent);
        return trigger is null ? type : $"{type}^{trigger}";
    }

    private static (IReadOnlyList<ICanonicalFact>, IReadOnlyList<ValidationFinding>) ReadDft(Hl7Message m)
    {
        var result = DftP03Reader.ReadFinancialTransactions(m);

        // DftP03Reader keeps the FT1s that mapped; a message with any finding is rejected as a whole so billing never
        // sees half a message (the sender corrects and resends all of it).
        return result.Success ? (result.Usages.ToList<ICanonicalFact>(), []) : ([], result.Errors);
    }

    private static (IReadOnlyList<ICanonicalFact>, IReadOnlyList<ValidationFinding>) ReadAdt(Hl7Message m, string trigger)
    {
        var findings = new List<ValidationFinding>();
        var offset = SenderOffset(m);
        var pid = m.Segment("PID");
        var pv1 = m.Segment("PV1");
        if (pid is null)
        {
            findings.Add(new ValidationFinding("PID", FindingCodes.Required, $"An ADT^{trigger} must contain a PID segment."));
        }

        if (pv1 is null)
        {
            findings.Add(new ValidationFinding("PV1", FindingCodes.Required, $"An ADT^{trigger} must contain a PV1 segment."));
            return ([], findings);
        }

        var encounter = Text(pv1, 19);
        if (encounter is null)
        {
            findings.Add(new ValidationFinding(
                "PV1[1]-19",
                FindingCodes.Required,
                "PV1-19 (visit number) is required; HealthSync keys visits, charges and orders on it."));
        }

        var admitted = Timestamp(pv1, 44, "PV1[1]-44", "admit date/time", offset, findings);
        var discharged = Timestamp(pv1, 45, "PV1[1]-45", "discharge date/time", offset, findings);
        if (trigger == "A03" && discharged is null && Text(pv1, 45) is null)
        {
            findings.Add(new ValidationFinding(
                "PV1[1]-45",
                FindingCodes.Required,
                "PV1-45 (discharge date/time) is required in an ADT^A03 discharge."));
        }

        if (findings.Count > 0)
        {
            return ([], findings);
        }

        var visit = new PatientVisit(
            EventType: trigger,
            Encounter: encounter!,
            PatientMrn: pid is null ? null : Mrn(pid),
            PatientAccount: pid is null ? null : Text(pid, 18),
            Facility: Text(pv1, 3, 4) ?? Text(m.Msh, 4),
            Location: Text(pv1, 3),
            PatientClass: Text(pv1, 2),
            AdmittedAt: admitted,
            DischargedAt: discharged,
            Status: VisitStatus(trigger, discharged));
        return ([visit], []);
    }

    /// <summary>The FHIR Encounter.status that the event implies, so visits from HL7 and FHIR compare directly.</summary>
    private static string? VisitStatus(string trigger, DateTimeOffset? discharged) => trigger switch
    {
        "A01" => "in-progress",
        "A03" => "finished",
        "A04" => "arrived",

        // An update says nothing about the state of the visit beyond what PV1 carries.
        _ => discharged is null ? null : "finished",
    };

    private static (IReadOnlyList<ICanonicalFact>, IReadOnlyList<ValidationFinding>) ReadOrm(Hl7Message m)
    {
        var findings = new List<ValidationFinding>();
        var offset = SenderOffset(m);
        var pid = m.Segment("PID");
        var pv1 = m.Segment("PV1");
        var mrn = pid is null ? null : Mrn(pid);
        var encounter = pv1 is null ? null : Text(pv1, 19);
        var facility = Text(m.Msh, 4);

        // ORDER groups: each ORC starts one, and the OBR (or RQD for supply requisitions) after it details it.
        var groups = new List<(Hl7Segment Orc, int OrcOrdinal, Hl7Segment? Detail, string? DetailPath)>();
        var orcCount = 0;
        var obrCount = 0;
        var rqdCount = 0;
        foreach (var segment in m.Segments)
        {
            switch (segment.Id)
            {
                case "ORC":
                    orcCount++;
                    groups.Add((segment, orcCount, null, null));
                    break;
                case "OBR" or "RQD":
                    var path = segment.Id == "OBR" ? $"OBR[{++obrCount}]" : $"RQD[{++rqdCount}]";
                    if (groups.Count > 0 && groups[^1].Detail is null)
                    {
                        groups[^1] = groups[^1] with { Detail = segment, DetailPath = path };
                    }

                    break;
            }
        }

        if (groups.Count == 0)
        {
            findings.Add(new ValidationFinding("ORC", FindingCodes.Required, "An ORM^O01 must contain at least one ORC segment."));
            return ([], findings);
        }

        var orders = new List<ICanonicalFact>();
        foreach (var (orc, n, detail, detailPath) in groups)
        {
            var before = findings.Count;
            var path = $"ORC[{n}]";
            var control = Text(orc, 1);
            if (control is null)
            {
                findings.Add(new ValidationFinding($"{path}-1", FindingCodes.Required, "ORC-1 (order control) is required."));
            }

            var isRqd = detail?.Id == "RQD";
            var placer = Text(orc, 2) ?? (detail is not null && !isRqd ? Text(detail, 2) : null);
            if (placer is null)
            {
                findings.Add(new ValidationFinding($"{path}-2", FindingCodes.Required, "ORC-2 or OBR-2 (placer order number) is required."));
            }

            var filler = Text(orc, 3) ?? (detail is not null && !isRqd ? Text(detail, 3) : null);

            string? itemCode = null;
            string? itemDescription = null;
            decimal? quantity = null;
            DateTimeOffset? orderedAt = null;
            if (detail is not null && isRqd)
            {
                itemCode = Text(detail, 2) ?? Text(detail, 3);
                itemDescription = Text(detail, 2, 2) ?? Text(detail, 3, 2);
                quantity = Number(detail, 5, 1, 1, $"{detailPath}-5", "requisition quantity", findings);
            }
            else if (detail is not null)
            {
                itemCode = Text(detail, 4);
                itemDescription = Text(detail, 4, 2);

                // TQ quantity (CQ) is the first component of ORC-7 / OBR-27, its amount the first subcomponent.
                quantity = Text(orc, 7) is not null
                    ? Number(orc, 7, 1, 1, $"{path}-7", "quantity/timing quantity", findings)
                    : Number(detail, 27, 1, 1, $"{detailPath}-27", "quantity/timing quantity", findings);
            }

            orderedAt = Timestamp(orc, 9, $"{path}-9", "date/time of transaction", offset, findings);
            if (orderedAt is null && detail is not null && !isRqd)
            {
                orderedAt = Timestamp(detail, 6, $"{detailPath}-6", "requested date/time", offset, findings);
            }

            if (findings.Count > before)
            {
                continue;
            }

            orders.Add(new SupplyOrder(
                PlacerOrderNumber: placer!,
                FillerOrderNumber: filler,
                OrderControl: control!,
                ItemCode: itemCode,
                ItemDescription: itemDescription,
                Quantity: quantity,
                PatientMrn: mrn,
                Encounter: encounter,
                Facility: facility,
                OrderedAt: orderedAt));
        }

        return findings.Count > 0 ? ([], findings) : (orders, []);
    }

    /// <summary>PID-3: the id of the first repetition that has one (the same choice DFT reading makes).</summary>
    private static string? Mrn(Hl7Segment pid)
    {
        var repetitions = pid.RepetitionCount(3);
        for (var r = 1; r <= repetitions; r++)
        {
            var id = Usable(pid.Value(3, 1, 1, r));
            if (id is not null)
            {
                return id;
            }
        }

        return null;
    }

    /// <summary>HL7 timestamps without an offset are in the sender's zone; MSH-7's offset is the best guess of it.</summary>
    private static TimeSpan SenderOffset(Hl7Message m) =>
        Hl7DateTime.TryGetOffset(m.Timestamp, out var offset) ? offset : TimeSpan.Zero;

    private static DateTimeOffset? Timestamp(
        Hl7Segment segment, int field, string path, string name, TimeSpan offset, List<ValidationFinding> findings)
    {
        var text = Text(segment, field);
        if (text is null)
        {
            return null;
        }

        if (Hl7DateTime.TryParse(text, offset, out var value))
        {
            return value;
        }

        findings.Add(new ValidationFinding(path, FindingCodes.InvalidDate, $"{segment.Id}-{field} ({name}) '{text}' is not an HL7 timestamp."));
        return null;
    }

    private static decimal? Number(
        Hl7Segment segment, int field, int component, int subcomponent, string path, string name, List<ValidationFinding> findings)
    {
        var text = Text(segment, field, component, subcomponent);
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

        findings.Add(new ValidationFinding(path, FindingCodes.InvalidNumber, $"{segment.Id}-{field} ({name}) '{text}' is not a number."));
        return null;
    }

    /// <summary>A value with the HL7 explicit null and blank text treated as absent.</summary>
    private static string? Text(Hl7Segment s, int field, int component = 1, int subcomponent = 1) =>
        Usable(s.Value(field, component, subcomponent));

    private static string? Usable(string? value) =>
        string.IsNullOrWhiteSpace(value) || value == Hl7Segment.NullValue ? null : value;
}
