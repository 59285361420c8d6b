namespace HealthSync.Portal.Health;

/// <summary>The health page's settings from configuration, with their defaults when not configured.</summary>
public static class HealthSettings
{
    public static SilenceOptions Silence(IConfiguration configuration) =>
        configuration.GetSection("Health:Silence").Get<SilenceOptions>() ?? new SilenceOptions();
}
