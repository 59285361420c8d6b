using System.Globalization;

namespace HealthSync.Benchmarks;

internal sealed record BenchmarkOptions(int Events, int Connections)
{
    public static BenchmarkOptions? Parse(string[] args)
    {
        var events = 20_000;
        var connections = 8;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--events" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0:
                    events = n;
                    i++;
                    break;
                case "--connections" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out var c) && c > 0:
                    connections = c;
                    i++;
                    break;
                default:
                    return null;
            }
        }
        return new BenchmarkOptions(events, Math.Min(connections, events));
    }
}
