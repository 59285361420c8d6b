namespace HealthSync.Engine.Reconciliation.Matching;

/// <summary>One payment settled by the gateway (settlement file row).</summary>
/// <param name="MerchantReference">The billing payment reference the gateway was given.</param>
/// <param name="Fee">The gateway's fee for the payment (may carry fractions of a cent).</param>
public sealed record Settlement(string TransactionId, string Facility, DateOnly SettlementDate, string? MerchantReference, decimal Amount, decimal Fee);

/// <summary>A payment receipt posted by patient billing; the candidates are the receipts not yet reconciled.</summary>
public sealed record Receipt(string ReceiptId, string Facility, string? PaymentReference, decimal Amount);

/// <summary>A summarized cash journal entry per facility and day (to post, or as already posted in the ERP).</summary>
/// <param name="EntryId"><c>JE-{FACILITY}-{yyyyMMdd}</c>: the idempotency key of the posting.</param>
public sealed record JournalEntry(string EntryId, string Facility, DateOnly Day, decimal Gross, decimal Fees, decimal Net, int Count);

/// <param name="Difference">Settlement amount minus receipt amount.</param>
public sealed record CashMatch(Settlement Settlement, Receipt Receipt, decimal Difference);

/// <summary>A posted entry that differs from what the day's matched payments add up to.</summary>
/// <param name="Expected">The entry the matched payments produce; null when they produce none for that facility.</param>
public sealed record JournalDisagreement(string EntryId, JournalEntry? Expected, JournalEntry Posted, string Reason);

/// <summary>The daily cash reconciliation of one day.</summary>
/// <param name="Entries">Every summarized entry the matched payments produce, by facility.</param>
/// <param name="ToPost">Entries not yet posted; posting them again later is harmless because the id is the idempotency key.</param>
/// <param name="DuplicateSettlements">Settlement rows repeating a transaction id already seen (a resent file); ignored.</param>
public sealed record DailyCashResult(
    DateOnly Day,
    IReadOnlyList<CashMatch> Matched,
    IReadOnlyList<CashMatch> AmountMismatches,
    IReadOnlyList<Settlement> UnmatchedSettlements,
    IReadOnlyList<Receipt> UnmatchedReceipts,
    IReadOnlyList<Settlement> DuplicateSettlements,
    IReadOnlyList<JournalEntry> Entries,
    IReadOnlyList<JournalEntry> ToPost,
    IReadOnlyList<JournalDisagreement> Disagreements);

/// <summary>
/// Patient payment to ERP cash posting: the day's gateway settlements matched one-to-one to billing receipts by
/// reference (merchant reference = payment reference, trimmed, case-insensitive) and amount, then summarized per facility.
/// </summary>
/// <remarks>
/// Settlements of <c>day</c> are walked in transaction-id order; each takes, among the unmatched receipts with its
/// reference, the one closest in amount (ties: lowest receipt id). <c>|settlement − receipt| ≤ amountTolerance</c> is a
/// match; a larger difference pairs them as an amount mismatch (both are then consumed, neither is posted). Receipts are
/// not filtered by date: pass the receipts still open, since a payment can be receipted the day before it settles.
/// Journal totals use the settlement amounts (the cash actually received); gross and fees are summed unrounded and each
/// rounded to the cent once, and net is gross minus fees, so every entry balances.
/// </remarks>
public static class DailyCash
{
    public static string EntryId(string facility, DateOnly day) => $"JE-{MatchText.Key(facility)}-{day:yyyyMMdd}";

    public static DailyCashResult Reconcile(
        IReadOnlyList<Settlement> settlements,
        IReadOnlyList<Receipt> receipts,
        IReadOnlyList<JournalEntry> posted,
        DateOnly day,
        decimal amountTolerance)
    {
        var todays = settlements.Where(s => s.SettlementDate == day).ToArray();
        Array.Sort(todays, static (a, b) =>
        {
            var c = string.CompareOrdinal(a.TransactionId, b.TransactionId);
            if (c != 0) return c;
            c = a.Amount.CompareTo(b.Amount);
            if (c != 0) return c;
            c = a.Fee.CompareTo(b.Fee);
            if (c != 0) return c;
            c = string.CompareOrdinal(a.Facility, b.Facility);
            return c != 0 ? c : string.CompareOrdinal(a.MerchantReference, b.MerchantReference);
        });

        var open = new Dictionary<string, List<Receipt>>(StringComparer.Ordinal);
        foreach (var r in receipts)
        {
            var key = MatchText.Key(r.PaymentReference);
            if (key.Length == 0) continue;
            if (!open.TryGetValue(key, out var list)) open[key] = list = [];
            list.Add(r);
        }
        foreach (var list in open.Values)
            list.Sort(static (a, b) => { var c = string.CompareOrdinal(a.ReceiptId, b.ReceiptId); return c != 0 ? c : a.Amount.CompareTo(b.Amount); });

        var matched = new List<CashMatch>();
        var mismatched = new List<CashMatch>();
        var unmatchedSettlements = new List<Settlement>();
        var duplicates = new List<Settlement>();
        var consumed = new HashSet<Receipt>(ReferenceEqualityComparer.Instance);
        var seenTransactions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var s in todays)
        {
            if (!seenTransactions.Add(s.TransactionId))
            {
                duplicates.Add(s);
                continue;
            }
            Receipt? best = null;
            if (open.TryGetValue(MatchText.Key(s.MerchantReference), out var candidates))
            {
                foreach (var r in candidates)
                {
                    if (consumed.Contains(r)) continue;
                    if (best is null || Math.Abs(s.Amount - r.Amount) < Math.Abs(s.Amount - best.Amount)) best = r;
                }
            }
            if (best is null)
            {
                unmatchedSettlements.Add(s);
                continue;
            }
            consumed.Add(best);
            var difference = s.Amount - best.Amount;
            (Math.Abs(difference) <= amountTolerance ? matched : mismatched).Add(new(s, best, difference));
        }

        var unmatchedReceipts = receipts.Where(r => !consumed.Contains(r)).ToList();
        unmatchedReceipts.Sort(static (a, b) => { var c = string.CompareOrdinal(a.ReceiptId, b.ReceiptId); return c != 0 ? c : a.Amount.CompareTo(b.Amount); });

        var entries = matched
            .GroupBy(m => MatchText.Key(m.Settlement.Facility), StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g =>
            {
                var gross = MatchText.Money(g.Sum(m => m.Settlement.Amount));
                var fees = MatchText.Money(g.Sum(m => m.Settlement.Fee));
                return new JournalEntry(EntryId(g.Key, day), g.Key, day, gross, fees, gross - fees, g.Count());
            })
            .ToList();

        var (toPost, disagreements) = CompareWithPosted(entries, posted, day);
        return new(day, matched, mismatched, unmatchedSettlements, unmatchedReceipts, duplicates, entries, toPost, disagreements);
    }

    private static (List<JournalEntry> ToPost, List<JournalDisagreement> Disagreements) CompareWithPosted(
        List<JournalEntry> entries, IReadOnlyList<JournalEntry> posted, DateOnly day)
    {
        var expectedById = entries.ToDictionary(e => e.EntryId, StringComparer.Ordinal);
        var postedToday = posted
            .Where(p => p.Day == day)
            .OrderBy(p => p.EntryId, StringComparer.Ordinal)
            .ThenBy(p => p.Gross).ThenBy(p => p.Fees).ThenBy(p => p.Net).ThenBy(p => p.Count)
            .ToList();

        var disagreements = new List<JournalDisagreement>();
        var postedIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in postedToday)
        {
            var id = MatchText.Key(p.EntryId);
            expectedById.TryGetValue(id, out var expected);
            if (!postedIds.Add(id))
            {
                disagreements.Add(new(id, expected, p, $"Entry {id} is posted more than once."));
                continue;
            }
            if (expected is null)
            {
                disagreements.Add(new(id, null, p,
                    $"Entry {id} is posted (gross {MatchText.Amt(p.Gross)}, {p.Count} payments) but no matched payments support it."));
            }
            else if (expected.Gross != p.Gross || expected.Fees != p.Fees || expected.Net != p.Net || expected.Count != p.Count)
            {
                disagreements.Add(new(id, expected, p,
                    $"Entry {id} is posted as gross {MatchText.Amt(p.Gross)}, fees {MatchText.Amt(p.Fees)}, net {MatchText.Amt(p.Net)}, {p.Count} payments; "
                    + $"matched payments give gross {MatchText.Amt(expected.Gross)}, fees {MatchText.Amt(expected.Fees)}, net {MatchText.Amt(expected.Net)}, {expected.Count} payments."));
            }
        }
        var toPost = entries.Where(e => !postedIds.Contains(e.EntryId)).ToList();
        return (toPost, disagreements);
    }
}
