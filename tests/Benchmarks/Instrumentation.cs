using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace HealthSync.Benchmarks;

/// <summary>Counts the HTTP requests the outbox dispatcher sends to the target systems.</summary>
internal sealed class DeliveryCounter
{
    private long _requests;
    private long _unsuccessful;

    public long Requests => Interlocked.Read(ref _requests);
    public long Unsuccessful => Interlocked.Read(ref _unsuccessful);

    public void Sent(bool success)
    {
        Interlocked.Increment(ref _requests);
        if (!success) Interlocked.Increment(ref _unsuccessful);
    }
}

internal sealed class CountingHandler(DeliveryCounter counter) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            counter.Sent(response.IsSuccessStatusCode);
            return response;
        }
        catch
        {
            counter.Sent(false);
            throw;
        }
    }
}

/// <summary>Collects what the product logs at Warning and above, so it can be summarised instead of interleaved.</summary>
internal sealed class LogCapture : ILoggerProvider
{
    private const int MaxDistinct = 20;
    private readonly ConcurrentDictionary<string, int> _distinct = new();
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyList<KeyValuePair<string, int>> Distinct => _distinct.OrderByDescending(d => d.Value).ToList();

    public ILogger CreateLogger(string categoryName) => new CapturingLogger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string message, Exception? exception)
    {
        Interlocked.Increment(ref _count);
        var text = $"{level} {category}: {message}" + (exception is null ? "" : $" [{exception.GetType().Name}: {exception.Message}]");
        text = text.ReplaceLineEndings(" ");
        if (text.Length > 400) text = text[..400] + "...";
        if (_distinct.ContainsKey(text) || _distinct.Count < MaxDistinct)
            _distinct.AddOrUpdate(text, 1, (_, n) => n + 1);
    }

    private sealed class CapturingLogger(LogCapture owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel)) return;
            owner.Add(logLevel, category, formatter(state, exception), exception);
        }
    }
}
