using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests;

public class Hl7AckTests
{
    private static readonly DateTimeOffset Now = new(2024, 3, 5, 14, 30, 15, TimeSpan.FromHours(1));

    private static Hl7Message Dft() => Hl7Parser.Parse(Samples.Hl7("fhirconverter_DFT-P03-01.hl7")).Message!;

    [Fact]
    public void Builds_an_AA_that_echoes_the_control_id_and_addresses_the_sender()
    {
        var ack = Hl7Ack.Build(Dft(), AckCode.AA, "Accepted", null, Now, "HS0001");

        ack.ShouldBe(
            "MSH|^~\\&|HEALTHSYNC|HEALTHSYNC|IMMAPP|GHHSFacility^2.16.840.1.122848.1.30^ISO|20240305143015||ACK^P03^ACK|HS0001|P|2.8\r"
            + "MSA|AA|MSG00001|Accepted");
        Hl7Ack.ReadCode(ack).ShouldBe((AckCode.AA, "MSG00001", "Accepted"));
    }

    [Fact]
    public void Builds_an_AE_with_an_ERR_segment_locating_the_field()
    {
        var error = new ValidationFinding("FT1[2]-10", FindingCodes.InvalidNumber, "FT1-10 (quantity) 'two' is not a number.");

        var ack = Hl7Ack.Build(Dft(), AckCode.AE, "Rejected", error, Now, "HS0002");

        var segments = ack.Split('\r');
        segments.Length.ShouldBe(3);
        segments[1].ShouldBe("MSA|AE|MSG00001|Rejected");
        segments[2].ShouldBe("ERR||FT1^2^10|102^Data type error^HL70357|E|||invalid-number at FT1[2]-10|FT1-10 (quantity) 'two' is not a number.");
        var parsed = Hl7Parser.Parse(ack).Message.ShouldNotBeNull();
        parsed.Segment("ERR")!.Value(4).ShouldBe("E");
        Hl7Ack.ReadCode(ack).ShouldBe((AckCode.AE, "MSG00001", "FT1-10 (quantity) 'two' is not a number."));
    }

    [Fact]
    public void Builds_an_AR_with_an_empty_MSA_2_when_the_original_could_not_be_parsed()
    {
        var parse = Hl7Parser.Parse("garbage");

        var ack = Hl7Ack.Build(null, AckCode.AR, "Unreadable", parse.Errors[0], Now, "HS0003");

        var segments = ack.Split('\r');
        segments[0].ShouldBe("MSH|^~\\&|HEALTHSYNC|HEALTHSYNC|||20240305143015||ACK|HS0003|P|2.5");
        segments[1].ShouldBe("MSA|AR||Unreadable");
        segments[2].ShouldStartWith("ERR||MSH^1|102^Data type error^HL70357|E|");
        var (code, controlId, errorText) = Hl7Ack.ReadCode(ack);
        code.ShouldBe(AckCode.AR);
        controlId.ShouldBeNull();
        errorText.ShouldBe(parse.Errors[0].Message);
    }

    [Theory]
    [InlineData("required", "101")]
    [InlineData("invalid-number", "102")]
    [InlineData("invalid-date", "102")]
    [InlineData("invalid-value", "103")]
    [InlineData("unsupported", "200")]
    [InlineData("invalid-anything", "102")]
    [InlineData("205", "205")]
    [InlineData("103", "103")]
    [InlineData("999", "207")]
    [InlineData("something-else", "207")]
    public void Maps_finding_codes_to_HL7_table_0357(string findingCode, string hl7Code)
    {
        var ack = Hl7Ack.Build(Dft(), AckCode.AE, null, new ValidationFinding("Segment[4]", findingCode, "x"), Now, "1");

        var err = Hl7Parser.Parse(ack).Message!.Segment("ERR")!;
        err.Value(3).ShouldBe(hl7Code);
        err.Value(3, 3).ShouldBe("HL70357");
        err.Value(2).ShouldBeNull();
        err.Value(7).ShouldBe($"{findingCode} at Segment[4]");
    }

    [Fact]
    public void Echoes_test_processing_id_and_re_encodes_custom_delimiters()
    {
        var original = Hl7Parser.Parse("MSH#@*$%#LAB@1&2$T$3#NORTH#C#D#20240101##ORU@R01#CTRL7#T#2.4").Message!;

        var ack = Hl7Ack.Build(original, AckCode.AA, "a|b", null, Now, "HS0004");

        ack.ShouldStartWith("MSH|^~\\&|HEALTHSYNC|HEALTHSYNC|LAB^1\\T\\2%3|NORTH|20240305143015||ACK^R01^ACK|HS0004|T|2.4\r");
        ack.ShouldEndWith("MSA|AA|CTRL7|a\\F\\b");
        Hl7Ack.ReadCode(ack).ShouldBe((AckCode.AA, "CTRL7", "a|b"));
    }

    [Fact]
    public void Reads_enhanced_mode_codes_and_refuses_non_acks()
    {
        Hl7Ack.ReadCode("MSH|^~\\&|A|B|C|D|20240101||ACK|1|P|2.5\rMSA|CA|X9").ShouldBe((AckCode.AA, "X9", null));
        Hl7Ack.ReadCode("MSH|^~\\&|A|B|C|D|20240101||ACK|1|P|2.5\rMSA|CR|X9|busy").Code.ShouldBe(AckCode.AR);
        Hl7Ack.TryReadCode("MSH|^~\\&|A|B|C|D|20240101||ACK|1|P|2.5\rMSA|ZZ|X9", out _).ShouldBeFalse();
        Hl7Ack.TryReadCode("not hl7", out _).ShouldBeFalse();
        Should.Throw<FormatException>(() => Hl7Ack.ReadCode("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|1|P|2.5"));
    }
}
