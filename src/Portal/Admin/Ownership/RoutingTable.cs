using HealthSync.Engine.Exceptions;
using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>
/// Answers "where would it route?" with the engine's own rule ranking (<see cref="MappingSnapshot.RouteRule"/>), so the
/// tester and the category × workflow grid on the admin page can never disagree with where exceptions really go.
/// </summary>
public static class RoutingTable
{
    public const string AnyCategory = "*";

    /// <summary>The catch-all rule (any category, workflow and facility) that keeps exceptions from routing to nobody.</summary>
    public static bool IsFallback(string category, string? workflow, string? facility) => category == AnyCategory && workflow is null && facility is null;

    public static RouteResolution Resolve(IReadOnlyList<RoutingRule> rules, string category, string? workflow, string? facility) =>
        Resolve(Snapshot(rules), category, workflow, facility);

    /// <summary>For every exception category and workflow: the team it routes to (at one facility, or where no facility rule applies).</summary>
    public static IReadOnlyList<RouteResolution> Grid(IReadOnlyList<RoutingRule> rules, string? facility)
    {
        var snapshot = Snapshot(rules);
        return [.. from c in Categories.All from w in WorkflowNames.All select Resolve(snapshot, c, w, facility)];
    }

    private static RouteResolution Resolve(MappingSnapshot snapshot, string category, string? workflow, string? facility)
    {
        var rule = snapshot.RouteRule(category, workflow ?? "", facility);
        return new RouteResolution(category, workflow, facility, rule?.Team, rule is null ? null : RoutingRuleRow.Of(rule));
    }

    private static MappingSnapshot Snapshot(IReadOnlyList<RoutingRule> rules) => new([], [], [], [], rules);
}
