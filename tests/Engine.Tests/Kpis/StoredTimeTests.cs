using HealthSync.Engine.Persistence;

namespace HealthSync.Engine.Tests.Kpis;

/// <summary>
/// Stored times read alike whichever provider returned them: SQLite's text (whole, or the hour or day prefix a bucket is
/// named by) and PostgreSQL's DateTime, so the KPI readers never ask which database answered.
/// </summary>
public class StoredTimeTests
{
    private static readonly DateTime At = new(2026, 3, 10, 12, 34, 56, 789, DateTimeKind.Utc);

    [Fact]
    public void Sqlite_text_reads_back_as_the_same_utc_time()
    {
        var read = StoredTime.Read(StoredTime.Text(At));
        read.ShouldBe(At);
        read.Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public void Hour_and_day_prefixes_read_as_the_bucket_start()
    {
        StoredTime.Read(StoredTime.Text(At)[..13]).ShouldBe(new DateTime(2026, 3, 10, 12, 0, 0, DateTimeKind.Utc));
        StoredTime.Read(StoredTime.Text(At)[..10]).ShouldBe(new DateTime(2026, 3, 10, 0, 0, 0, DateTimeKind.Utc));
    }

    [Fact]
    public void A_datetime_from_npgsql_is_kept_and_marked_utc()
    {
        StoredTime.Read(At).ShouldBe(At);
        StoredTime.Read(DateTime.SpecifyKind(At, DateTimeKind.Unspecified)).Kind.ShouldBe(DateTimeKind.Utc);
    }

    [Fact]
    public void Time_parameters_are_text_on_sqlite_and_utc_datetimes_on_postgres()
    {
        SqlDialect.Sqlite.Time(At).ShouldBe(StoredTime.Text(At));
        SqlDialect.Postgres.Time(At).ShouldBeOfType<DateTime>().Kind.ShouldBe(DateTimeKind.Utc);
    }
}
