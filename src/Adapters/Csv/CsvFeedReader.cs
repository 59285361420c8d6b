using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Csv;

/// <summary>One column a feed knows, by its canonical name and the other names senders use for it.</summary>
internal sealed record FeedColumn(string Name, bool Required, params string[] Aliases)
{
    public bool Matches(string normalized) => Name == normalized || Aliases.Contains(normalized);
}

/// <summary>The columns of one CSV feed and which of them identifies a row.</summary>
/// <param name="CanonicalHeader">The header the product's own senders write, quoted back in findings.</param>
internal sealed record FeedSpec(string MessageType, string CanonicalHeader, IReadOnlyList<FeedColumn> Columns, string KeyColumn)
{
    /// <summary>Column positions by canonical name, or null when the header lacks a required column.</summary>
    public Dictionary<string, int>? Map(IReadOnlyList<string> header, out List<string> missing)
    {
        var normalized = header.Select(Normalize).ToList();
        var map = new Dictionary<string, int>(StringComparer.Ordinal);
        missing = [];
        foreach (var column in Columns)
        {
            // The canonical name wins over an alias, then aliases in the order listed, then the leftmost column.
            var index = normalized.IndexOf(column.Name);
            for (var a = 0; index < 0 && a < column.Aliases.Length; a++)
            {
                index = normalized.IndexOf(column.Aliases[a]);
            }

            if (index >= 0)
            {
                map[column.Name] = index;
            }
            else if (column.Required)
            {
                missing.Add(column.Name);
            }
        }

        return missing.Count == 0 ? map : null;
    }

    /// <summary>
    /// True when the header is meant for this feed: it has every required column, or at least the key column (then
    /// reading it names the columns that are missing).
    /// </summary>
    public bool Recognises(IReadOnlyList<string> header)
    {
        if (Map(header, out _) is not null)
        {
            return true;
        }

        var key = Columns.First(c => c.Name == KeyColumn);
        return header.Select(Normalize).Any(key.Matches);
    }

    /// <summary>Header names compare case-insensitively, without surrounding spaces, with spaces and dashes as underscores.</summary>
    public static string Normalize(string name) =>
        name.Trim().Trim('\uFEFF').Trim().ToLowerInvariant().Replace(' ', '_').Replace('-', '_');
}

/// <summary>One data row being mapped: typed access to its fields that records a finding for every bad value.</summary>
internal sealed class FeedRow
{
    private readonly string[] _fields;
    private readonly Dictionary<string, int> _map;
    private readonly IReadOnlyList<string> _header;
    private readonly List<ValidationFinding> _findings;
    private readonly int _findingsBefore;

    public FeedRow(int number, string[] fields, Dictionary<string, int> map, IReadOnlyList<string> header, List<ValidationFinding> findings)
    {
        Number = number;
        _fields = fields;
        _map = map;
        _header = header;
        _findings = findings;
        _findingsBefore = findings.Count;
    }

    /// <summary>The row number a spreadsheet shows: the header is row 1.</summary>
    public int Number { get; }

    /// <summary>True when any value of this row produced a finding.</summary>
    public bool HasFindings => _findings.Count > _findingsBefore;

    public bool HasColumn(string column) => _map.ContainsKey(column);

    /// <summary><c>row 7, column gross_amount</c>, naming the column as the file's header spells it.</summary>
    public string Path(string column) =>
        _map.TryGetValue(column, out var index) ? $"row {Number}, column {_header[index].Trim()}" : $"row {Number}, column {column}";

    /// <summary>The column's name as the file's header spells it, so messages match what the sender sees.</summary>
    public string Label(string column) => _map.TryGetValue(column, out var index) ? _header[index].Trim() : column;

    public void Add(string column, string code, string message) => _findings.Add(new ValidationFinding(Path(column), code, message));

    /// <summary>The trimmed value, or null when the column is absent or the value blank.</summary>
    public string? Text(string column)
    {
        if (!_map.TryGetValue(column, out var index) || index >= _fields.Length)
        {
            return null;
        }

        var value = _fields[index].Trim();
        return value.Length == 0 ? null : value;
    }

    public string? Required(string column)
    {
        var value = Text(column);
        if (value is null)
        {
            Add(column, FindingCodes.Required, $"{Label(column)} is required.");
        }

        return value;
    }

    /// <summary>A plain decimal such as <c>123.45</c> or <c>-5</c>; thousands separators, currency signs and exponents are refused.</summary>
    public decimal? Decimal(string column, bool required)
    {
        var text = required ? Required(column) : Text(column);
        if (text is null)
        {
            return null;
        }

        if (decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Add(column, FindingCodes.InvalidNumber, $"{Label(column)} '{Preview(text)}' is not a decimal number such as 123.45.");
        return null;
    }

    /// <summary>
    /// An ISO 8601 date (<c>2026-11-20</c>, no time) or timestamp (<c>2026-11-20T14:03:00Z</c>, offset optional; a
    /// timestamp without one is taken as UTC, which is what payment gateways and billing exports write).
    /// </summary>
    public (DateOnly Date, DateTimeOffset? At)? Timestamp(string column, bool required)
    {
        var text = required ? Required(column) : Text(column);
        if (text is null)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return (date, null);
        }

        if (DateTimeOffset.TryParseExact(text, TimestampFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            return (DateOnly.FromDateTime(at.DateTime), at);
        }

        Add(column, FindingCodes.InvalidDate, $"{Label(column)} '{Preview(text)}' is not an ISO 8601 date or timestamp such as 2026-11-20T14:03:00Z.");
        return null;
    }

    private static readonly string[] TimestampFormats =
    [
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
    ];

    /// <summary>Values are quoted back to the sender's operators; long or binary values are cut.</summary>
    public static string Preview(string text)
    {
        var head = text.Length > 40 ? text[..40] + "..." : text;
        return new string(head.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }
}

/// <summary>
/// The shared part of every CSV feed: size limits, encoding, header mapping, row numbering, column counts, malformed
/// quoting and duplicate keys. The feed-specific part maps one <see cref="FeedRow"/> to a fact.
/// </summary>
internal static class CsvFeedReader
{
    public const string Format = "csv";

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static AdapterRead Read(byte[]? bytes, CsvLimits? limits, FeedSpec spec, Func<FeedRow, ICanonicalFact?> map)
    {
        var findings = new List<ValidationFinding>();
        var body = Check(bytes, limits ?? CsvLimits.Default, findings);
        if (body is null)
        {
            return Rejected(spec.MessageType, findings);
        }

        var facts = new List<ICanonicalFact>();
        var malformed = new Dictionary<long, CsvMalformedReason>();
        var options = CsvReaderOptions.Default with
        {
            Separator = ',',
            HasHeader = true,
            SkipEmptyLines = false,
            TrimWhitespace = true,
            MalformedData = CsvMalformedDataHandling.Recover,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            OnMalformedRecord = m => malformed.TryAdd(m.RecordNumber, m.Reason),
            IncludeValuesInExceptions = false,
        };

        try
        {
            using var reader = CsvReader.Create(body.Value, options);
            var header = reader.Headers.ToArray();
            var columns = spec.Map(header, out var missing);
            if (columns is null)
            {
                findings.Add(new ValidationFinding(
                    "header",
                    FindingCodes.Required,
                    $"The header lacks the required column(s) {string.Join(", ", missing)}. Found: {NamesOf(header)}. Expected: {spec.CanonicalHeader}."));
                return Rejected(spec.MessageType, findings);
            }

            var maxRows = (limits ?? CsvLimits.Default).MaxRows;
            var keys = new Dictionary<string, int>(StringComparer.Ordinal);
            var fields = new List<string>();
            while (reader.Read())
            {
                if (reader.RowNumber > maxRows)
                {
                    findings.Add(new ValidationFinding(
                        "file", CsvFindingCodes.LimitExceeded, $"The file has more than {maxRows} data rows; split it and resend."));
                    return Rejected(spec.MessageType, findings);
                }

                var number = checked((int)reader.RowNumber + 1);
                fields.Clear();
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    fields.Add(reader.GetString(i));
                }

                if (fields.TrueForAll(string.IsNullOrWhiteSpace))
                {
                    // Blank lines and rows of empty cells are what spreadsheets leave behind; they carry nothing.
                    continue;
                }

                if (malformed.Remove(number, out var reason))
                {
                    findings.Add(new ValidationFinding($"row {number}", FindingCodes.Malformed, $"Row {number} has broken quoting ({Describe(reason)}); it was not read."));
                    continue;
                }

                if (fields.Count != header.Length)
                {
                    findings.Add(new ValidationFinding(
                        $"row {number}",
                        FindingCodes.Malformed,
                        $"Row {number} has {fields.Count} fields; the header has {header.Length}. A value with a comma must be in double quotes."));
                    continue;
                }

                var row = new FeedRow(number, fields.ToArray(), columns, header, findings);
                var key = row.Required(spec.KeyColumn);
                if (key is not null && !keys.TryAdd(key, number))
                {
                    row.Add(spec.KeyColumn, CsvFindingCodes.Duplicate, $"{row.Label(spec.KeyColumn)} '{FeedRow.Preview(key)}' already appears in row {keys[key]}.");
                }

                var fact = map(row);
                if (fact is not null && !row.HasFindings)
                {
                    facts.Add(fact);
                }
            }
        }
        catch (CsvFormatException e)
        {
            // Only a record beyond the reader's limits gets here; the recovering options report everything else.
            findings.Add(new ValidationFinding("file", FindingCodes.Malformed, $"The file cannot be read past record {e.RecordNumber}; it was not accepted."));
            return Rejected(spec.MessageType, findings);
        }

        // A header with no rows is a valid feed: a day without settlements, a feed with no receipts.
        return new AdapterRead(Format, spec.MessageType, null, facts, findings);
    }

    /// <summary>
    /// The checks made before any parsing: size, emptiness and encoding. Returns the bytes to parse (without a UTF-8
    /// BOM), or null with a finding.
    /// </summary>
    public static ReadOnlyMemory<byte>? Check(byte[]? bytes, CsvLimits limits, List<ValidationFinding> findings)
    {
        if (bytes is null || bytes.Length == 0)
        {
            findings.Add(new ValidationFinding("file", FindingCodes.Required, "The file is empty."));
            return null;
        }

        if (bytes.LongLength > limits.MaxBytes)
        {
            findings.Add(new ValidationFinding(
                "file", CsvFindingCodes.LimitExceeded, $"The file has {bytes.LongLength} bytes; at most {limits.MaxBytes} are accepted. Split it and resend."));
            return null;
        }

        ReadOnlyMemory<byte> body = bytes;
        if (body.Span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        var invalidAt = FirstInvalidUtf8(body.Span);
        if (invalidAt >= 0)
        {
            var line = body.Span[..invalidAt].Count((byte)'\n') + 1;
            findings.Add(new ValidationFinding(
                "file",
                FindingCodes.Malformed,
                $"The file is not valid UTF-8 (first bad byte at offset {invalidAt}, line {line}); export it as UTF-8 and resend."));
            return null;
        }

        if (body.Span.IndexOfAnyExcept(" \t\r\n"u8) < 0)
        {
            findings.Add(new ValidationFinding("file", FindingCodes.Required, "The file is empty."));
            return null;
        }

        return body;
    }

    /// <summary>The first line of the file as text (for detecting the feed), or null when it cannot be read.</summary>
    public static string? HeaderLine(byte[]? bytes)
    {
        var findings = new List<ValidationFinding>();
        var body = Check(bytes, CsvLimits.Default with { MaxBytes = long.MaxValue }, findings);
        if (body is null)
        {
            return null;
        }

        var span = body.Value.Span;
        var start = span.IndexOfAnyExcept(" \t\r\n"u8);
        span = span[start..];
        var end = span.IndexOfAny((byte)'\r', (byte)'\n');
        return StrictUtf8.GetString(end < 0 ? span : span[..end]);
    }

    public static AdapterRead Rejected(string messageType, List<ValidationFinding> findings) =>
        new(Format, messageType, null, [], findings);

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            return -1;
        }

        var buffer = ArrayPool<char>.Shared.Rent(Math.Min(bytes.Length, 1 << 20) + 4);
        try
        {
            var offset = 0;
            while (offset < bytes.Length)
            {
                var status = Utf8.ToUtf16(bytes[offset..], buffer, out var read, out _, replaceInvalidSequences: false, isFinalBlock: true);
                if (status is OperationStatus.InvalidData or OperationStatus.NeedMoreData)
                {
                    return offset + read;
                }

                if (read == 0)
                {
                    return offset;
                }

                offset += read;
            }

            return -1;
        }
        finally
        {
            ArrayPool<char>.Shared.Return(buffer);
        }
    }

    private static string NamesOf(IEnumerable<string> header)
    {
        var names = string.Join(",", header.Select(h => h.Trim()));
        if (names.Length > 200)
        {
            names = names[..200] + "...";
        }

        return names.Length == 0 ? "(nothing)" : new string(names.Select(c => char.IsControl(c) ? '?' : c).ToArray());
    }

    private static string Describe(CsvMalformedReason reason) => reason switch
    {
        CsvMalformedReason.StrayQuote => "a double quote inside an unquoted value",
        CsvMalformedReason.TextAfterClosingQuote => "text after a closing double quote",
        CsvMalformedReason.UnterminatedQuote => "a double quote that is never closed",
        _ => reason.ToString(),
    };
}
