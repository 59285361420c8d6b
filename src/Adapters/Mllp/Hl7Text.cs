using System.Text;
using System.Text.Unicode;

namespace HealthSync.Adapters.Mllp;

/// <summary>Converts between HL7 message bytes and text.</summary>
public static class Hl7Text
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Decodes as UTF-8 when the bytes are valid UTF-8 (a leading BOM is dropped), otherwise as ISO-8859-1, which maps
    /// every byte to one character so nothing is lost from legacy 8-bit senders.
    /// </summary>
    public static string Decode(ReadOnlySpan<byte> bytes)
    {
        if (Utf8.IsValid(bytes))
        {
            if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                bytes = bytes[3..];
            }

            return StrictUtf8.GetString(bytes);
        }

        return Encoding.Latin1.GetString(bytes);
    }

    /// <summary>Encodes as UTF-8 without a BOM (unpaired surrogates become U+FFFD rather than failing a send).</summary>
    public static byte[] Encode(string text) => Encoding.UTF8.GetBytes(text);
}
