namespace HealthSync.Engine.Pipeline;

/// <summary>
/// A level-triggered wake-up for a polling loop: any number of notifications before the next wait collapse into
/// one, and the loop still wakes on its poll interval if nobody notifies.
/// </summary>
public abstract class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); }
            catch (SemaphoreFullException) { }
        }
    }

    public Task WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
