using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Csv;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.Storage;
using Streaming.Hadoop;

namespace Streaming.Jobs;

/// <summary>Options of the transform job's tasks.</summary>
public sealed record TransformOptions
{
    /// <summary>Emit <c>key\tbase64(Example)</c> for a global shuffle through the reducers instead of writing a shard.</summary>
    public bool Shuffle { get; init; }
    public ulong Seed { get; init; } = 1;
    /// <summary>Where the shard goes; default: the task's side-effect directory <c>${mapreduce_task_output_dir}</c>.</summary>
    public string? OutputDir { get; init; }
    public double MaxBadFraction { get; init; } = 0.01;
    public CompressionLevel Level { get; init; } = CompressionLevel.Fastest;
    /// <summary>Threads transforming rows (map-only mode); the shard is the same bytes for any number.</summary>
    public int Threads { get; init; } = 1;
}

/// <summary>
/// Job 2, map side: every CSV row becomes one <c>tf.train.Example</c>. Map-only mode writes the task's shard
/// <c>part-m-NNNNN.tfrecord.gz</c> as a side-effect file (committed only with the attempt, so exactly once) and prints
/// one manifest line. Shuffle mode emits <c>key\tbase64</c> records keyed by a seeded hash of the row's position, so a
/// re-executed task emits the same keys.
/// </summary>
public static class TransformMapTask
{
    public static int Run(TaskAttempt task, TransformPlan plan, TransformOptions options)
    {
        var (input, output, ctx, reporter, log) = task;
        var compression = TfRecordCompressionExtensions.Parse(plan.Compression);
        string source = $"{ctx.InputFile ?? "stdin"}@{ctx.InputStart}";
        string? outDir = null;
        if (!options.Shuffle)
            outDir = options.OutputDir ?? ctx.TaskOutputDir
                ?? throw new ConfigException("no output directory for the shard: run inside a streaming job (mapreduce_task_output_dir) or pass --output-dir");
        var csv = plan.ToCsvOptions();
        using var lines = new LineReader(input, csv.MaxLineBytes);
        using var rejects = new RejectedRows(reporter, log, options.MaxBadFraction, source, SideEffectFiles.RejectsWriter(ctx, task.Files));
        // A shard is written in blocks (of whole lines, cut the same way for any thread count): this thread reads the
        // first line (the header, when the split starts the file) so that every worker knows the columns, then deals
        // the rest out and writes the workers' records, compressed by them, in order.
        bool inBlocks = !options.Shuffle;
        var reader = new CsvRowReader(lines, csv, ctx.AtFileStart, rejects, reporter) { LineLimit = inBlocks ? 1 : long.MaxValue, Log = log };
        var transformer = new RowTransformer(plan);
        string shard = SideEffectFiles.TaskStem(ctx) + compression.Extension();
        using var stdout = new KeyValueWriter(output);
        // The shard is a pending file on whichever file system holds the directory: it takes its name only when the
        // task's threshold held (below); a failure or a kill before that leaves nothing that looks like a shard.
        using var shardFile = options.Shuffle ? null : task.Files.Create(outDir!, shard);
        TfRecordWriter? writer = shardFile is null ? null : new TfRecordWriter(shardFile, compression, options.Level, leaveOpen: true);
        long dropped = 0, rowsRead = 0, rowsOk = 0;
        var keySource = new byte[8 + Encoding.UTF8.GetMaxByteCount((ctx.InputFile ?? "").Length) + 16];
        int prefix = ShuffleKeyPrefix(keySource, options.Seed, ctx);
        Span<byte> key = stackalloc byte[16];
        byte[] b64 = new byte[1024];
        try
        {
            while (reader.TryRead(out var row))
            {
                var outcome = transformer.Transform(row, out var example, out var detail);
                switch (outcome)
                {
                    case RowOutcome.Ok:
                        if (writer is not null) writer.Write(example);
                        else
                        {
                            BinaryPrimitives.WriteInt64LittleEndian(keySource.AsSpan(prefix), reader.LineNumber);
                            ulong h = Hash64.Of(keySource.AsSpan(0, prefix + 8));
                            for (int i = 15; i >= 0; i--) { key[i] = (byte)"0123456789abcdef"[(int)(h & 15)]; h >>= 4; }
                            int need = ((example.Length + 2) / 3) * 4;
                            if (b64.Length < need) b64 = new byte[need * 2];
                            System.Buffers.Text.Base64.EncodeToUtf8(example, b64, out _, out int written);
                            stdout.Write(key, b64.AsSpan(0, written));
                        }
                        break;
                    default:
                        NotAnExample(outcome, transformer, reader, rejects, detail, ref dropped);
                        break;
                }
            }
            rowsRead = reader.RowsRead;
            rowsOk = reader.RowsOk;
            if (inBlocks && reader.HasColumns)
            {
                var more = TransformParallel(lines.Rest(), reader.LineNumber, csv with { Header = HeaderMode.None, Columns = reader.Columns },
                    plan, Math.Max(1, options.Threads), writer!, options.Level, rejects);
                rowsRead += more.RowsRead;
                rowsOk += more.RowsOk;
                dropped += more.Dropped;
            }
            // Rows that parsed but failed the transform are rejected too: ok counts only rows that became examples.
            reporter.Increment(Counters.Group, Counters.RowsRead, rowsRead);
            reporter.Increment(Counters.Group, Counters.RowsOk, Examples(rowsOk, rejects, dropped));
            reporter.Increment(Counters.Group, Counters.DroppedMissingLabel, dropped);
            rejects.CheckThreshold(rowsRead);
        }
        catch
        {
            writer?.Dispose();
            throw;
        }
        long records = Examples(rowsOk, rejects, dropped);
        if (writer is not null)
        {
            writer.Dispose();      // the shard's last bytes (gzip trailer) written…
            shardFile!.Commit();   // …and the threshold held: the shard takes its name
            var info = new ShardInfo
            {
                Shard = shard, Records = writer.Records, Bytes = writer.FileBytes, Crc32c = writer.FileCrc32C,
                RowsRead = rowsRead, Rejected = rejects.Total, DroppedMissingLabel = dropped,
                Input = ctx.InputFile, Start = ctx.InputStart, PlanHash = plan.Hash(),
            };
            stdout.Write(shard, info.ToJson());
            reporter.Increment(Counters.Group, Counters.BytesWritten, writer.FileBytes);
            reporter.Increment(Counters.Group, Counters.RecordsWritten, writer.Records);
        }
        else
        {
            reporter.Increment(Counters.Group, "RecordsShuffled", records);
            // The reducers see examples only: the rows behind them travel as one accounting line per map task, so the
            // manifest's rows_read, rejected and dropped add up with --shuffle as without it.
            stdout.Write(RowAccounting.Key, new RowAccounting(rowsRead, rejects.Total, dropped).ToJson());
        }
        stdout.Flush();
        log.LogInformation("transform map: {Rows} rows, {Records} examples, {Rejected} rejected, {Dropped} dropped (missing label){Where} ({Threads})",
            rowsRead, records, rejects.Total, dropped, writer is null ? " → shuffle" : $" → {outDir}/{shard}", Plural.Of(inBlocks ? Math.Max(1, options.Threads) : 1, "thread"));
        return ExitCodes.Ok;
    }

    /// <summary>A row that did not become an Example: rejected (counted, quarantined) or dropped for its missing label.</summary>
    private static void NotAnExample(RowOutcome outcome, RowTransformer transformer, CsvRowReader reader, RejectedRows rejects, string? detail, ref long dropped)
    {
        if (outcome == RowOutcome.Rejected) rejects.Reject(transformer.LastRejectReason, reader.RawLine, reader.LineNumber, detail);
        else dropped++;
    }

    /// <summary>Rows that became Examples: well-formed rows less those the transform rejected or dropped.</summary>
    private static long Examples(long rowsOk, RejectedRows rejects, long dropped) =>
        rowsOk - rejects.ByReason.GetValueOrDefault(RejectReason.BadValue) - rejects.ByReason.GetValueOrDefault(RejectReason.BadLabel) - dropped;

    /// <summary>What a worker made of one block: its records framed, its rejects in order, its row counts.</summary>
    private sealed record BlockResult(byte[] Frames, int FrameBytes, BlockGzipStream.Block? Compressed, long Records, RejectedRows Rejects, long RowsRead, long RowsOk, long Dropped);

    /// <summary>
    /// The rest of the input on <paramref name="threads"/> workers: blocks of whole lines are transformed and framed in
    /// parallel, and this thread writes their records, replays their rejects and adds up their counts in input order,
    /// so the shard, the quarantine and the counters are those of one thread. At most <paramref name="threads"/>
    /// blocks are in flight (bounded memory). A gzip shard's blocks are compressed by the workers too
    /// (<see cref="BlockGzipStream"/>): compression, most of the work, is no longer one thread's.
    /// </summary>
    private static (long RowsRead, long RowsOk, long Dropped) TransformParallel(Stream rest, long lineNumber, CsvOptions csv,
        TransformPlan plan, int threads, TfRecordWriter writer, CompressionLevel level, RejectedRows rejects)
    {
        CompressionLevel? compress = writer.CompressesBlocks ? level : null;
        long rowsRead = 0, rowsOk = 0, dropped = 0;
        var pending = new Queue<Task<BlockResult>>();
        var transformers = new System.Collections.Concurrent.ConcurrentBag<RowTransformer>();
        var deflaters = new System.Collections.Concurrent.ConcurrentBag<BlockGzipStream.BlockWriter>();
        void WriteOldest()
        {
            var r = pending.Dequeue().GetAwaiter().GetResult();
            if (r.Compressed is { } block) writer.WriteCompressedBlock(block, r.Records);
            else writer.WriteFramed(r.Frames.AsSpan(0, r.FrameBytes), r.Records);
            if (r.Frames.Length > 0) System.Buffers.ArrayPool<byte>.Shared.Return(r.Frames);
            r.Rejects.ReplayInto(rejects);
            (rowsRead, rowsOk, dropped) = (rowsRead + r.RowsRead, rowsOk + r.RowsOk, dropped + r.Dropped);
        }
        using var blocks = new LineBlocks(rest, csv.MaxLineBytes, lineNumber, (sample, line) =>
        {
            // In order with the blocks around it, as the one-thread reader would reject it.
            var tooLong = RejectedRows.Recorder();
            tooLong.Reject(RejectReason.LineTooLong, sample, line, $"longer than {csv.MaxLineBytes} bytes");
            pending.Enqueue(Task.FromResult(new BlockResult([], 0, null, 0, tooLong, 1, 0, 0)));
        });
        try
        {
            while (blocks.TryNext(null, out var data, out int length, out long firstLine))
            {
                pending.Enqueue(Task.Run(() => TransformBlock(data, length, firstLine, csv, plan, compress, transformers, deflaters)));
                while (pending.Count >= threads) WriteOldest();
            }
            while (pending.Count > 0) WriteOldest();
        }
        finally
        {
            // A failed block ends the task: the others are let finish (their buffers go back to the pool) first.
            foreach (var t in pending) try { t.Wait(); } catch (AggregateException) { }
        }
        return (rowsRead, rowsOk, dropped);
    }

    private static BlockResult TransformBlock(byte[] data, int length, long firstLine, CsvOptions csv, TransformPlan plan,
        CompressionLevel? compress, System.Collections.Concurrent.ConcurrentBag<RowTransformer> transformers,
        System.Collections.Concurrent.ConcurrentBag<BlockGzipStream.BlockWriter> deflaters)
    {
        var rejects = RejectedRows.Recorder();
        var transformer = transformers.TryTake(out var t) ? t : new RowTransformer(plan);
        // Compressed as they are framed, through a small buffer that stays in cache; else all the block's frames are kept.
        var deflater = compress is { } level ? deflaters.TryTake(out var d) ? d : new BlockGzipStream.BlockWriter(level) : null;
        byte[] frames = System.Buffers.ArrayPool<byte>.Shared.Rent(deflater is not null ? 1 << 16 : Math.Max(1 << 16, length * 3));
        int used = 0;
        long records = 0, dropped = 0;
        try
        {
            using var lines = new LineReader(data, length, csv.MaxLineBytes);
            var reader = new CsvRowReader(lines, csv, atFileStart: false, rejects, new Reporter(TextWriter.Null)) { LineNumberBase = firstLine - 1 };
            while (reader.TryRead(out var row))
            {
                var outcome = transformer.Transform(row, out var example, out var detail);
                switch (outcome)
                {
                    case RowOutcome.Ok:
                        if (deflater is not null && frames.Length - used < example.Length + TfRecordWriter.FrameOverhead)
                        {
                            deflater.Write(frames.AsSpan(0, used));
                            used = 0;
                        }
                        if (frames.Length - used < example.Length + TfRecordWriter.FrameOverhead)
                        {
                            var bigger = System.Buffers.ArrayPool<byte>.Shared.Rent(Math.Max(frames.Length * 2, used + example.Length + TfRecordWriter.FrameOverhead));
                            frames.AsSpan(0, used).CopyTo(bigger);
                            System.Buffers.ArrayPool<byte>.Shared.Return(frames);
                            frames = bigger;
                        }
                        used += TfRecordWriter.Frame(example, frames.AsSpan(used));
                        records++;
                        break;
                    default:
                        NotAnExample(outcome, transformer, reader, rejects, detail, ref dropped);
                        break;
                }
            }
            BlockGzipStream.Block? compressed = null;
            if (deflater is not null)
            {
                deflater.Write(frames.AsSpan(0, used));
                used = 0;
                compressed = deflater.End();
                if (compressed.Size == 0)   // no record in the block: nothing to append
                {
                    System.Buffers.ArrayPool<byte>.Shared.Return(compressed.Buffer);
                    compressed = null;
                }
            }
            return new BlockResult(frames, used, compressed, records, rejects, reader.RowsRead, reader.RowsOk, dropped);
        }
        catch
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(frames);
            throw;
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(data);
            transformers.Add(transformer);
            if (deflater is not null) deflaters.Add(deflater);
        }
    }

    private static int ShuffleKeyPrefix(byte[] buf, ulong seed, TaskContext ctx)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(buf, seed);
        int n = 8 + Encoding.UTF8.GetBytes(ctx.InputFile ?? "", buf.AsSpan(8));
        BinaryPrimitives.WriteInt64LittleEndian(buf.AsSpan(n), ctx.InputStart);
        return n + 8;
    }
}

/// <summary>
/// Job 2 with <c>--shuffle</c>, reduce side: the records arrive sorted by their random keys (a global shuffle);
/// each reducer writes its shard <c>part-r-NNNNN.tfrecord.gz</c> as a side-effect file and prints its manifest line.
/// </summary>
public static class TransformReduceTask
{
    public static int Run(TaskAttempt task, TransformPlan plan, TransformOptions options)
    {
        var (input, output, ctx, reporter, log) = task;
        var compression = TfRecordCompressionExtensions.Parse(plan.Compression);
        string outDir = options.OutputDir ?? ctx.TaskOutputDir
            ?? throw new ConfigException("no output directory for the shard: run inside a streaming job (mapreduce_task_output_dir) or pass --output-dir");
        string shard = SideEffectFiles.TaskStem(ctx) + compression.Extension();
        using var lines = new LineReader(input, int.MaxValue / 2);
        using var shardFile = task.Files.Create(outDir, shard);
        using var writer = new TfRecordWriter(shardFile, compression, options.Level, leaveOpen: true);
        byte[] buf = new byte[4096];
        long n = 0;
        var rows = new RowAccounting(0, 0, 0);
        while (lines.TryReadLine(out var line, out _))
        {
            n++;
            bool hasTab = KeyValueLine.Split(line, out var key, out var b64);
            if (hasTab && key.SequenceEqual(RowAccounting.KeyBytes))
            {
                rows = rows.Add(RowAccounting.FromJson(b64));
                continue;
            }
            if (buf.Length < b64.Length) buf = new byte[b64.Length];
            if (!hasTab || System.Buffers.Text.Base64.DecodeFromUtf8(b64, buf, out _, out int len) != System.Buffers.OperationStatus.Done)
            {
                reporter.Increment(Counters.Group, Counters.Malformed(RejectReason.BadRecord));
                throw new DataException($"shuffled record {n} is not key\\tbase64: {Bytes.Escape(line, 120)}");
            }
            writer.Write(buf.AsSpan(0, len));
        }
        writer.Dispose();
        shardFile.Commit();
        var info = new ShardInfo
        {
            Shard = shard, Records = writer.Records, Bytes = writer.FileBytes, Crc32c = writer.FileCrc32C,
            RowsRead = rows.RowsRead, Rejected = rows.Rejected, DroppedMissingLabel = rows.Dropped, PlanHash = plan.Hash(),
        };
        using var stdout = new KeyValueWriter(output);
        stdout.Write(shard, info.ToJson());
        reporter.Increment(Counters.Group, Counters.RecordsWritten, writer.Records);
        reporter.Increment(Counters.Group, Counters.BytesWritten, writer.FileBytes);
        log.LogInformation("transform reduce: {Records} examples → {Dir}/{Shard}", writer.Records, outDir, shard);
        return ExitCodes.Ok;
    }
}

/// <summary>
/// A shuffle-mode map task's row accounting, sent to the reduce side under its own key (all such lines meet in one
/// reducer, whose manifest line carries the sum).
/// </summary>
public sealed record RowAccounting(long RowsRead, long Rejected, long Dropped)
{
    public const string Key = "#rows";
    public static readonly byte[] KeyBytes = Encoding.ASCII.GetBytes(Key);

    public RowAccounting Add(RowAccounting o) => new(RowsRead + o.RowsRead, Rejected + o.Rejected, Dropped + o.Dropped);

    public string ToJson() => FormattableString.Invariant($"{{\"rows_read\":{RowsRead},\"rejected\":{Rejected},\"dropped\":{Dropped}}}");

    public static RowAccounting FromJson(ReadOnlySpan<byte> json)
    {
        try
        {
            using var doc = System.Text.Json.JsonDocument.Parse(json.ToArray());
            var r = doc.RootElement;
            return new(r.GetProperty("rows_read").GetInt64(), r.GetProperty("rejected").GetInt64(), r.GetProperty("dropped").GetInt64());
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or KeyNotFoundException or InvalidOperationException)
        {
            throw new DataException($"row accounting line is not {{\"rows_read\",\"rejected\",\"dropped\"}}: {e.Message}");
        }
    }
}
