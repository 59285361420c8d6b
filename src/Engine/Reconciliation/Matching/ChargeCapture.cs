using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>A billable usage event (or the reversal of one) in the reconciliation window.</summary>
/// <param name="ExpectedAmount">The charge the usage should produce (charge-master price times base quantity).</param>
/// <param name="ReversesUsageId">Set on a reversal event: the usage it takes back. Reversal events are not billable themselves.</param>
public sealed record BillableUsage(string UsageId, string Facility, DateTime OccurredAt, decimal ExpectedAmount, string? ReversesUsageId = null);

/// <summary>A charge sent to patient billing for a usage event.</summary>
/// <param name="Amount">Signed: a credit that takes a charge back is negative.</param>
/// <param name="PostedAt">When billing accepted it; null falls back to <paramref name="CreatedAt"/>.</param>
public sealed record ChargeFact(string ChargeId, string UsageId, PostingStatus Status, decimal Amount, DateTime CreatedAt, DateTime? PostedAt = null);

public enum CaptureOutcome
{
    /// <summary>A finalized (posted) charge with a positive net amount exists at the window end.</summary>
    Captured,
    /// <summary>No finalized charge and the grace period has passed.</summary>
    Missing,
    /// <summary>No finalized charge yet, still within the grace period.</summary>
    Pending,
    /// <summary>The usage was reversed by the window end: no charge is expected.</summary>
    Reversed,
}

/// <param name="ChargedAmount">Net amount of the usage's finalized charges at the window end.</param>
/// <param name="DueBy">Occurrence plus grace: the last moment the usage may still be uncharged without being missing.</param>
public sealed record UsageCapture(BillableUsage Usage, CaptureOutcome Outcome, decimal ChargedAmount, DateTime DueBy, string Reason);

/// <summary>Charge capture completeness for a window.</summary>
/// <param name="Usages">One result per billable usage, ordered by occurrence then usage id.</param>
/// <param name="OrphanCharges">Charges naming a usage that is not in the window's facts, ordered by charge id.</param>
/// <param name="DuplicateUsages">Usage events repeated under an id already seen; counted once.</param>
public sealed record ChargeCaptureResult(
    IReadOnlyList<UsageCapture> Usages,
    IReadOnlyList<ChargeFact> OrphanCharges,
    IReadOnlyList<BillableUsage> DuplicateUsages,
    int Captured,
    int Missing,
    int Pending,
    int Reversed,
    decimal MissingAmount,
    decimal PendingAmount)
{
    /// <summary>Billable usage with a finalized matching charge.</summary>
    public int Numerator => Captured;

    /// <summary>All billable usage in the window: reversed usage is excluded (nothing is owed), pending usage is included.</summary>
    public int Denominator => Captured + Missing + Pending;

    /// <summary>Numerator / denominator; null when nothing billable happened in the window.</summary>
    public decimal? Completeness => Denominator == 0 ? null : (decimal)Numerator / Denominator;
}

/// <summary>
/// Charge capture completeness: which billable usage events have a finalized charge as of the window end. Pure: facts
/// recorded after <c>windowEnd</c> (postings, reversals) are ignored, so a past window always evaluates the same way.
/// </summary>
/// <remarks>
/// A usage is <see cref="CaptureOutcome.Reversed"/> when a reversal naming it occurred at or before the window end;
/// otherwise <see cref="CaptureOutcome.Captured"/> when its posted charges (status Posted, posted at or before the window
/// end) net above zero; otherwise <see cref="CaptureOutcome.Pending"/> while <c>windowEnd ≤ OccurredAt + grace</c>
/// (the grace boundary itself is still pending) and <see cref="CaptureOutcome.Missing"/> after it.
/// </remarks>
public static class ChargeCapture
{
    private const string CapturedReason = "A finalized charge is posted.";

    public static ChargeCaptureResult Evaluate(IReadOnlyList<BillableUsage> usages, IReadOnlyList<ChargeFact> charges, DateTime windowEnd, TimeSpan grace)
    {
        var billable = new List<BillableUsage>(usages.Count);
        var reversedAt = new Dictionary<string, DateTime>(StringComparer.Ordinal);
        foreach (var u in usages)
        {
            if (u.ReversesUsageId is { } target)
            {
                if (u.OccurredAt <= windowEnd && (!reversedAt.TryGetValue(target, out var at) || u.OccurredAt < at))
                    reversedAt[target] = u.OccurredAt;
            }
            else
            {
                billable.Add(u);
            }
        }

        var sorted = billable.ToArray();
        SortByOccurrence(sorted);

        var known = new HashSet<string>(sorted.Length, StringComparer.Ordinal);
        var duplicate = new bool[sorted.Length];
        var duplicates = new List<BillableUsage>();
        for (var i = 0; i < sorted.Length; i++)
        {
            if (known.Add(sorted[i].UsageId)) continue;
            duplicate[i] = true;
            duplicates.Add(sorted[i]);
        }

        var posted = new Dictionary<string, decimal>(charges.Count, StringComparer.Ordinal);
        var orphans = new List<ChargeFact>();
        foreach (var ch in charges)
        {
            if (!known.Contains(ch.UsageId))
            {
                orphans.Add(ch);
                continue;
            }
            if (ch.Status == PostingStatus.Posted && (ch.PostedAt ?? ch.CreatedAt) <= windowEnd)
                posted[ch.UsageId] = posted.GetValueOrDefault(ch.UsageId) + ch.Amount;
        }
        orphans.Sort(static (a, b) => string.CompareOrdinal(a.ChargeId, b.ChargeId));

        int captured = 0, missing = 0, pending = 0, reversed = 0;
        decimal missingAmount = 0m, pendingAmount = 0m;
        var results = new List<UsageCapture>(sorted.Length - duplicates.Count);
        for (var i = 0; i < sorted.Length; i++)
        {
            if (duplicate[i]) continue;
            var u = sorted[i];
            var dueBy = u.OccurredAt + grace;
            var net = posted.GetValueOrDefault(u.UsageId);
            UsageCapture result;
            if (reversedAt.TryGetValue(u.UsageId, out var rev))
            {
                reversed++;
                result = new(u, CaptureOutcome.Reversed, net, dueBy, net > 0
                    ? $"Reversed at {rev:yyyy-MM-dd HH:mm}; no charge is expected, but {MatchText.Amt(net)} is still posted."
                    : $"Reversed at {rev:yyyy-MM-dd HH:mm}; no charge is expected.");
            }
            else if (net > 0)
            {
                captured++;
                // One shared reason for the captured majority: the amounts are on the record.
                result = new(u, CaptureOutcome.Captured, net, dueBy, CapturedReason);
            }
            else if (windowEnd <= dueBy)
            {
                pending++;
                pendingAmount += u.ExpectedAmount;
                result = new(u, CaptureOutcome.Pending, net, dueBy, $"No finalized charge yet; within grace until {dueBy:yyyy-MM-dd HH:mm}.");
            }
            else
            {
                missing++;
                missingAmount += u.ExpectedAmount;
                result = new(u, CaptureOutcome.Missing, net, dueBy,
                    $"No finalized charge {FormatAge(windowEnd - dueBy)} after the grace period ended at {dueBy:yyyy-MM-dd HH:mm}; {MatchText.Amt(u.ExpectedAmount)} not billed.");
            }
            results.Add(result);
        }

        return new(results, orphans, duplicates, captured, missing, pending, reversed, MatchText.Money(missingAmount), MatchText.Money(pendingAmount));
    }

    /// <summary>
    /// Occurrence, then usage id, amount and facility. Sorting on the ticks as primitive keys first and then only the
    /// runs of equal times keeps a million events well under a second.
    /// </summary>
    private static void SortByOccurrence(BillableUsage[] usages)
    {
        var ticks = new long[usages.Length];
        for (var i = 0; i < usages.Length; i++) ticks[i] = usages[i].OccurredAt.Ticks;
        Array.Sort(ticks, usages);
        for (var start = 0; start < usages.Length;)
        {
            var end = start + 1;
            while (end < usages.Length && ticks[end] == ticks[start]) end++;
            if (end - start > 1) Array.Sort(usages, start, end - start, SameTimeOrder.Instance);
            start = end;
        }
    }

    private sealed class SameTimeOrder : IComparer<BillableUsage>
    {
        public static readonly SameTimeOrder Instance = new();

        public int Compare(BillableUsage? a, BillableUsage? b)
        {
            if (ReferenceEquals(a, b)) return 0;
            if (a is null) return -1;
            if (b is null) return 1;
            var c = string.CompareOrdinal(a.UsageId, b.UsageId);
            if (c != 0) return c;
            c = a.ExpectedAmount.CompareTo(b.ExpectedAmount);
            return c != 0 ? c : string.CompareOrdinal(a.Facility, b.Facility);
        }
    }

    internal static string FormatAge(TimeSpan age) => age.TotalDays >= 1
        ? $"{(int)age.TotalDays}d {age.Hours}h"
        : age.TotalHours >= 1 ? $"{(int)age.TotalHours}h {age.Minutes}m" : $"{(int)age.TotalMinutes}m";
}
