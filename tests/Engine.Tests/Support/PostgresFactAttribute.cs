namespace HealthSync.Engine.Tests.Support;

/// <summary>
/// A test that only means something with several processes on one server: skipped, with the reason shown, unless the
/// suite runs on PostgreSQL.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (!TestDatabase.OnPostgres)
            Skip = "Scale-out runs on PostgreSQL only: set HEALTHSYNC_TEST_DATABASE=postgres and HEALTHSYNC_TEST_PG=<connection string> (test.sh does).";
    }
}
