using System.Globalization;
using System.Text;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>One message of a batch file.</summary>
/// <param name="Ordinal">1-based position of the message in the file.</param>
/// <param name="Batch">1-based number of the BHS batch holding it; 0 for messages outside any batch.</param>
/// <param name="Text">The message's segments joined with <c>\r</c>, as they appeared in the file.</param>
/// <param name="Parsed">The result of <see cref="Hl7Parser.Parse"/> on <paramref name="Text"/>.</param>
public sealed record Hl7BatchMessage(int Ordinal, int Batch, string Text, Hl7ParseResult Parsed);

/// <summary>What an FHS (file header) or BHS (batch header) says.</summary>
/// <param name="Segment">The header segment itself; its fields keep the sender's escaping and delimiters.</param>
/// <param name="ControlId">FHS-11 / BHS-11, the file or batch control id.</param>
/// <param name="ReferenceControlId">FHS-12 / BHS-12, the control id of an earlier file or batch this one answers.</param>
/// <param name="Name">FHS-9 / BHS-9, the file or batch name.</param>
/// <param name="DeclaredCount">FTS-1 (batches in the file) or BTS-1 (messages in the batch) when the trailer gives it.</param>
/// <param name="ActualCount">Batches or messages actually found.</param>
public sealed record Hl7BatchHeader(
    Hl7Segment Segment,
    string? SendingApplication,
    string? SendingFacility,
    string? ReceivingApplication,
    string? ReceivingFacility,
    string? Timestamp,
    string? Name,
    string? ControlId,
    string? ReferenceControlId,
    int? DeclaredCount,
    int ActualCount);

/// <summary>Outcome of <see cref="Hl7Batch.Read"/>.</summary>
/// <param name="FileHeader">The FHS, when the file has one.</param>
/// <param name="Batches">Every BHS, in file order.</param>
/// <param name="Messages">Every message found, whether or not it parsed.</param>
/// <param name="Findings">Problems of the envelope (counts, trailers, stray text); problems inside one message are in its
/// <see cref="Hl7BatchMessage.Parsed"/> result. Envelope findings do not stop the messages from being processed.</param>
public sealed record Hl7BatchRead(
    Hl7BatchHeader? FileHeader,
    IReadOnlyList<Hl7BatchHeader> Batches,
    IReadOnlyList<Hl7BatchMessage> Messages,
    IReadOnlyList<ValidationFinding> Findings)
{
    /// <summary>True when the envelope has no findings.</summary>
    public bool Success => Findings.Count == 0;

    private Hl7BatchHeader? Main => Batches.Count > 0 ? Batches[0] : FileHeader;

    /// <summary>BHS-3.1 of the first batch, else FHS-3.1.</summary>
    public string? SendingApplication => Main?.SendingApplication ?? FileHeader?.SendingApplication;

    /// <summary>BHS-4.1 of the first batch, else FHS-4.1.</summary>
    public string? SendingFacility => Main?.SendingFacility ?? FileHeader?.SendingFacility;

    /// <summary>BHS-11 of the first batch, else FHS-11: what an acknowledgement batch refers to.</summary>
    public string? BatchControlId => Main?.ControlId ?? FileHeader?.ControlId;
}

/// <summary>
/// HL7 v2 batch files (chapter 2.10.3): <c>[FHS] {BHS {MSH...} BTS} [FTS]</c>, a lone <c>BHS ... BTS</c>, or simply
/// several messages one after another, as drop folders receive them. Never throws for bad input.
/// </summary>
public static class Hl7Batch
{
    private const int MaxFindings = 100;

    /// <summary>
    /// True when the text is a batch rather than one message: it starts with FHS or BHS, or holds more than one MSH.
    /// </summary>
    public static bool IsBatch(string? text)
    {
        var mshCount = 0;
        var first = true;
        foreach (var line in Lines(text ?? string.Empty))
        {
            if (first && (line.StartsWith("FHS", StringComparison.Ordinal) || line.StartsWith("BHS", StringComparison.Ordinal)))
            {
                return true;
            }

            first = false;
            if (line.StartsWith("MSH", StringComparison.Ordinal) && ++mshCount > 1)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Splits a batch file into its messages and checks the envelope.</summary>
    public static Hl7BatchRead Read(string? text)
    {
        var state = new ReadState();
        var lines = Lines(text ?? string.Empty);
        if (lines.Count == 0)
        {
            state.Add("FHS", FindingCodes.Required, "The file is empty.");
            return state.Result();
        }

        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            var ordinal = i + 1;
            var id = line.Length >= 3 ? line[..3] : line;
            switch (id)
            {
                case "FHS":
                    state.CloseMessage();
                    state.OpenFile(line, ordinal);
                    break;
                case "BHS":
                    state.CloseMessage();
                    state.OpenBatch(line, ordinal);
                    break;
                case "BTS":
                    state.CloseMessage();
                    state.CloseBatch(line, ordinal);
                    break;
                case "FTS":
                    state.CloseMessage();
                    state.CloseFile(line, ordinal);
                    break;
                case "MSH":
                    state.CloseMessage();
                    state.StartMessage(line);
                    break;
                default:
                    state.Continue(line, ordinal);
                    break;
            }
        }

        state.CloseMessage();
        state.Finish();
        return state.Result();
    }

    /// <summary>
    /// Wraps acknowledgements (one per message, in message order) in an acknowledgement batch file for the drop-folder
    /// reply: <c>FHS BHS {ACK} BTS FTS</c>, with FHS-12 / BHS-12 naming the original file and batch control ids.
    /// </summary>
    /// <param name="batch">The batch being answered.</param>
    /// <param name="acks">ACK messages as built by <see cref="Hl7Ack.Build"/>.</param>
    /// <param name="now">FHS-7 / BHS-7.</param>
    /// <param name="controlId">FHS-11 / BHS-11 of the reply; defaults to "ACK" followed by <paramref name="now"/> to the millisecond.</param>
    public static string WriteAcknowledgements(Hl7BatchRead batch, IReadOnlyList<string> acks, DateTimeOffset now, string? controlId = null)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(acks);
        var d = Hl7Delimiters.Default;
        controlId ??= "ACK" + now.ToString("yyyyMMddHHmmssfff", CultureInfo.InvariantCulture);
        var timestamp = Hl7DateTime.Format(now);

        var sb = new StringBuilder();
        var fileHeader = batch.FileHeader;
        var batchHeader = batch.Batches.Count > 0 ? batch.Batches[0] : null;
        var replyTo = batchHeader ?? fileHeader;

        AppendHeader(sb, "FHS", d, replyTo, timestamp, controlId, fileHeader?.ControlId);
        AppendHeader(sb, "BHS", d, replyTo, timestamp, controlId, batchHeader?.ControlId ?? fileHeader?.ControlId);

        var count = 0;
        foreach (var ack in acks)
        {
            var segments = Lines(ack);
            if (segments.Count == 0)
            {
                continue;
            }

            count++;
            foreach (var segment in segments)
            {
                sb.Append(segment).Append('\r');
            }
        }

        sb.Append("BTS").Append(d.Field).Append(count.ToString(CultureInfo.InvariantCulture)).Append('\r');
        sb.Append("FTS").Append(d.Field).Append('1').Append('\r');
        return sb.ToString();
    }

    private static void AppendHeader(
        StringBuilder sb, string id, Hl7Delimiters d, Hl7BatchHeader? original, string timestamp, string controlId, string? reference)
    {
        // The reply goes from HealthSync back to whoever sent the original: its sender fields become our receiver fields.
        var fields = new string[13];
        Array.Fill(fields, string.Empty);
        fields[3] = Hl7Escaping.Escape(DftP03Writer.SendingApplication, d);
        fields[4] = Hl7Escaping.Escape(DftP03Writer.SendingApplication, d);
        if (original is not null)
        {
            fields[5] = Hl7Escaping.ReencodeField(original.Segment.RawField(3), original.Segment.Delimiters, d);
            fields[6] = Hl7Escaping.ReencodeField(original.Segment.RawField(4), original.Segment.Delimiters, d);
        }

        fields[7] = timestamp;
        fields[11] = Hl7Escaping.Escape(controlId, d);
        fields[12] = Hl7Escaping.Escape(reference, d);

        var last = fields.Length - 1;
        while (last > 3 && fields[last].Length == 0)
        {
            last--;
        }

        sb.Append(id).Append(d.Field).Append(d.EncodingCharacters);
        for (var f = 3; f <= last; f++)
        {
            sb.Append(d.Field).Append(fields[f]);
        }

        sb.Append('\r');
    }

    /// <summary>Non-blank lines; CR, LF, CRLF and the MLLP framing bytes all end a segment.</summary>
    private static List<string> Lines(string text)
    {
        var lines = new List<string>();
        var span = text.AsSpan();
        foreach (var range in span.SplitAny("\r\n\v\u001C"))
        {
            var line = span[range].TrimStart('\uFEFF');
            if (!line.IsWhiteSpace())
            {
                lines.Add(line.ToString());
            }
        }

        return lines;
    }

    /// <summary>Splits a header line (FHS/BHS) the way MSH is split: field 1 is the separator, field 2 the encoding characters.</summary>
    private static Hl7Segment? SplitHeader(string line, out string? problem)
    {
        problem = null;
        if (line.Length < 4)
        {
            problem = $"{line} has no field separator.";
            return null;
        }

        var separator = line[3];
        var parts = line.Split(separator);
        var encoding = parts.Length > 1 ? parts[1] : string.Empty;
        var delimiters = Hl7Delimiters.TryCreate(separator, encoding, out problem);
        if (delimiters is null)
        {
            return null;
        }

        var fields = new string[parts.Length + 1];
        fields[0] = parts[0];
        fields[1] = separator.ToString();
        Array.Copy(parts, 1, fields, 2, parts.Length - 1);
        return new Hl7Segment(fields, delimiters);
    }

    private static string? Text(Hl7Segment s, int field)
    {
        var value = s.Value(field);
        return string.IsNullOrWhiteSpace(value) || value == Hl7Segment.NullValue ? null : value;
    }

    private sealed class ReadState
    {
        private readonly List<ValidationFinding> _findings = [];
        private readonly List<Hl7BatchHeader> _batches = [];
        private readonly List<Hl7BatchMessage> _messages = [];
        private readonly List<string> _current = [];
        private Hl7BatchHeader? _file;
        private bool _fileOpen;
        private bool _fileClosed;
        private bool _batchOpen;
        private int _batchMessages;
        private int _batchesInFile;
        private bool _sawHeader;
        private Hl7Delimiters _delimiters = Hl7Delimiters.Default;

        public void Add(string path, string code, string message)
        {
            if (_findings.Count < MaxFindings)
            {
                _findings.Add(new ValidationFinding(path, code, message));
            }
        }

        public Hl7BatchRead Result() => new(_file, _batches.ToList(), _messages.ToList(), _findings.ToList());

        public void OpenFile(string line, int ordinal)
        {
            if (_fileOpen || _fileClosed || _sawHeader || _messages.Count > 0)
            {
                Add($"Segment[{ordinal}]", FindingCodes.Malformed, "FHS must be the first segment of the file and appear once.");
                return;
            }

            _sawHeader = true;
            var segment = SplitHeader(line, out var problem);
            if (segment is null)
            {
                Add("FHS", FindingCodes.Malformed, $"FHS cannot be read: {problem}");
                _fileOpen = true;
                return;
            }

            _delimiters = segment.Delimiters;
            _file = Header(segment, null, 0);
            _fileOpen = true;
        }

        public void OpenBatch(string line, int ordinal)
        {
            if (_batchOpen)
            {
                CloseBatchMissingTrailer();
            }

            if (_fileClosed)
            {
                Add($"Segment[{ordinal}]", FindingCodes.Malformed, "BHS after FTS: the file trailer must be the last segment.");
            }

            _sawHeader = true;
            var n = _batches.Count + 1;
            var segment = SplitHeader(line, out var problem);
            _batchOpen = true;
            _batchMessages = 0;
            _batchesInFile++;
            if (segment is null)
            {
                Add($"BHS[{n}]", FindingCodes.Malformed, $"BHS cannot be read: {problem}");
                segment = new Hl7Segment(["BHS", _delimiters.Field.ToString(), _delimiters.EncodingCharacters], _delimiters);
            }
            else
            {
                _delimiters = segment.Delimiters;
            }

            _batches.Add(Header(segment, null, 0));
        }

        public void CloseBatch(string line, int ordinal)
        {
            if (!_batchOpen)
            {
                Add($"Segment[{ordinal}]", FindingCodes.Malformed, "BTS without a preceding BHS.");
                return;
            }

            var n = _batches.Count;
            _batchOpen = false;
            var declared = Count(line, $"BTS[{n}]-1", "batch message count");
            _batches[^1] = _batches[^1] with { DeclaredCount = declared, ActualCount = _batchMessages };
            if (declared is int d && d != _batchMessages)
            {
                Add($"BTS[{n}]-1", FindingCodes.InvalidValue, $"BTS-1 says the batch holds {d} messages; it holds {_batchMessages}.");
            }
        }

        public void CloseFile(string line, int ordinal)
        {
            if (_batchOpen)
            {
                CloseBatchMissingTrailer();
            }

            if (!_fileOpen || _fileClosed)
            {
                Add($"Segment[{ordinal}]", FindingCodes.Malformed, "FTS without a preceding FHS.");
                return;
            }

            _fileClosed = true;
            var declared = Count(line, "FTS-1", "file batch count");
            if (_file is not null)
            {
                _file = _file with { DeclaredCount = declared, ActualCount = _batchesInFile };
            }

            if (declared is int d && d != _batchesInFile)
            {
                Add("FTS-1", FindingCodes.InvalidValue, $"FTS-1 says the file holds {d} batches; it holds {_batchesInFile}.");
            }
        }

        public void StartMessage(string line)
        {
            if (_fileClosed)
            {
                Add($"Message[{_messages.Count + 1}]", FindingCodes.Malformed, "A message follows FTS; the file trailer must be the last segment.");
            }
            else if (_sawHeader && !_batchOpen)
            {
                Add($"Message[{_messages.Count + 1}]", FindingCodes.Malformed, "A message stands outside BHS ... BTS.");
            }

            _current.Add(line);
        }

        public void Continue(string line, int ordinal)
        {
            if (_current.Count > 0)
            {
                _current.Add(line);
                return;
            }

            var where = _sawHeader || _messages.Count > 0 ? "between messages" : "before the first header or message";
            Add($"Segment[{ordinal}]", FindingCodes.Malformed, $"Segment {ordinal} ('{Preview(line)}') stands {where}; it belongs to no message and was ignored.");
        }

        public void CloseMessage()
        {
            if (_current.Count == 0)
            {
                return;
            }

            var text = string.Join('\r', _current);
            _current.Clear();
            _messages.Add(new Hl7BatchMessage(_messages.Count + 1, _batchOpen ? _batches.Count : 0, text, Hl7Parser.Parse(text)));
            if (_batchOpen)
            {
                _batchMessages++;
            }
        }

        public void Finish()
        {
            if (_batchOpen)
            {
                CloseBatchMissingTrailer();
            }

            if (_fileOpen && !_fileClosed)
            {
                Add("FTS", FindingCodes.Required, "The file has an FHS but no FTS trailer; it may have been cut short.");
                if (_file is not null)
                {
                    _file = _file with { ActualCount = _batchesInFile };
                }
            }
        }

        private void CloseBatchMissingTrailer()
        {
            var n = _batches.Count;
            _batchOpen = false;
            _batches[^1] = _batches[^1] with { ActualCount = _batchMessages };
            Add($"BTS[{n}]", FindingCodes.Required, $"Batch {n} has no BTS trailer; it may have been cut short.");
        }

        private int? Count(string line, string path, string name)
        {
            var fields = line.Split(_delimiters.Field);
            var text = fields.Length > 1 ? fields[1].Trim() : string.Empty;
            if (text.Length == 0)
            {
                return null;
            }

            // Only the first component counts; a few senders write "3^".
            var component = text.Split(_delimiters.Component)[0];
            if (int.TryParse(component, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                return value;
            }

            Add(path, FindingCodes.InvalidNumber, $"{path[..3]}-1 ({name}) '{Preview(text)}' is not a whole number.");
            return null;
        }

        private static Hl7BatchHeader Header(Hl7Segment s, int? declared, int actual) => new(
            Segment: s,
            SendingApplication: Text(s, 3),
            SendingFacility: Text(s, 4),
            ReceivingApplication: Text(s, 5),
            ReceivingFacility: Text(s, 6),
            Timestamp: Text(s, 7),
            Name: Text(s, 9),
            ControlId: Text(s, 11),
            ReferenceControlId: Text(s, 12),
            DeclaredCount: declared,
            ActualCount: actual);

        private static string Preview(string text)
        {
            var head = text.Length > 20 ? text[..20] : text;
            return new string(head.Select(c => char.IsControl(c) ? '?' : c).ToArray());
        }
    }
}
