using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using HealthSync.Engine.Estate;
using HealthSync.Engine.Persistence;

namespace HealthSync.Portal.Estate;

/// <summary>Changing the simulated estate's faults: validated and audited like every operator action.</summary>
public static class EstateFaultActions
{
    public static Dictionary<string, string[]> Validate(FaultSettings settings)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(settings, new ValidationContext(settings), results, validateAllProperties: true);
        return results.GroupBy(r => r.MemberNames.FirstOrDefault() ?? "")
            .ToDictionary(g => g.Key, g => g.Select(r => r.ErrorMessage ?? "invalid").ToArray());
    }

    public static async Task ApplyAsync(string system, FaultSettings settings, ClaimsPrincipal user, FaultInjection faults, HealthSyncDb db, TimeProvider time)
    {
        var before = faults.Get(system);
        faults.Set(system, settings);
        db.AuditEntries.Add(new AuditEntry
        {
            At = time.GetUtcNow().UtcDateTime,
            Actor = user.Identity?.Name ?? "unknown",
            Action = "estate.faults.changed",
            TargetType = "estate-system",
            TargetId = system,
            Detail = JsonSerializer.Serialize(new { before, after = settings }),
        });
        await db.SaveChangesAsync();
    }
}
