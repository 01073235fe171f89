using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.Hadoop;

/// <summary>
/// Where malformed rows go: each one is counted per reason (Hadoop counters), the first few per reason are
/// logged with their source, and all of them are written to a quarantine file when the task has one; the task
/// fails at the end when the rejected share passes <c>--max-bad-fraction</c>. Nothing is ever dropped silently.
/// </summary>
public sealed class RejectedRows : IDisposable
{
    public const int SamplesPerReason = 5;
    private readonly Reporter _reporter;
    private readonly ILogger _log;
    private readonly string _source;
    private readonly Dictionary<RejectReason, long> _byReason = new();
    private readonly TextWriter? _quarantine;

    public RejectedRows(Reporter reporter, ILogger log, double maxBadFraction, string source, TextWriter? quarantine = null)
    {
        if (maxBadFraction is < 0 or > 1 || double.IsNaN(maxBadFraction))
            throw new ConfigException($"--max-bad-fraction must be between 0 and 1, got {maxBadFraction}");
        _reporter = reporter;
        _log = log;
        MaxBadFraction = maxBadFraction;
        _source = source;
        _quarantine = quarantine;
    }

    public double MaxBadFraction { get; }
    public long Total { get; private set; }
    public IReadOnlyDictionary<RejectReason, long> ByReason => _byReason;

    private readonly Lock _gate = new();
    private readonly List<(RejectReason Reason, byte[] Line, long LineNumber, string? Detail)>? _recorded;

    private RejectedRows()
    {
        _reporter = new Reporter(TextWriter.Null);
        _log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        _source = "";
        _recorded = [];
    }

    /// <summary>
    /// The rejects of one block transformed on a worker thread, kept in order: the thread that writes the output
    /// replays them (<see cref="ReplayInto"/>), so counters, samples and quarantine are those of one thread.
    /// </summary>
    public static RejectedRows Recorder() => new();

    /// <summary>Told of each reject, in order (e.g. so a predictor can answer the row's output line).</summary>
    public delegate void RejectObserver(RejectReason reason, ReadOnlySpan<byte> line);

    /// <summary>Told each reject's reason and line, in order.</summary>
    public RejectObserver? Observer { get; set; }

    /// <summary>Thread-safe: parallel workers of one task share it.</summary>
    public void Reject(RejectReason reason, ReadOnlySpan<byte> line, long lineNumber, string? detail = null)
    {
        Observer?.Invoke(reason, line);
        if (_recorded is not null)
        {
            _recorded.Add((reason, line.ToArray(), lineNumber, detail));
            Total++;
            _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
            return;
        }
        lock (_gate) RejectLocked(reason, line, lineNumber, detail);
    }

    /// <summary>A recorder's rejects, in their order, into <paramref name="target"/>.</summary>
    public void ReplayInto(RejectedRows target)
    {
        foreach (var (reason, line, number, detail) in _recorded ?? []) target.Reject(reason, line, number, detail);
    }

    private void RejectLocked(RejectReason reason, ReadOnlySpan<byte> line, long lineNumber, string? detail)
    {
        Total++;
        long n = _byReason[reason] = _byReason.GetValueOrDefault(reason) + 1;
        _reporter.Increment(Counters.Group, Counters.MalformedRows);
        _reporter.Increment(Counters.Group, Counters.Malformed(reason));
        if (n <= SamplesPerReason)
            _log.LogWarning("Rejected row ({Reason}{Detail}) at {Source} line {Line}: {Text}",
                reason, detail is null ? "" : ": " + detail, _source, lineNumber, Bytes.Escape(line, 200));
        _quarantine?.Write($"{reason}\t{_source}\t{lineNumber}\t{Bytes.Escape(line, int.MaxValue)}\n");
    }

    /// <summary>
    /// At the end of the task's input: publishes the quarantine (every rejected row, also when the threshold is
    /// broken, so the rows that failed the task can be read where its attempt directory is kept), then throws
    /// <see cref="DataException"/> when too many of <paramref name="rowsRead"/> were rejected.
    /// </summary>
    public void CheckThreshold(long rowsRead)
    {
        (_quarantine as PendingTextFile)?.Commit();
        if (Total == 0 || Total <= MaxBadFraction * rowsRead) return;
        var reasons = string.Join(", ", _byReason.Select(kv => $"{kv.Key}={kv.Value}"));
        throw new DataException(
            $"{Total} of {rowsRead} rows rejected ({100.0 * Total / rowsRead:F2}%), over --max-bad-fraction {MaxBadFraction} ({reasons}); see the task log for samples");
    }

    public void Dispose() => _quarantine?.Dispose();
}
