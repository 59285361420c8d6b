using HealthSync.Adapters.Hl7;

namespace HealthSync.Adapters.Tests;

public class Hl7BuilderTests
{
    [Fact]
    public void Escapes_delimiters_and_line_breaks_so_values_round_trip()
    {
        const string tricky = "a|b^c~d\\e&f\r\ng\nh";
        var b = new Hl7MessageBuilder();
        b.Segment("MSH", "APP", "FAC").SetComponents(9, "ADT", "A08").Set(10, "1").Set(11, "P").Set(12, "2.5");
        b.Segment("NTE", "1", null, tricky);

        var text = b.Serialize();

        text.ShouldContain("NTE|1||a\\F\\b\\S\\c\\R\\d\\E\\e\\T\\f\\X0D\\\\.br\\g\\.br\\h");
        text.Split('\r').Length.ShouldBe(2);
        var parsed = Hl7Parser.Parse(text).Message.ShouldNotBeNull();
        parsed.Segment("NTE")!.Value(3).ShouldBe(tricky);
    }

    [Fact]
    public void Round_trips_values_under_custom_delimiters()
    {
        var delimiters = new Hl7Delimiters('!', '%', '+', '?', ':');
        var b = new Hl7MessageBuilder(delimiters);
        b.Segment("MSH", "APP").SetComponents(9, "ADT", "A01").Set(10, "1").Set(11, "P").Set(12, "2.5");
        b.Segment("NTE", "1", null, "100% of 1+1! ok? a:b");

        var text = b.Serialize();

        text.ShouldStartWith("MSH!%+?:!APP!");
        Hl7Parser.Parse(text).Message!.Segment("NTE")!.Value(3).ShouldBe("100% of 1+1! ok? a:b");
    }

    [Fact]
    public void Sets_components_and_subcomponents_without_disturbing_neighbours()
    {
        var b = new Hl7MessageBuilder();
        b.Segment("MSH", "APP").SetComponents(9, "ADT", "A01").Set(10, "1").Set(11, "P").Set(12, "2.5");
        var pid = b.Segment("PID");
        pid.Set(3, 1, "123").Set(3, 5, "MR").Set(3, 4, 2, "1.2.3").Set(3, 4, 1, "HOSP");
        pid.SetRepetitions(11, "home", "work");
        pid.SetNull(8);
        pid.SetComponents(5, "DOE", "JANE", null, null);

        var segment = b.Build().Segment("PID")!;

        segment.RawField(3).ShouldBe("123^^^HOSP&1.2.3^MR");
        segment.RawField(5).ShouldBe("DOE^JANE");
        segment.IsNull(8).ShouldBeTrue();
        segment.RepetitionCount(11).ShouldBe(2);
        segment.ToString().ShouldBe("PID|||123^^^HOSP&1.2.3^MR||DOE^JANE|||\"\"|||home~work");
    }

    [Fact]
    public void Serializes_with_carriage_returns_between_segments_and_optionally_after_the_last()
    {
        var message = Hl7Parser.Parse("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\nPID|1\nZZ1|z").Message!;

        Hl7Serializer.Serialize(message).ShouldBe("MSH|^~\\&|A|B|C|D|20240101||ADT^A01|X1|P|2.5\rPID|1\rZZ1|z");
        Hl7Serializer.Serialize(message, trailingTerminator: true).ShouldEndWith("ZZ1|z\r");
        message.ToString().ShouldBe(Hl7Serializer.Serialize(message));
    }

    [Fact]
    public void Refuses_structural_mistakes()
    {
        var b = new Hl7MessageBuilder();
        Should.Throw<InvalidOperationException>(() => b.Segment("PID"));
        Should.Throw<ArgumentException>(() => b.Segment("msh"));
        var msh = b.Segment("MSH");
        Should.Throw<ArgumentOutOfRangeException>(() => msh.Set(2, "x"));
        Should.Throw<ArgumentException>(() => msh.SetRaw(3, "a|b"));
        Should.Throw<InvalidOperationException>(() => b.Segment("MSH"));
        Should.Throw<ArgumentException>(() => new Hl7Delimiters('|', '^', '^', '\\', '&'));
        Should.Throw<ArgumentException>(() => new Hl7Delimiters('|', '^', '~', null, '&'));
    }
}
