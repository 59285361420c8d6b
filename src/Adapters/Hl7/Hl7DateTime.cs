using System.Globalization;

namespace HealthSync.Adapters.Hl7;

/// <summary>
/// HL7 v2 TS / DTM values: <c>yyyy[MM[dd[HH[mm[ss[.S+]]]]]][+/-ZZZZ]</c>.
/// </summary>
public static class Hl7DateTime
{
    /// <summary>Parses a timestamp; a value without a zone offset is taken as UTC.</summary>
    public static bool TryParse(string? value, out DateTimeOffset result) => TryParse(value, TimeSpan.Zero, out result);

    /// <summary>
    /// Parses a timestamp; a value without a zone offset gets <paramref name="assumedOffset"/> (HL7 says such
    /// values are in the sender's local zone, which only the caller can know).
    /// </summary>
    public static bool TryParse(string? value, TimeSpan assumedOffset, out DateTimeOffset result)
    {
        result = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var s = value.AsSpan().Trim();
        var digits = 0;
        while (digits < s.Length && char.IsAsciiDigit(s[digits]))
        {
            digits++;
        }

        if (digits is not (4 or 6 or 8 or 10 or 12 or 14))
        {
            return false;
        }

        var year = Number(s, 0, 4);
        var month = digits >= 6 ? Number(s, 4, 2) : 1;
        var day = digits >= 8 ? Number(s, 6, 2) : 1;
        var hour = digits >= 10 ? Number(s, 8, 2) : 0;
        var minute = digits >= 12 ? Number(s, 10, 2) : 0;
        var second = digits >= 14 ? Number(s, 12, 2) : 0;
        long fractionTicks = 0;
        var rest = s[digits..];

        if (!rest.IsEmpty && rest[0] == '.')
        {
            if (digits != 14)
            {
                return false;
            }

            var fractionLength = 1;
            while (fractionLength < rest.Length && char.IsAsciiDigit(rest[fractionLength]))
            {
                fractionLength++;
            }

            var fraction = rest[1..fractionLength];
            if (fraction.IsEmpty)
            {
                return false;
            }

            var significant = fraction.Length > 7 ? fraction[..7] : fraction;
            fractionTicks = long.Parse(significant, NumberStyles.None, CultureInfo.InvariantCulture);
            for (var i = significant.Length; i < 7; i++)
            {
                fractionTicks *= 10;
            }

            rest = rest[fractionLength..];
        }

        var offset = assumedOffset;
        if (!rest.IsEmpty)
        {
            if (rest.Length != 5 || rest[0] is not ('+' or '-') || !IsDigits(rest[1..]))
            {
                return false;
            }

            var hours = Number(rest, 1, 2);
            var minutes = Number(rest, 3, 2);
            if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
            {
                return false;
            }

            offset = new TimeSpan(hours, minutes, 0);
            if (rest[0] == '-')
            {
                offset = -offset;
            }
        }

        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).AddTicks(fractionTicks);
        var utcTicks = local.Ticks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        result = new DateTimeOffset(local, offset);
        return true;
    }

    /// <summary>The zone offset written in a timestamp, if any.</summary>
    public static bool TryGetOffset(string? value, out TimeSpan offset)
    {
        offset = default;
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var trimmed = value.Trim();
        if (trimmed.Length < 5 || trimmed[^5] is not ('+' or '-') || !TryParse(trimmed, out var parsed))
        {
            return false;
        }

        offset = parsed.Offset;
        return true;
    }

    /// <summary>Formats as <c>yyyyMMddHHmmss</c>, followed by <c>+hhmm</c> when <paramref name="includeOffset"/> is set.</summary>
    public static string Format(DateTimeOffset value, bool includeOffset = true)
    {
        var text = value.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture);
        if (!includeOffset)
        {
            return text;
        }

        var offset = value.Offset;
        var sign = offset < TimeSpan.Zero ? '-' : '+';
        offset = offset.Duration();
        return FormattableString.Invariant($"{text}{sign}{offset.Hours:00}{offset.Minutes:00}");
    }

    private static int Number(ReadOnlySpan<char> s, int start, int length) =>
        int.Parse(s.Slice(start, length), NumberStyles.None, CultureInfo.InvariantCulture);

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
}
