using System.Text;

namespace Streaming.Contract;

/// <summary>
/// Hadoop Streaming counters and status: <c>reporter:counter:group,name,delta</c> lines on stderr.
/// Increments are accumulated in memory and flushed as deltas (at most every <see cref="FlushInterval"/> and at
/// the end), so a hot loop never pays a write per row while the job UI still sees progress.
/// </summary>
public sealed class Reporter
{
    public static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(10);
    private readonly TextWriter _stderr;
    private readonly Dictionary<(string Group, string Name), long> _pending = new();
    private readonly Dictionary<(string Group, string Name), long> _totals = new();
    private long _lastFlush = Environment.TickCount64;
    private readonly Lock _gate = new();

    public Reporter(TextWriter? stderr = null) => _stderr = stderr ?? Console.Error;

    public void Increment(string group, string name, long amount = 1)
    {
        if (amount == 0) return;
        lock (_gate)
        {
            var key = (group, name);
            _pending[key] = _pending.GetValueOrDefault(key) + amount;
            _totals[key] = _totals.GetValueOrDefault(key) + amount;
        }
        if (Environment.TickCount64 - _lastFlush > FlushInterval.TotalMilliseconds) Flush();
    }

    /// <summary>Total of a counter as incremented by this process (for thresholds and summaries).</summary>
    public long Get(string group, string name)
    {
        lock (_gate) return _totals.GetValueOrDefault((group, name));
    }

    public void Status(string message)
    {
        lock (_gate)
        {
            _stderr.WriteLine("reporter:status:" + Sanitize(message));
            _stderr.Flush();
        }
    }

    public void Flush()
    {
        lock (_gate)
        {
            _lastFlush = Environment.TickCount64;
            if (_pending.Count == 0) return;
            var sb = new StringBuilder();
            foreach (var ((group, name), delta) in _pending)
                sb.Append("reporter:counter:").Append(Sanitize(group)).Append(',').Append(Sanitize(name)).Append(',')
                  .Append(delta).Append('\n');
            _pending.Clear();
            _stderr.Write(sb.ToString());
            _stderr.Flush();
        }
    }

    // Commas split the counter fields and newlines end the line: neither may appear inside a name.
    private static string Sanitize(string s) => s.Replace(',', ';').Replace('\n', ' ').Replace('\r', ' ');
}
