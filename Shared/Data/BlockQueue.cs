namespace Streaming.Data;

/// <summary>
/// A bounded single-producer, single-consumer hand-off (row blocks from a shard reader to the interleave, batches
/// to the training loop), waiting with Monitor.Wait rather than spinning: with more input threads than cores (4
/// shards open on 2 cores) the spin-then-yield waits of BlockingCollection and of blocking on a channel's tasks made
/// ~40,000 sched_yield calls an epoch of 2 M rows and burned CPU that decoding needed. An item holds hundreds of
/// rows, so a sleeping wait costs nothing worth measuring per row.
/// </summary>
public sealed class BlockQueue<T>(int capacity) where T : class
{
    private readonly Queue<T> _items = new(capacity);
    private bool _completed;
    private Exception? _fault;

    /// <summary>Adds an item, waiting while the queue is full; throws when <paramref name="cancel"/> fires.</summary>
    public void Add(T item, CancellationToken cancel)
    {
        using var wake = cancel.Register(() => { lock (_items) Monitor.PulseAll(_items); });
        lock (_items)
        {
            while (_items.Count >= capacity)
            {
                cancel.ThrowIfCancellationRequested();
                Monitor.Wait(_items);
            }
            cancel.ThrowIfCancellationRequested();
            _items.Enqueue(item);
            Monitor.PulseAll(_items);
        }
    }

    /// <summary>The next item, waiting while the queue is empty; false once it is empty and completed.</summary>
    public bool TryTake(out T item, CancellationToken cancel)
    {
        using var wake = cancel.Register(() => { lock (_items) Monitor.PulseAll(_items); });
        lock (_items)
        {
            while (_items.Count == 0 && !_completed)
            {
                cancel.ThrowIfCancellationRequested();
                Monitor.Wait(_items);
            }
            if (_items.Count == 0)
            {
                if (_fault is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(_fault);
                item = null!;
                return false;
            }
            item = _items.Dequeue();
            Monitor.PulseAll(_items);
            return true;
        }
    }

    /// <summary>No more items; with <paramref name="fault"/>, the taker sees it thrown after the last item.</summary>
    public void CompleteAdding(Exception? fault = null)
    {
        lock (_items)
        {
            _completed = true;
            _fault = fault;
            Monitor.PulseAll(_items);
        }
    }
}
