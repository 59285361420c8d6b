using System.Security.Claims;
using System.Text.Json;
using HealthSync.Engine.Persistence;

namespace HealthSync.Portal.Admin;

/// <summary>Every administrative change is audited with who, what, why, and the state before and after (as JSON).</summary>
public static class AdminAudit
{
    // Audit text is shown HTML-encoded by the pages, so names with accents are kept readable rather than \u-escaped.
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Record(HealthSyncDb db, ClaimsPrincipal user, string action, string targetType, string? targetId, DateTime at,
        object? before = null, object? after = null, string? reason = null) =>
        db.AuditEntries.Add(new AuditEntry
        {
            At = at,
            Actor = user.Identity?.Name ?? "unknown",
            Action = action,
            TargetType = targetType,
            TargetId = targetId,
            Reason = reason,
            Before = before is null ? null : before as string ?? JsonSerializer.Serialize(before, Json),
            After = after is null ? null : after as string ?? JsonSerializer.Serialize(after, Json),
        });
}
