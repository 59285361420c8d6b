using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests.Hl7;

public class Hl7BatchTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 20, 14, 3, 0, TimeSpan.Zero);

    private const string Fhs = "FHS|^~\\&|LAB|NORTH^1.2.3^ISO|HS|MAIN|20261120140000||||FILE-7";
    private const string Bhs = "BHS|^~\\&|LAB|NORTH^1.2.3^ISO|HS|MAIN|20261120140000||||BATCH-42";

    private static string Adt(string controlId, string encounter) =>
        $"MSH|^~\\&|LAB|NORTH|HS|MAIN|20261120140000||ADT^A04|{controlId}|P|2.5\rPID|1||MRN-{encounter}\rPV1|1|O|CLINIC||||||||||||||||{encounter}";

    private static string File(string terminator, params string[] parts) =>
        string.Join(terminator, parts.SelectMany(p => p.Split('\r'))) + terminator;

    [Theory]
    [InlineData("\r")]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public void Well_formed_file_splits_into_messages_with_any_line_ending(string terminator)
    {
        var text = File(terminator, Fhs, Bhs, Adt("M1", "V1"), Adt("M2", "V2"), Adt("M3", "V3"), "BTS|3", "FTS|1");

        Hl7Batch.IsBatch(text).ShouldBeTrue();
        var batch = Hl7Batch.Read(text);

        batch.Findings.ShouldBeEmpty();
        batch.Success.ShouldBeTrue();
        batch.SendingApplication.ShouldBe("LAB");
        batch.SendingFacility.ShouldBe("NORTH");
        batch.BatchControlId.ShouldBe("BATCH-42");
        batch.FileHeader.ShouldNotBeNull().ControlId.ShouldBe("FILE-7");
        batch.FileHeader.DeclaredCount.ShouldBe(1);
        batch.FileHeader.ActualCount.ShouldBe(1);
        var header = batch.Batches.ShouldHaveSingleItem();
        header.DeclaredCount.ShouldBe(3);
        header.ActualCount.ShouldBe(3);

        batch.Messages.Select(m => m.Ordinal).ShouldBe([1, 2, 3]);
        batch.Messages.ShouldAllBe(m => m.Batch == 1 && m.Parsed.Success);
        batch.Messages[1].Text.ShouldBe(Adt("M2", "V2"));
        var visits = batch.Messages.Select(m => Hl7Inbound.Read(m.Parsed.Message!)).ToList();
        visits.Select(v => v.ControlId).ShouldBe(["M1", "M2", "M3"]);
        visits.SelectMany(v => v.Facts).Cast<PatientVisit>().Select(v => v.Encounter).ShouldBe(["V1", "V2", "V3"]);
    }

    [Fact]
    public void BHS_without_FHS_is_a_batch()
    {
        var text = File("\r", Bhs, Adt("M1", "V1"), "BTS|1");

        Hl7Batch.IsBatch(text).ShouldBeTrue();
        var batch = Hl7Batch.Read(text);

        batch.Findings.ShouldBeEmpty();
        batch.FileHeader.ShouldBeNull();
        batch.BatchControlId.ShouldBe("BATCH-42");
        batch.Messages.ShouldHaveSingleItem().Parsed.Success.ShouldBeTrue();
    }

    [Fact]
    public void Several_messages_one_after_another_are_a_batch_without_envelope()
    {
        var text = "\uFEFF" + File("\n", Adt("M1", "V1"), Adt("M2", "V2"));

        Hl7Batch.IsBatch(text).ShouldBeTrue();
        Hl7Batch.IsBatch(Adt("M1", "V1")).ShouldBeFalse();
        var batch = Hl7Batch.Read(text);

        batch.Findings.ShouldBeEmpty();
        batch.FileHeader.ShouldBeNull();
        batch.Batches.ShouldBeEmpty();
        batch.BatchControlId.ShouldBeNull();
        batch.Messages.Count.ShouldBe(2);
        batch.Messages.ShouldAllBe(m => m.Batch == 0 && m.Parsed.Success);
    }

    [Fact]
    public void Count_mismatches_are_findings_but_the_messages_are_kept()
    {
        var text = File("\r\n", Fhs, Bhs, Adt("M1", "V1"), Adt("M2", "V2"), "BTS|3", "FTS|2");

        var batch = Hl7Batch.Read(text);

        batch.Messages.Count.ShouldBe(2);
        batch.Findings.Select(f => (f.Path, f.Code)).ShouldBe([("BTS[1]-1", "invalid-value"), ("FTS-1", "invalid-value")]);
        batch.Findings[0].Message.ShouldBe("BTS-1 says the batch holds 3 messages; it holds 2.");
        batch.Findings[1].Message.ShouldBe("FTS-1 says the file holds 2 batches; it holds 1.");
    }

    [Fact]
    public void Missing_trailers_are_reported()
    {
        var batch = Hl7Batch.Read(File("\r", Fhs, Bhs, Adt("M1", "V1")));

        batch.Messages.ShouldHaveSingleItem().Parsed.Success.ShouldBeTrue();
        batch.Findings.Select(f => (f.Path, f.Code)).ShouldBe([("BTS[1]", "required"), ("FTS", "required")]);

        var noFts = Hl7Batch.Read(File("\r", Fhs, Bhs, Adt("M1", "V1"), "BTS|1"));
        noFts.Findings.ShouldHaveSingleItem().Path.ShouldBe("FTS");
    }

    [Fact]
    public void Two_batches_in_one_file_are_counted_separately()
    {
        var bhs2 = Bhs.Replace("BATCH-42", "BATCH-43", StringComparison.Ordinal);
        var text = File("\r", Fhs, Bhs, Adt("M1", "V1"), "BTS|1", bhs2, Adt("M2", "V2"), Adt("M3", "V3"), "BTS|2", "FTS|2");

        var batch = Hl7Batch.Read(text);

        batch.Findings.ShouldBeEmpty();
        batch.Batches.Select(b => b.ControlId).ShouldBe(["BATCH-42", "BATCH-43"]);
        batch.Messages.Select(m => m.Batch).ShouldBe([1, 2, 2]);
    }

    [Fact]
    public void Text_before_the_first_header_and_stray_trailers_are_findings()
    {
        var batch = Hl7Batch.Read(File("\n", "hello there", Bhs, Adt("M1", "V1"), "BTS|1", "BTS|1", "FTS|1"));

        batch.Messages.Count.ShouldBe(1);
        batch.Findings.Select(f => (f.Path, f.Code)).ShouldBe([
            ("Segment[1]", "malformed"),
            ("Segment[7]", "malformed"),
            ("Segment[8]", "malformed"),
        ]);
        batch.Findings[0].Message.ShouldContain("before the first header");
    }

    [Fact]
    public void A_broken_message_inside_a_batch_keeps_its_parse_errors()
    {
        var broken = "MSH|^~\\&|LAB|NORTH|HS|MAIN|20261120140000||ADT^A04||P|2.5\rPID|1||M";
        var batch = Hl7Batch.Read(File("\r", Bhs, Adt("M1", "V1"), broken, "BTS|2"));

        batch.Findings.ShouldBeEmpty();
        batch.Messages.Count.ShouldBe(2);
        batch.Messages[1].Parsed.Success.ShouldBeFalse();
        batch.Messages[1].Parsed.Errors.ShouldHaveSingleItem().Path.ShouldBe("MSH-10");
    }

    [Fact]
    public void Empty_text_and_non_numeric_counts_are_findings()
    {
        Hl7Batch.Read("  \r\n").Findings.ShouldHaveSingleItem().Code.ShouldBe(FindingCodes.Required);
        Hl7Batch.IsBatch(null).ShouldBeFalse();

        var batch = Hl7Batch.Read(File("\r", Bhs, Adt("M1", "V1"), "BTS|one"));
        batch.Findings.ShouldHaveSingleItem().ShouldBe(new ValidationFinding("BTS[1]-1", "invalid-number", "BTS-1 (batch message count) 'one' is not a whole number."));
    }

    [Fact]
    public void Acknowledgement_batch_wraps_every_ack_and_refers_to_the_original_batch()
    {
        var batch = Hl7Batch.Read(File("\r", Fhs, Bhs, Adt("M1", "V1"), Adt("M2", "V2"), "BTS|2", "FTS|1"));
        var acks = batch.Messages
            .Select((m, i) => Hl7Ack.Build(m.Parsed.Message, AckCode.AA, null, null, Now, $"A{i + 1}"))
            .ToList();

        var reply = Hl7Batch.WriteAcknowledgements(batch, acks, Now, "R-1");

        var lines = reply.Split('\r', StringSplitOptions.RemoveEmptyEntries);
        lines[0].ShouldBe("FHS|^~\\&|HEALTHSYNC|HEALTHSYNC|LAB|NORTH^1.2.3^ISO|20261120140300+0000||||R-1|FILE-7");
        lines[1].ShouldBe("BHS|^~\\&|HEALTHSYNC|HEALTHSYNC|LAB|NORTH^1.2.3^ISO|20261120140300+0000||||R-1|BATCH-42");
        lines[^2].ShouldBe("BTS|2");
        lines[^1].ShouldBe("FTS|1");
        reply.ShouldEndWith("\r");

        // The reply is itself a well-formed batch whose messages are the ACKs.
        var read = Hl7Batch.Read(reply);
        read.Findings.ShouldBeEmpty();
        read.Messages.Count.ShouldBe(2);
        read.Batches.ShouldHaveSingleItem().ReferenceControlId.ShouldBe("BATCH-42");
        read.Messages.Select(m => Hl7Ack.ReadCode(m.Text)).Select(a => (a.Code, a.ControlId)).ShouldBe([(AckCode.AA, "M1"), (AckCode.AA, "M2")]);
    }

    [Fact]
    public void Acknowledgement_batch_reencodes_header_fields_written_with_other_delimiters()
    {
        var text = File("\r", "BHS#*@!%#LAB^X#NORTH*SITE#HS#MAIN#20261120140000####B9", "BTS#0");
        var batch = Hl7Batch.Read(text);
        batch.Findings.ShouldBeEmpty();
        batch.SendingApplication.ShouldBe("LAB^X");

        var reply = Hl7Batch.WriteAcknowledgements(batch, [], Now, "R-2");

        reply.Split('\r')[1].ShouldBe("BHS|^~\\&|HEALTHSYNC|HEALTHSYNC|LAB\\S\\X|NORTH^SITE|20261120140300+0000||||R-2|B9");
        reply.ShouldContain("BTS|0\r");
    }

    [Fact]
    public void Acknowledgement_batch_for_plain_concatenated_messages_has_no_reference()
    {
        var batch = Hl7Batch.Read(File("\n", Adt("M1", "V1"), Adt("M2", "V2")));

        var reply = Hl7Batch.WriteAcknowledgements(batch, ["MSH|^~\\&|HEALTHSYNC|HEALTHSYNC|||20261120140300||ACK|A1|P|2.5\rMSA|AA|M1\r"], Now);

        reply.ShouldStartWith("FHS|^~\\&|HEALTHSYNC|HEALTHSYNC|||20261120140300+0000||||ACK20261120140300000\r");
        reply.ShouldContain("\rMSA|AA|M1\rBTS|1\rFTS|1\r");
    }
}
