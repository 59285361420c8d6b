using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace HealthSync.Engine.Telemetry;

/// <summary>Every span, tag and instrument name the engine emits, in one place.</summary>
public static class EngineTelemetry
{
    public const string Name = "HealthSync.Engine";
    public static readonly ActivitySource Source = new(Name);
    public static readonly Meter Meter = new(Name);

    public const string CorrelationIdTag = "healthsync.correlation_id";
    public const string TargetTag = "healthsync.target";
    public const string FormatTag = "healthsync.format";
    public const string CategoryTag = "healthsync.exception.category";

    public static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("healthsync.inbox.received", "{message}");
    public static readonly Counter<long> DuplicatesAcknowledged = Meter.CreateCounter<long>("healthsync.inbox.duplicates", "{message}");
    public static readonly Counter<long> MessagesProcessed = Meter.CreateCounter<long>("healthsync.inbox.processed", "{message}");
    public static readonly Counter<long> ExceptionsRaised = Meter.CreateCounter<long>("healthsync.exceptions.raised", "{exception}");
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("healthsync.outbox.delivered", "{message}");
    public static readonly Counter<long> DeliveryRetries = Meter.CreateCounter<long>("healthsync.outbox.retries", "{attempt}");
    public static readonly Counter<long> DeadLetters = Meter.CreateCounter<long>("healthsync.outbox.dead_letters", "{message}");
    public static readonly Histogram<double> SourceToPosting = Meter.CreateHistogram<double>("healthsync.flow.source_to_posting", "ms");
    public static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>("healthsync.outbox.delivery_duration", "ms");
}
