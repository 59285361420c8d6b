using System.Text;
using HealthSync.Engine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace HealthSync.Engine.Scale;

/// <summary>
/// Ordering keys hashed into a fixed number of partitions. Per-key order only needs one worker at a time per key, so
/// workers own partitions rather than keys: few leases to renew, and every key of a partition stays with one owner.
/// The hash is ours (FNV-1a over UTF-8), never the runtime's string hash, so every process and version agrees.
/// </summary>
public static class WorkPartitions
{
    /// <summary>Fixed for the life of a database: changing it would move keys between partitions mid-stream.</summary>
    public const int Count = 64;

    public static int Of(string? key)
    {
        if (string.IsNullOrEmpty(key)) return 0;
        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(key))
        {
            hash ^= b;
            hash *= 16777619u;
        }
        return (int)(hash % Count);
    }

    /// <summary>
    /// The inbox partition: the ordering key (an encounter or account), else the source system, so a sender's unkeyed
    /// messages still stay in arrival order.
    /// </summary>
    public static int Of(InboxMessage m) => Of(m.OrderingKey ?? m.SourceSystem);

    /// <summary>Stamps new inbox and outbox rows before they are saved, whichever code path created them.</summary>
    public static void Assign(ChangeTracker tracker)
    {
        foreach (var entry in tracker.Entries())
        {
            if (entry.State != EntityState.Added) continue;
            switch (entry.Entity)
            {
                case InboxMessage m: m.WorkPartition = Of(m); break;
                case OutboxMessage o: o.WorkPartition = Of(o.OrderingKey); break;
            }
        }
    }
}
