namespace HealthSync.Engine.Lineage;

/// <summary>The lineage vocabulary. Every transaction's timeline is made of these steps.</summary>
public static class Steps
{
    public const string Received = "received";
    public const string Parsed = "parsed";
    public const string Validated = "validated";
    public const string Mapped = "mapped";
    public const string Routed = "routed";
    public const string Delivered = "delivered";
    public const string Posted = "posted";
    public const string Failed = "failed";
    public const string Retried = "retried";
    public const string Replayed = "replayed";
    public const string Resolved = "resolved";
    public const string Duplicate = "duplicate";

    /// <summary>A business document was stored as a fact (the end of its intake; matching and posting follow).</summary>
    public const string Recorded = "recorded";

    /// <summary>A functional acknowledgement (997/999, HL7 ACK batch, CSV report) was returned to the sender.</summary>
    public const string Acknowledged = "acknowledged";

    public const string Ok = "ok";
    public const string Error = "error";
}

/// <summary>Business key types under which a transaction can be found.</summary>
public static class KeyTypes
{
    public const string Encounter = "encounter";
    public const string PatientAccount = "patient-account";
    public const string Item = "item";
    public const string Sku = "sku";
    public const string Lot = "lot";
    public const string PurchaseOrder = "po";
    public const string Invoice = "invoice";
    public const string ShipNotice = "shipment";
    public const string Receipt = "receipt";
    public const string Claim = "claim";
    public const string Payment = "payment";
    public const string Settlement = "settlement";
    public const string Order = "order";
    public const string Device = "device";
    public const string Mrn = "mrn";
    public const string File = "file";
    public const string MessageControlId = "message-control-id";
    public const string SourceEvent = "source-event";

    /// <summary>Key types that identify a patient and are masked for roles without need.</summary>
    public static bool IsPatientIdentifier(string keyType) => keyType is Encounter or PatientAccount or Mrn;
}
