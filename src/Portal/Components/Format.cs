using System.Globalization;

namespace HealthSync.Portal.Components;

/// <summary>Display formats. The product runs with invariant globalization, so currency is formatted explicitly (USD).</summary>
public static class Format
{
    public static string Money(decimal amount, int decimals = 2) =>
        (amount < 0 ? "-$" : "$") + Math.Abs(amount).ToString(decimals == 0 ? "N0" : "N2", CultureInfo.InvariantCulture);

    public static string When(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
