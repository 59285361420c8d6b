using System.Text;

namespace HealthSync.Engine.Exceptions;

/// <summary>
/// Groups failures by cause, the way failed-message tools group by exception type and message: the category, the error
/// code and the message with its variable parts (numbers, ids, quoted values, amounts) blanked. Two exceptions with the
/// same cause key are fixed by the same action.
/// </summary>
public static class CauseClassifier
{
    public static string Key(string category, string errorCode, string detail)
    {
        var sb = new StringBuilder(category.Length + errorCode.Length + 64);
        sb.Append(category).Append('|').Append(errorCode).Append('|');
        var inQuote = false;
        var lastWasHash = false;
        foreach (var c in detail)
        {
            if (sb.Length >= 160) break;
            if (c is '"' or '\'') { inQuote = !inQuote; if (!lastWasHash) sb.Append('*'); lastWasHash = true; continue; }
            if (inQuote) continue;
            if (char.IsDigit(c) || c is '-' or '.' && lastWasHash)
            {
                if (!lastWasHash) sb.Append('#');
                lastWasHash = true;
                continue;
            }
            lastWasHash = false;
            sb.Append(c);
        }
        return sb.ToString();
    }

    /// <summary>A readable title for a cause group: the error code and the normalised message.</summary>
    public static string Title(string causeKey)
    {
        var parts = causeKey.Split('|', 3);
        return parts.Length == 3 ? $"{parts[1]}: {parts[2]}" : causeKey;
    }
}
