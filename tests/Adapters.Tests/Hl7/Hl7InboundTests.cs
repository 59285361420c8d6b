using System.Text;
using System.Text.Json;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests.Hl7;

public class Hl7InboundTests
{
    private static readonly TimeSpan SampleOffset = new(2, 15, 0);

    public static TheoryData<string> SampleFiles() => new(Samples.Hl7FileNames());

    internal static string Json(AdapterRead read) => JsonSerializer.Serialize(read, CanonicalJson.Options);

    private static AdapterRead ReadSample(string fileName) => Hl7Inbound.Read(Samples.Hl7(fileName));

    private static AdapterRead Read(params string[] segments) => Hl7Inbound.Read(string.Join('\r', segments));

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_sample_reads_to_its_approved_canonical_json(string fileName)
    {
        var read = ReadSample(fileName);

        read.Format.ShouldBe("hl7v2");
        Approvals.Verify(Path.GetFileNameWithoutExtension(fileName), Json(read));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_sample_round_trips_through_the_serializer(string fileName)
    {
        var parsed = Hl7Parser.Parse(Samples.Hl7(fileName));
        parsed.Errors.ShouldBeEmpty();

        var text = Hl7Serializer.Serialize(parsed.Message!);
        var again = Hl7Parser.Parse(text);

        again.Errors.ShouldBeEmpty();
        Hl7Serializer.Serialize(again.Message!).ShouldBe(text);
        Json(Hl7Inbound.Read(again.Message!)).ShouldBe(Json(Hl7Inbound.Read(parsed.Message!)));
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Every_sample_reads_the_same_with_custom_delimiters(string fileName)
    {
        var original = Samples.Hl7(fileName);
        var custom = WithDelimiters(original, '#', '*', '@', '!', '%');

        custom.ShouldStartWith("MSH#*@!%#");
        var parsed = Hl7Parser.Parse(custom);
        parsed.Errors.ShouldBeEmpty();
        parsed.Message!.Delimiters.Field.ShouldBe('#');
        Json(Hl7Inbound.Read(parsed.Message!)).ShouldBe(Json(Hl7Inbound.Read(original)));

        // And back through the serializer with the custom delimiters kept.
        var reserialized = Hl7Serializer.Serialize(parsed.Message!);
        reserialized.ShouldStartWith("MSH#*@!%#");
        Json(Hl7Inbound.Read(reserialized)).ShouldBe(Json(Hl7Inbound.Read(original)));
    }

    /// <summary>
    /// Rewrites a message written with <c>|^~\&amp;</c> to other delimiters, escaping data characters that collide
    /// with the new ones so the values stay the same.
    /// </summary>
    private static string WithDelimiters(string text, char field, char component, char repetition, char escape, char subcomponent)
    {
        var map = new Dictionary<char, char> { ['|'] = field, ['^'] = component, ['~'] = repetition, ['\\'] = escape, ['&'] = subcomponent };
        var codes = new Dictionary<char, string>
        {
            [field] = "F", [component] = "S", [repetition] = "R", [escape] = "E", [subcomponent] = "T",
        };
        var sb = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (map.TryGetValue(c, out var mapped))
            {
                sb.Append(mapped);
            }
            else if (codes.TryGetValue(c, out var code))
            {
                sb.Append(escape).Append(code).Append(escape);
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    [Fact]
    public void ADT_A01_maps_the_visit()
    {
        var read = ReadSample("fhirconverter_ADT-A01-01.hl7");

        read.Success.ShouldBeTrue();
        read.MessageType.ShouldBe("ADT^A01");
        read.ControlId.ShouldBe("MSG00001");
        var visit = read.Facts.ShouldHaveSingleItem().ShouldBeOfType<PatientVisit>();
        visit.EventType.ShouldBe("A01");
        visit.Encounter.ShouldBe("40007716");
        visit.PatientMrn.ShouldBe("PATID1234");
        visit.PatientAccount.ShouldBe("4000776");
        visit.Facility.ShouldBe("HOMERTON UNIVER");
        visit.Location.ShouldBe("HUH AE OMU");
        visit.PatientClass.ShouldBe("P");
        visit.AdmittedAt.ShouldBe(new DateTimeOffset(2015, 2, 8, 11, 34, 19, new TimeSpan(1, 10, 0)));
        visit.DischargedAt.ShouldBeNull();
        visit.Status.ShouldBe("in-progress");
    }

    [Fact]
    public void ADT_A03_maps_the_discharge()
    {
        var visit = ReadSample("fhirconverter_ADT-A03-02.hl7").Facts.ShouldHaveSingleItem().ShouldBeOfType<PatientVisit>();

        visit.EventType.ShouldBe("A03");
        visit.DischargedAt.ShouldBe(new DateTimeOffset(2015, 2, 9, 11, 34, 19, new TimeSpan(1, 10, 0)));
        visit.Status.ShouldBe("finished");
    }

    [Fact]
    public void ADT_A01_v23_takes_the_facility_from_the_assigned_location()
    {
        var visit = ReadSample("fhirconverter_ADT01-23.hl7").Facts.ShouldHaveSingleItem().ShouldBeOfType<PatientVisit>();

        visit.PatientMrn.ShouldBe("10006579");
        visit.PatientAccount.ShouldBe("40007716");
        visit.Encounter.ShouldBe("40007716");
        visit.Location.ShouldBe("PREOP");
        visit.Facility.ShouldBe("1");
        visit.PatientClass.ShouldBe("I");
        visit.AdmittedAt.ShouldBe(new DateTimeOffset(2005, 1, 10, 4, 55, 2, TimeSpan.FromHours(7)));
    }

    [Fact]
    public void ADT_A04_without_a_visit_number_is_rejected()
    {
        var read = ReadSample("fhirconverter_ADT04-251.hl7");

        read.MessageType.ShouldBe("ADT^A04");
        read.Facts.ShouldBeEmpty();
        var finding = read.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("PV1[1]-19");
        finding.Code.ShouldBe(FindingCodes.Required);
    }

    [Fact]
    public void ADT_A03_without_a_discharge_time_is_rejected()
    {
        var read = Read(
            "MSH|^~\\&|ADT|MAIN|HS|MAIN|20240301101500||ADT^A03|C1|P|2.5",
            "PID|1||MRN1^^^^MR",
            "PV1|1|I|WARD1^^^MAIN||||||||||||||||V100");

        read.Facts.ShouldBeEmpty();
        read.Findings.ShouldHaveSingleItem().ShouldBe(new ValidationFinding(
            "PV1[1]-45", FindingCodes.Required, "PV1-45 (discharge date/time) is required in an ADT^A03 discharge."));
    }

    [Fact]
    public void ADT_A08_updates_and_falls_back_to_MSH_4_for_the_facility()
    {
        var read = Read(
            "MSH|^~\\&|ADT|MAIN|HS|MAIN|20240301101500-0500||ADT^A08^ADT_A01|C2|P|2.5",
            "PID|1||~MRN2^^^^MR~MRN3|||||||||||||||ACC9",
            "PV1|1|O|CLINIC4||||||||||||||||V200|||||||||||||||||||||||||20240301090000");

        var visit = read.Facts.ShouldHaveSingleItem().ShouldBeOfType<PatientVisit>();
        visit.EventType.ShouldBe("A08");
        visit.PatientMrn.ShouldBe("MRN2");
        visit.PatientAccount.ShouldBe("ACC9");
        visit.Facility.ShouldBe("MAIN");
        visit.Location.ShouldBe("CLINIC4");
        visit.AdmittedAt.ShouldBe(new DateTimeOffset(2024, 3, 1, 9, 0, 0, TimeSpan.FromHours(-5)));
        visit.Status.ShouldBeNull();
    }

    [Fact]
    public void Bad_timestamps_and_missing_segments_are_findings()
    {
        var read = Read(
            "MSH|^~\\&|ADT|MAIN|HS|MAIN|20240301101500||ADT^A01|C3|P|2.5",
            "PV1|1|I|W||||||||||||||||V1|||||||||||||||||||||||||2024-03-01");

        read.Facts.ShouldBeEmpty();
        read.Findings.Select(f => (f.Path, f.Code)).ShouldBe([("PID", "required"), ("PV1[1]-44", "invalid-date")]);

        Read("MSH|^~\\&|ADT|MAIN|HS|MAIN|20240301101500||ADT^A04|C4|P|2.5", "PID|1||M1").Findings
            .Select(f => f.Path).ShouldBe(["PV1"]);
    }

    [Theory]
    [InlineData("ADT^A02")]
    [InlineData("BAR^P01")]
    [InlineData("ORU^R01")]
    [InlineData("ACK")]
    public void Other_message_types_are_unsupported(string type)
    {
        var read = Read($"MSH|^~\\&|X|Y|HS|MAIN|20240301101500||{type}|C5|P|2.5", "PID|1||M1", "PV1|1|I||||||||||||||||||V1");

        read.MessageType.ShouldBe(type);
        read.Facts.ShouldBeEmpty();
        var finding = read.Findings.ShouldHaveSingleItem();
        finding.Path.ShouldBe("MSH-9");
        finding.Code.ShouldBe(FindingCodes.Unsupported);
        finding.Message.ShouldContain("HealthSync accepts ADT^A01/A03/A04/A08, DFT^P03/P11, ORM^O01");
    }

    [Fact]
    public void BAR_P01_sample_is_unsupported()
    {
        var read = ReadSample("fhirconverter_BAR-P01-01.hl7");

        read.MessageType.ShouldBe("BAR^P01");
        read.Findings.ShouldHaveSingleItem().Code.ShouldBe(FindingCodes.Unsupported);
    }

    [Fact]
    public void DFT_P03_gives_the_same_usages_as_the_DFT_reader()
    {
        var text = Samples.Hl7("fhirconverter_DFT-P03-02.hl7");
        var read = Hl7Inbound.Read(text);
        var direct = DftP03Reader.Read(Hl7Parser.Parse(text).Message!);

        read.MessageType.ShouldBe("DFT^P03");
        read.Success.ShouldBeTrue();
        read.Facts.ShouldBe(direct.Usages);
        read.Facts.Count.ShouldBe(2);
    }

    [Fact]
    public void DFT_P11_maps_its_FT1s_like_a_P03()
    {
        var read = ReadSample("fhirconverter_DFT-P11-01.hl7");

        read.MessageType.ShouldBe("DFT^P11");
        read.Success.ShouldBeTrue();
        var usages = read.Facts.Cast<SupplyUsage>().ToList();
        usages.Count.ShouldBe(2);
        usages[0].SourceEventId.ShouldBe("12345");
        usages[0].ItemCode.ShouldBe("Item-12345");
        usages[0].Quantity.ShouldBe(2m);
        usages[0].UnitPrice.ShouldBe(50m);
        usages[0].Lot.ShouldBe("123ABC");
        usages[0].Serial.ShouldBe("21A11F4855");
        usages[0].OccurredAt.ShouldBe(new DateTimeOffset(2019, 11, 22, 0, 0, 0, SampleOffset));
        usages[1].SourceEventId.ShouldBe("MSG00001-2");
        usages[1].ItemCode.ShouldBe("92002");
        usages[1].ItemDescription.ShouldBe("General Ophthalmological Services and Procedures");
        usages[1].Lot.ShouldBeNull();
        usages.ShouldAllBe(u => u.Encounter == "40007716" && u.PatientMrn == "PATID1234");
    }

    [Fact]
    public void DFT_with_a_bad_FT1_is_rejected_as_a_whole()
    {
        var read = Read(
            "MSH|^~\\&|OR|MAIN|BILL|MAIN|20240301101500||DFT^P03|C6|P|2.5",
            "PID|1||M1",
            "PV1|1|I||||||||||||||||||V1",
            "FT1|1|T1||20240301||CG|ITEM1|||2",
            "FT1|2|T2||20240301||CG|ITEM2|||two");

        read.Facts.ShouldBeEmpty();
        read.Findings.ShouldHaveSingleItem().Path.ShouldBe("FT1[2]-10");
    }

    [Fact]
    public void ORM_O01_maps_one_order_per_ORC()
    {
        var read = ReadSample("fhirconverter_ORM-O01-01.hl7");

        read.MessageType.ShouldBe("ORM^O01");
        read.ControlId.ShouldBe("MSG00018");
        read.Success.ShouldBeTrue();
        var order = read.Facts.ShouldHaveSingleItem().ShouldBeOfType<SupplyOrder>();
        order.OrderControl.ShouldBe("NW");
        order.PlacerOrderNumber.ShouldBe("1101");
        order.FillerOrderNumber.ShouldBe("1201");
        order.ItemCode.ShouldBe("24725-4");
        order.ItemDescription.ShouldBe("CT Head");
        order.Quantity.ShouldBe(12m);
        order.PatientMrn.ShouldBe("PATID1234");
        order.Encounter.ShouldBe("5001");
        order.Facility.ShouldBe("GHHSFacility");
        order.OrderedAt.ShouldBe(new DateTimeOffset(2021, 10, 20, 11, 26, 0, SampleOffset));
    }

    [Fact]
    public void ORM_O01_with_supply_requisitions_and_several_orders()
    {
        var read = Read(
            "MSH|^~\\&|MM|MAIN|HS|MAIN|20240301101500+0100||ORM^O01|C7|P|2.5",
            "PID|1||MRN7",
            "PV1|1|I|OR1||||||||||||||||ENC7",
            "ORC|NW|P-1|F-1||||||20240301100000",
            "RQD|1|SKU-100^Suture kit|VEND-9||3|EA",
            "ORC|CA|P-2",
            "OBR|1|P-2||SKU-200^Gauze||20240302080000");

        read.Success.ShouldBeTrue();
        var orders = read.Facts.Cast<SupplyOrder>().ToList();
        orders.Count.ShouldBe(2);
        orders[0].ShouldBe(new SupplyOrder("P-1", "F-1", "NW", "SKU-100", "Suture kit", 3m, "MRN7", "ENC7", "MAIN",
            new DateTimeOffset(2024, 3, 1, 10, 0, 0, TimeSpan.FromHours(1))));
        orders[1].OrderControl.ShouldBe("CA");
        orders[1].ItemCode.ShouldBe("SKU-200");
        orders[1].Quantity.ShouldBeNull();
        orders[1].OrderedAt.ShouldBe(new DateTimeOffset(2024, 3, 2, 8, 0, 0, TimeSpan.FromHours(1)));
    }

    [Fact]
    public void ORM_O01_without_placer_number_or_ORC_is_rejected()
    {
        var read = Read(
            "MSH|^~\\&|MM|MAIN|HS|MAIN|20240301101500||ORM^O01|C8|P|2.5",
            "PID|1||MRN7",
            "ORC|NW",
            "RQD|1|SKU|||many");

        read.Facts.ShouldBeEmpty();
        read.Findings.Select(f => (f.Path, f.Code)).ShouldBe([("ORC[1]-2", "required"), ("RQD[1]-5", "invalid-number")]);

        Read("MSH|^~\\&|MM|MAIN|HS|MAIN|20240301101500||ORM^O01|C9|P|2.5", "PID|1||MRN7").Findings
            .ShouldHaveSingleItem().Path.ShouldBe("ORC");
    }

    [Fact]
    public void Unparseable_text_gives_the_parser_findings()
    {
        var read = Hl7Inbound.Read("MSH|^~\\&|A|B|C|D|20240301||ADT^A01||P|2.5");

        read.MessageType.ShouldBe("ADT^A01");
        read.ControlId.ShouldBeNull();
        read.Findings.ShouldHaveSingleItem().Path.ShouldBe("MSH-10");

        Hl7Inbound.Read("garbage").Findings.ShouldHaveSingleItem().Code.ShouldBe(FindingCodes.Malformed);
    }
}
