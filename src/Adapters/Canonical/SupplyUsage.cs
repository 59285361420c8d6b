namespace HealthSync.Adapters.Canonical;

/// <summary>
/// Format-neutral record of one supply item used on a patient, as read from an HL7 v2 FT1 or a FHIR ChargeItem.
/// </summary>
/// <param name="SourceEventId">Identifier the sender gave this usage; used for de-duplication.</param>
/// <param name="Kind">Charge or reversal.</param>
/// <param name="OccurredAt">When the item was used.</param>
/// <param name="Facility">Facility that used the item.</param>
/// <param name="Location">Department / cost centre.</param>
/// <param name="ItemCode">Supply item or charge code.</param>
/// <param name="ItemDescription">Display text of the item code.</param>
/// <param name="Quantity">Quantity used (1 when the sender left it out).</param>
/// <param name="Uom">Unit of measure ("EA" when the sender left it out).</param>
/// <param name="UnitPrice">Price per unit when the sender supplied one.</param>
/// <param name="Lot">Lot number of an implant or device.</param>
/// <param name="Serial">Serial number of an implant or device.</param>
/// <param name="Udi">Device identifier part of the UDI.</param>
/// <param name="PatientMrn">Patient medical record number (or reference).</param>
/// <param name="PatientAccount">Patient account number (or reference).</param>
/// <param name="Encounter">Visit / encounter number (or reference).</param>
/// <param name="ProcedureCode">Procedure the item was used in.</param>
public sealed record SupplyUsage(
    string SourceEventId,
    UsageKind Kind,
    DateTimeOffset? OccurredAt,
    string? Facility,
    string? Location,
    string? ItemCode,
    string? ItemDescription,
    decimal? Quantity,
    string? Uom,
    decimal? UnitPrice,
    string? Lot,
    string? Serial,
    string? Udi,
    string? PatientMrn,
    string? PatientAccount,
    string? Encounter,
    string? ProcedureCode) : ICanonicalFact
{
    public string BusinessKey => SourceEventId;
}
