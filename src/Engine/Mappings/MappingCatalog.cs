using HealthSync.Engine.Persistence;
using HealthSync.Engine.Settings;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace HealthSync.Engine.Mappings;

/// <summary>
/// An immutable snapshot of the crosswalks, so that decisions are pure functions over (event, snapshot).
/// Lookups honour effective dates (the mapping valid at the event's time) and per-facility overrides.
/// </summary>
public sealed class MappingSnapshot
{
    private readonly ILookup<string, ItemMapping> _items;
    private readonly ILookup<string, ChargeCodeMapping> _charges;
    private readonly ILookup<(string, string), LocationMapping> _locations;
    private readonly ILookup<(string, string), UomConversion> _uom;
    private readonly IReadOnlyList<RoutingRule> _routing;
    private readonly Dictionary<(string, string), string> _owners;

    public MappingSnapshot(IEnumerable<ItemMapping> items, IEnumerable<ChargeCodeMapping> charges, IEnumerable<LocationMapping> locations,
        IEnumerable<UomConversion> uom, IEnumerable<RoutingRule> routing, IEnumerable<OwnershipEntry>? ownership = null,
        EngineSettings? settings = null, IEnumerable<SupplierMapping>? suppliers = null)
    {
        _owners = (ownership ?? []).ToDictionary(o => (o.Entity.ToLowerInvariant(), (o.Field ?? "").ToLowerInvariant()), o => o.SystemOfRecord);
        _items = items.ToLookup(i => i.ItemCode, StringComparer.OrdinalIgnoreCase);
        _charges = charges.ToLookup(c => c.Sku, StringComparer.OrdinalIgnoreCase);
        _locations = locations.ToLookup(l => (l.Facility.ToUpperInvariant(), l.LocationCode.ToUpperInvariant()));
        _uom = uom.ToLookup(u => (u.Sku.ToUpperInvariant(), u.FromUom.ToUpperInvariant()));
        _routing = routing.ToList();
        Settings = settings ?? EngineSettings.Defaults;
        Suppliers = (suppliers ?? []).ToList();
    }

    public static MappingSnapshot Empty { get; } = new([], [], [], [], []);

    public EngineSettings Settings { get; }

    public IReadOnlyList<SupplierMapping> Suppliers { get; }

    public ItemMapping? Item(string itemCode, string facility, DateTime at) => Pick(_items[itemCode], facility, at, i => i.Facility, i => i.EffectiveFrom, i => i.EffectiveTo);

    public ChargeCodeMapping? ChargeCode(string sku, string facility, DateTime at) => Pick(_charges[sku], facility, at, c => c.Facility, c => c.EffectiveFrom, c => c.EffectiveTo);

    /// <summary>The active cost-center mapping of a location valid at the event's time.</summary>
    public LocationMapping? Location(string facility, string locationCode, DateTime at) =>
        Pick(_locations[(facility.ToUpperInvariant(), locationCode.ToUpperInvariant())].Where(l => l.Active), facility, at, _ => null, l => l.EffectiveFrom, l => l.EffectiveTo);

    /// <summary>Factor that converts one <paramref name="fromUom"/> of the SKU into its base unit; 1 for the base unit itself.</summary>
    public decimal? UomFactor(string sku, string fromUom, string baseUom, string? facility, DateTime at) =>
        string.Equals(fromUom, baseUom, StringComparison.OrdinalIgnoreCase)
            ? 1m
            : Pick(_uom[(sku.ToUpperInvariant(), fromUom.ToUpperInvariant())], facility, at, u => u.Facility, u => u.EffectiveFrom, u => u.EffectiveTo)?.Factor;

    /// <summary>The system of record for an entity (or one of its fields) in the ownership matrix, if set; a field falls back to its entity.</summary>
    public string? SystemOfRecord(string entity, string? field = null) =>
        field is not null && _owners.TryGetValue((entity.ToLowerInvariant(), field.ToLowerInvariant()), out var f) ? f : _owners.GetValueOrDefault((entity.ToLowerInvariant(), ""));

    /// <summary>The supplier an EDI partner id, ERP vendor id or procurement id names, valid at the given time.</summary>
    public SupplierMapping? Supplier(string anyId, DateTime at) =>
        Pick(Suppliers.Where(s => string.Equals(s.EdiPartnerId, anyId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(s.ErpVendorId, anyId, StringComparison.OrdinalIgnoreCase)
            || string.Equals(s.ProcurementId, anyId, StringComparison.OrdinalIgnoreCase)), null, at, s => s.Facility, s => s.EffectiveFrom, s => s.EffectiveTo);

    /// <summary>The team for an exception: the most specific matching rule wins; a named category outweighs a facility, which outweighs a workflow.</summary>
    public string? RouteTeam(string category, string workflow, string? facility) => RouteRule(category, workflow, facility)?.Team;

    /// <summary>The routing rule that decides an exception's team (see <see cref="RouteTeam"/>); null when no rule matches.</summary>
    public RoutingRule? RouteRule(string category, string workflow, string? facility) =>
        _routing
            .Where(r => r.Category == category || r.Category == "*")
            .Where(r => r.Workflow is null || r.Workflow == workflow)
            .Where(r => r.Facility is null || string.Equals(r.Facility, facility, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(r => (r.Category == "*" ? 0 : 4) + (r.Facility is null ? 0 : 2) + (r.Workflow is null ? 0 : 1))
            .FirstOrDefault();

    private static T? Pick<T>(IEnumerable<T> candidates, string? facility, DateTime at, Func<T, string?> fac, Func<T, DateTime> from, Func<T, DateTime?> to)
        where T : class =>
        candidates
            .Where(c => from(c) <= at && (to(c) is null || to(c) > at))
            .Where(c => fac(c) is null || string.Equals(fac(c), facility, StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(c => fac(c) is null ? 0 : 1)
            .ThenByDescending(from)
            .FirstOrDefault();
}

/// <summary>Holds the current snapshot; reloaded from the database on demand and at a short interval.</summary>
public sealed class MappingCatalog(IServiceScopeFactory scopes, TimeProvider time)
{
    private static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(10);
    private readonly SemaphoreSlim _gate = new(1, 1);
    private MappingSnapshot _current = MappingSnapshot.Empty;
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async ValueTask<MappingSnapshot> CurrentAsync(CancellationToken ct = default)
    {
        if (time.GetUtcNow() - _loadedAt < MaxAge) return _current;
        await ReloadAsync(ct);
        return _current;
    }

    /// <summary>Call after a mapping change so the next decision sees it.</summary>
    public void Invalidate() => _loadedAt = DateTimeOffset.MinValue;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (time.GetUtcNow() - _loadedAt < MaxAge) return;
            await using var scope = scopes.CreateAsyncScope();
            _current = await LoadAsync(scope.ServiceProvider.GetRequiredService<HealthSyncDb>(), null, ct);
            _loadedAt = time.GetUtcNow();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A snapshot of the stored crosswalks, optionally with one more (not yet saved) mapping row: "what if this mapping existed".</summary>
    public static async Task<MappingSnapshot> LoadAsync(HealthSyncDb db, object? candidate, CancellationToken ct)
    {
        static List<T> With<T>(List<T> rows, object? extra) where T : class
        {
            if (extra is T row) rows.Add(row);
            return rows;
        }
        return new MappingSnapshot(
            With(await db.ItemMappings.AsNoTracking().ToListAsync(ct), candidate),
            With(await db.ChargeCodeMappings.AsNoTracking().ToListAsync(ct), candidate),
            With(await db.LocationMappings.AsNoTracking().ToListAsync(ct), candidate),
            With(await db.UomConversions.AsNoTracking().ToListAsync(ct), candidate),
            await db.RoutingRules.AsNoTracking().ToListAsync(ct),
            await db.Ownership.AsNoTracking().ToListAsync(ct),
            new EngineSettings(await db.Settings.AsNoTracking().ToListAsync(ct)),
            With(await db.SupplierMappings.AsNoTracking().ToListAsync(ct), candidate));
    }
}
