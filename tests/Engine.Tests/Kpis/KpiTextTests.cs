using HealthSync.Portal.Kpis;
using Shouldly;

namespace HealthSync.Engine.Tests.Kpis;

public sealed class KpiTextTests
{
    [Theory]
    [InlineData(null, "no data")]
    [InlineData(0.0002, "0.7 s")]
    [InlineData(0.25, "15.0 min")]
    [InlineData(1.5, "1.5 h")]
    [InlineData(48.0, "48 h")]
    public void Durations_in_hours_read_in_the_unit_that_shows_them(double? hours, string text) => KpiText.Hours(hours).ShouldBe(text);
}
