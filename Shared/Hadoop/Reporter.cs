using System.Text;

namespace Streaming.Hadoop;

/// <summary>
/// Hadoop Streaming counters and status: <c>reporter:counter:group,name,delta</c> lines on stderr.
/// Increments are accumulated in memory and flushed as deltas (at most every <see cref="FlushInterval"/> and at
/// the end), so a hot loop never pays a write per row while the job UI still sees progress.
/// </summary>
public sealed class Reporter
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);
    private readonly TextWriter _stderr;
    // A task has a handful of counters: a short list (string equality tests the reference first, and names are
    // mostly literals) costs less than a tuple-keyed dictionary, whose generic instantiation is JIT time at every start.
    private readonly List<Counter> _counters = [];
    private long _lastFlush = Environment.TickCount64;
    private readonly Lock _gate = new();

    public Reporter(TextWriter? stderr = null) => _stderr = stderr ?? Console.Error;

    public void Increment(string group, string name, long amount = 1)
    {
        if (amount == 0) return;
        lock (_gate)
        {
            var c = Find(group, name, create: true)!;
            c.Pending += amount;
            c.Total += amount;
        }
        if (Environment.TickCount64 - _lastFlush > FlushInterval.TotalMilliseconds) Flush();
    }

    /// <summary>Total of a counter as incremented by this process (for thresholds and summaries).</summary>
    public long Get(string group, string name)
    {
        lock (_gate) return Find(group, name, create: false)?.Total ?? 0;
    }

    public void Flush()
    {
        lock (_gate)
        {
            _lastFlush = Environment.TickCount64;
            StringBuilder? sb = null;
            foreach (var c in _counters)
            {
                if (c.Pending == 0) continue;
                (sb ??= new StringBuilder()).Append("reporter:counter:").Append(Sanitize(c.Group)).Append(',')
                    .Append(Sanitize(c.Name)).Append(',').Append(c.Pending).Append('\n');
                c.Pending = 0;
            }
            if (sb is null) return;
            _stderr.Write(sb.ToString());
            _stderr.Flush();
        }
    }

    private Counter? Find(string group, string name, bool create)
    {
        foreach (var c in _counters)
            if (c.Group == group && c.Name == name) return c;
        if (!create) return null;
        var added = new Counter(group, name);
        _counters.Add(added);
        return added;
    }

    private sealed class Counter(string group, string name)
    {
        public readonly string Group = group, Name = name;
        public long Pending, Total;
    }

    // Commas split the counter fields and newlines end the line: neither may appear inside a name.
    private static string Sanitize(string s) => s.Replace(',', ';').Replace('\n', ' ').Replace('\r', ' ');
}
