using System.Net;

namespace HealthSync.Portal.Lineage;

public sealed record LineageStepView(DateTime At, string Step, string System, string Outcome, string? Detail, int PayloadVersion);
public sealed record KeyView(string Type, string Value);
public sealed record ExceptionSummary(Guid Id, string Category, string ErrorCode, string ErrorDetail, string Status, string? Team, DateTime CreatedAt, decimal AmountAtRisk);
public sealed record DocumentView(string Kind, string BusinessKey, string? Reference, string? Partner, decimal? Amount, int LineCount);

/// <summary>One delivery to a target system with its attempts; <see cref="NotPosted"/> when the target took it without posting it or refused it.</summary>
public sealed record OutboxView(long Id, string Target, string Operation, string Status, int Attempts, string? RemoteReference, string? LastError,
    DateTime? DeliveredAt, int? LastStatusCode, DateTime CreatedAt)
{
    /// <summary>
    /// Delivered, yet the target named no document of its own (it did not post it), or refused it outright (a 4xx the
    /// dispatcher does not retry).
    /// </summary>
    public bool NotPosted => (Status == "Delivered" && RemoteReference is null)
        || (Status == "Failed" && LastStatusCode is >= 400 and < 500 and not (int)HttpStatusCode.RequestTimeout and not (int)HttpStatusCode.TooManyRequests);
}

/// <summary>A reconciliation's latest verdict on something this transaction carries (an invoice line, a settlement, a charge).</summary>
public sealed record VerdictView(string Reconciliation, string SubjectKey, string Outcome, bool Matched, string? Detail, decimal Amount, decimal Variance,
    DateTime EvaluatedAt, Guid? ExceptionId);

/// <summary>A stored version of the payload; version 1 is what the sender sent, later ones are audited edits.</summary>
public sealed record PayloadVersionView(int Version, DateTime CreatedAt, string CreatedBy, string? Reason);

/// <summary>A business key this transaction shares with others, and the chain page that follows it.</summary>
public sealed record ChainLink(string Type, string Label, string Value, string Url);

/// <summary>One transaction end to end: the raw message, every step, its deliveries, verdicts, versions and exceptions.</summary>
/// <param name="Outcome">Where the transaction stands in business words (see <see cref="Outcomes"/>).</param>
/// <param name="OutcomeTone">problem, in-progress or done.</param>
/// <param name="Replays">The replayed steps: who replayed what, when, with which payload version.</param>
/// <param name="Chains">The keys this transaction shares with related transactions, each with its chain page.</param>
public sealed record TransactionLineage(
    Guid CorrelationId, string SourceSystem, string Format, string Transport, string? MessageType, DateTime ReceivedAt, string Status,
    int PayloadBytes, IReadOnlyList<KeyView> Keys, IReadOnlyList<LineageStepView> Steps, IReadOnlyList<OutboxView> Deliveries,
    IReadOnlyList<ExceptionSummary> Exceptions, IReadOnlyList<DocumentView> Documents, string Payload, bool PayloadMasked,
    string Outcome, string OutcomeTone, IReadOnlyList<VerdictView> Verdicts, IReadOnlyList<LineageStepView> Replays,
    int PayloadVersion, IReadOnlyList<PayloadVersionView> Versions, IReadOnlyList<ChainLink> Chains);

/// <summary>A transaction a search found, with the key it was found by and where it stands.</summary>
/// <param name="MatchedOn">The key type that matched ("po", "message-control-id"), or "correlation id".</param>
/// <param name="MatchedKey">The value that matched as stored (its case may differ from the query).</param>
public sealed record LineageHit(Guid CorrelationId, DateTime ReceivedAt, string SourceSystem, string? MessageType, string Status, string MatchedOn,
    string? MatchedKey = null, DateTime? FirstActivity = null, DateTime? LastActivity = null, string? Outcome = null, string? OutcomeTone = null);

/// <summary>The line diff between two stored payload versions, patient identifiers masked for roles without need.</summary>
public sealed record PayloadDiffView(int From, int To, IReadOnlyList<Exceptions.DiffLine> Lines);
