using System.Text;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.X12;

/// <summary>Turns the bytes of an X12 file into text: UTF-8 (with or without BOM) or UTF-16 (with or without BOM).</summary>
internal static class X12Text
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Decodes <paramref name="bytes"/>; on failure returns null and a finding that says why.</summary>
    public static string? Decode(byte[] bytes, out ValidationFinding? finding)
    {
        finding = null;
        var span = bytes.AsSpan();
        if (span.IsEmpty)
        {
            finding = new ValidationFinding("ISA", X12FindingCodes.Encoding, "The input is empty.");
            return null;
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return Utf8(span[3..], out finding);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Utf16(span[2..], bigEndian: false, out finding);
        }

        if (span.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Utf16(span[2..], bigEndian: true, out finding);
        }

        // Without a BOM, UTF-16 shows as a NUL in every other byte: X12 text is ASCII, so the high byte is zero.
        if (span.Length >= 2)
        {
            var sample = span[..Math.Min(span.Length & ~1, 64)];
            int evenNuls = 0, oddNuls = 0;
            for (var i = 0; i < sample.Length; i += 2)
            {
                evenNuls += sample[i] == 0 ? 1 : 0;
                oddNuls += sample[i + 1] == 0 ? 1 : 0;
            }

            var pairs = sample.Length / 2;
            if (oddNuls * 4 >= pairs * 3 && evenNuls == 0)
            {
                return Utf16(span, bigEndian: false, out finding);
            }

            if (evenNuls * 4 >= pairs * 3 && oddNuls == 0)
            {
                return Utf16(span, bigEndian: true, out finding);
            }
        }

        return Utf8(span, out finding);
    }

    private static string? Utf8(ReadOnlySpan<byte> span, out ValidationFinding? finding)
    {
        finding = null;
        try
        {
            var text = StrictUtf8.GetString(span);
            if (text.Contains('\0', StringComparison.Ordinal))
            {
                finding = new ValidationFinding("ISA", X12FindingCodes.Encoding, "The input contains NUL characters; it is binary or in an unsupported encoding.");
                return null;
            }

            return text;
        }
        catch (DecoderFallbackException)
        {
            // X12 allows the extended character set; senders outside UTF-8 almost always mean ISO-8859-1.
            return Encoding.Latin1.GetString(span);
        }
    }

    private static string? Utf16(ReadOnlySpan<byte> span, bool bigEndian, out ValidationFinding? finding)
    {
        finding = null;
        if ((span.Length & 1) != 0)
        {
            finding = new ValidationFinding("ISA", X12FindingCodes.Encoding, "The input looks like UTF-16 but has an odd number of bytes; it was truncated.");
            span = span[..^1];
        }

        var text = (bigEndian ? Encoding.BigEndianUnicode : Encoding.Unicode).GetString(span);
        if (text.Contains('\0', StringComparison.Ordinal))
        {
            finding = new ValidationFinding("ISA", X12FindingCodes.Encoding, "The input mixes UTF-16 and single-byte text; the encoding is not recognised.");
            return null;
        }

        return text;
    }
}
