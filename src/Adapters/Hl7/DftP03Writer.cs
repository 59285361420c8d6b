using System.Globalization;
using HealthSync.Adapters.Canonical;

namespace HealthSync.Adapters.Hl7;

/// <summary>Builds the outbound DFT^P03 (v2.5) that posts one charge to the billing system.</summary>
public static class DftP03Writer
{
    /// <summary>Sending application written in MSH-3.</summary>
    public const string SendingApplication = "HEALTHSYNC";

    /// <summary>Builds a charge (FT1-6 = CG).</summary>
    /// <param name="controlId">MSH-10; must be unique per message.</param>
    /// <param name="now">MSH-7, EVN-2 and FT1-5 (posting date).</param>
    /// <param name="facility">MSH-4.</param>
    /// <param name="chargeCode">FT1-7.1.</param>
    /// <param name="chargeDescription">FT1-7.2.</param>
    /// <param name="quantity">FT1-10.</param>
    /// <param name="amount">FT1-11, the extended amount of the line (quantity × unit price).</param>
    /// <param name="transactionId">FT1-2; billing uses it to detect duplicates.</param>
    /// <param name="occurredAt">FT1-4.</param>
    /// <param name="department">FT1-13.1.</param>
    /// <param name="mrn">PID-3.1 (identifier type MR).</param>
    /// <param name="account">PID-18.1.</param>
    /// <param name="encounter">PV1-19.1.</param>
    /// <summary>Builds a charge (CG) or, for <see cref="UsageKind.Reversal"/>, a credit (CD).</summary>
    public static string Write(
        string controlId,
        DateTimeOffset now,
        string facility,
        string chargeCode,
        string? chargeDescription,
        decimal quantity,
        decimal amount,
        string transactionId,
        DateTimeOffset occurredAt,
        string? department,
        string? mrn,
        string? account,
        string? encounter,
        UsageKind kind = UsageKind.Consumption)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(controlId);
        ArgumentException.ThrowIfNullOrWhiteSpace(chargeCode);
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionId);

        var timestamp = Hl7DateTime.Format(now);
        var b = new Hl7MessageBuilder(Hl7Delimiters.Default);

        var msh = b.Segment("MSH", SendingApplication, facility);
        msh.Set(7, timestamp);
        msh.SetComponents(9, "DFT", "P03", "DFT_P03");
        msh.Set(10, controlId);
        msh.Set(11, "P");
        msh.Set(12, "2.5");

        b.Segment("EVN", "P03", timestamp);

        var pid = b.Segment("PID", "1");
        if (!string.IsNullOrWhiteSpace(mrn))
        {
            pid.SetComponents(3, mrn, null, null, null, "MR");
        }

        pid.Set(18, account);

        // PV1-2 (patient class) is required by the standard; "U" is the table 0004 value for unknown.
        var pv1 = b.Segment("PV1", "1", "U");
        pv1.Set(19, encounter);

        var ft1 = b.Segment("FT1", "1", transactionId);
        ft1.Set(4, Hl7DateTime.Format(occurredAt));
        ft1.Set(5, timestamp);
        ft1.Set(6, kind == UsageKind.Reversal ? "CD" : "CG");
        ft1.SetComponents(7, chargeCode, chargeDescription);
        ft1.Set(10, quantity.ToString(CultureInfo.InvariantCulture));
        ft1.Set(11, amount.ToString(CultureInfo.InvariantCulture));
        ft1.Set(13, department);

        return b.Serialize();
    }
}
