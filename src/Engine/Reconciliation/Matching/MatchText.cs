namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>Key normalisation, money rounding and ordering shared by the reconciliation matchers.</summary>
internal static class MatchText
{
    /// <summary>
    /// Business keys (PO numbers, items, vendors, facilities) compare trimmed and case-insensitively: feeds from
    /// different systems disagree on case and padding but never use them to tell two documents apart.
    /// Returns the same instance when nothing changes, so clean keys cost no allocation.
    /// </summary>
    public static string Key(string? value) => string.IsNullOrEmpty(value) ? "" : value.Trim().ToUpperInvariant();

    /// <summary>
    /// Invoice numbers for duplicate detection keep letters and digits only, upper-cased: "inv-0042" and
    /// "INV 0042" are the same invoice keyed twice, the classic way a duplicate payment slips through.
    /// </summary>
    public static string InvoiceNumberKey(string? value)
    {
        if (string.IsNullOrEmpty(value)) return "";
        var clean = true;
        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) || char.IsAsciiLetterLower(c))
            {
                clean = false;
                break;
            }
        }
        if (clean) return value;
        return string.Create(CountAlphanumerics(value), value, static (span, source) =>
        {
            var i = 0;
            foreach (var c in source)
            {
                if (char.IsLetterOrDigit(c)) span[i++] = char.ToUpperInvariant(c);
            }
        });
    }

    private static int CountAlphanumerics(string value)
    {
        var n = 0;
        foreach (var c in value)
        {
            if (char.IsLetterOrDigit(c)) n++;
        }
        return n;
    }

    /// <summary>Currency amounts are rounded to cents, half away from zero (the convention of US billing and AP).</summary>
    public static decimal Money(decimal amount) => decimal.Round(amount, 2, MidpointRounding.AwayFromZero);

    public static bool SameUom(string a, string b) => string.Equals(a.Trim(), b.Trim(), StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Line numbers order numerically when both are whole numbers ("2" before "10"), otherwise ordinally; a missing
    /// line number sorts first.
    /// </summary>
    public static int CompareLineNumbers(string? a, string? b)
    {
        if (string.Equals(a, b)) return 0;
        if (a is null) return -1;
        if (b is null) return 1;
        if (long.TryParse(a, out var x) && long.TryParse(b, out var y) && x != y) return x.CompareTo(y);
        return string.CompareOrdinal(a, b);
    }

    /// <summary>Case-insensitive first, then ordinal, so the order is total and does not depend on the input order.</summary>
    public static int CompareText(string? a, string? b)
    {
        // Equal keys are the common case when lines of one invoice are compared; settle them with one scan.
        if (string.Equals(a, b)) return 0;
        var c = string.Compare(a, b, StringComparison.OrdinalIgnoreCase);
        return c != 0 ? c : string.CompareOrdinal(a, b);
    }

    /// <summary>
    /// Factor turning a quantity in <paramref name="from"/> into <paramref name="to"/> (1 when the units are the same);
    /// null when no positive factor is defined.
    /// </summary>
    public static decimal? Factor(Func<string, string, string, decimal?> uomFactor, string item, string from, string to)
    {
        if (SameUom(from, to)) return 1m;
        var f = uomFactor(item, from, to);
        return f is > 0m ? f : null;
    }

    public static string Qty(decimal q) => q.ToString("0.####");

    public static string Amt(decimal a) => a.ToString("0.00");
}
