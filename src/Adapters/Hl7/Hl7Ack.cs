using System.Text.RegularExpressions;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>MSA-1 acknowledgement codes (original mode).</summary>
public enum AckCode
{
    /// <summary>Application accept.</summary>
    AA,

    /// <summary>Application error: the message was understood but rejected; resending it unchanged will fail again.</summary>
    AE,

    /// <summary>Application reject: the message could not be processed (structure, type, or a system problem).</summary>
    AR,
}

/// <summary>Builds and reads HL7 v2 ACK messages.</summary>
public static partial class Hl7Ack
{
    private const string DefaultVersion = "2.5";

    /// <summary>
    /// Builds an ACK for <paramref name="original"/> (null when the inbound text could not be parsed; MSA-2 is then
    /// empty). When <paramref name="error"/> is given, a v2.5-style ERR segment describes it.
    /// </summary>
    /// <remarks>
    /// MSH-11 echoes the original processing id (a receiver in test mode expects a test-mode answer) and falls back
    /// to P when it is unknown.
    /// </remarks>
    public static string Build(Hl7Message? original, AckCode code, string? text, ValidationFinding? error, DateTimeOffset now, string controlId)
    {
        var b = new Hl7MessageBuilder(Hl7Delimiters.Default);
        var msh = b.Segment("MSH", "HEALTHSYNC", "HEALTHSYNC");
        if (original is not null)
        {
            msh.SetRaw(5, Hl7Escaping.ReencodeField(original.Msh.RawField(3), original.Delimiters, b.Delimiters));
            msh.SetRaw(6, Hl7Escaping.ReencodeField(original.Msh.RawField(4), original.Delimiters, b.Delimiters));
        }

        msh.Set(7, Hl7DateTime.Format(now, includeOffset: false));
        var trigger = Usable(original?.TriggerEvent);
        if (trigger is null)
        {
            msh.Set(9, "ACK");
        }
        else
        {
            msh.SetComponents(9, "ACK", trigger, "ACK");
        }

        msh.Set(10, controlId);
        msh.Set(11, Usable(original?.ProcessingId) ?? "P");
        msh.Set(12, Usable(original?.Version) ?? DefaultVersion);

        b.Segment("MSA", code.ToString(), Usable(original?.ControlId), text);

        if (error is not null)
        {
            var err = b.Segment("ERR");
            var location = ErrorLocation(error.Path);
            if (location is not null)
            {
                err.SetComponents(2, location);
            }

            var (hl7Code, hl7Text) = ErrorCodeFor(error.Code);
            err.SetComponents(3, hl7Code, hl7Text, "HL70357");
            err.Set(4, "E");
            err.Set(7, $"{error.Code} at {error.Path}");
            err.Set(8, error.Message);
        }

        return b.Serialize();
    }

    /// <summary>
    /// The HL7 table 0357 code and text used in ERR-3 for a finding code. A finding code that already is a table 0357
    /// code (e.g. "103") is used as is.
    /// </summary>
    public static (string Code, string Text) ErrorCodeFor(string findingCode) => findingCode switch
    {
        FindingCodes.Required => Table0357("101"),
        FindingCodes.InvalidValue => Table0357("103"),
        FindingCodes.Unsupported => Table0357("200"),
        FindingCodes.Malformed => Table0357("102"),
        _ when findingCode.StartsWith("invalid", StringComparison.Ordinal) => Table0357("102"),
        _ => Table0357(findingCode),
    };

    private static (string Code, string Text) Table0357(string code) => code switch
    {
        "0" => ("0", "Message accepted"),
        "100" => ("100", "Segment sequence error"),
        "101" => ("101", "Required field missing"),
        "102" => ("102", "Data type error"),
        "103" => ("103", "Table value not found"),
        "104" => ("104", "Value too long"),
        "200" => ("200", "Unsupported message type"),
        "201" => ("201", "Unsupported event code"),
        "202" => ("202", "Unsupported processing id"),
        "203" => ("203", "Unsupported version id"),
        "204" => ("204", "Unknown key identifier"),
        "205" => ("205", "Duplicate key identifier"),
        "206" => ("206", "Application record locked"),
        _ => ("207", "Application internal error"),
    };

    /// <summary>Reads the outcome of an ACK; throws <see cref="FormatException"/> when the text is not one.</summary>
    public static (AckCode Code, string? ControlId, string? ErrorText) ReadCode(string ackText) =>
        TryReadCode(ackText, out var result)
            ? result
            : throw new FormatException("The text is not an HL7 acknowledgement with an MSA segment.");

    /// <summary>Reads the outcome of an ACK. Enhanced-mode codes (CA/CE/CR) map to AA/AE/AR.</summary>
    public static bool TryReadCode(string? ackText, out (AckCode Code, string? ControlId, string? ErrorText) result)
    {
        result = default;
        var parsed = Hl7Parser.Parse(ackText);
        var msa = parsed.Message?.Segment("MSA");
        if (msa is null)
        {
            return false;
        }

        AckCode? code = msa.Value(1) switch
        {
            "AA" or "CA" => AckCode.AA,
            "AE" or "CE" => AckCode.AE,
            "AR" or "CR" => AckCode.AR,
            _ => null,
        };
        if (code is null)
        {
            return false;
        }

        var err = parsed.Message!.Segment("ERR");
        var errorText = err?.Value(8) ?? msa.Value(3) ?? err?.Value(3, 2);
        result = (code.Value, msa.Value(2), errorText);
        return true;
    }

    private static string? Usable(string? value) =>
        string.IsNullOrWhiteSpace(value) || value == Hl7Segment.NullValue ? null : value;

    /// <summary>ERR-2 (ERL) components for paths such as <c>FT1[2]-10</c>, <c>MSH-9</c> or <c>PID-3.1</c>.</summary>
    private static string?[]? ErrorLocation(string path)
    {
        var match = LocationPattern().Match(path);
        if (!match.Success)
        {
            return null;
        }

        var segment = match.Groups["seg"].Value;
        var sequence = match.Groups["seq"].Success ? match.Groups["seq"].Value : "1";
        if (!match.Groups["field"].Success)
        {
            return [segment, sequence];
        }

        return match.Groups["comp"].Success
            ? [segment, sequence, match.Groups["field"].Value, "1", match.Groups["comp"].Value, match.Groups["sub"].Success ? match.Groups["sub"].Value : null]
            : [segment, sequence, match.Groups["field"].Value];
    }

    [GeneratedRegex(@"^(?<seg>[A-Z0-9]{3})(\[(?<seq>\d{1,5})\])?(-(?<field>\d{1,4})(\.(?<comp>\d{1,4})(\.(?<sub>\d{1,4}))?)?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex LocationPattern();
}
