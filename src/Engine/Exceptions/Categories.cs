namespace HealthSync.Engine.Exceptions;

public static class Categories
{
    public const string Validation = "validation";
    public const string MappingGap = "mapping-gap";
    public const string UpstreamData = "upstream-data";
    public const string DownstreamUnavailable = "downstream-unavailable";
    public const string Duplicate = "duplicate";
    public const string Sequencing = "sequencing";

    public static readonly IReadOnlyList<string> All = [Validation, MappingGap, UpstreamData, DownstreamUnavailable, Duplicate, Sequencing];

    /// <summary>Default time to resolve per category; money that is already moving gets the shortest clock.</summary>
    public static TimeSpan Sla(string category) => category switch
    {
        DownstreamUnavailable => TimeSpan.FromHours(4),
        MappingGap => TimeSpan.FromHours(24),
        Validation => TimeSpan.FromHours(24),
        UpstreamData => TimeSpan.FromHours(48),
        Sequencing => TimeSpan.FromHours(8),
        Duplicate => TimeSpan.FromHours(72),
        _ => TimeSpan.FromHours(24),
    };
}

public static class WorkflowNames
{
    public const string SupplyCharge = "supply-charge";
    public const string ProcureToPay = "procure-to-pay";
    public const string PaymentPosting = "payment-posting";
    public const string DischargeToRevenue = "discharge-to-revenue";
    public const string MasterData = "master-data";

    public static readonly IReadOnlyList<string> All = [SupplyCharge, ProcureToPay, PaymentPosting, DischargeToRevenue, MasterData];

    /// <summary>The workflow a fact belongs to.</summary>
    public static string For(HealthSync.Adapters.Canonical.ICanonicalFact fact) => HealthSync.Adapters.Canonical.FactKinds.Of(fact) switch
    {
        "supply-usage" => SupplyCharge,
        "purchase-order" or "purchase-order-ack" or "ship-notice" or "goods-receipt" or "invoice" or "supply-order" => ProcureToPay,
        "remittance" or "payment-settlement" or "billing-receipt" => PaymentPosting,
        "patient-visit" or "claim" => DischargeToRevenue,
        _ => MasterData,
    };

    /// <summary>The workflow a message belongs to when nothing could be read from it (format plus message type).</summary>
    public static string ForMessage(string format, string? messageType) => (format, messageType ?? string.Empty) switch
    {
        ("x12", "850" or "855" or "856" or "810" or "997" or "999") => ProcureToPay,
        ("x12", "835") => PaymentPosting,
        ("x12", _) => DischargeToRevenue,
        ("csv", _) => PaymentPosting,
        ("hl7v2", var t) when t.StartsWith("ADT", StringComparison.Ordinal) => DischargeToRevenue,
        ("hl7v2", var t) when t.StartsWith("ORM", StringComparison.Ordinal) => ProcureToPay,
        (_, "Claim" or "Encounter") => DischargeToRevenue,
        (_, "Invoice" or "SupplyRequest" or "SupplyDelivery") => ProcureToPay,
        (_, "PaymentReconciliation" or "ClaimResponse" or "ExplanationOfBenefit") => PaymentPosting,
        _ => SupplyCharge,
    };
}

/// <summary>A problem found while handling a message: becomes an <see cref="Persistence.ExceptionRecord"/>.</summary>
public sealed record Problem(string Category, string Code, string Detail, string? Path = null);
