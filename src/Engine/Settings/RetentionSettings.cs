namespace HealthSync.Engine.Settings;

/// <summary>How long each kind of data is kept, in days, as the data-retention job applies it.</summary>
public sealed record RetentionPolicy(int PayloadDays, int AuditDays, int JobRunDays, int ResolvedExceptionDays);

/// <summary>
/// The retention settings and their floors. Audit entries are kept at least six years, the documentation retention
/// HIPAA asks of covered entities; processed payloads at least as long as a reconciliation may look back.
/// </summary>
public static class RetentionSettings
{
    public const string PayloadDays = "retention.payloads.days";
    public const string AuditDays = "retention.audit.days";
    public const string JobRunDays = "retention.job-runs.days";
    public const string ResolvedExceptionDays = "retention.resolved-exceptions.days";

    /// <summary>Six years: no setting and no run of the job removes audit entries younger than this.</summary>
    public const int MinimumAuditDays = 2190;

    public const int MaxDays = 36_500;

    public static RetentionPolicy Defaults { get; } = new(PayloadDays: 365, AuditDays: MinimumAuditDays, JobRunDays: 90, ResolvedExceptionDays: 730);

    public static IEnumerable<SettingDefinition> Definitions(string group) =>
    [
        new(PayloadDays, group, "Processed payloads and lineage", "days", SettingKind.Integer, Days(Defaults.PayloadDays),
            "Raw messages that were processed, with their payload versions, lineage steps and business keys, are removed this long after they arrived. A transaction with any exception (open or not yet removed) is kept.",
            Min: ToleranceSettings.MaxLookbackDays, Max: MaxDays, MinReason: "reconciliations look back up to that far"),
        new(AuditDays, group, "Audit entries", "days", SettingKind.Integer, Days(Defaults.AuditDays),
            "Who did what and why. Never less than six years, whatever is set here.",
            Min: MinimumAuditDays, Max: MaxDays, MinReason: "6 years, the documentation retention HIPAA requires"),
        new(JobRunDays, group, "Job run history", "days", SettingKind.Integer, Days(Defaults.JobRunDays),
            "Finished runs of scheduled jobs shown on the jobs page.",
            Min: 7, Max: MaxDays),
        new(ResolvedExceptionDays, group, "Resolved exceptions", "days", SettingKind.Integer, Days(Defaults.ResolvedExceptionDays),
            "Resolved exceptions and their comments are removed this long after they were resolved; open exceptions are never removed.",
            Min: 30, Max: MaxDays),
    ];

    private static string Days(int days) => days.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
