using HealthSync.Engine.Persistence;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Demo;

/// <summary>Demo users as shown on the sign-in page in demo mode.</summary>
public sealed record DemoUser(string UserName, string Password, string DisplayName, string Role, string? Team);

/// <summary>Seeds master data, the simulated ERP's stock and the demo users into an empty database.</summary>
public static class DemoSeeder
{
    public static readonly IReadOnlyList<DemoUser> Users =
    [
        new("analyst", "analyst-demo", "Riley Analyst", Roles.Analyst, "revenue-cycle"),
        new("supply", "supply-demo", "Sam Supply Lead", Roles.SupplyChainLead, "supply-chain"),
        new("admin", "admin-demo", "Alex Admin", Roles.Admin, "integration-ops"),
        new("integration", "integration-demo", "Interface engine account", Roles.Integration, null),
    ];

    public static async Task SeedAsync(HealthSyncDb db, TimeProvider time, IReadOnlyDictionary<string, string> apiKeys, CancellationToken ct = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        if (!await db.Facilities.AnyAsync(ct))
        {
            var since = now.Date.AddYears(-1);
            foreach (var f in DemoCatalog.Facilities)
            {
                db.Facilities.Add(new Facility { Code = f.Code, Name = f.Name });
                foreach (var l in DemoCatalog.Locations)
                {
                    db.LocationMappings.Add(new LocationMapping
                    {
                        Facility = f.Code, LocationCode = l.Code, CostCenter = DemoCatalog.CostCenter(f, l), ErpLocation = DemoCatalog.ErpLocation(f, l), EffectiveFrom = since,
                    });
                    foreach (var i in DemoCatalog.Items)
                        db.EstateInventory.Add(new EstateInventory { Facility = f.Code, Location = DemoCatalog.ErpLocation(f, l), Sku = i.Sku, OnHand = i.Stock, ParLevel = i.Par });
                }
            }
            foreach (var i in DemoCatalog.Items)
            {
                db.ItemMappings.Add(new ItemMapping
                {
                    ItemCode = i.ItemCode, Sku = i.Sku, Description = i.Description, Active = i.Fault != "inactive-sku", LotTracked = i.Implant,
                    Billable = i.Billable, BaseUom = i.BaseUom, ParLevel = i.Par, EffectiveFrom = since,
                });
                if (i.Billable && i.Fault != "unmapped-charge-code")
                    db.ChargeCodeMappings.Add(new ChargeCodeMapping { Sku = i.Sku, ChargeCode = DemoCatalog.ChargeCode(i), UnitPrice = i.Price, EffectiveFrom = since });
                if (i.Pack is { } pack)
                    db.UomConversions.Add(new UomConversion { Sku = i.Sku, FromUom = pack.Uom, Factor = pack.Factor, EffectiveFrom = since });
            }
        }
        // Each independently, so a database seeded before one of them existed gets it too.
        if (!await db.RoutingRules.AnyAsync(ct))
            foreach (var (category, workflow, team) in DemoCatalog.Routing)
                db.RoutingRules.Add(new RoutingRule { Category = category, Workflow = workflow, Team = team });
        if (!await db.Ownership.AnyAsync(ct))
            foreach (var (entity, field, system, owner) in DemoCatalog.Ownership)
                db.Ownership.Add(new OwnershipEntry { Entity = entity, Field = field, SystemOfRecord = system, BusinessOwner = owner });
        if (!await db.SupplierMappings.AnyAsync(ct))
            foreach (var (id, name) in DemoCatalog.Vendors)
                db.SupplierMappings.Add(new SupplierMapping
                {
                    ErpVendorId = id, Name = name, ProcurementId = "PRC-" + id, EdiPartnerId = id + "EDI", EffectiveFrom = now.Date.AddYears(-1),
                });
        if (!await db.WorkflowOwners.AnyAsync(ct))
            foreach (var (workflow, owner, contact) in DemoCatalog.WorkflowOwners)
                db.WorkflowOwners.Add(new WorkflowOwner { Workflow = workflow, Owner = owner, Contact = contact });

        var hasher = new PasswordHasher<User>();
        foreach (var u in Users)
        {
            var user = await db.Users.FirstOrDefaultAsync(x => x.UserName == u.UserName, ct);
            if (user is null)
            {
                user = new User { Id = Guid.CreateVersion7(), UserName = u.UserName, DisplayName = u.DisplayName, PasswordHash = "", Role = u.Role, Team = u.Team, CreatedAt = now };
                user.PasswordHash = hasher.HashPassword(user, u.Password);
                db.Users.Add(user);
            }
            if (apiKeys.TryGetValue(u.UserName, out var key) && !string.IsNullOrEmpty(key))
            {
                var hash = ApiKeyHashing.Hash(key);
                if (!await db.ApiKeys.AnyAsync(k => k.KeyHash == hash, ct))
                    db.ApiKeys.Add(new ApiKey { Id = Guid.CreateVersion7(), UserId = user.Id, Name = "demo key", Prefix = key[..Math.Min(6, key.Length)], KeyHash = hash, CreatedAt = now });
            }
        }
        await db.SaveChangesAsync(ct);
    }
}
