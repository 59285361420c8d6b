using System.Security.Claims;
using System.Text.RegularExpressions;
using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using AdminOutcome = HealthSync.Portal.Admin.AdminOutcome<object?>;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>
/// The one place the ownership matrix, workflow owners and routing rules change: validation, the change, its audit
/// entry and the engine's reload. The admin page's forms and <c>/api/v1/admin</c> both call it, so they refuse and
/// record alike, and the next message the engine handles already follows the change.
/// </summary>
public sealed partial class OwnershipAdministration(HealthSyncDb db, MappingCatalog catalog, TimeProvider time)
{
    public const int MaxName = 120;
    public const int MaxContact = 200;

    public async Task<OwnershipMatrix> MatrixAsync(CancellationToken ct)
    {
        var rows = await db.Ownership.AsNoTracking().ToListAsync(ct);
        var entries = rows.Select(OwnershipRow.Of)
            .OrderBy(r => OrderOf(r.Entity)).ThenBy(r => r.Entity, StringComparer.Ordinal).ThenBy(r => r.Field ?? "", StringComparer.Ordinal)
            .ToList();
        return new OwnershipMatrix(OwnershipCatalog.Entities, OwnershipCatalog.Systems, entries);
    }

    public async Task<IReadOnlyList<WorkflowOwnerRow>> WorkflowOwnersAsync(CancellationToken ct)
    {
        var owners = await db.WorkflowOwners.AsNoTracking().ToDictionaryAsync(o => o.Workflow, StringComparer.Ordinal, ct);
        return [.. WorkflowNames.All.Select(w => owners.TryGetValue(w, out var o) ? new WorkflowOwnerRow(w, o.Owner, o.Contact) : new WorkflowOwnerRow(w, null, null))];
    }

    public async Task<IReadOnlyList<RoutingRuleRow>> RulesAsync(CancellationToken ct) =>
        [.. (await db.RoutingRules.AsNoTracking().ToListAsync(ct))
            .OrderBy(r => r.Category == RoutingTable.AnyCategory ? 1 : 0).ThenBy(r => r.Category, StringComparer.Ordinal)
            .ThenBy(r => r.Workflow is null ? 1 : 0).ThenBy(r => r.Workflow, StringComparer.Ordinal)
            .ThenBy(r => r.Facility is null ? 1 : 0).ThenBy(r => r.Facility, StringComparer.Ordinal)
            .Select(RoutingRuleRow.Of)];

    public async Task<IReadOnlyList<string>> FacilitiesAsync(CancellationToken ct) =>
        await db.Facilities.AsNoTracking().OrderBy(f => f.Code).Select(f => f.Code).ToListAsync(ct);

    /// <summary>Where an exception of this category, workflow (empty: none) and facility (empty: none) would route, and the rule that decides.</summary>
    public async Task<AdminOutcome> ResolveAsync(string? category, string? workflow, string? facility, CancellationToken ct)
    {
        var v = new AdminValidation();
        var c = AdminValidation.Identifier(category);
        if (c is null || !Categories.All.Contains(c)) v.Fail("category", $"Category must be one of {string.Join(", ", Categories.All)}.");
        var w = KnownWorkflow(v, workflow);
        var f = await KnownFacilityAsync(v, facility, ct);
        if (v.Failed) return v.Outcome();
        var resolution = RoutingTable.Resolve(await db.RoutingRules.AsNoTracking().ToListAsync(ct), c!, w, f);
        return AdminOutcome.Unchanged(resolution.Rule is null ? "No rule matches: the exception would route to nobody." : $"Routes to {resolution.Team} by rule #{resolution.Rule.Id}.", resolution);
    }

    public async Task<IReadOnlyList<RouteResolution>> GridAsync(string? facility, CancellationToken ct) =>
        RoutingTable.Grid(await db.RoutingRules.AsNoTracking().ToListAsync(ct), facility);

    /// <summary>Sets the system of record and business owner of an entity, or adds or changes a field-level row.</summary>
    public async Task<AdminOutcome> SetOwnershipAsync(ClaimsPrincipal user, OwnershipChange change, CancellationToken ct)
    {
        var v = new AdminValidation();
        var entity = KnownEntity(v, change.Entity);
        var field = AdminValidation.Identifier(change.Field);
        if (field is not null && !IsSlug(field)) v.Fail("field", "A field is lower-case letters, digits and hyphens (e.g. price), at most 64 characters.");
        var system = AdminValidation.Identifier(change.SystemOfRecord);
        if (system is null || !OwnershipCatalog.Systems.Contains(system))
            v.Fail("systemOfRecord", $"The system of record must be one of {string.Join(", ", OwnershipCatalog.Systems)}.");
        var owner = v.Text("businessOwner", change.BusinessOwner, "The business owner", MaxName, required: field is null);
        var reason = v.Reason(change.Reason);
        if (v.Failed) return v.Outcome();

        var existing = await FindOwnershipAsync(entity!, field, ct);
        var before = existing is null ? null : OwnershipRow.Of(existing);
        var after = new OwnershipRow(entity!, field, system!, owner);
        if (before == after) return AdminOutcome.Unchanged($"{OwnershipKey(entity!, field)} already has this system of record and owner.", after);
        if (existing is null) db.Ownership.Add(new OwnershipEntry { Entity = entity!, Field = field, SystemOfRecord = system!, BusinessOwner = owner });
        else (existing.SystemOfRecord, existing.BusinessOwner) = (system!, owner);
        await SaveAsync(user, "ownership.change", "ownership-entry", OwnershipKey(entity!, field), before, after, reason!, reloadEngine: true, ct);
        return AdminOutcome.Changed($"{OwnershipKey(entity!, field)}: system of record {system}{(owner is null ? "" : $", owned by {owner}")}.", after);
    }

    /// <summary>Removes a field-level row, so the field follows its entity's system of record again; entity rows are changed, never removed.</summary>
    public async Task<AdminOutcome> RemoveFieldOwnershipAsync(ClaimsPrincipal user, string? entityName, string? fieldName, string? reasonText, CancellationToken ct)
    {
        var v = new AdminValidation();
        var entity = KnownEntity(v, entityName);
        var field = AdminValidation.Identifier(fieldName);
        if (field is null) v.Fail("field", "Only field-level rows can be removed; change the entity's row instead.");
        var reason = v.Reason(reasonText);
        if (v.Failed) return v.Outcome();

        var existing = await FindOwnershipAsync(entity!, field, ct);
        if (existing is null) return AdminOutcome.NotFound($"There is no field-level row for {OwnershipKey(entity!, field)}.");
        db.Ownership.Remove(existing);
        await SaveAsync(user, "ownership.change", "ownership-entry", OwnershipKey(entity!, field), OwnershipRow.Of(existing), null, reason!, reloadEngine: true, ct);
        return AdminOutcome.Changed($"Removed {OwnershipKey(entity!, field)}; the field follows {entity} again.");
    }

    public async Task<AdminOutcome> SetWorkflowOwnerAsync(ClaimsPrincipal user, string workflow, WorkflowOwnerChange change, CancellationToken ct)
    {
        if (!WorkflowNames.All.Contains(workflow)) return AdminOutcome.NotFound($"There is no workflow '{workflow}'.");
        var v = new AdminValidation();
        var owner = v.Text("owner", change.Owner, "The owner", MaxName, required: true);
        var contact = v.Text("contact", change.Contact, "The contact", MaxContact, required: false);
        var reason = v.Reason(change.Reason);
        if (v.Failed) return v.Outcome();

        var existing = await db.WorkflowOwners.FirstOrDefaultAsync(o => o.Workflow == workflow, ct);
        var before = existing is null ? null : new WorkflowOwnerRow(workflow, existing.Owner, existing.Contact);
        var after = new WorkflowOwnerRow(workflow, owner, contact);
        if (before == after) return AdminOutcome.Unchanged($"{workflow} already has this owner.", after);
        if (existing is null) db.WorkflowOwners.Add(new WorkflowOwner { Workflow = workflow, Owner = owner!, Contact = contact });
        else (existing.Owner, existing.Contact) = (owner!, contact);
        await SaveAsync(user, "workflow-owner.change", "workflow-owner", workflow, before, after, reason!, reloadEngine: false, ct);
        return AdminOutcome.Changed($"{workflow} is owned by {owner}.", after);
    }

    public async Task<AdminOutcome> CreateRuleAsync(ClaimsPrincipal user, RoutingRuleChange change, CancellationToken ct)
    {
        var (rule, reason, invalid) = await ValidRuleAsync(change, ct);
        if (invalid is not null) return invalid;
        if (await DuplicateOfAsync(rule!, ct) is { } duplicate) return duplicate;
        await using (var tx = await db.Database.BeginTransactionAsync(ct))
        {
            db.RoutingRules.Add(rule!);
            await db.SaveChangesAsync(ct); // assigns the id the audit entry names
            Audit(user, "routing-rule.create", "routing-rule", rule!.Id.ToString(), null, Snapshot(RoutingRuleRow.Of(rule)), reason!);
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        await ReloadEngineAsync(ct);
        var after = RoutingRuleRow.Of(rule);
        return AdminOutcome.Changed($"Added rule #{after.Id}: {after.Describe()}.", after);
    }

    public async Task<AdminOutcome> UpdateRuleAsync(ClaimsPrincipal user, long id, RoutingRuleChange change, CancellationToken ct)
    {
        var existing = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (existing is null) return AdminOutcome.NotFound($"There is no routing rule #{id}.");
        var (rule, reason, invalid) = await ValidRuleAsync(change, ct);
        if (invalid is not null) return invalid;
        rule!.Id = id;
        var before = RoutingRuleRow.Of(existing);
        var after = RoutingRuleRow.Of(rule);
        if (before == after) return AdminOutcome.Unchanged($"Rule #{id} already reads {after.Describe()}.", after);
        if (before.Fallback && !after.Fallback && await LastFallbackAsync(ct)) return LastFallbackRefusal(id);
        if (await DuplicateOfAsync(rule, ct) is { } duplicate) return duplicate;
        (existing.Category, existing.Workflow, existing.Facility, existing.Team) = (rule.Category, rule.Workflow, rule.Facility, rule.Team);
        await SaveAsync(user, "routing-rule.update", "routing-rule", id.ToString(), Snapshot(before), Snapshot(after), reason!, reloadEngine: true, ct);
        return AdminOutcome.Changed($"Changed rule #{id}: {after.Describe()}.", after);
    }

    public async Task<AdminOutcome> DeleteRuleAsync(ClaimsPrincipal user, long id, string? reasonText, CancellationToken ct)
    {
        var v = new AdminValidation();
        var reason = v.Reason(reasonText);
        if (v.Failed) return v.Outcome();
        var existing = await db.RoutingRules.FirstOrDefaultAsync(r => r.Id == id, ct);
        if (existing is null) return AdminOutcome.NotFound($"There is no routing rule #{id}.");
        var before = RoutingRuleRow.Of(existing);
        if (before.Fallback && await LastFallbackAsync(ct)) return LastFallbackRefusal(id);
        db.RoutingRules.Remove(existing);
        await SaveAsync(user, "routing-rule.delete", "routing-rule", id.ToString(), Snapshot(before), null, reason!, reloadEngine: true, ct);
        return AdminOutcome.Changed($"Deleted rule #{id} ({before.Describe()}).");
    }

    private async Task<(RoutingRule? Rule, string? Reason, AdminOutcome? Invalid)> ValidRuleAsync(RoutingRuleChange change, CancellationToken ct)
    {
        var v = new AdminValidation();
        var category = AdminValidation.Identifier(change.Category);
        if (category is null || (category != RoutingTable.AnyCategory && !Categories.All.Contains(category)))
            v.Fail("category", $"Category must be '*' (any) or one of {string.Join(", ", Categories.All)}.");
        var workflow = KnownWorkflow(v, change.Workflow);
        var facility = await KnownFacilityAsync(v, change.Facility, ct);
        var team = AdminValidation.Identifier(change.Team);
        if (!IsSlug(team)) v.Fail("team", "A team is required: lower-case letters, digits and hyphens (e.g. revenue-cycle), at most 64 characters.");
        var reason = v.Reason(change.Reason);
        return v.Failed
            ? (null, null, v.Outcome())
            : (new RoutingRule { Category = category!, Workflow = workflow, Facility = facility, Team = team! }, reason, null);
    }

    private async Task<AdminOutcome?> DuplicateOfAsync(RoutingRule rule, CancellationToken ct)
    {
        var same = await db.RoutingRules.AsNoTracking()
            .FirstOrDefaultAsync(r => r.Id != rule.Id && r.Category == rule.Category && r.Workflow == rule.Workflow && r.Facility == rule.Facility, ct);
        if (same is null) return null;
        return AdminOutcome.Refused(same.Team == rule.Team
            ? $"The same rule already exists (#{same.Id}: {RoutingRuleRow.Of(same).Describe()})."
            : $"Rule #{same.Id} already routes this category, workflow and facility ({RoutingRuleRow.Of(same).Describe()}); change that rule instead.");
    }

    private async Task<bool> LastFallbackAsync(CancellationToken ct) =>
        await db.RoutingRules.CountAsync(r => r.Category == RoutingTable.AnyCategory && r.Workflow == null && r.Facility == null, ct) <= 1;

    private static AdminOutcome LastFallbackRefusal(long id) => AdminOutcome.Refused(
        $"Rule #{id} is the last fallback rule (any category, any workflow, any facility); without it, exceptions no other rule matches would route to nobody. Change its team instead.");

    private static string? KnownWorkflow(AdminValidation v, string? value)
    {
        var workflow = AdminValidation.Identifier(value);
        if (workflow is not null && !WorkflowNames.All.Contains(workflow))
            v.Fail("workflow", $"Workflow must be empty (any) or one of {string.Join(", ", WorkflowNames.All)}.");
        return workflow;
    }

    private async Task<string?> KnownFacilityAsync(AdminValidation v, string? value, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var wanted = value.Trim();
        var codes = await FacilitiesAsync(ct);
        var code = codes.FirstOrDefault(c => string.Equals(c, wanted, StringComparison.OrdinalIgnoreCase));
        if (code is null) v.Fail("facility", $"Facility must be empty (any) or one of {string.Join(", ", codes)}.");
        return code;
    }

    private static string? KnownEntity(AdminValidation v, string? value)
    {
        var entity = AdminValidation.Identifier(value);
        if (entity is null || !OwnershipCatalog.Entities.Contains(entity))
            v.Fail("entity", $"Entity must be one of {string.Join(", ", OwnershipCatalog.Entities)}.");
        return entity;
    }

    // The table is small; matching in memory treats any legacy casing the same and a missing field as the entity row.
    private async Task<OwnershipEntry?> FindOwnershipAsync(string entity, string? field, CancellationToken ct) =>
        (await db.Ownership.ToListAsync(ct)).FirstOrDefault(o =>
            string.Equals(o.Entity, entity, StringComparison.OrdinalIgnoreCase) && string.Equals(o.Field ?? "", field ?? "", StringComparison.OrdinalIgnoreCase));

    private async Task SaveAsync(ClaimsPrincipal user, string action, string targetType, string targetId, object? before, object? after, string reason,
        bool reloadEngine, CancellationToken ct)
    {
        Audit(user, action, targetType, targetId, before, after, reason);
        await db.SaveChangesAsync(ct);
        if (reloadEngine) await ReloadEngineAsync(ct);
    }

    private void Audit(ClaimsPrincipal user, string action, string targetType, string targetId, object? before, object? after, string reason) =>
        AdminAudit.Record(db, user, action, targetType, targetId, time.GetUtcNow().UtcDateTime, before, after, reason);

    /// <summary>The engine routes and picks targets from its snapshot; reloading it now makes the very next message follow the change.</summary>
    private async Task ReloadEngineAsync(CancellationToken ct)
    {
        catalog.Invalidate();
        await catalog.ReloadAsync(ct);
    }

    private static object Snapshot(RoutingRuleRow r) => new { r.Category, r.Workflow, r.Facility, r.Team };

    private static string OwnershipKey(string entity, string? field) => field is null ? entity : $"{entity}.{field}";

    private static int OrderOf(string entity) =>
        OwnershipCatalog.Entities.Contains(entity) ? OwnershipCatalog.Entities.TakeWhile(e => e != entity).Count() : OwnershipCatalog.Entities.Count;

    /// <summary>Lower-case letters and digits in hyphen-separated words, at most 64 characters: team names and field names.</summary>
    private static bool IsSlug(string? value) => value is { Length: <= 64 } && SlugPattern().IsMatch(value);

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
