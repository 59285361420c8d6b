using HealthSync.Engine.Persistence;

namespace HealthSync.Portal.Admin.Ownership;

/// <summary>Set the system of record (and business owner) of an entity, or of one field of it when <c>Field</c> is given.</summary>
public sealed record OwnershipChange(string? Entity, string? Field, string? SystemOfRecord, string? BusinessOwner, string? Reason);

/// <summary>Name the business owner of a workflow and how to reach them.</summary>
public sealed record WorkflowOwnerChange(string? Owner, string? Contact, string? Reason);

/// <summary>A routing rule as entered: category or '*', workflow and facility empty for any, the team it routes to.</summary>
public sealed record RoutingRuleChange(string? Category, string? Workflow, string? Facility, string? Team, string? Reason);

/// <summary>One row of the ownership matrix; <c>Field</c> is null for the entity itself.</summary>
public sealed record OwnershipRow(string Entity, string? Field, string SystemOfRecord, string? BusinessOwner)
{
    public static OwnershipRow Of(OwnershipEntry e) => new(e.Entity, e.Field, e.SystemOfRecord, e.BusinessOwner);
}

/// <summary>A workflow and its business owner (null until one is named).</summary>
public sealed record WorkflowOwnerRow(string Workflow, string? Owner, string? Contact);

/// <summary>A routing rule as shown and returned; null workflow or facility means any.</summary>
public sealed record RoutingRuleRow(long Id, string Category, string? Workflow, string? Facility, string Team)
{
    public bool Fallback => RoutingTable.IsFallback(Category, Workflow, Facility);

    /// <summary>The rule in words, e.g. "mapping-gap · any workflow · NGH → master-data".</summary>
    public string Describe() => $"{(Category == RoutingTable.AnyCategory ? "any category" : Category)} · {Workflow ?? "any workflow"} · {Facility ?? "any facility"} → {Team}";

    public static RoutingRuleRow Of(RoutingRule r) => new(r.Id, r.Category, r.Workflow, r.Facility, r.Team);
}

/// <summary>Where an exception of a category, workflow and facility goes, and the rule that decided (null: no rule matches, nobody).</summary>
public sealed record RouteResolution(string Category, string? Workflow, string? Facility, string? Team, RoutingRuleRow? Rule);

/// <summary>The ownership matrix with the entities and systems it may name.</summary>
public sealed record OwnershipMatrix(IReadOnlyList<string> Entities, IReadOnlyList<string> Systems, IReadOnlyList<OwnershipRow> Entries);
