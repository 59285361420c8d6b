using System.Collections.Concurrent;
using System.Net;
using HealthSync.Engine.Pipeline;
using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace HealthSync.Engine.Outbox;

/// <summary>Live state of one outbound endpoint, shown on the integration health page.</summary>
public sealed class TargetHealth
{
    private long _successes;
    private long _failures;
    private long _totalLatencyTicks;

    public required string Name { get; init; }
    public required CircuitBreakerStateProvider Circuit { get; init; }
    public long Successes => Interlocked.Read(ref _successes);
    public long Failures => Interlocked.Read(ref _failures);
    public DateTime? LastSuccessAt { get; private set; }
    public DateTime? LastFailureAt { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? CircuitOpenedAt { get; internal set; }
    public double MeanLatencyMs => Successes == 0 ? 0 : TimeSpan.FromTicks(Interlocked.Read(ref _totalLatencyTicks) / Successes).TotalMilliseconds;
    public string State => Circuit.CircuitState switch
    {
        CircuitState.Closed => "closed",
        CircuitState.Open or CircuitState.Isolated => "open",
        CircuitState.HalfOpen => "half-open",
        _ => "unknown",
    };

    internal void Success(DateTime at, TimeSpan latency)
    {
        Interlocked.Increment(ref _successes);
        Interlocked.Add(ref _totalLatencyTicks, latency.Ticks);
        LastSuccessAt = at;
    }

    internal void Failure(DateTime at, string error)
    {
        Interlocked.Increment(ref _failures);
        LastFailureAt = at;
        LastError = error;
    }
}

/// <summary>
/// One resilience pipeline per target system: a short in-process retry with jitter (honouring a short
/// Retry-After), a circuit breaker so an endpoint that is down is not hammered, and a per-attempt timeout.
/// Longer waits are not done here: the dispatcher reschedules the outbox row, so a slow target never holds a worker.
/// </summary>
public sealed class DeliveryTargets(IOptions<EngineOptions> options, TimeProvider time)
{
    private static readonly TimeSpan MaxInlineRetryAfter = TimeSpan.FromSeconds(2);
    private readonly ConcurrentDictionary<string, (ResiliencePipeline<HttpResponseMessage> Pipeline, TargetHealth Health)> _targets = new(StringComparer.OrdinalIgnoreCase);

    public IEnumerable<TargetHealth> All => Systems.Targets.Select(Health);

    public TargetHealth Health(string target) => Get(target).Health;

    public ResiliencePipeline<HttpResponseMessage> Pipeline(string target) => Get(target).Pipeline;

    private (ResiliencePipeline<HttpResponseMessage> Pipeline, TargetHealth Health) Get(string target) => _targets.GetOrAdd(target, Build);

    private (ResiliencePipeline<HttpResponseMessage>, TargetHealth) Build(string target)
    {
        var o = options.Value.Delivery;
        var state = new CircuitBreakerStateProvider();
        var health = new TargetHealth { Name = target, Circuit = state };
        var pipeline = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = 2,
                Delay = TimeSpan.FromMilliseconds(100),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                    || (args.Outcome.Result is { } r && IsTransient(r) && (RetryAfter(r) ?? TimeSpan.Zero) <= MaxInlineRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? RetryAfter(r) : null),
            })
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = 0.5,
                MinimumThroughput = 6,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = TimeSpan.FromSeconds(o.BreakSeconds),
                StateProvider = state,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is HttpRequestException or TimeoutRejectedException
                    || (args.Outcome.Result is { } r && IsTransient(r))),
                OnOpened = _ =>
                {
                    health.CircuitOpenedAt = time.GetUtcNow().UtcDateTime;
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    health.CircuitOpenedAt = null;
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(TimeSpan.FromSeconds(o.AttemptTimeoutSeconds))
            .Build();
        return (pipeline, health);
    }

    public static bool IsTransient(HttpResponseMessage r) =>
        (int)r.StatusCode >= 500 || r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    public static TimeSpan? RetryAfter(HttpResponseMessage r)
    {
        if (r.StatusCode != HttpStatusCode.TooManyRequests && r.StatusCode != HttpStatusCode.ServiceUnavailable) return null;
        var h = r.Headers.RetryAfter;
        if (h?.Delta is { } d) return d;
        if (h?.Date is { } date) return date - DateTimeOffset.UtcNow is { } left && left > TimeSpan.Zero ? left : TimeSpan.Zero;
        return null;
    }
}
