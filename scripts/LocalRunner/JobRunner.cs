using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Storage;
using Streaming.Hadoop;

namespace Streaming.LocalRunner;

/// <summary>
/// Runs a streaming job on this machine the way Hadoop does (docs/contracts.md §1): splits, one mapper process per split
/// (in parallel), the combiner on each map's output, Text.hashCode partitioning, unsigned byte-order sort, one reducer
/// process per partition, attempts retried up to maxattempts, side-effect files committed only for successful
/// attempts, <c>part-NNNNN</c> outputs, <c>_SUCCESS</c>, and summed counters.
/// </summary>
public sealed partial class JobRunner
{
    private readonly JobConf _conf;
    private readonly ILogger _log;
    private readonly CounterSet _counters = new();
    private readonly string _jobId;
    private readonly string _localDir;
    private readonly OutputCommitter _committer;
    /// <summary>The output directory as tasks see it: <c>file:/…</c>, or <c>hdfs://…</c> when this runner stands in for HDFS.</summary>
    private readonly string _outputUri;
    private readonly HashSet<int> _killMaps;

    public JobRunner(JobConf conf, ILogger log)
    {
        _conf = conf;
        _log = log;
        _jobId = conf.Get("mapreduce.job.id", $"job_local{Environment.ProcessId}_0001");
        _localDir = Path.Combine(conf.Get("mapreduce.cluster.local.dir", Path.Combine(Path.GetTempPath(), "streaming-local")), _jobId + "_" + Guid.NewGuid().ToString("N")[..8]);
        // With streaming.local.hdfs.root (the directory that stands for HDFS's /, as the FsShell stand-in's
        // FAKE_HDFS_ROOT and the WebHDFS test server's root), an hdfs: output stays hdfs: for the tasks: their work
        // directories are hdfs: URIs, so their side-effect files go through FsShell or WebHDFS as on a cluster, while
        // this runner (the framework) commits the attempts in that directory.
        var hdfsRoot = conf.Get("streaming.local.hdfs.root", "");
        if (FileSystems.TryLocalPath(conf.Output) is { } local)
        {
            _committer = new OutputCommitter(local);
            _outputUri = "file:" + _committer.OutputDir;
        }
        else if (hdfsRoot.Length > 0 && conf.Output.StartsWith("hdfs:", StringComparison.Ordinal))
        {
            _committer = new OutputCommitter(Path.Combine(hdfsRoot, WebHdfsClient.PathOf(conf.Output).TrimStart('/')));
            _outputUri = conf.Output.TrimEnd('/');
        }
        else throw new ConfigException($"-output {conf.Output}: the local runner writes local paths and file: URIs (hdfs: URIs with -D streaming.local.hdfs.root=DIR)");
        _killMaps = conf.Get("streaming.local.kill.map.tasks", "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToHashSet();
    }

    public CounterSet Counters => _counters;

    private int Reduces => _conf.Reduces;

    public async Task<int> RunAsync()
    {
        var files = InputSplits.ListInputs(_conf.Inputs);
        var splits = InputSplits.Compute(files, (int)_conf.GetLong("mapreduce.job.maps", 1),
            _conf.GetLong("mapreduce.input.fileinputformat.split.minsize", 1), _conf.GetLong("fs.local.block.size", 32L << 20));
        _committer.SetupJob();
        Directory.CreateDirectory(Path.Combine(_localDir, "logs"));
        var sw = Stopwatch.StartNew();
        _log.LogInformation("Running job {Job}: {Files} input files, {Splits} splits, {Reduces} reduce tasks, output {Out}", _jobId, files.Count, splits.Count, Reduces, _committer.OutputDir);
        try
        {
            PrepareCache();
            var mapOutputs = new MapOutput?[splits.Count];
            int parallel = (int)_conf.GetLong("mapreduce.local.map.tasks.maximum", Environment.ProcessorCount);
            await ForEachParallel(Enumerable.Range(0, splits.Count), parallel, async i =>
                mapOutputs[i] = await RunMapTask(i, splits[i], splits.Count).ConfigureAwait(false)).ConfigureAwait(false);

            if (Reduces > 0)
            {
                int rparallel = (int)_conf.GetLong("mapreduce.local.reduce.tasks.maximum", Environment.ProcessorCount);
                await ForEachParallel(Enumerable.Range(0, Reduces), rparallel, r => RunReduceTask(r, mapOutputs!)).ConfigureAwait(false);
            }
            _committer.CommitJob();
            _counters.Add(CounterSet.InputFormat, "Bytes Read", splits.Sum(s => s.Length));
            _counters.Add(CounterSet.OutputFormat, "Bytes Written", Directory.GetFiles(_committer.OutputDir, "part-*").Sum(f => new FileInfo(f).Length));
            Console.Error.Write(_counters.Summary());
            _log.LogInformation("Job {Job} completed successfully in {Seconds:F1} s", _jobId, sw.Elapsed.TotalSeconds);
            Console.Error.WriteLine($"INFO streaming.StreamJob: Output directory: {_conf.Output}");
            return ExitCodes.Ok;
        }
        catch (TaskFailedException e)
        {
            _committer.AbortJob();
            Console.Error.Write(_counters.Summary());
            Console.Error.WriteLine($"ERROR streaming.StreamJob: Job not successful! {e.Message}");
            return ExitCodes.Failed;
        }
        finally
        {
            if (_conf.CountersFile is { } cf) _counters.WriteJson(cf);
            if (_conf.Get("streaming.local.keep.workdirs", "false") != "true")
                try { Directory.Delete(_localDir, true); } catch (IOException) { }
        }
    }

    private static async Task ForEachParallel(IEnumerable<int> items, int parallel, Func<int, Task> body)
    {
        using var gate = new SemaphoreSlim(Math.Max(1, parallel));
        var tasks = items.Select(async i =>
        {
            await gate.WaitAsync().ConfigureAwait(false);
            try { await body(i).ConfigureAwait(false); }
            finally { gate.Release(); }
        }).ToList();
        await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private sealed class TaskFailedException(string message) : Exception(message);

    /// <summary>A map task's output for the shuffle: per partition, lines <c>key\tvalue</c> in emit order.</summary>
    private sealed class MapOutput(int partitions)
    {
        public readonly List<byte[]>[] Partitions = Enumerable.Range(0, partitions).Select(_ => new List<byte[]>()).ToArray();
    }

    private async Task<MapOutput?> RunMapTask(int index, InputSplit split, int numMaps)
    {
        string taskId = $"task_{_jobId[4..]}_m_{index:D6}";
        int maxAttempts = (int)_conf.GetLong("mapreduce.map.maxattempts", 4);
        for (int attempt = 0; ; attempt++)
        {
            string attemptId = $"attempt_{_jobId[4..]}_m_{index:D6}_{attempt}";
            var attemptOut = _committer.AttemptDir(attemptId);
            var env = TaskEnv(attemptId, taskId, isMap: true, index, attemptOut);
            env["mapreduce_map_input_file"] = env["map_input_file"] = split.Uri;
            env["mapreduce_map_input_start"] = env["map_input_start"] = split.Start.ToString();
            env["mapreduce_map_input_length"] = env["map_input_length"] = split.Length.ToString();
            var output = Reduces > 0 ? new MapOutput(Reduces) : null;
            var taskCounters = new CounterSet();
            long records = 0, outRecords = 0;
            Stream? partFile = null;
            Func<long, bool>? kill = attempt == 0 && _killMaps.Contains(index) ? n => n >= Math.Max(1, split.Length / 2) : null;
            var outcome = await TaskProcess.RunAsync(_conf.Mapper, WorkDir(attemptId), env,
                stdin => SplitReader.Feed(split, stdin, onRecords: n => records = n),
                stdout =>
                {
                    if (output is null)
                    {
                        partFile = new FileStream(Path.Combine(attemptOut, $"part-{index:D5}"), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        outRecords = CopyFormatted(stdout, partFile);
                        partFile.Dispose();
                    }
                    else outRecords = ReadLines(stdout, line => output.Partitions[Partition(line)].Add(line));
                },
                taskCounters, StderrLog(attemptId), _log, kill).ConfigureAwait(false);
            if (outcome.Succeeded && output is not null && _conf.Combiner is not null)
                outcome = await RunCombiner(attemptId, taskId, index, output, taskCounters).ConfigureAwait(false);
            if (outcome.Succeeded)
            {
                _committer.CommitTask(attemptId, taskId);
                taskCounters.Add(CounterSet.Framework, "Map input records", records);
                taskCounters.Add(CounterSet.Framework, "Map output records", outRecords);
                _counters.Merge(taskCounters);
                _log.LogInformation("{Attempt} done: {In} records in, {Out} out ({Split}:{Start}+{Length})", attemptId, records, outRecords, Path.GetFileName(split.Path), split.Start, split.Length);
                return output;
            }
            _committer.AbortTask(attemptId);
            ReportFailure(attemptId, outcome);
            if (attempt + 1 >= maxAttempts)
                throw new TaskFailedException($"Task failed {taskId}: {outcome.Error} (after {maxAttempts} attempts)");
        }
    }

    private async Task<TaskOutcome> RunCombiner(string mapAttemptId, string taskId, int index, MapOutput output, CounterSet taskCounters)
    {
        for (int r = 0; r < output.Partitions.Length; r++)
        {
            var sorted = SortByKey(output.Partitions[r]);
            if (sorted.Count == 0) continue;
            var combined = new List<byte[]>();
            var env = TaskEnv(mapAttemptId, taskId, isMap: true, index, null);
            var outcome = await TaskProcess.RunAsync(_conf.Combiner!, WorkDir(mapAttemptId + "_c" + r), env,
                stdin => WriteLines(stdin, sorted),
                stdout => ReadLines(stdout, combined.Add),
                taskCounters, StderrLog(mapAttemptId + "_combiner"), _log).ConfigureAwait(false);
            if (!outcome.Succeeded) return outcome with { Error = "combiner: " + outcome.Error };
            taskCounters.Add(CounterSet.Framework, "Combine input records", sorted.Count);
            taskCounters.Add(CounterSet.Framework, "Combine output records", combined.Count);
            output.Partitions[r] = combined;
        }
        return new TaskOutcome(true, 0, null, []);
    }

    private async Task RunReduceTask(int r, MapOutput?[] maps)
    {
        string taskId = $"task_{_jobId[4..]}_r_{r:D6}";
        // Each map's output sorted by key (as the map side spills it), then merged in Hadoop's order.
        var sorted = ReduceMerge.Merge(maps.Select(m => SortByKey(m!.Partitions[r])).ToList(), line => KeyOf(line));
        long groups = CountGroups(sorted);
        int maxAttempts = (int)_conf.GetLong("mapreduce.reduce.maxattempts", 4);
        for (int attempt = 0; ; attempt++)
        {
            string attemptId = $"attempt_{_jobId[4..]}_r_{r:D6}_{attempt}";
            var attemptOut = _committer.AttemptDir(attemptId);
            var partPath = Path.Combine(attemptOut, $"part-{r:D5}");
            long outRecords = 0;
            var taskCounters = new CounterSet();
            TaskOutcome outcome;
            if (_conf.Reducer is null or "NONE" or "org.apache.hadoop.mapred.lib.IdentityReducer")
            {
                using (var fs = File.Create(partPath)) WriteLines(fs, sorted);
                outRecords = sorted.Count;
                outcome = new TaskOutcome(true, 0, null, []);
            }
            else
            {
                var env = TaskEnv(attemptId, taskId, isMap: false, r, attemptOut);
                outcome = await TaskProcess.RunAsync(_conf.Reducer, WorkDir(attemptId), env,
                    stdin => WriteLines(stdin, sorted),
                    stdout =>
                    {
                        using var fs = new FileStream(partPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                        outRecords = CopyFormatted(stdout, fs);
                    },
                    taskCounters, StderrLog(attemptId), _log).ConfigureAwait(false);
            }
            if (outcome.Succeeded)
            {
                _committer.CommitTask(attemptId, taskId);
                taskCounters.Add(CounterSet.Framework, "Reduce input groups", groups);
                taskCounters.Add(CounterSet.Framework, "Reduce input records", sorted.Count);
                taskCounters.Add(CounterSet.Framework, "Reduce output records", outRecords);
                _counters.Merge(taskCounters);
                _log.LogInformation("{Attempt} done: {Groups} keys, {In} records in, {Out} out", attemptId, groups, sorted.Count, outRecords);
                return;
            }
            _committer.AbortTask(attemptId);
            ReportFailure(attemptId, outcome);
            if (attempt + 1 >= maxAttempts)
                throw new TaskFailedException($"Task failed {taskId}: {outcome.Error} (after {maxAttempts} attempts)");
        }
    }

    private void ReportFailure(string attemptId, TaskOutcome outcome)
    {
        var tail = outcome.StderrTail.Count == 0 ? "(no stderr)" : string.Join("\n\t", outcome.StderrTail);
        _log.LogWarning("{Attempt} failed: {Error}\n\tstderr tail:\n\t{Tail}", attemptId, outcome.Error, tail);
    }

    private int Partition(byte[] line) => HashPartitioner.Partition(KeyOf(line).Span, Reduces);

    private static ReadOnlyMemory<byte> KeyOf(byte[] line)
    {
        int tab = Array.IndexOf(line, (byte)'\t');
        return line.AsMemory(0, tab < 0 ? line.Length : tab);
    }

    /// <summary>Stable sort by key bytes, unsigned (Hadoop compares serialized Text keys byte-wise).</summary>
    private static List<byte[]> SortByKey(List<byte[]> lines)
    {
        var idx = Enumerable.Range(0, lines.Count).ToArray();
        Array.Sort(idx, (a, b) =>
        {
            int c = KeyOf(lines[a]).Span.SequenceCompareTo(KeyOf(lines[b]).Span);
            return c != 0 ? c : a.CompareTo(b);
        });
        return idx.Select(i => lines[i]).ToList();
    }

    private static long CountGroups(List<byte[]> sorted)
    {
        long g = 0;
        for (int i = 0; i < sorted.Count; i++)
            if (i == 0 || !KeyOf(sorted[i]).Span.SequenceEqual(KeyOf(sorted[i - 1]).Span)) g++;
        return g;
    }

    private static void WriteLines(Stream s, List<byte[]> lines)
    {
        foreach (var l in lines)
        {
            s.Write(l);
            s.WriteByte((byte)'\n');
        }
    }

    /// <summary>Reads task output lines; each becomes <c>key\tvalue</c> (a line without TAB gets an empty value).</summary>
    private static long ReadLines(Stream stdout, Action<byte[]> onLine)
    {
        using var reader = new LineReader(stdout, maxLineBytes: int.MaxValue / 2);
        long n = 0;
        while (reader.TryReadLine(out var line, out _))
        {
            n++;
            onLine(Normalize(line));
        }
        return n;
    }

    private static byte[] Normalize(ReadOnlySpan<byte> line)
    {
        if (line.IndexOf((byte)'\t') >= 0) return line.ToArray();
        var r = new byte[line.Length + 1];
        line.CopyTo(r);
        r[^1] = (byte)'\t';
        return r;
    }

    /// <summary>TextOutputFormat: <c>key\tvalue\n</c> per task output line.</summary>
    private static long CopyFormatted(Stream stdout, Stream file)
    {
        using var buffered = new BufferedStream(file, 1 << 16);
        long n = ReadLines(stdout, line => { buffered.Write(line); buffered.WriteByte((byte)'\n'); });
        buffered.Flush();
        return n;
    }

    private string StderrLog(string attemptId) => Path.Combine(_localDir, "logs", attemptId + ".stderr");

    private Dictionary<string, string> TaskEnv(string attemptId, string taskId, bool isMap, int partition, string? attemptOut)
    {
        var env = new Dictionary<string, string>();
        // Defaults a real task sees from mapred-default.xml (a task sizes its parallelism by its vcores).
        env["mapreduce_map_cpu_vcores"] = env["mapreduce_reduce_cpu_vcores"] = "1";
        foreach (var (k, v) in _conf.Properties) env[EnvName().Replace(k, "_")] = v;
        env["mapreduce_job_id"] = env["mapred_job_id"] = _jobId;
        env["mapreduce_job_name"] = _conf.Get("mapreduce.job.name", "streamjob");
        env["mapreduce_job_reduces"] = Reduces.ToString();
        env["mapreduce_output_fileoutputformat_outputdir"] = env["mapred_output_dir"] = _outputUri;
        env["mapreduce_task_id"] = env["mapred_tip_id"] = taskId;
        env["mapreduce_task_attempt_id"] = env["mapred_task_id"] = attemptId;
        env["mapreduce_task_ismap"] = env["mapred_task_is_map"] = isMap ? "true" : "false";
        env["mapreduce_task_partition"] = env["mapred_task_partition"] = partition.ToString();
        if (attemptOut is not null)
            env["mapreduce_task_output_dir"] = env["mapred_work_output_dir"] = _outputUri + Path.GetRelativePath(_committer.OutputDir, attemptOut).Insert(0, "/");
        foreach (var (k, v) in _conf.CmdEnv) env[k] = v;
        return env;
    }

    [GeneratedRegex("[^A-Za-z0-9]")]
    private static partial Regex EnvName();

    private string CacheDir => Path.Combine(_localDir, "cache");

    /// <summary>Unpacks -archives once per job (as the NodeManager's distributed cache does).</summary>
    private void PrepareCache()
    {
        foreach (var (path, name) in _conf.Archives)
        {
            if (Directory.Exists(path)) continue;
            var dst = Path.Combine(CacheDir, name);
            Directory.CreateDirectory(dst);
            var tar = Process.Start(new ProcessStartInfo("tar", ["-xf", path, "-C", dst]) { RedirectStandardError = true })!;
            string err = tar.StandardError.ReadToEnd();
            tar.WaitForExit();
            if (tar.ExitCode != 0) throw new ConfigException($"-archives {path}: cannot unpack: {err.Trim()}");
        }
    }

    /// <summary>A fresh working directory for an attempt with the -files and -archives symlinks.</summary>
    private string WorkDir(string attemptId)
    {
        var dir = Path.Combine(_localDir, attemptId);
        if (Directory.Exists(dir)) Directory.Delete(dir, true);
        Directory.CreateDirectory(dir);
        foreach (var (path, name) in _conf.Files) File.CreateSymbolicLink(Path.Combine(dir, name), path);
        foreach (var (path, name) in _conf.Archives)
            Directory.CreateSymbolicLink(Path.Combine(dir, name), Directory.Exists(path) ? path : Path.Combine(CacheDir, name));
        return dir;
    }
}
