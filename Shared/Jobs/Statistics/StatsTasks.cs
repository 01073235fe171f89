using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Stats;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Options of the statistics job's map side.</summary>
/// <param name="Threads">Worker threads parsing and counting (the output is the same for any number).</param>
public sealed record StatsOptions(IReadOnlyList<string> Categorical, int TopCapacity = FrequentValues.DefaultCapacity,
    double MaxBadFraction = 0.01, int Threads = 1);

/// <summary>
/// Job 1, map side: in-mapper combining. Every well-formed row updates one <see cref="ColumnStats"/> per column;
/// at end of input one partial per column is emitted as <c>column\t{json}</c>. With several threads, this thread
/// cuts the input into 4 MiB blocks at line ends and deals them round-robin to workers (itself included) that each
/// keep their own statistics, merged at the end in worker order. Exact fields do not depend on the split; the
/// sketches do, so blocks are filled whatever each read returns: the cut, and so the output, depends on the bytes
/// alone, and a re-run gives the same partials.
/// </summary>
public static class StatsMapTask
{
    private const int BlockBytes = LineBlocks.BlockBytes;

    // Worker 0 is the reading thread itself: no thread, no queue.
    private sealed class Worker(ColumnStats[] columns, bool queued)
    {
        public readonly ColumnStats[] Columns = columns;
        public readonly System.Collections.Concurrent.BlockingCollection<(byte[] Data, int Length, long FirstLine)>? Queue = queued ? new(3) : null;
        public long RowsRead, RowsOk;
        public Thread? Thread;
        public Exception? Error;
    }

    public static int Run(TaskAttempt task, CsvOptions csv, StatsOptions options)
    {
        var (input, output, ctx, reporter, log) = task;
        int threads = options.Threads;
        var source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        using var lines = new LineReader(input, csv.MaxLineBytes);
        using var rejects = new RejectedRows(reporter, log, options.MaxBadFraction, source, SideEffectFiles.RejectsWriter(ctx, task.Files));
        // The first line (the header, when the split starts the file) is read here, so every worker knows the columns.
        var head = new CsvRowReader(lines, csv, ctx.AtFileStart, rejects, reporter) { LineLimit = threads > 1 ? 1 : long.MaxValue, Log = log };
        ColumnStats[]? columns = null;
        while (head.TryRead(out var row))
        {
            columns ??= CreateColumns(head.Columns, options, csv);
            Update(columns, row);
        }
        long rowsRead = head.RowsRead, rowsOk = head.RowsOk;
        if (threads > 1 && head.HasColumns)
        {
            columns ??= CreateColumns(head.Columns, options, csv);
            var withColumns = csv with { Header = HeaderMode.None, Columns = head.Columns };
            var (more, moreOk) = RunParallel(lines, head.LineNumber, withColumns, columns, options, threads, rejects, reporter);
            rowsRead += more;
            rowsOk += moreOk;
        }
        if (columns is null && head.HasColumns) columns = CreateColumns(head.Columns, options, csv);
        foreach (var c in columns ?? []) c.Complete();   // the deferred values folded in: the statistics can be read
        reporter.Increment(Counters.Group, Counters.RowsRead, rowsRead);
        reporter.Increment(Counters.Group, Counters.RowsOk, rowsOk);
        reporter.Increment(Counters.Group, Counters.MissingValues, columns?.Sum(c => c.Missing) ?? 0);
        rejects.CheckThreshold(rowsRead);

        using var writer = new KeyValueWriter(output);
        foreach (var c in columns ?? [])
            writer.Write(c.Name, StatsJson.Serialize(c));
        writer.Flush();
        log.LogInformation("stats map: {Rows} rows, {Ok} ok, {Rejected} rejected, {Columns} columns from {Source} ({Threads})",
            rowsRead, rowsOk, rejects.Total, columns?.Length ?? 0, source, Plural.Of(threads, "thread"));
        return ExitCodes.Ok;
    }

    // Missing tokens are recognised inside ColumnStats (built with the CSV options).
    private static void Update(ColumnStats[] columns, CsvLineParser row)
    {
        // The row reader returns only rows with exactly one field per column.
        int n = Math.Min(columns.Length, row.FieldCount);
        for (int i = 0; i < n; i++) columns[i].Add(row.FieldUnchecked(i));
    }

    private static (long Rows, long Ok) RunParallel(LineReader lines, long lineNumber, CsvOptions csv, ColumnStats[] first,
        StatsOptions options, int threads, RejectedRows rejects, Reporter reporter)
    {
        void Process(Worker worker, byte[] data, int length, long firstLine)
        {
            using var lr = new LineReader(data, length, csv.MaxLineBytes);
            var rr = new CsvRowReader(lr, csv, atFileStart: false, rejects, reporter) { LineNumberBase = firstLine - 1 };
            while (rr.TryRead(out var row)) Update(worker.Columns, row);
            worker.RowsRead += rr.RowsRead;
            worker.RowsOk += rr.RowsOk;
            System.Buffers.ArrayPool<byte>.Shared.Return(data);
        }

        var workers = new Worker[threads];
        for (int w = 0; w < threads; w++)
        {
            var worker = workers[w] = new Worker(w == 0 ? first : CreateColumns(csv.Columns!, options, csv), queued: w > 0);
            if (w == 0) continue;
            worker.Thread = new Thread(() =>
            {
                try
                {
                    foreach (var (data, length, firstLine) in worker.Queue!.GetConsumingEnumerable()) Process(worker, data, length, firstLine);
                }
                catch (Exception e) { worker.Error = e; }
            }) { IsBackground = true, Name = $"stats-worker-{w}" };
            worker.Thread.Start();
        }
        // This thread cuts the input into blocks at line ends (counting lines for the workers' line numbers), deals
        // them round-robin and parses its own share: N threads in all, none of them only waiting on a pipe.
        // Besides its own blocks this thread reads every block from the pipe and counts its lines, roughly a
        // sixteenth of parsing one: its own blocks are smaller by that much per thread, so round-robin dealing (which
        // keeps the cut, and the output, a function of the bytes) leaves no thread waiting on another.
        int readerBlock = Math.Max(BlockBytes / 2, BlockBytes - BlockBytes / 16 * workers.Length);
        long tooLong = 0;
        int next = 0;
        using var blocks = new LineBlocks(lines.Rest(), csv.MaxLineBytes, lineNumber, (sample, line) =>
        {
            tooLong++;
            rejects.Reject(RejectReason.LineTooLong, sample, line, $"longer than {csv.MaxLineBytes} bytes");
        });
        try
        {
            while (blocks.TryNext(workers[next].Thread is null ? readerBlock : null, out var data, out int length, out long firstLine))
            {
                var w = workers[next];
                next = (next + 1) % workers.Length;
                if (w.Thread is null) Process(w, data, length, firstLine);
                else if (w.Error is not null || !w.Queue!.TryAdd((data, length, firstLine), Timeout.Infinite))
                    System.Buffers.ArrayPool<byte>.Shared.Return(data);   // a worker that died takes no more blocks
            }
        }
        finally
        {
            foreach (var w in workers) w.Queue?.CompleteAdding();
            foreach (var w in workers) w.Thread?.Join();
        }
        if (workers.FirstOrDefault(w => w.Error is not null) is { } failed)
            throw failed.Error is ConfigException or DataException ? failed.Error : new IOException($"stats worker failed: {failed.Error!.Message}", failed.Error);
        for (int w = 1; w < workers.Length; w++)
            for (int i = 0; i < first.Length; i++) first[i].Merge(workers[w].Columns[i]);
        return (workers.Sum(w => w.RowsRead) + tooLong, workers.Sum(w => w.RowsOk));
    }

    private static ColumnStats[] CreateColumns(IReadOnlyList<string> names, StatsOptions options, CsvOptions csv)
    {
        foreach (var c in options.Categorical)
            if (!names.Contains(c)) throw new ConfigException($"--categorical names column '{c}', which is not in the input (columns: {string.Join(",", names)})");
        return names.Select((n, i) => new ColumnStats(n, i, options.Categorical.Contains(n), options.TopCapacity, csv.Missing)).ToArray();
    }
}

/// <summary>
/// Job 1, combiner and reducer (one command for both): merges every partial of a column into one, in the same
/// format. Merging is associative and commutative, so Hadoop may run it any number of times on any subset.
/// </summary>
public static class StatsReduceTask
{
    public static int Run(TaskAttempt task)
    {
        var (input, output, _, reporter, log) = task;
        using var lines = new LineReader(input);
        using var writer = new KeyValueWriter(output);
        var groups = new KeyGroups(lines);
        long merged = 0;
        int keys = 0;
        foreach (var (key, values) in groups.Read())
        {
            ColumnStats? acc = null;
            foreach (var v in values)
            {
                ColumnStats part;
                try { part = StatsJson.Deserialize(v); }
                catch (FormatException e)
                {
                    // A partial we cannot read would make every statistic of the column wrong: fail, never guess.
                    reporter.Increment(Counters.Group, Counters.Malformed(RejectReason.BadRecord));
                    throw new DataException($"column '{key}': unreadable partial statistics ({e.Message}): {Bytes.Escape(System.Text.Encoding.UTF8.GetBytes(v), 200)}");
                }
                if (part.Name != key) throw new DataException($"partial statistics of column '{part.Name}' arrived under key '{key}'");
                if (acc is null) acc = part; else acc.Merge(part);
                merged++;
            }
            writer.Write(key, StatsJson.Serialize(acc!));
            keys++;
        }
        writer.Flush();
        reporter.Increment(Counters.Group, Counters.PartialsMerged, merged);
        log.LogInformation("stats reduce: merged {Partials} partials into {Columns} columns", merged, keys);
        return ExitCodes.Ok;
    }
}
