using Microsoft.Extensions.Logging;
using System.CommandLine;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.Storage;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Job 2, TFRecords: <c>mapper transform</c> (map-only, one shard per map task; or with <c>--shuffle</c>, records to) <c>reducer transform</c> (one shard per reducer); then <c>mapper manifest</c> joins the shards' lines into <c>_manifest.json</c> (hadoop-jobs/to-tfrecords.sh).</summary>
public static class TfRecordsJob
{
    /// <summary><c>mapper transform</c>: job 2's map side (CSV rows → tf.train.Example shards or shuffle records).</summary>
    public static Command Mapper()
    {
        var output = new ShardOutputOptions();
        var shuffle = new Option<bool>("--shuffle") { Description = "Emit key\\tbase64 records for a global shuffle through the reducers" };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the shuffle keys", DefaultValueFactory = _ => 1 };
        // Auto by default, as mapper stats: the container's vcores under Hadoop, every core in a plain pipe.
        var threads = new Option<int>("--threads") { Description = "Threads transforming rows (map-only mode; default 0 = auto: mapreduce.map.cpu.vcores under Hadoop, 1 unless set; every core in a plain pipe). The shard is the same bytes for any number", DefaultValueFactory = _ => 0 };
        var maxBad = CsvInputOptions.MaxBadFractionOption();
        var cmd = new Command("transform", "Transform CSV rows on stdin into tf.train.Example records (TFRecord shard + manifest line)");
        output.AddTo(cmd);
        foreach (var o in new Option[] { shuffle, seed, threads, maxBad }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("mapper.transform", (logs, reporter) =>
        {
            var plan = output.LoadPlan(r);
            if (r.GetValue(threads) < 0) throw new ConfigException("--threads must be 0 (auto) or more");
            using var files = output.OpenFileSystems(r, logs);
            var task = TaskAttempt.OfProcess(reporter, logs.CreateLogger("mapper.transform"), files);
            var options = output.Options(r) with
            {
                Shuffle = r.GetValue(shuffle), Seed = r.GetValue(seed), MaxBadFraction = r.GetValue(maxBad),
                Threads = r.GetValue(threads) is > 0 and var t ? t : task.Context.DefaultThreads,
            };
            return TransformMapTask.Run(task, plan, options);
        }));
        return cmd;
    }

    /// <summary><c>reducer transform</c>: job 2's reduce side with --shuffle (shuffled records → one shard per reducer).</summary>
    public static Command Reducer()
    {
        var output = new ShardOutputOptions();
        var cmd = new Command("transform", "Write shuffled key\\tbase64 Examples (stdin) into this reducer's TFRecord shard");
        output.AddTo(cmd);
        cmd.SetAction(r => TaskHost.Execute("reducer.transform", (logs, reporter) =>
        {
            using var files = output.OpenFileSystems(r, logs);
            return TransformReduceTask.Run(TaskAttempt.OfProcess(reporter, logs.CreateLogger("reducer.transform"), files), output.LoadPlan(r),
                output.Options(r));
        }));
        return cmd;
    }

    /// <summary><c>mapper manifest</c>: the transform job's manifest lines (its part-* outputs) → <c>_manifest.json</c>.</summary>
    public static Command Manifest()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Where to write _manifest.json (default: stdout)" };
        var compression = new Option<string>("--compression") { Description = "Compression of the shards (when there is no --plan)", DefaultValueFactory = _ => "gzip" };
        var plan = new Option<string?>("--plan") { Description = "The transform plan the shards were written with: their compression is its" };
        var cmd = new Command("manifest", "Combine the transform job's manifest lines (stdin) into _manifest.json");
        cmd.Options.Add(output);
        cmd.Options.Add(compression);
        cmd.Options.Add(plan);
        cmd.SetAction(r => TaskHost.Execute("mapper.manifest", (_, _) =>
        {
            // The plan says how its shards were written; a script need not pick the field out of its JSON.
            var jobPlan = r.GetValue(plan) is { } planPath ? TransformPlan.Load(planPath) : null;
            var name = jobPlan?.Compression ?? r.GetValue(compression)!;
            TfRecordCompressionExtensions.Parse(name);   // exit 2 on an unknown name, before reading
            var shards = new List<ShardInfo>();
            string? line;
            int n = 0;
            while ((line = Console.In.ReadLine()) is not null)
            {
                n++;
                if (line.Length == 0) continue;
                // A shard record is the value of a reducer's line, or a whole line when it has no key.
                var record = KeyValueLine.Split(line, out _, out var value) ? value : line;
                try { shards.Add(ShardInfo.FromJson(record)); }
                catch (System.Text.Json.JsonException e) { throw new DataException($"manifest line {n} is not a shard record: {e.Message}"); }
            }
            var manifest = JobManifest.FromShards(shards, name, jobPlan?.Hash());
            if (manifest.Records == 0) throw new DataException(NothingWritten(manifest));
            var json = manifest.ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json); else Console.Out.Write(json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    /// <summary>Why a transform job wrote no record: a job whose every row was dropped or rejected failed, whatever its tasks said.</summary>
    private static string NothingWritten(JobManifest m) =>
        m.RowsRead == 0 ? "0 records written: the input has no rows"
        : m.DroppedMissingLabel > 0 && m.RejectedRows == 0 ? $"0 records written: every row was dropped (missing label; {m.DroppedMissingLabel:N0} of {m.RowsRead:N0} rows)"
        : $"0 records written: of {m.RowsRead:N0} rows, {m.RejectedRows:N0} were rejected (see _rejects/) and {m.DroppedMissingLabel:N0} dropped (missing label)";
}
