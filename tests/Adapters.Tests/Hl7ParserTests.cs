using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests;

public class Hl7ParserTests
{
    private const string Dft1 = "fhirconverter_DFT-P03-01.hl7";

    public static TheoryData<string> SampleFiles()
    {
        var data = new TheoryData<string>();
        foreach (var name in Samples.Hl7FileNames())
        {
            data.Add(name);
        }

        return data;
    }

    [Fact]
    public void The_shared_folder_holds_the_thirteen_hl7_samples()
    {
        Samples.Hl7FileNames().Count().ShouldBe(13);
    }

    [Theory]
    [MemberData(nameof(SampleFiles))]
    public void Parses_every_sample_message_in_the_shared_folder(string fileName)
    {
        var text = Samples.Hl7(fileName);

        var result = Hl7Parser.Parse(text);

        result.Errors.ShouldBeEmpty();
        result.Success.ShouldBeTrue();
        var message = result.Message.ShouldNotBeNull();
        var lines = text.TrimStart('\uFEFF').Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries);
        message.Segments.Count.ShouldBe(lines.Length);
        message.Segments[0].Id.ShouldBe("MSH");
        message.MessageType.ShouldNotBeNullOrWhiteSpace();
        message.ControlId.ShouldNotBeNullOrWhiteSpace();
        message.Version.ShouldStartWith("2.");
        Hl7Serializer.Serialize(message).ShouldBe(string.Join('\r', lines));
    }

    [Fact]
    public void Reads_the_header_fields_of_the_DFT_sample()
    {
        var message = Hl7Parser.Parse(Samples.Hl7(Dft1)).Message.ShouldNotBeNull();

        message.MessageType.ShouldBe("DFT");
        message.TriggerEvent.ShouldBe("P03");
        message.MessageStructure.ShouldBe("DFT_P03");
        message.ControlId.ShouldBe("MSG00001");
        message.ProcessingId.ShouldBe("P");
        message.Version.ShouldBe("2.8");
        message.SendingApplication.ShouldBe("IMMAPP");
        message.SendingFacility.ShouldBe("GHHSFacility");
        message.ReceivingApplication.ShouldBe("EHRApp");
        message.ReceivingFacility.ShouldBe("GHHRFacility");
        message.Msh.Value(1).ShouldBe("|");
        message.Msh.Value(2).ShouldBe("^~\\&");
        message.Msh.Value(4, 2).ShouldBe("2.16.840.1.122848.1.30");
        message.Delimiters.ShouldBe(Hl7Delimiters.Default);
        message.SegmentsNamed("FT1").Count().ShouldBe(2);
        message.Segment("ZZZ").ShouldBeNull();
    }

    [Fact]
    public void Reads_the_v23_sample_with_trailing_spaces_and_a_BOM()
    {
        var bytes = Samples.Hl7Bytes("fhirconverter_ADT01-23.hl7");
        bytes[..3].ShouldBe(new byte[] { 0xEF, 0xBB, 0xBF });

        var message = Hl7Parser.Parse(Samples.Hl7("fhirconverter_ADT01-23.hl7")).Message.ShouldNotBeNull();

        message.Version.ShouldBe("2.3");
        message.ControlId.ShouldBe("599102");
        message.Segment("PID")!.Value(3).ShouldBe("10006579");
        message.SegmentsNamed("IN1").Count().ShouldBe(3);
    }

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Accepts_every_segment_terminator(string terminator)
    {
        var text = string.Join(terminator, "MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5", "PID|1||123", "PV1|1|I") + terminator;

        var message = Hl7Parser.Parse(text).Message.ShouldNotBeNull();

        message.Segments.Select(s => s.Id).ShouldBe(["MSH", "PID", "PV1"]);
        message.Segment("PID")!.Value(3).ShouldBe("123");
        message.Segment("PV1")!.Value(2).ShouldBe("I");
    }

    [Fact]
    public void Accepts_mixed_terminators_blank_lines_and_leading_whitespace()
    {
        var text = "\uFEFF \r\n MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\r\n\r\nPID|1||123\n\rPV1|1|I\r";

        var message = Hl7Parser.Parse(text).Message.ShouldNotBeNull();

        message.Segments.Count.ShouldBe(3);
    }

    [Fact]
    public void Uses_custom_delimiters_declared_in_MSH()
    {
        const string text = "MSH#@*$%#APP@X#FAC#RCV#RFAC#20240101##DFT@P03#C1#P#2.5\r"
            + "PID#1##111@@@@MR*222@@@@SS##DOE@JOHN\r"
            + "NTE#1##pipe|caret^ and $F$$S$$R$$T$$E$ escaped";

        var message = Hl7Parser.Parse(text).Message.ShouldNotBeNull();

        message.Delimiters.ShouldBe(new Hl7Delimiters('#', '@', '*', '$', '%'));
        message.Msh.Value(1).ShouldBe("#");
        message.Msh.Value(2).ShouldBe("@*$%");
        message.SendingApplication.ShouldBe("APP");
        message.Msh.Value(3, 2).ShouldBe("X");
        message.TriggerEvent.ShouldBe("P03");
        var pid = message.Segment("PID")!;
        pid.RepetitionCount(3).ShouldBe(2);
        pid.Value(3, 5, repetition: 2).ShouldBe("SS");
        pid.Value(5, 2).ShouldBe("JOHN");
        message.Segment("NTE")!.Value(3).ShouldBe("pipe|caret^ and #@*%$ escaped");
        Hl7Serializer.Serialize(message).ShouldBe(text);
    }

    [Fact]
    public void Decodes_escape_sequences_and_keeps_unknown_ones_verbatim()
    {
        var message = Parse("NTE|1||A\\T\\E \\F\\ \\S\\ \\R\\ \\E\\ \\X41C3A9\\ line1\\.br\\line2 \\H\\bold\\N\\ C:\\path");
        var nte = message.Segment("NTE")!;

        nte.Value(3).ShouldBe("A&E | ^ ~ \\ Aé line1\nline2 \\H\\bold\\N\\ C:\\path");
        nte.RawField(3).ShouldStartWith("A\\T\\E");
    }

    [Fact]
    public void Decodes_the_escaped_ampersand_in_the_samples()
    {
        var pv1 = Hl7Parser.Parse(Samples.Hl7(Dft1)).Message!.Segment("PV1")!;

        pv1.Value(14).ShouldBe("NHS Provider-General (inc.A&E-this Hosp)");
    }

    [Fact]
    public void Distinguishes_an_empty_field_from_the_HL7_null()
    {
        var pid = Parse("PID|1||\"\"|^^|X^\"\"").Segment("PID")!;

        pid.Value(2).ShouldBeNull();
        pid.IsNull(2).ShouldBeFalse();
        pid.Value(3).ShouldBe(Hl7Segment.NullValue);
        pid.IsNull(3).ShouldBeTrue();
        pid.RepetitionCount(2).ShouldBe(0);
        pid.RepetitionCount(3).ShouldBe(1);
        pid.Value(4).ShouldBeNull();
        pid.Value(5, 2).ShouldBe("\"\"");
        pid.IsNull(5).ShouldBeFalse();
        pid.Value(40).ShouldBeNull();
        pid.RawField(40).ShouldBe(string.Empty);
        pid.FieldCount.ShouldBe(5);
    }

    [Fact]
    public void Reads_repetitions_components_and_subcomponents()
    {
        var pid = Hl7Parser.Parse(Samples.Hl7(Dft1)).Message!.Segment("PID")!;

        pid.RepetitionCount(3).ShouldBe(2);
        pid.Value(3).ShouldBe("PATID1234");
        pid.Value(3, 4).ShouldBe("test1");
        pid.Value(3, 4, 2).ShouldBe("2.16.1");
        pid.Value(3, 4, 3).ShouldBe("HCD");
        pid.Value(3, 4, 4).ShouldBeNull();
        pid.Value(3, 1, 1, 2).ShouldBe("123456789");
        pid.Value(3, 4, 1, 2).ShouldBe("USSSA");
        pid.Value(3, 1, 1, 3).ShouldBeNull();
        pid.ComponentCount(3).ShouldBe(6);
        pid.Value(18).ShouldBe("4000776");
    }

    [Fact]
    public void Keeps_Z_segments_in_order()
    {
        var message = Parse("ZPI|1|custom^data", "PID|1||42", "ZX9|last");

        message.Segments.Select(s => s.Id).ShouldBe(["MSH", "ZPI", "PID", "ZX9"]);
        message.Segment("ZPI")!.Value(2, 2).ShouldBe("data");
        Hl7Serializer.Serialize(message).ShouldContain("\rZPI|1|custom^data\r");
    }

    [Fact]
    public void Tolerates_the_v27_truncation_character()
    {
        var result = Hl7Parser.Parse("MSH|^~\\&#|A|B|C|D|20240101||ADT^A01|X1|P|2.7\rNTE|1||cut\\P\\here");

        var message = result.Message.ShouldNotBeNull();
        message.Delimiters.Truncation.ShouldBe('#');
        message.Msh.Value(2).ShouldBe("^~\\&#");
        message.Version.ShouldBe("2.7");
        message.Segment("NTE")!.Value(3).ShouldBe("cut#here");
    }

    [Fact]
    public void Works_without_escape_and_subcomponent_characters()
    {
        var message = Hl7Parser.Parse("MSH|^~|A|B|C|D|20240101||ADT^A01|X1|P|2.3\rNTE|1||a\\b&c^d").Message.ShouldNotBeNull();

        message.Delimiters.Escape.ShouldBeNull();
        message.Delimiters.Subcomponent.ShouldBeNull();
        message.Segment("NTE")!.Value(3).ShouldBe("a\\b&c");
        message.Segment("NTE")!.Value(3, 1, 2).ShouldBeNull();
    }

    [Theory]
    [InlineData("", "MSH", "required")]
    [InlineData("   \r\n ", "MSH", "required")]
    [InlineData("\uFEFF", "MSH", "required")]
    [InlineData("PID|1||123", "MSH", "malformed")]
    [InlineData("FHS|^~\\&\rMSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5", "MSH", "malformed")]
    [InlineData("MSH", "MSH-1", "malformed")]
    [InlineData("MSH\rPID|1", "MSH-1", "malformed")]
    [InlineData("MSHA^~\\&A", "MSH-1", "malformed")]
    [InlineData("MSH|^|A|B|C|D|20240101||ADT^A01|X1|P|2.5", "MSH-2", "malformed")]
    [InlineData("MSH|^^\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5", "MSH-2", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D", "MSH", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P", "MSH", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101|||X1|P|2.5", "MSH-9", "required")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||^A01|X1|P|2.5", "MSH-9", "required")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01||P|2.5", "MSH-10", "required")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|", "MSH-12", "required")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rpid|1", "Segment[2]", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rPID|1\rPIDX|1", "Segment[3]", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rP-D|1", "Segment[2]", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\r PID|1", "Segment[2]", "malformed")]
    [InlineData("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rMSH|^~\\&|A|B|C|D|20240101||ADT^A01|X2|P|2.5", "Segment[2]", "malformed")]
    public void Rejects_malformed_text_with_a_specific_finding(string text, string path, string code)
    {
        var result = Hl7Parser.Parse(text);

        result.Success.ShouldBeFalse();
        result.Message.ShouldBeNull();
        result.Errors.ShouldNotBeEmpty();
        result.Errors[0].Path.ShouldBe(path);
        result.Errors[0].Code.ShouldBe(code);
        result.Errors[0].Message.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Reports_every_missing_required_header_field()
    {
        var result = Hl7Parser.Parse("MSH|^~\\&|A|B|C|D|20240101||||P|");

        result.Errors.Select(e => e.Path).ShouldBe(["MSH-9", "MSH-10", "MSH-12"]);
        result.Errors.ShouldAllBe(e => e.Code == FindingCodes.Required);
    }

    [Fact]
    public void Keeps_the_header_of_a_message_whose_body_is_broken()
    {
        var result = Hl7Parser.Parse("MSH|^~\\&|LAB|NORTH|C|D|20240101||ORU^R01|CTRL9|T|2.4\rOBX|1\r???|garbage");

        result.Success.ShouldBeFalse();
        var header = result.Header.ShouldNotBeNull();
        header.ControlId.ShouldBe("CTRL9");
        header.SendingApplication.ShouldBe("LAB");
        header.Segments.Count.ShouldBe(1);
    }

    [Fact]
    public void Caps_findings_for_binary_garbage_after_a_valid_header()
    {
        var garbage = string.Join('\r', Enumerable.Range(0, 500).Select(i => $"x{i}"));

        var result = Hl7Parser.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\r" + garbage);

        result.Success.ShouldBeFalse();
        result.Errors.Count.ShouldBeLessThanOrEqualTo(25);
    }

    [Fact]
    public void Rejects_non_HL7_text_without_throwing()
    {
        var result = Hl7Parser.Parse("{\"resourceType\":\"ChargeItem\"}");

        result.Success.ShouldBeFalse();
        result.Header.ShouldBeNull();
        result.Errors.ShouldHaveSingleItem().Message.ShouldContain("{\"resourceType\"");
    }

    [Fact]
    public void Parses_HL7_timestamps_of_every_precision()
    {
        Hl7DateTime.TryParse("2019", out var year).ShouldBeTrue();
        year.ShouldBe(new DateTimeOffset(2019, 1, 1, 0, 0, 0, TimeSpan.Zero));
        Hl7DateTime.TryParse("20191122", out var day).ShouldBeTrue();
        day.ShouldBe(new DateTimeOffset(2019, 11, 22, 0, 0, 0, TimeSpan.Zero));
        Hl7DateTime.TryParse("202108181126+0215", out var minute).ShouldBeTrue();
        minute.ShouldBe(new DateTimeOffset(2021, 8, 18, 11, 26, 0, new TimeSpan(2, 15, 0)));
        Hl7DateTime.TryParse("20210817151943.4+0200", out var fraction).ShouldBeTrue();
        fraction.ShouldBe(new DateTimeOffset(2021, 8, 17, 15, 19, 43, 400, TimeSpan.FromHours(2)));
        Hl7DateTime.TryParse("20240229120000-0500", out var leap).ShouldBeTrue();
        leap.Offset.ShouldBe(TimeSpan.FromHours(-5));
        Hl7DateTime.TryParse("20191122", TimeSpan.FromHours(3), out var assumed).ShouldBeTrue();
        assumed.Offset.ShouldBe(TimeSpan.FromHours(3));

        foreach (var bad in new[] { "", "19", "20191", "20231301", "20230230", "2019112225", "20191122+2500", "20191122.5", "2019-11-22", "00000101" })
        {
            Hl7DateTime.TryParse(bad, out _).ShouldBeFalse(bad);
        }

        Hl7DateTime.Format(new DateTimeOffset(2024, 3, 5, 14, 30, 15, TimeSpan.FromMinutes(-210))).ShouldBe("20240305143015-0330");
        Hl7DateTime.Format(new DateTimeOffset(2024, 3, 5, 14, 30, 15, TimeSpan.Zero), includeOffset: false).ShouldBe("20240305143015");
    }

    private static Hl7Message Parse(params string[] segments)
    {
        var result = Hl7Parser.Parse(string.Join('\r', segments.Prepend("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5")));
        result.Errors.ShouldBeEmpty();
        return result.Message!;
    }
}
