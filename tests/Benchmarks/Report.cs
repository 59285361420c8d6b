using System.Globalization;

namespace HealthSync.Benchmarks;

/// <summary>Plain-text output: one figure per line, label, value and unit.</summary>
internal sealed class Report
{
    public void Line(string label, double value, string unit, string format = "0.##") =>
        Write($"{label}: {value.ToString(format, CultureInfo.InvariantCulture)} {unit}");

    public void Line(string label, long value, string unit) =>
        Write($"{label}: {value.ToString(CultureInfo.InvariantCulture)} {unit}");

    public void Text(string label, string value) => Write($"{label}: {value}");

    public void Progress(string text) => Write($"  [{DateTime.UtcNow:HH:mm:ss}] {text}");

    private static void Write(string line)
    {
        Console.WriteLine(line);
        Console.Out.Flush();
    }
}

/// <summary>Nearest-rank percentiles over a sample.</summary>
internal static class Percentiles
{
    public static double Of(double[] sorted, double percentile)
    {
        if (sorted.Length == 0) return double.NaN;
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }
}
