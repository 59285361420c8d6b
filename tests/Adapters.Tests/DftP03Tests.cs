using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests;

public class DftP03Tests
{
    private const string Header = "MSH|^~\\&|OR|MAIN|BILL|MAIN|20240301101500||DFT^P03|C100|P|2.5";
    private static readonly TimeSpan SampleOffset = new(2, 15, 0);

    private static DftReadResult ReadSample(string fileName) =>
        DftP03Reader.Read(Hl7Parser.Parse(Samples.Hl7(fileName)).Message!);

    private static DftReadResult Read(params string[] segments)
    {
        var parsed = Hl7Parser.Parse(string.Join('\r', segments.Prepend(Header)));
        parsed.Errors.ShouldBeEmpty();
        return DftP03Reader.Read(parsed.Message!);
    }

    private static string Segment(string id, params (int Field, string Value)[] fields)
    {
        var values = new string[fields.Max(f => f.Field) + 1];
        Array.Fill(values, string.Empty);
        values[0] = id;
        foreach (var (field, value) in fields)
        {
            values[field] = value;
        }

        return string.Join('|', values);
    }

    [Fact]
    public void Maps_both_FT1s_of_the_first_DFT_sample()
    {
        var result = ReadSample("fhirconverter_DFT-P03-01.hl7");

        result.Errors.ShouldBeEmpty();
        result.Usages.Count.ShouldBe(2);

        var first = result.Usages[0];
        first.SourceEventId.ShouldBe("12345");
        first.Kind.ShouldBe(UsageKind.Consumption);
        first.OccurredAt.ShouldBe(new DateTimeOffset(2019, 11, 22, 0, 0, 0, SampleOffset));
        first.Facility.ShouldBe("GHHSFacility");
        first.Location.ShouldBe("RAD-1");
        first.ItemCode.ShouldBe("Item-12345");
        first.ItemDescription.ShouldBe("Xray exam chest 1 view");
        first.Quantity.ShouldBe(2m);
        first.Uom.ShouldBe("385049006");
        first.UnitPrice.ShouldBe(50m);
        first.PatientMrn.ShouldBe("PATID1234");
        first.PatientAccount.ShouldBe("4000776");
        first.Encounter.ShouldBe("40007716");
        first.ProcedureCode.ShouldBe("71045");

        // The PRT right after FT1 names a participant only; the device PRT with lot/serial sits under the FT1's PR1.
        first.Lot.ShouldBe("123ABC");
        first.Serial.ShouldBe("21A11F4855");
        first.Udi.ShouldBe("00643169001763");

        var second = result.Usages[1];
        second.SourceEventId.ShouldBe("MSG00001-2");
        second.ItemCode.ShouldBe("626.2");
        second.ItemDescription.ShouldBeNull();
        second.Quantity.ShouldBe(1m);
        second.Uom.ShouldBe("EA");
        second.UnitPrice.ShouldBeNull();
        second.Location.ShouldBeNull();
        second.ProcedureCode.ShouldBe("99011");
        second.Lot.ShouldBeNull();
        second.Serial.ShouldBeNull();
        second.Udi.ShouldBeNull();
        second.PatientMrn.ShouldBe("PATID1234");
    }

    [Fact]
    public void Maps_the_second_DFT_sample_with_order_groups_between_the_FT1s()
    {
        var result = ReadSample("fhirconverter_DFT-P03-02.hl7");

        result.Errors.ShouldBeEmpty();
        result.Usages.Select(u => u.SourceEventId).ShouldBe(["12345", "MSG00001-2"]);
        result.Usages.Select(u => u.ItemCode).ShouldBe(["Item-12345", "626.2"]);
        result.Usages.Select(u => u.Quantity).ShouldBe([2m, 1m]);
        result.Usages.ShouldAllBe(u => u.Lot == null && u.Encounter == "40007716");
    }

    [Fact]
    public void Rejects_messages_that_are_not_DFT_P03()
    {
        var adt = Hl7Parser.Parse(Samples.Hl7("fhirconverter_ADT-A01-01.hl7")).Message!;
        var p11 = Hl7Parser.Parse(Samples.Hl7("fhirconverter_DFT-P11-01.hl7")).Message!;

        DftP03Reader.Read(adt).Errors.ShouldHaveSingleItem().ShouldBe(new ValidationFinding("MSH-9", "unsupported", "Expected a DFT^P03 message; received ADT^A01."));
        DftP03Reader.Read(p11).Errors.ShouldHaveSingleItem().Path.ShouldBe("MSH-9");
    }

    [Fact]
    public void Requires_at_least_one_FT1()
    {
        var result = Read("EVN|P03", "PID|1||M1");

        result.Usages.ShouldBeEmpty();
        result.Errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Path.ShouldBe("FT1"),
            e => e.Code.ShouldBe("required"));
    }

    [Fact]
    public void Reports_bad_numbers_and_missing_item_codes_per_FT1()
    {
        var result = Read(
            "PID|1||M1",
            "FT1|1|T1||20240301|||SUP1||| two",
            "FT1|2|T2||20240301|||SUP2|||||abc&USD",
            "FT1|3|T3||20240301|||^Gauze",
            "FT1|4|T4||20240301|||SUP4|||3|||ICU",
            "FT1|5|T5||2024-03-01|||SUP5");

        result.Errors.Select(e => (e.Path, e.Code)).ShouldBe(
        [
            ("FT1[1]-10", "invalid-number"),
            ("FT1[2]-12", "invalid-number"),
            ("FT1[3]-7", "required"),
            ("FT1[5]-4", "invalid-date"),
        ]);
        var only = result.Usages.ShouldHaveSingleItem();
        only.SourceEventId.ShouldBe("T4");
        only.Quantity.ShouldBe(3m);
        only.Location.ShouldBe("ICU");
        only.OccurredAt.ShouldBe(new DateTimeOffset(2024, 3, 1, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public void Maps_transaction_types_to_consumption_or_reversal()
    {
        var result = Read(
            "FT1|1|A||20240301||CG|S1",
            "FT1|2|B||20240301||CD|S1",
            "FT1|3|C||20240301||cr|S1",
            "FT1|4|D||20240301|||S1",
            "FT1|5|E||20240301||PY|S1");

        result.Usages.Select(u => u.Kind).ShouldBe([UsageKind.Consumption, UsageKind.Reversal, UsageKind.Reversal, UsageKind.Consumption]);
        result.Errors.ShouldHaveSingleItem().ShouldSatisfyAllConditions(
            e => e.Path.ShouldBe("FT1[5]-6"),
            e => e.Code.ShouldBe("invalid-value"));
    }

    [Fact]
    public void Treats_the_HL7_null_as_absent_and_falls_back_to_department_and_location()
    {
        var result = Read("PV1|1|I|WARD3^12^A", "FT1|\"\"|\"\"||20240301||CG|S1|||\"\"|||\"\"|||ORTHO^2");

        var usage = result.Usages.ShouldHaveSingleItem();
        usage.SourceEventId.ShouldBe("C100-1");
        usage.Quantity.ShouldBe(1m);
        usage.Location.ShouldBe("ORTHO");
    }

    [Fact]
    public void Takes_device_data_only_from_PRTs_of_the_same_FT1()
    {
        var result = Read(
            "FT1|1|A||20240301||CG|IMPLANT1",
            "PRT|1|AD||AD",
            Segment("PRT", (1, "2"), (16, "(01)UDI-1"), (19, "LOT-1"), (20, "SER-1")),
            "FT1|2|B||20240301||CG|IMPLANT2",
            "DG1|1",
            Segment("PRT", (1, "3"), (19, "LOT-2")));

        result.Usages[0].ShouldSatisfyAllConditions(
            u => u.Lot.ShouldBe("LOT-1"),
            u => u.Serial.ShouldBe("SER-1"),
            u => u.Udi.ShouldBe("(01)UDI-1"));
        result.Usages[1].ShouldSatisfyAllConditions(
            u => u.Lot.ShouldBe("LOT-2"),
            u => u.Serial.ShouldBeNull(),
            u => u.Udi.ShouldBeNull());
    }

    [Fact]
    public void Writes_a_charge_that_parses_and_reads_back()
    {
        var now = new DateTimeOffset(2024, 3, 5, 14, 30, 15, TimeSpan.FromHours(1));
        var used = new DateTimeOffset(2024, 3, 5, 9, 12, 0, TimeSpan.FromHours(1));

        var text = DftP03Writer.Write("HS-77", now, "NORTH", "SUP-100", "Suture 3-0 & needle", 3m, 37.50m, "TX-9", used, "OR1", "MRN42", "ACC7", "ENC3");

        var parsed = Hl7Parser.Parse(text);
        parsed.Errors.ShouldBeEmpty();
        var message = parsed.Message!;
        message.Segments.Select(s => s.Id).ShouldBe(["MSH", "EVN", "PID", "PV1", "FT1"]);
        message.ControlId.ShouldBe("HS-77");
        message.SendingFacility.ShouldBe("NORTH");
        message.MessageStructure.ShouldBe("DFT_P03");
        message.Version.ShouldBe("2.5");
        var ft1 = message.Segment("FT1")!;
        ft1.Value(6).ShouldBe("CG");
        ft1.Value(7, 2).ShouldBe("Suture 3-0 & needle");
        ft1.Value(11).ShouldBe("37.50");
        ft1.RawField(7).ShouldBe("SUP-100^Suture 3-0 \\T\\ needle");

        var usage = DftP03Reader.Read(message).Usages.ShouldHaveSingleItem();
        usage.ShouldBe(new SupplyUsage(
            "TX-9", UsageKind.Consumption, used, "NORTH", "OR1", "SUP-100", "Suture 3-0 & needle", 3m, "EA", null,
            null, null, null, "MRN42", "ACC7", "ENC3", null));
    }

    [Fact]
    public void Writes_a_credit_for_a_reversal_and_omits_unknown_patient_data()
    {
        var now = new DateTimeOffset(2024, 3, 5, 14, 30, 15, TimeSpan.Zero);

        var text = DftP03Writer.Write("HS-78", now, "NORTH", "SUP-100", null, 1m, 10m, "TX-9R", now, null, null, null, null, UsageKind.Reversal);

        var message = Hl7Parser.Parse(text).Message.ShouldNotBeNull();
        message.Segment("PID")!.Value(3).ShouldBeNull();
        var usage = DftP03Reader.Read(message).Usages.ShouldHaveSingleItem();
        usage.Kind.ShouldBe(UsageKind.Reversal);
        usage.ItemDescription.ShouldBeNull();
        usage.Location.ShouldBeNull();
    }
}
