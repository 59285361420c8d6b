using HealthSync.Engine.Mappings;
using HealthSync.Engine.Persistence;
using HealthSync.Engine.Telemetry;

namespace HealthSync.Engine.Exceptions;

/// <summary>Builds exception records with their SLA clock and the team chosen by the routing rules.</summary>
public static class ExceptionFactory
{
    public static ExceptionRecord Create(Problem problem, string workflow, Guid correlationId, string sourceSystem, string? facility,
        decimal amountAtRisk, (string Type, string Value)? businessKey, MappingSnapshot map, DateTime now,
        long? inboxMessageId = null, long? outboxMessageId = null, int payloadVersion = 1)
    {
        EngineTelemetry.ExceptionsRaised.Add(1, new KeyValuePair<string, object?>(EngineTelemetry.CategoryTag, problem.Category));
        return new ExceptionRecord
        {
            Id = Guid.CreateVersion7(),
            CorrelationId = correlationId,
            InboxMessageId = inboxMessageId,
            OutboxMessageId = outboxMessageId,
            Category = problem.Category,
            ErrorCode = problem.Code,
            ErrorDetail = problem.Path is null ? problem.Detail : $"{problem.Detail} (at {problem.Path})",
            Workflow = workflow,
            Facility = facility,
            SourceSystem = sourceSystem,
            Status = ExceptionStatus.Open,
            Team = map.RouteTeam(problem.Category, workflow, facility),
            SlaDueAt = now + map.Settings.Sla(problem.Category),
            AmountAtRisk = amountAtRisk,
            BusinessKeyType = businessKey?.Type,
            BusinessKey = businessKey?.Value,
            PayloadVersion = payloadVersion,
            CreatedAt = now,
            CauseKey = CauseClassifier.Key(problem.Category, problem.Code, problem.Detail),
        };
    }
}
