using HealthSync.Adapters.Canonical;
using HealthSync.Engine.Lineage;

namespace HealthSync.Portal.Lineage;

/// <summary>One kind of business key people search lineage by, as the portal names it.</summary>
/// <param name="Links">
/// Whether a transaction found under this key leads on to the other transactions that share its documents (a PO to its
/// acknowledgement, ship notice, receipt and invoice). Broad keys (an item, a SKU, a lot) would pull in thousands of
/// unrelated orders, so they list their own transactions only.
/// </param>
public sealed record KeyKind(string Type, string Label, bool Links);

/// <summary>A parsed lineage search: a correlation id, or a key value optionally restricted to one key type.</summary>
public sealed record LineageQuery(Guid? CorrelationId, string? KeyType, string Value);

/// <summary>
/// The business key types of the engine (<see cref="KeyTypes"/>) with the words the portal uses for them, which of them
/// identify a patient, and how a query string names one (<c>po:PO-123</c>, or <c>type=po</c> beside <c>q</c>).
/// </summary>
public static class LineageKeys
{
    public static readonly IReadOnlyList<KeyKind> All =
    [
        new(KeyTypes.Encounter, "Encounter", true),
        new(KeyTypes.PatientAccount, "Patient account", true),
        new(KeyTypes.Mrn, "Medical record number", false),
        new(KeyTypes.PurchaseOrder, "Purchase order", true),
        new(KeyTypes.Invoice, "Invoice", true),
        new(KeyTypes.ShipNotice, "Shipment", true),
        new(KeyTypes.Receipt, "Receipt", true),
        new(KeyTypes.Claim, "Claim", true),
        new(KeyTypes.Payment, "Payment", true),
        new(KeyTypes.Settlement, "Settlement", true),
        new(KeyTypes.Item, "Item", false),
        new(KeyTypes.Sku, "SKU", false),
        new(KeyTypes.Lot, "Lot", false),
        new(KeyTypes.Order, "Supply order", true),
        new(KeyTypes.Device, "Device", false),
        new(KeyTypes.MessageControlId, "Message control id", true),
        new(KeyTypes.SourceEvent, "Source event", true),
        new(KeyTypes.File, "File", true),
    ];

    private static readonly Dictionary<string, KeyKind> ByType = All.ToDictionary(k => k.Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>Key types a role may search by: patient identifiers only for roles that may see them.</summary>
    public static IReadOnlyList<string> Searchable(bool seesPhi) =>
        All.Where(k => seesPhi || !KeyTypes.IsPatientIdentifier(k.Type)).Select(k => k.Type).ToList();

    public static KeyKind? Find(string? type) => type is not null && ByType.TryGetValue(type, out var k) ? k : null;

    public static string Label(string type) => Find(type)?.Label ?? type;

    /// <summary>
    /// Reads a search: a correlation id; <c>type:value</c> when the prefix is a known key type; otherwise the value under
    /// <paramref name="keyType"/> when one is given and known, or under every type. Null for an empty query.
    /// </summary>
    public static LineageQuery? Parse(string? query, string? keyType = null)
    {
        var q = query?.Trim() ?? "";
        if (q.Length == 0) return null;
        if (Guid.TryParse(q, out var id)) return new LineageQuery(id, null, q);
        var colon = q.IndexOf(':', StringComparison.Ordinal);
        if (colon > 0 && Find(q[..colon]) is { } prefixed && colon < q.Length - 1)
            return new LineageQuery(null, prefixed.Type, q[(colon + 1)..].Trim());
        return new LineageQuery(null, Find(keyType)?.Type, q);
    }

    /// <summary>The key type of the document a document kind answers or bills (the PO of an invoice); null when it answers none.</summary>
    public static string? ReferenceKeyOf(string kind) => kind switch
    {
        FactKinds.PurchaseOrderAck or FactKinds.ShipNotice or FactKinds.GoodsReceipt or FactKinds.Invoice => KeyTypes.PurchaseOrder,
        FactKinds.PaymentSettlement or FactKinds.BillingReceipt => KeyTypes.Payment,
        _ => null,
    };

    /// <summary>The chain page of a key: every transaction that shares it, and their answers, in time order.</summary>
    public static string ChainUrl(string type, string value) => $"/lineage/chain?type={Uri.EscapeDataString(type)}&key={Uri.EscapeDataString(value)}";

    public static string SearchUrl(string query) => $"/lineage?q={Uri.EscapeDataString(query)}";
}
