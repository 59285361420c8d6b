using System.Globalization;

namespace HealthSync.Engine.Persistence;

/// <summary>
/// Timestamps as hand-written SQL sees them. SQLite keeps them as the ordered text EF Core writes, PostgreSQL as
/// <c>timestamp with time zone</c>, which Npgsql reads back as a UTC <see cref="DateTime"/>. Reading accepts either,
/// so a reader does not need to know the provider.
/// </summary>
public static class StoredTime
{
    /// <summary>The text form EF Core stores DateTime in on SQLite; ordered text, so ranges compare as times.</summary>
    private const string SqliteText = "yyyy-MM-dd HH:mm:ss.FFFFFFF";

    private const DateTimeStyles Utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal;

    /// <summary>A time in SQLite's stored text form.</summary>
    public static string Text(DateTime utc) => utc.ToString(SqliteText, CultureInfo.InvariantCulture);

    /// <summary>
    /// A stored time or bucket start (see <see cref="SqlDialect.Truncate"/>) as UTC: a DateTime as is, SQLite text in
    /// full or as its hour (<c>yyyy-MM-dd HH</c>) or day (<c>yyyy-MM-dd</c>) prefix.
    /// </summary>
    public static DateTime Read(object value) => value switch
    {
        DateTime t => t.Kind == DateTimeKind.Utc ? t : DateTime.SpecifyKind(t, DateTimeKind.Utc),
        DateTimeOffset o => o.UtcDateTime,
        string { Length: 13 } hour => DateTime.ParseExact(hour, "yyyy-MM-dd HH", CultureInfo.InvariantCulture, Utc),
        string { Length: 10 } day => DateTime.ParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, Utc),
        string text => DateTime.Parse(text, CultureInfo.InvariantCulture, Utc),
        _ => throw new InvalidCastException($"Not a stored time: {value.GetType().Name}."),
    };
}
