namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>A purchase order sent to a supplier as an X12 850.</summary>
public sealed record SentOrder(string PoNumber, DateTime SentAt, string Vendor);

/// <summary>The EDI document an order is waiting for.</summary>
public enum EdiAwaiting
{
    /// <summary>855 purchase order acknowledgement.</summary>
    Acknowledgement,
    /// <summary>856 advance ship notice.</summary>
    ShipNotice,
}

/// <param name="Age">Now minus the first send.</param>
/// <param name="OverdueBy">Age minus the SLA for the awaited document.</param>
public sealed record OverdueOrder(string PoNumber, string Vendor, DateTime SentAt, EdiAwaiting Awaiting, TimeSpan Age, TimeSpan OverdueBy);

/// <summary>A claim submitted to a payer (X12 837).</summary>
public sealed record SubmittedClaim(string ClaimId, DateTime SubmittedAt, string Payer, decimal Amount);

public sealed record OverdueClaim(string ClaimId, string Payer, decimal Amount, DateTime SubmittedAt, TimeSpan Age, TimeSpan OverdueBy);

/// <summary>
/// Stuck EDI acknowledgements: orders whose 855 or 856 is later than its SLA. An order is overdue when its age is
/// strictly greater than the SLA (exactly at the SLA is still on time). Ages run from the first time a PO number was
/// sent (a resend does not restart the clock). A ship notice supersedes a missing acknowledgement: the supplier has
/// evidently accepted the order. The sets are looked up with the PO number as given, using the sets' own comparers.
/// An order can be overdue for both documents; results are ordered oldest first, then by PO number and document.
/// </summary>
public static class AckAging
{
    public static IReadOnlyList<OverdueOrder> Find(
        IReadOnlyList<SentOrder> orders,
        IReadOnlySet<string> acknowledged855,
        IReadOnlySet<string> shipped856,
        DateTime now,
        TimeSpan ackSla,
        TimeSpan shipSla)
    {
        var first = new Dictionary<string, SentOrder>(StringComparer.Ordinal);
        foreach (var o in orders)
        {
            if (!first.TryGetValue(o.PoNumber, out var seen) || o.SentAt < seen.SentAt
                || (o.SentAt == seen.SentAt && string.CompareOrdinal(o.Vendor, seen.Vendor) < 0))
            {
                first[o.PoNumber] = o;
            }
        }

        var overdue = new List<OverdueOrder>();
        foreach (var o in first.Values)
        {
            var age = now - o.SentAt;
            var shipped = shipped856.Contains(o.PoNumber);
            if (!shipped && !acknowledged855.Contains(o.PoNumber) && age > ackSla)
                overdue.Add(new(o.PoNumber, o.Vendor, o.SentAt, EdiAwaiting.Acknowledgement, age, age - ackSla));
            if (!shipped && age > shipSla)
                overdue.Add(new(o.PoNumber, o.Vendor, o.SentAt, EdiAwaiting.ShipNotice, age, age - shipSla));
        }
        overdue.Sort(static (a, b) =>
        {
            var c = a.SentAt.CompareTo(b.SentAt);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.PoNumber, b.PoNumber);
            return c != 0 ? c : a.Awaiting.CompareTo(b.Awaiting);
        });
        return overdue;
    }
}

/// <summary>
/// Claims without an 835 decision (paid or denied) after the SLA: overdue when age is strictly greater than the SLA.
/// A claim id submitted more than once ages from its first submission. Ordered oldest first, then by claim id.
/// </summary>
public static class ClaimAging
{
    public static IReadOnlyList<OverdueClaim> Find(IReadOnlyList<SubmittedClaim> claims, IReadOnlySet<string> paidOrDenied835, DateTime now, TimeSpan sla)
    {
        var first = new Dictionary<string, SubmittedClaim>(StringComparer.Ordinal);
        foreach (var c in claims)
        {
            if (!first.TryGetValue(c.ClaimId, out var seen) || c.SubmittedAt < seen.SubmittedAt
                || (c.SubmittedAt == seen.SubmittedAt && (c.Amount, c.Payer).CompareTo((seen.Amount, seen.Payer)) < 0))
            {
                first[c.ClaimId] = c;
            }
        }

        var overdue = new List<OverdueClaim>();
        foreach (var c in first.Values)
        {
            var age = now - c.SubmittedAt;
            if (!paidOrDenied835.Contains(c.ClaimId) && age > sla)
                overdue.Add(new(c.ClaimId, c.Payer, c.Amount, c.SubmittedAt, age, age - sla));
        }
        overdue.Sort(static (a, b) =>
        {
            var c = a.SubmittedAt.CompareTo(b.SubmittedAt);
            return c != 0 ? c : string.CompareOrdinal(a.ClaimId, b.ClaimId);
        });
        return overdue;
    }
}
