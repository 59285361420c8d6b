using System.Security.Cryptography;
using System.Text;

namespace HealthSync.Engine;

public static class Roles
{
    public const string Analyst = "revenue-cycle-analyst";
    public const string SupplyChainLead = "supply-chain-lead";
    public const string Admin = "admin";
    /// <summary>System accounts of sending interfaces: may submit messages, may not use the portal.</summary>
    public const string Integration = "integration";

    public static readonly IReadOnlyList<string> People = [Analyst, SupplyChainLead, Admin];

    public static string Label(string role) => role switch
    {
        Analyst => "Revenue cycle analyst",
        SupplyChainLead => "Supply chain lead",
        Admin => "Administrator",
        Integration => "Integration",
        _ => role,
    };

    /// <summary>
    /// Who sees patient identifiers unmasked until an administrator decides otherwise: supply chain leads have no need for
    /// them. The rule in force is the setting (<see cref="Settings.EngineSettings.SeesPhi"/>), which starts from this.
    /// </summary>
    public static bool SeesPhiByDefault(string? role) => role is Analyst or Admin;
}

public static class ApiKeyHashing
{
    /// <summary>API keys are long random secrets, so an unsalted SHA-256 is enough and allows an indexed lookup.</summary>
    public static string Hash(string key) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static string NewKey() => "hs_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(30)).Replace('+', 'A').Replace('/', 'B').TrimEnd('=');
}

/// <summary>Who may act on which queue: analysts on revenue cycle work, supply chain leads on supply work, admins on all.</summary>
public static class QueuePermissions
{
    public const string RevenueCycleTeam = "revenue-cycle";
    public const string SupplyChainTeam = "supply-chain";

    public static bool CanAct(string? role, string? team) => role switch
    {
        Roles.Admin => true,
        Roles.Analyst => team == RevenueCycleTeam,
        Roles.SupplyChainLead => team == SupplyChainTeam,
        _ => false,
    };

    /// <summary>The teams a role may act on (null: every team, including unassigned work).</summary>
    public static IReadOnlyList<string>? ActableTeams(string? role) => role switch
    {
        Roles.Admin => null,
        Roles.Analyst => [RevenueCycleTeam],
        Roles.SupplyChainLead => [SupplyChainTeam],
        _ => [],
    };
}
