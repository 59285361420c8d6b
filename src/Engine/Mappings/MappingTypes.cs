using System.Globalization;
using System.Reflection;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace HealthSync.Engine.Mappings;

public enum FieldKind { Text, Decimal, Flag, Date }

/// <summary>One column of a crosswalk as people edit it and as it appears in CSV: the snake_case name is the CSV header.</summary>
public sealed record MappingField(string Name, string Label, FieldKind Kind, bool Required, bool Key, string? Help = null)
{
    internal PropertyInfo Property { get; init; } = null!;
}

/// <summary>
/// A crosswalk kind (item → SKU, SKU → charge code, units, locations, suppliers) described once, so that listing,
/// editing, versioning, CSV import and export and the change history work the same for every kind. Rows of one
/// key (e.g. item code + facility) are versions: each is valid over [effective_from, effective_to).
/// </summary>
public abstract class MappingType
{
    public const string EffectiveFrom = "effective_from";
    public const string EffectiveTo = "effective_to";
    public const string Facility = "facility";

    // Declared before All: static fields initialise in order, and every kind binds these.
    protected static readonly MappingField[] Period =
    [
        new(EffectiveFrom, "Effective from", FieldKind.Date, false, false, "Empty: now"),
        new(EffectiveTo, "Effective to", FieldKind.Date, false, false, "Empty: open-ended"),
    ];

    public abstract string Name { get; }
    public abstract string Label { get; }
    public abstract IReadOnlyList<MappingField> Fields { get; }
    public IEnumerable<MappingField> KeyFields => Fields.Where(f => f.Key);

    /// <summary>The error codes of mapping-gap exceptions that a mapping of this kind fixes.</summary>
    public abstract IReadOnlyList<string> FixesErrorCodes { get; }

    internal abstract IQueryable<object> Query(HealthSyncDb db);
    internal abstract object New();
    internal abstract void Add(HealthSyncDb db, object row);

    public static IReadOnlyList<MappingType> All { get; } =
    [
        new MappingType<ItemMapping>("item", "Item → ERP SKU", db => db.ItemMappings, ["unmapped-item", "inactive-sku"],
        [
            F("item_code", "Clinical item id / GTIN / UDI-DI", FieldKind.Text, required: true, key: true),
            F(Facility, "Facility override", FieldKind.Text, key: true, help: "Empty: every facility"),
            F("sku", "ERP SKU", FieldKind.Text, required: true),
            F("description", "Description", FieldKind.Text, required: true),
            F("base_uom", "Base unit", FieldKind.Text, required: true),
            F("active", "Active in ERP", FieldKind.Flag),
            F("lot_tracked", "Implant / lot-tracked", FieldKind.Flag),
            F("billable", "Billable", FieldKind.Flag),
            F("par_level", "Par level", FieldKind.Decimal),
        ]),
        new MappingType<ChargeCodeMapping>("charge-code", "SKU → charge code", db => db.ChargeCodeMappings, ["unmapped-charge-code"],
        [
            F("sku", "ERP SKU", FieldKind.Text, required: true, key: true),
            F(Facility, "Facility override", FieldKind.Text, key: true, help: "Empty: every facility"),
            F("charge_code", "Charge code (CDM)", FieldKind.Text, required: true),
            F("unit_price", "Unit price", FieldKind.Decimal, required: true),
            F("billable", "Billable", FieldKind.Flag),
            F("payer_restrictions", "Payers not billed", FieldKind.Text, help: "Comma-separated payer ids"),
        ]),
        new MappingType<UomConversion>("uom", "Unit conversions", db => db.UomConversions, ["uom-mismatch"],
        [
            F("sku", "ERP SKU", FieldKind.Text, required: true, key: true),
            F("from_uom", "Unit", FieldKind.Text, required: true, key: true, help: "e.g. BX, CS"),
            F(Facility, "Facility override", FieldKind.Text, key: true, help: "Empty: every facility"),
            F("factor", "Base units per unit", FieldKind.Decimal, required: true),
        ]),
        new MappingType<LocationMapping>("location", "Location → cost center", db => db.LocationMappings, ["unknown-location"],
        [
            F(Facility, "Facility", FieldKind.Text, required: true, key: true),
            F("location_code", "Location", FieldKind.Text, required: true, key: true),
            F("cost_center", "Cost center", FieldKind.Text, required: true),
            F("erp_location", "ERP location", FieldKind.Text, required: true),
            F("active", "Active", FieldKind.Flag),
        ]),
        new MappingType<SupplierMapping>("supplier", "Supplier ids", db => db.SupplierMappings, [],
        [
            F("erp_vendor_id", "ERP vendor id", FieldKind.Text, required: true, key: true),
            F(Facility, "Facility override", FieldKind.Text, key: true, help: "Empty: every facility"),
            F("name", "Name", FieldKind.Text, required: true),
            F("procurement_id", "Procurement id", FieldKind.Text),
            F("edi_partner_id", "EDI partner id", FieldKind.Text, help: "ISA sender/receiver id"),
        ]),
    ];

    public static MappingType? Find(string name) => All.FirstOrDefault(t => t.Name.Equals(name, StringComparison.OrdinalIgnoreCase));

    /// <summary>The mapping kind that fixes a mapping-gap error code, if any.</summary>
    public static MappingType? Fixing(string errorCode) => All.FirstOrDefault(t => t.FixesErrorCodes.Contains(errorCode));

    private static MappingField F(string name, string label, FieldKind kind, bool required = false, bool key = false, string? help = null) =>
        new(name, label, kind, required, key, help);

    /// <summary>Every field plus the validity period, in CSV column order.</summary>
    public abstract IReadOnlyList<MappingField> Columns { get; }


    public static string Text(MappingField field, object row)
    {
        var v = field.Property.GetValue(row);
        return v switch
        {
            null => "",
            decimal d => d.ToString("0.####", CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            DateTime t => t.TimeOfDay == TimeSpan.Zero ? t.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) : t.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            _ => v.ToString() ?? "",
        };
    }

    /// <summary>Every column of a row as text, the shape used by forms, the API, CSV and the change history.</summary>
    public IReadOnlyDictionary<string, string> Values(object row) => Columns.ToDictionary(c => c.Name, c => Text(c, row));

    public static long IdOf(object row) => (long)row.GetType().GetProperty("Id")!.GetValue(row)!;
    public static DateTime FromOf(object row) => (DateTime)row.GetType().GetProperty("EffectiveFrom")!.GetValue(row)!;
    public static DateTime? ToOf(object row) => (DateTime?)row.GetType().GetProperty("EffectiveTo")!.GetValue(row);
    public static void SetTo(object row, DateTime? to) => row.GetType().GetProperty("EffectiveTo")!.SetValue(row, to);

    /// <summary>The versions' identity: the key fields, case-insensitive, empty for "every facility".</summary>
    public string KeyOf(IReadOnlyDictionary<string, string> values) =>
        string.Join("|", KeyFields.Select(k => (values.GetValueOrDefault(k.Name) ?? "").Trim().ToUpperInvariant()));

    public string KeyOf(object row) => KeyOf(Values(row));

    public string Describe(IReadOnlyDictionary<string, string> values) =>
        string.Join(" @ ", KeyFields.Select(k => values.GetValueOrDefault(k.Name)).Where(v => !string.IsNullOrWhiteSpace(v)));

    /// <summary>
    /// Parses and checks one row of values into a new entity. Errors name the field; nothing is written.
    /// </summary>
    public (object? Row, List<(string Field, string Message)> Errors) Parse(IReadOnlyDictionary<string, string?> values, DateTime now)
    {
        var errors = new List<(string, string)>();
        var row = New();
        foreach (var f in Columns)
        {
            var raw = values.GetValueOrDefault(f.Name)?.Trim();
            if (string.IsNullOrEmpty(raw))
            {
                if (f.Required) errors.Add((f.Name, $"{f.Label} is required."));
                else if (f.Name == EffectiveFrom) f.Property.SetValue(row, now);
                continue;
            }
            switch (f.Kind)
            {
                case FieldKind.Text:
                    if (raw.Length > 200) errors.Add((f.Name, $"{f.Label} is longer than 200 characters."));
                    else f.Property.SetValue(row, raw);
                    break;
                case FieldKind.Decimal:
                    if (!decimal.TryParse(raw, NumberStyles.Number, CultureInfo.InvariantCulture, out var d)) errors.Add((f.Name, $"{f.Label} '{raw}' is not a number."));
                    else if (d < 0) errors.Add((f.Name, $"{f.Label} may not be negative."));
                    else f.Property.SetValue(row, d);
                    break;
                case FieldKind.Flag:
                    if (raw.ToLowerInvariant() is "true" or "yes" or "y" or "1" or "on") f.Property.SetValue(row, true);
                    else if (raw.ToLowerInvariant() is "false" or "no" or "n" or "0" or "off") f.Property.SetValue(row, false);
                    else errors.Add((f.Name, $"{f.Label} '{raw}' is not true or false."));
                    break;
                case FieldKind.Date:
                    if (!DateTime.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
                        errors.Add((f.Name, $"{f.Label} '{raw}' is not a date (yyyy-MM-dd)."));
                    else f.Property.SetValue(row, DateTime.SpecifyKind(t, DateTimeKind.Utc));
                    break;
            }
        }
        if (errors.Count == 0 && ToOf(row) is { } to && to <= FromOf(row))
            errors.Add((EffectiveTo, "Effective to must be after effective from."));
        return (errors.Count == 0 ? row : null, errors);
    }

    /// <summary>Every version of one key, oldest first. Crosswalk tables are small; comparing in memory keeps the key rules in one place.</summary>
    public async Task<List<object>> VersionsAsync(HealthSyncDb db, string key, CancellationToken ct) =>
        (await Query(db).ToListAsync(ct)).Where(r => KeyOf(r) == key).OrderBy(FromOf).ToList();

    public async Task<object?> FindAsync(HealthSyncDb db, long id, CancellationToken ct) =>
        (await Query(db).ToListAsync(ct)).FirstOrDefault(r => IdOf(r) == id);

    public Task<List<object>> AllAsync(HealthSyncDb db, CancellationToken ct) => Query(db).ToListAsync(ct);
}

public sealed class MappingType<T> : MappingType where T : class
{
    private readonly Func<HealthSyncDb, DbSet<T>> _set;

    public MappingType(string name, string label, Func<HealthSyncDb, DbSet<T>> set, IReadOnlyList<string> fixes, MappingField[] fields)
    {
        Name = name;
        Label = label;
        _set = set;
        FixesErrorCodes = fixes;
        Fields = fields.Select(Bind).ToList();
        Columns = [.. Fields, .. Period.Select(Bind)];
    }

    public override string Name { get; }
    public override string Label { get; }
    public override IReadOnlyList<MappingField> Fields { get; }
    public override IReadOnlyList<string> FixesErrorCodes { get; }
    public override IReadOnlyList<MappingField> Columns { get; }

    internal override IQueryable<object> Query(HealthSyncDb db) => _set(db);
    // Through the constructor, so the entity's defaults (active, billable) apply to fields left empty.
    internal override object New() => Activator.CreateInstance<T>();
    internal override void Add(HealthSyncDb db, object row) => _set(db).Add((T)row);

    private static MappingField Bind(MappingField f) => f with { Property = Property(f.Name) };

    private static PropertyInfo Property(string snake) =>
        typeof(T).GetProperty(string.Concat(snake.Split('_').Select(p => char.ToUpperInvariant(p[0]) + p[1..])))
        ?? throw new InvalidOperationException($"{typeof(T).Name} has no property for '{snake}'.");
}
