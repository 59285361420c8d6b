using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Inbox;
using HealthSync.Engine.Lineage;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Outbox;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Pipeline;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Exceptions;

/// <summary>Why an exception was closed by a person.</summary>
public static class ResolutionCodes
{
    public const string FixedInSource = "fixed-in-source";
    public const string PostedManually = "posted-manually";
    public const string DuplicateConfirmed = "duplicate-confirmed";
    public const string NotAnError = "not-an-error";
    public const string WrittenOff = "written-off";
    public const string Other = "other";

    /// <summary>Set by the engine when a replay succeeded downstream; not offered to people.</summary>
    public const string Replayed = "replayed";

    public static readonly IReadOnlyList<string> Offered = [FixedInSource, PostedManually, DuplicateConfirmed, NotAnError, WrittenOff, Other];
}

public static class ReplayStates
{
    public const string Pending = "pending";
    public const string AwaitingDelivery = "awaiting-delivery";
    public const string Failed = "failed";
    public const string Succeeded = "succeeded";
}

/// <summary>The outcome of an action on one exception: done, or refused with the reason (not found, not allowed, invalid, would post twice).</summary>
public sealed record ActionResult(bool Ok, string Message, string? Refusal = null)
{
    public static ActionResult Done(string message) => new(true, message);
    public static ActionResult Refused(string code, string message) => new(false, message, code);
}

/// <summary>One thing a replay would do downstream, and whether it would really be sent.</summary>
public sealed record ReplayLine(string Target, string Operation, string IdempotencyKey, decimal Amount, string Effect);

/// <summary>A dry run of a replay: what would be posted, what is already posted and will not be sent again, what would fail again.</summary>
public sealed record ReplayPlan(Guid ExceptionId, string Kind, bool Allowed, string Summary, IReadOnlyList<ReplayLine> Lines, IReadOnlyList<string> WouldFail)
{
    public const string WillPost = "will post";
    public const string WillResend = "will be sent again with the same idempotency key";
    public const string AlreadyPosted = "already posted; not sent again";
    public const string WillRecord = "will record";
    public const string AlreadyRecorded = "already recorded; not recorded again";
}

/// <summary>
/// Everything a person can do to an exception: resolve, replay (as is or edited), reassign, comment. Each action checks
/// the actor's right to act on the exception's queue, is audited with who, when, why and before/after, and is written in
/// the caller's unit of work (the caller saves). A replay never posts twice: outbound idempotency keys derive from the
/// source event, already-posted operations are skipped, and an exception closes only when the replay succeeded
/// downstream (see <see cref="ReplayOutcomes"/>).
/// </summary>
public sealed class ExceptionActions(MappingCatalog catalog, InboxSignal inboxSignal, OutboxSignal outboxSignal, TimeProvider time)
{
    public const int MaxNoteLength = 2000;

    public async Task<ActionResult> ResolveAsync(HealthSyncDb db, Guid id, Actor actor, string code, string? note, CancellationToken ct)
    {
        if (!ResolutionCodes.Offered.Contains(code)) return ActionResult.Refused("invalid", $"Unknown resolution reason '{code}'.");
        if (code == ResolutionCodes.Other && string.IsNullOrWhiteSpace(note)) return ActionResult.Refused("invalid", "A note is required when the reason is 'other'.");
        if (note?.Length > MaxNoteLength) return ActionResult.Refused("invalid", $"The note is longer than {MaxNoteLength} characters.");
        var (e, refusal) = await LoadAsync(db, id, actor, ct);
        if (e is null) return refusal!;
        if (e.Status == ExceptionStatus.Resolved) return ActionResult.Refused("conflict", "The exception is already resolved.");
        var now = time.GetUtcNow().UtcDateTime;
        e.Status = ExceptionStatus.Resolved;
        e.ResolvedAt = now;
        e.ResolvedBy = actor.Name;
        e.ResolutionCode = code;
        e.ResolutionNote = note;
        e.UpdatedAt = now;
        Lineage(db, e, Steps.Resolved, $"resolved by {actor.Name}: {code}{(string.IsNullOrWhiteSpace(note) ? "" : " — " + note)}", now);
        Audit(db, actor, "exception.resolve", e.Id, now, note, "Open", $"Resolved ({code})");
        return ActionResult.Done("Resolved.");
    }

    public async Task<ActionResult> ReassignAsync(HealthSyncDb db, Guid id, Actor actor, string? team, string? owner, string? reason, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(team) && string.IsNullOrWhiteSpace(owner)) return ActionResult.Refused("invalid", "Name a team, a person, or both.");
        var (e, refusal) = await LoadAsync(db, id, actor, ct);
        if (e is null) return refusal!;
        if (!string.IsNullOrWhiteSpace(team) && !await KnownTeamAsync(db, team, ct)) return ActionResult.Refused("invalid", $"Unknown team '{team}'.");
        if (!string.IsNullOrWhiteSpace(owner) && !await db.Users.AnyAsync(u => u.UserName == owner && !u.Disabled, ct)) return ActionResult.Refused("invalid", $"Unknown or disabled user '{owner}'.");
        var now = time.GetUtcNow().UtcDateTime;
        var before = $"team {e.Team ?? "unassigned"}, owner {e.Owner ?? "unassigned"}";
        if (!string.IsNullOrWhiteSpace(team)) e.Team = team;
        if (!string.IsNullOrWhiteSpace(owner)) e.Owner = owner;
        e.UpdatedAt = now;
        var after = $"team {e.Team ?? "unassigned"}, owner {e.Owner ?? "unassigned"}";
        Audit(db, actor, "exception.reassign", e.Id, now, reason, before, after);
        return ActionResult.Done($"Reassigned: {after}.");
    }

    public async Task<ActionResult> CommentAsync(HealthSyncDb db, Guid id, Actor actor, string text, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(text)) return ActionResult.Refused("invalid", "The comment is empty.");
        if (text.Length > MaxNoteLength) return ActionResult.Refused("invalid", $"The comment is longer than {MaxNoteLength} characters.");
        var (e, refusal) = await LoadAsync(db, id, actor, ct);
        if (e is null) return refusal!;
        var now = time.GetUtcNow().UtcDateTime;
        db.ExceptionComments.Add(new ExceptionComment { ExceptionId = e.Id, At = now, Author = actor.Name, Text = text.Trim() });
        e.UpdatedAt = now;
        Audit(db, actor, "exception.comment", e.Id, now, null, null, text.Trim());
        return ActionResult.Done("Comment added.");
    }

    /// <summary>What a replay would do, without doing it. <paramref name="editedPayload"/> previews an edit-and-replay.</summary>
    public async Task<ReplayPlan?> PreviewReplayAsync(HealthSyncDb db, Guid id, byte[]? editedPayload, CancellationToken ct)
    {
        var e = await db.Exceptions.AsNoTracking().FirstOrDefaultAsync(x => x.Id == id, ct);
        return e is null ? null : await PlanAsync(db, e, editedPayload, ct);
    }

    private async Task<ReplayPlan> PlanAsync(HealthSyncDb db, ExceptionRecord e, byte[]? editedPayload, CancellationToken ct)
    {
        if (e.Status == ExceptionStatus.Resolved)
            return new ReplayPlan(e.Id, "none", false, "The exception is resolved; there is nothing to replay.", [], []);

        if (e.OutboxMessageId is { } outboxId && editedPayload is null)
        {
            var row = await db.OutboxMessages.AsNoTracking().FirstAsync(o => o.Id == outboxId, ct);
            var delivered = row.Status == OutboxStatus.Delivered;
            var line = new ReplayLine(row.TargetSystem, row.Operation, row.IdempotencyKey, row.AmountAtRisk, delivered ? ReplayPlan.AlreadyPosted : ReplayPlan.WillResend);
            return new ReplayPlan(e.Id, "delivery", !delivered,
                delivered ? $"Refused: {row.Operation} to {row.TargetSystem} was already posted ({row.RemoteReference}); replaying would post it twice."
                    : $"Sends {row.Operation} to {row.TargetSystem} again with idempotency key {row.IdempotencyKey}.", [line], []);
        }

        if (e.InboxMessageId is not { } inboxId)
            return new ReplayPlan(e.Id, "none", false, "This exception has no stored message or delivery to replay.", [], []);
        var message = await db.InboxMessages.AsNoTracking().FirstAsync(m => m.Id == inboxId, ct);
        if (message.QuarantineReason is not null && editedPayload is null)
            return new ReplayPlan(e.Id, "message", false, $"The input was refused before it could be read ({message.QuarantineReason}); replaying it as is would fail the same way. Edit it, or resolve the exception.", [], []);

        var map = await catalog.CurrentAsync(ct);
        var read = Intake.Read(message.Format, editedPayload ?? message.Payload, map, message.ReceivedAt);
        var wouldFail = new List<string>();
        if (read.Rejection is { } r) wouldFail.Add($"{r.Code}: {r.Detail}");
        wouldFail.AddRange(read.Decisions.SelectMany(d => d.Problems).Select(p => $"{p.Code}: {p.Detail}"));
        wouldFail.AddRange(read.Problems.Select(p => $"{p.Problem.Code}: {p.Problem.Detail}"));

        var lines = new List<ReplayLine>();
        foreach (var d in read.Decisions.Where(d => d.Clean))
        {
            var m = d.Mapped!;
            var kind = d.Usage.Kind.ToString();
            var eventKey = $"{m.Facility}:{d.Usage.SourceEventId}:{kind}";
            var reversal = d.Usage.Kind == UsageKind.Reversal;
            lines.Add(new ReplayLine(Systems.Erp, reversal ? Operations.ErpInventoryReturn : Operations.ErpInventoryDecrement, eventKey + ":erp", m.ChargeAmount, ""));
            if (m.Billable && m.ChargeCode is not null)
                lines.Add(new ReplayLine(Systems.Billing, reversal ? Operations.BillingChargeCredit : Operations.BillingChargePost, eventKey + ":billing", m.ChargeAmount, ""));
        }
        var keys = lines.Select(l => l.IdempotencyKey).ToList();
        var existing = await db.OutboxMessages.AsNoTracking().Where(o => keys.Contains(o.IdempotencyKey))
            .Select(o => new { o.IdempotencyKey, o.Status }).ToListAsync(ct);
        lines = lines.Select(l => l with
        {
            Effect = existing.FirstOrDefault(x => x.IdempotencyKey == l.IdempotencyKey) is { } x
                ? x.Status == OutboxStatus.Delivered ? ReplayPlan.AlreadyPosted : ReplayPlan.WillResend
                : ReplayPlan.WillPost,
        }).ToList();
        foreach (var doc in read.Documents)
        {
            var projection = Workflows.Documents.DocumentProjection.Of(doc);
            var recorded = await db.BusinessDocuments.AsNoTracking().AnyAsync(b => b.Kind == projection.Kind && b.BusinessKey == projection.BusinessKey && b.InboxMessageId == message.Id, ct);
            lines.Add(new ReplayLine(Systems.Engine, "record " + projection.Kind, projection.BusinessKey, projection.Amount ?? 0m, recorded ? ReplayPlan.AlreadyRecorded : ReplayPlan.WillRecord));
        }

        var willDoSomething = lines.Any(l => l.Effect is ReplayPlan.WillPost or ReplayPlan.WillResend or ReplayPlan.WillRecord);
        var allowed = willDoSomething || (wouldFail.Count > 0 && editedPayload is not null);
        var summary = willDoSomething
            ? $"Replays {message.MessageType ?? message.Format} (payload v{(editedPayload is null ? message.PayloadVersion : message.PayloadVersion + 1)}): "
                + $"{lines.Count(l => l.Effect == ReplayPlan.WillPost)} posting(s) new, {lines.Count(l => l.Effect == ReplayPlan.WillResend)} sent again, "
                + $"{lines.Count(l => l.Effect == ReplayPlan.AlreadyPosted)} already posted and skipped, {lines.Count(l => l.Effect == ReplayPlan.WillRecord)} document(s) to record."
                + (wouldFail.Count > 0 ? $" {wouldFail.Count} problem(s) would remain." : "")
            : wouldFail.Count > 0
                ? $"Refused: the replay would fail again ({wouldFail[0]}). Fix the cause (for example the mapping) or edit the payload first."
                : "Refused: everything this message leads to has already been posted or recorded; replaying it would post nothing. Resolve the exception instead.";
        if (!willDoSomething && wouldFail.Count > 0 && editedPayload is null) allowed = false;
        return new ReplayPlan(e.Id, "message", allowed, summary, lines, wouldFail);
    }

    /// <summary>
    /// Replays the exception's message (optionally with an edited payload, stored as a new version) or its failed
    /// delivery. The exception stays open as "pending" until the engine reports the downstream outcome.
    /// </summary>
    public async Task<(ActionResult Result, ReplayPlan? Plan)> ReplayAsync(HealthSyncDb db, Guid id, Actor actor, byte[]? editedPayload, string? reason, CancellationToken ct)
    {
        var (e, refusal) = await LoadAsync(db, id, actor, ct);
        if (e is null) return (refusal!, null);
        if (editedPayload is not null && e.InboxMessageId is null) return (ActionResult.Refused("invalid", "Only a stored message can be edited; this exception is about a delivery."), null);
        if (editedPayload is not null && string.IsNullOrWhiteSpace(reason)) return (ActionResult.Refused("invalid", "Say why the payload was edited."), null);
        if (e.ReplayState is ReplayStates.Pending or ReplayStates.AwaitingDelivery) return (ActionResult.Refused("conflict", "A replay of this exception is already in progress."), null);
        var plan = await PlanAsync(db, e, editedPayload, ct);
        if (!plan.Allowed) return (ActionResult.Refused("would-post-twice-or-fail", plan.Summary), plan);

        var now = time.GetUtcNow().UtcDateTime;
        if (plan.Kind == "delivery")
        {
            var row = await db.OutboxMessages.FirstAsync(o => o.Id == e.OutboxMessageId, ct);
            row.Status = OutboxStatus.Pending;
            row.Attempts = 0;
            row.NextAttemptAt = now;
            row.LastError = null;
            MarkPending(e, now);
            Lineage(db, e, Steps.Replayed, $"delivery {row.Operation} to {row.TargetSystem} replayed by {actor.Name}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}"), now);
            Audit(db, actor, "exception.replay", e.Id, now, reason, e.LastReplayError, plan.Summary);
            outboxSignal.Notify();
            return (ActionResult.Done(plan.Summary), plan);
        }

        var message = await db.InboxMessages.FirstAsync(m => m.Id == e.InboxMessageId, ct);
        var before = $"payload v{message.PayloadVersion}";
        if (editedPayload is not null)
        {
            if (!await db.PayloadVersions.AnyAsync(v => v.InboxMessageId == message.Id, ct))
                db.PayloadVersions.Add(new PayloadVersion { InboxMessageId = message.Id, Version = message.PayloadVersion, Payload = message.Payload, CreatedAt = message.ReceivedAt, CreatedBy = message.SourceSystem, Reason = "as received" });
            message.PayloadVersion++;
            message.Payload = editedPayload;
            message.QuarantineReason = null;
            db.PayloadVersions.Add(new PayloadVersion { InboxMessageId = message.Id, Version = message.PayloadVersion, Payload = editedPayload, CreatedAt = now, CreatedBy = actor.Name, Reason = reason });
        }
        message.Status = InboxStatus.Received;
        // Every open exception of the message is decided by the same reprocessing.
        var siblings = await db.Exceptions.Where(x => x.InboxMessageId == message.Id && x.Status == ExceptionStatus.Open).ToListAsync(ct);
        foreach (var s in siblings.Append(e).Distinct())
        {
            MarkPending(s, now);
            s.PayloadVersion = message.PayloadVersion;
        }
        Lineage(db, e, Steps.Replayed, $"message replayed by {actor.Name} with payload v{message.PayloadVersion}" + (string.IsNullOrWhiteSpace(reason) ? "" : $": {reason}"), now, message.PayloadVersion);
        Audit(db, actor, editedPayload is null ? "exception.replay" : "exception.edit-replay", e.Id, now, reason, before, $"payload v{message.PayloadVersion}; {plan.Summary}");
        inboxSignal.Notify();
        return (ActionResult.Done(plan.Summary), plan);
    }

    private static void MarkPending(ExceptionRecord e, DateTime now)
    {
        e.ReplayState = ReplayStates.Pending;
        e.ReplayCount++;
        e.UpdatedAt = now;
    }

    private static async Task<bool> KnownTeamAsync(HealthSyncDb db, string team, CancellationToken ct) =>
        await db.RoutingRules.AnyAsync(r => r.Team == team, ct) || await db.Users.AnyAsync(u => u.Team == team, ct);

    private static async Task<(ExceptionRecord? Exception, ActionResult? Refusal)> LoadAsync(HealthSyncDb db, Guid id, Actor actor, CancellationToken ct)
    {
        var e = await db.Exceptions.FirstOrDefaultAsync(x => x.Id == id, ct);
        if (e is null) return (null, ActionResult.Refused("not-found", "No such exception."));
        if (!QueuePermissions.CanAct(actor.Role, e.Team))
            return (null, ActionResult.Refused("forbidden", $"A {Roles.Label(actor.Role)} may not act on the {e.Team ?? "unassigned"} queue."));
        return (e, null);
    }

    private static void Lineage(HealthSyncDb db, ExceptionRecord e, string step, string detail, DateTime now, int? version = null) =>
        db.LineageSteps.Add(new LineageStep
        {
            CorrelationId = e.CorrelationId, Step = step, System = Systems.Engine, Outcome = Steps.Ok, Detail = detail, At = now,
            InboxMessageId = e.InboxMessageId, OutboxMessageId = e.OutboxMessageId, PayloadVersion = version ?? e.PayloadVersion,
        });

    public static void Audit(HealthSyncDb db, Actor actor, string action, Guid exceptionId, DateTime now, string? reason, string? before, string? after) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = now, Actor = actor.Name, Action = action, TargetType = "exception", TargetId = exceptionId.ToString(),
            Reason = reason, Before = before, After = after,
        });
}

/// <summary>The person (or API key holder) acting, with the role that decides what they may do.</summary>
public sealed record Actor(string Name, string Role);
