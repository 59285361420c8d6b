using HealthSync.Engine.Persistence;
using HealthSync.Engine.Reconciliation;
using HealthSync.Engine.Reconciliation.Matching;

namespace HealthSync.Portal.Lineage;

/// <summary>Whether an outcome needs a person, is still moving, or is finished.</summary>
public enum OutcomeTone { Problem, InProgress, Done }

/// <summary>Where a transaction (or a chain of them) stands, in the words of the business rather than of the transport.</summary>
/// <param name="Rank">Position in <see cref="Outcomes"/>' precedence: lower is more urgent, so a chain shows its most urgent lane.</param>
public sealed record Outcome(string Label, OutcomeTone Tone, int Rank)
{
    public string BadgeClass => Tone switch
    {
        OutcomeTone.Problem => "text-bg-danger",
        OutcomeTone.InProgress => "text-bg-warning",
        _ => "text-bg-success",
    };
}

/// <summary>What is known about one transaction that decides its outcome; loaded in batches by <see cref="TransactionLoader"/>.</summary>
/// <param name="InboxStatus">Null for a posting the engine started itself (a journal entry, an AP batch): there is no inbound message.</param>
/// <param name="AwaitedAnswers">Answers a partner still owes: an acknowledgement for a PO sent, a remittance for a claim.</param>
/// <param name="ReceivedAnswers">Answers already in: "acknowledgement", "remittance".</param>
public sealed record OutcomeFacts(
    InboxStatus? InboxStatus,
    IReadOnlyList<OutboxView> Deliveries,
    int OpenExceptions,
    int Documents,
    IReadOnlyList<VerdictView> Verdicts,
    IReadOnlyList<string> AwaitedAnswers,
    IReadOnlyList<string> ReceivedAnswers);

/// <summary>
/// The outcome rules. The first rule that applies wins, in this order: still to be processed; a delivery retrying; a
/// delivery the target took without posting it (no reference) or refused; a reconciliation that did not match; an open
/// exception; input rejected; a delivery given up; a posting under way; a reconciliation hold; an answer still owed;
/// everything posted; every verdict matched; the answer received; documents recorded; nothing to post.
/// </summary>
public static class Outcomes
{
    public const string WaitingToBeProcessed = "waiting to be processed";
    public const string Retrying = "retrying";
    public const string DeliveredNotPosted = "delivered but not posted";
    public const string NeedsAttention = "needs attention";
    public const string Rejected = "rejected";
    public const string Failed = "failed";
    public const string PostingInProgress = "posting in progress";
    public const string Posted = "posted";
    public const string Matched = "matched";
    public const string Acknowledged = "acknowledged";
    public const string Recorded = "recorded";
    public const string NothingToPost = "nothing to post";

    public const string Acknowledgement = "acknowledgement";
    public const string Remittance = "remittance";

    /// <summary>Verdicts that wait for more facts (goods still due) rather than call for a person.</summary>
    private static readonly HashSet<string> Holds = [nameof(MatchOutcome.InvoiceBeforeReceipt), nameof(MatchOutcome.PartialReceipt)];

    /// <summary>Reconciliations whose verdicts are about an answer awaited; the answer itself is looked up directly instead.</summary>
    private static readonly HashSet<string> AnswerAging = [Reconciliations.Acks];

    public static Outcome For(OutcomeFacts f)
    {
        var problems = f.Verdicts.Where(v => !v.Matched && !AnswerAging.Contains(v.Reconciliation) && !Holds.Contains(v.Outcome)).ToList();
        var holds = f.Verdicts.Where(v => !v.Matched && Holds.Contains(v.Outcome)).ToList();
        var judged = f.Verdicts.Where(v => !AnswerAging.Contains(v.Reconciliation)).ToList();
        if (f.InboxStatus == InboxStatus.Received) return new(WaitingToBeProcessed, OutcomeTone.InProgress, 0);
        if (f.Deliveries.Any(d => d.Status == nameof(OutboxStatus.Pending) && d.Attempts > 0)) return new(Retrying, OutcomeTone.InProgress, 1);
        if (f.Deliveries.Any(d => d.NotPosted)) return new(DeliveredNotPosted, OutcomeTone.Problem, 2);
        if (problems.Count > 0) return new("unmatched: " + Words(problems[0].Outcome), OutcomeTone.Problem, 3);
        if (f.OpenExceptions > 0) return new(NeedsAttention, OutcomeTone.Problem, 4);
        if (f.InboxStatus == InboxStatus.Rejected) return new(Rejected, OutcomeTone.Problem, 5);
        if (f.Deliveries.Any(d => d.Status == nameof(OutboxStatus.Failed))) return new(Failed, OutcomeTone.Problem, 6);
        if (f.Deliveries.Any(d => d.Status == nameof(OutboxStatus.Pending))) return new(PostingInProgress, OutcomeTone.InProgress, 7);
        if (holds.Count > 0) return new("on hold: " + Words(holds[0].Outcome), OutcomeTone.InProgress, 8);
        if (f.AwaitedAnswers.Count > 0) return new("waiting for " + f.AwaitedAnswers[0], OutcomeTone.InProgress, 9);
        // A purchase order or claim is finished when its partner answered, whatever the delivery that sent it.
        if (f.ReceivedAnswers.Count > 0) return new(f.ReceivedAnswers[0] == Acknowledgement ? Acknowledged : f.ReceivedAnswers[0] + " received", OutcomeTone.Done, 12);
        if (f.Deliveries.Count > 0) return new(Posted, OutcomeTone.Done, 10);
        if (judged.Count > 0) return new(Matched, OutcomeTone.Done, 11);
        if (f.Documents > 0) return new(Recorded, OutcomeTone.Done, 13);
        return new(NothingToPost, OutcomeTone.Done, 14);
    }

    /// <summary>
    /// A chain's outcome: its most urgent lane — a problem before anything still moving, that before a finished one; among
    /// finished lanes the furthest along (posted before matched before an answer before a recorded document).
    /// </summary>
    public static Outcome ForChain(IEnumerable<Outcome> lanes) =>
        lanes.OrderBy(o => o.Tone).ThenBy(o => o.Rank).FirstOrDefault() ?? new Outcome(NothingToPost, OutcomeTone.Done, 14);

    /// <summary>"PriceVariance" as "price variance", "AmountMismatch" as "amount mismatch".</summary>
    public static string Words(string pascal) =>
        string.Concat(pascal.Select((c, i) => char.IsUpper(c) && i > 0 ? " " + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));
}
