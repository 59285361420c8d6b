using System.Text;
using HealthSync.Adapters.X12;

namespace HealthSync.Adapters.Tests.X12;

public class X12AcknowledgementTests
{
    private static readonly X12AckOptions Options = new(500, new DateTimeOffset(2024, 1, 2, 13, 45, 0, TimeSpan.Zero));

    private static string[] Segments(X12Ack ack) => ack.Text.Split('~', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public void An_accepted_4010_interchange_gets_a_997_with_ak9_a_and_swapped_parties()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(X12ReaderTests.Po("1")));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeTrue();
        ack.InboundInterchangeControl.ShouldBe("000000007");
        Segments(ack).ShouldBe(
        [
            "ISA*00*          *00*          *ZZ*SUPPLIER       *ZZ*HOSPITAL       *240102*1345*U*00401*000000500*0*P*:",
            "GS*FA*SUPPLIER*HOSPITAL*20240102*1345*1*X*004010",
            "ST*997*0001",
            "AK1*PO*7",
            "AK2*850*0001",
            "AK5*A",
            "AK9*A*1*1*1",
            "SE*6*0001",
            "GE*1*1",
            "IEA*1*000000500",
        ]);
        X12Reader.Read(Encoding.ASCII.GetBytes(ack.Text)).Success.ShouldBeTrue();
    }

    [Fact]
    public void An_accepted_5010_interchange_gets_a_999_with_ik5_a()
    {
        var result = X12Reader.Read(Samples.X12Bytes("837P_oopfactory_5010_Example1_HealthInsurance.txt"));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeTrue();
        var segments = Segments(ack);
        segments[0].ShouldContain("*00501*000000500*0*T*:");
        segments.ShouldContain("ST*999*0001*005010X231A1");
        segments.ShouldContain("AK1*HC*1*005010X222");
        segments.ShouldContain("AK2*837*0021*005010X222");
        segments.ShouldContain("IK5*A");
        segments.ShouldContain("AK9*A*1*1*1");
        var reread = X12Reader.Read(Encoding.ASCII.GetBytes(ack.Text));
        reread.Success.ShouldBeTrue();
        reread.Transactions[0].Loops.Children.ShouldHaveSingleItem().Id.ShouldBe("2000");
    }

    [Fact]
    public void A_non_numeric_po1_quantity_is_rejected_with_ak3_and_ak4_in_a_997()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(X12ReaderTests.Po("ABC")));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeFalse();
        Segments(ack).ShouldContain("AK3*PO1*4*PO1*8");
        Segments(ack).ShouldContain("AK4*2**6*ABC");
        Segments(ack).ShouldContain("AK5*R*5");
        Segments(ack).ShouldContain("AK9*R*1*1*0");
    }

    [Fact]
    public void A_non_numeric_po1_quantity_is_rejected_with_ik3_and_ik4_in_a_999()
    {
        var text = X12ReaderTests.Po("ABC").Replace("*00401*", "*00501*", StringComparison.Ordinal).Replace("*X*004010~", "*X*005010~", StringComparison.Ordinal);

        var ack = X12Acknowledgements.Build(X12Reader.Read(Encoding.ASCII.GetBytes(text)), Options).ShouldHaveSingleItem();

        Segments(ack).ShouldContain("IK3*PO1*4*PO1*8");
        Segments(ack).ShouldContain("IK4*2**6*ABC");
        Segments(ack).ShouldContain("IK5*R*5");
        Segments(ack).ShouldContain("AK9*R*1*1*0");
    }

    [Fact]
    public void A_transaction_set_control_number_mismatch_is_rejected_with_code_3()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(X12ReaderTests.Po("1", seControl: "0002")));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeFalse();
        Segments(ack).ShouldContain("AK5*R*3");
        Segments(ack).ShouldContain("AK9*R*1*1*0");
    }

    [Fact]
    public void A_group_control_number_mismatch_is_rejected_with_ak9_code_4()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(X12ReaderTests.Po("1", geControl: "8")));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeFalse();
        Segments(ack).ShouldContain("AK5*A");
        Segments(ack).ShouldContain("AK9*R*1*1*1*4");
    }

    [Fact]
    public void A_wrong_set_count_in_ge_is_rejected_with_ak9_code_5_and_a_wrong_segment_count_with_ak5_code_4()
    {
        var result = X12Reader.Read(Encoding.ASCII.GetBytes(X12ReaderTests.Po("1", seCount: 5, geCount: 3)));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        Segments(ack).ShouldContain("AK5*R*4");
        Segments(ack).ShouldContain("AK9*R*3*1*0*5");
    }

    [Fact]
    public void One_acknowledgement_per_inbound_interchange_with_counting_control_numbers()
    {
        var result = X12Reader.Read(Samples.X12Bytes("835_oopfactory_5010_ExampleFromNth.txt"));

        var acks = X12Acknowledgements.Build(result, Options);

        acks.Count.ShouldBe(3);
        acks.Select(a => a.InterchangeControl).ShouldBe(["000000500", "000000501", "000000502"]);
        acks.ShouldAllBe(a => a.Accepted && a.Text.Contains("ST*999*"));
    }

    [Fact]
    public void The_4010_835_mislabelled_5010_in_gs08_gets_a_997()
    {
        var result = X12Reader.Read(Samples.X12Bytes("835_oopfactory_4010_Example1.txt"));

        X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem().Text.ShouldContain("ST*997*0001");
    }

    [Fact]
    public void A_truncated_interchange_is_acknowledged_as_rejected()
    {
        var result = X12Reader.Read(Samples.X12Bytes("837P_oopfactory_5010_UnicodeExample.txt"));

        var ack = X12Acknowledgements.Build(result, Options).ShouldHaveSingleItem();

        ack.Accepted.ShouldBeFalse();
        Segments(ack).ShouldContain("IK5*R*2");
        Segments(ack).ShouldContain("AK9*R*1*1*0*3");
    }

    [Fact]
    public void Input_without_a_readable_isa_has_nothing_to_acknowledge()
    {
        X12Acknowledgements.Build(X12Reader.Read(Encoding.ASCII.GetBytes("hello")), Options).ShouldBeEmpty();
    }
}
