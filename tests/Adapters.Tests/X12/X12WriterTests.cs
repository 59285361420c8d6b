using System.Text;
using HealthSync.Adapters.Canonical;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

public class X12WriterTests
{
    // Control characters are legal X12 delimiters and never occur in the samples' data.
    private static readonly X12Delimiters ControlCharacters = new('\u001D', '\u001F', '\u001C', '\u001E');

    public static TheoryData<string> AcceptedFiles() =>
        [.. Samples.X12FileNames().Where(f => X12Reader.Read(Samples.X12Bytes(f)).Success)];

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Every_accepted_sample_round_trips_to_the_same_facts_with_its_own_delimiters(string fileName)
    {
        var first = X12Reader.Read(Samples.X12Bytes(fileName));

        var written = string.Concat(first.Interchanges.Select(i => X12Writer.Serialize(i, lineBreaks: true)));
        var second = X12Reader.Read(Encoding.UTF8.GetBytes(written));

        second.Success.ShouldBeTrue();
        X12TestJson.FactsOf(second).ShouldBe(X12TestJson.FactsOf(first));
    }

    [Theory]
    [MemberData(nameof(AcceptedFiles))]
    public void Every_accepted_sample_round_trips_to_the_same_facts_with_other_delimiters(string fileName)
    {
        var first = X12Reader.Read(Samples.X12Bytes(fileName));

        var written = string.Concat(first.Interchanges.Select(i => X12Writer.Serialize(i, ControlCharacters)));
        var second = X12Reader.Read(Encoding.UTF8.GetBytes(written));

        second.Success.ShouldBeTrue();
        second.Interchanges[0].Delimiters.Element.ShouldBe('\u001D');
        X12TestJson.FactsOf(second).ShouldBe(X12TestJson.FactsOf(first));
    }

    [Fact]
    public void A_file_with_unusual_delimiters_can_be_written_with_the_standard_ones()
    {
        var first = X12Reader.Read(Samples.X12Bytes("856_oopfactory_Example1.txt"));

        var written = X12Writer.Serialize(first.Interchanges[0], X12Delimiters.Default, lineBreaks: true);

        written.ShouldStartWith("ISA*00*");
        written.ShouldContain("~\nLIN*001*CB*1234-123456~\n");
        X12TestJson.FactsOf(X12Reader.Read(Encoding.UTF8.GetBytes(written))).ShouldBe(X12TestJson.FactsOf(first));
    }

    [Fact]
    public void Writing_a_value_that_contains_an_output_delimiter_is_refused()
    {
        var first = X12Reader.Read(Samples.X12Bytes("837I_oopfactory_5010_Spec_3.1.1.txt"));

        // "BK:3669" is plain data in this file (its component separator is "^"), so ":" cannot be a delimiter.
        Should.Throw<ArgumentException>(() => X12Writer.Serialize(first.Interchanges[0], X12Delimiters.Default));
    }

    [Theory]
    [InlineData("005010", "00501")]
    [InlineData("004010", "00401")]
    public void The_850_writer_output_reads_back_to_the_same_purchase_order(string version, string isa12)
    {
        var po = new PurchaseOrder("PO-2024-0042", new DateOnly(2024, 3, 5), "00",
            new Party("HOSP1", "General Hospital", "92"), new Party("V-77", "Medline", "91"), new Party("DOCK-3", "Main Dock", "92"), "USD",
            [
                new ItemLine("1", "SKU-100", "VP-9", "00812345678906", "Gauze pad 4x4 sterile", 10m, "BX", 12.5m),
                new ItemLine("2", "SKU-200", null, "012345678905", null, 2.5m, "EA", 99.99m),
                new ItemLine("3", null, "VP-3", null, "Suture kit", 1m, "CS", null),
            ]);
        var envelope = new X12Envelope("ZZ", "HEALTHSYNC", "ZZ", "MEDLINE", 42, 7, new DateTimeOffset(2024, 3, 5, 14, 30, 0, TimeSpan.Zero), version);

        var text = PurchaseOrder850Writer.Write(po, envelope);
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(text));

        result.Findings.ShouldBeEmpty();
        result.Success.ShouldBeTrue();
        text.IndexOf("~GS", StringComparison.Ordinal).ShouldBe(105);
        result.Interchanges[0].Version.ShouldBe(isa12);
        result.Interchanges[0].ControlNumber.ShouldBe("000000042");
        result.Transactions[0].Version.ShouldBe(version);
        CanonicalJson.Serialize(result.Facts.ShouldHaveSingleItem()).ShouldBe(CanonicalJson.Serialize(po));
        text.ShouldContain("~CTT*3*13.5~SE*13*0001~GE*1*7~IEA*1*000000042~");
    }

    [Fact]
    public void The_850_writer_refuses_values_containing_delimiters()
    {
        var po = new PurchaseOrder("PO*1", null, null, null, null, null, null, []);

        Should.Throw<ArgumentException>(() => PurchaseOrder850Writer.Write(po, new X12Envelope("ZZ", "A", "ZZ", "B", 1, 1, DateTimeOffset.UnixEpoch)));
    }
}
