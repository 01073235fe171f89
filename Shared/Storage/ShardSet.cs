using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Transform;

namespace Streaming.Storage;

/// <summary>
/// The shards of a transform output directory: the <c>*.tfrecord*</c> files in name order, with the job's
/// <c>_manifest.json</c> (record counts, whole-shard CRC-32C, the hash of the plan that wrote each shard) and
/// <c>_transform.json</c>. A directory without a manifest is refused unless asked for (its completeness cannot be
/// checked: a deleted shard would go unnoticed), and a shard of another plan than the <c>_transform.json</c> beside
/// it is refused when the plan is loaded.
/// </summary>
public sealed class ShardSet
{
    public required IFileSystem Source { get; init; }
    public required string Directory { get; init; }
    public required IReadOnlyList<FileEntry> Shards { get; init; }
    public JobManifest? Manifest { get; init; }
    /// <summary><c>_transform.json</c> as the directory listing found it (null: there is none).</summary>
    public FileEntry? PlanFile { get; init; }

    public static bool IsShard(string name) => !name.StartsWith('_') && !name.StartsWith('.') && name.Contains(".tfrecord", StringComparison.Ordinal);

    /// <param name="allowMissingManifest">Read a directory without <c>_manifest.json</c> (shards assembled by hand), unchecked.</param>
    /// <param name="log">Told, with <paramref name="allowMissingManifest"/>, how many shards were found unchecked.</param>
    public static ShardSet Open(IFileSystem source, string directory, bool allowMissingManifest = false, ILogger? log = null)
    {
        var entries = source.List(directory);
        var shards = entries.Where(e => !e.IsDirectory && IsShard(e.Name)).OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
        JobManifest? manifest = null;
        var m = entries.FirstOrDefault(e => e.Name == "_manifest.json");
        if (m is not null)
        {
            using var r = new StreamReader(source.OpenRead(m));   // its listed length: a short read is a fault, not the end
            try { manifest = JobManifest.FromJson(r.ReadToEnd()); }
            catch (System.Text.Json.JsonException e)
            {
                throw new ConfigException($"{m.Path} is not a transform manifest (empty or truncated: was the job's last step interrupted?): {e.Message}");
            }
            var listed = manifest.Shards.Select(s => s.Shard).ToHashSet();
            var missing = listed.Except(shards.Select(s => s.Name)).ToList();
            if (missing.Count > 0) throw new IOException($"{directory}: shards in _manifest.json are missing: {string.Join(", ", missing)}");
            var extra = shards.Where(s => !listed.Contains(s.Name)).Select(s => s.Name).ToList();
            if (extra.Count > 0) throw new IOException($"{directory}: shards not in _manifest.json (another run's output?): {string.Join(", ", extra)}");
        }
        if (shards.Count == 0) throw new IOException($"{directory}: no TFRecord shards (*.tfrecord*)");
        if (manifest is null)
        {
            if (!allowMissingManifest)
                throw new DataException($"{directory}: no _manifest.json: the transform job did not finish, or the directory was assembled by hand ({shards.Count} shard(s) found; --allow-missing-manifest reads them unchecked)");
            log?.LogWarning("{Directory}: no _manifest.json: reading the {Count} shard(s) found; their completeness, sizes, checksums and plan cannot be checked", directory, shards.Count);
        }
        return new ShardSet
        {
            Source = source, Directory = directory, Shards = shards, Manifest = manifest,
            PlanFile = entries.FirstOrDefault(e => e.Name == "_transform.json" && !e.IsDirectory),
        };
    }

    public TransformPlan LoadPlan()
    {
        if (PlanFile is not { } file) throw new ConfigException($"{Directory}: no _transform.json beside the shards");
        // The listed entry: its length is known (a short read is a fault to resume, not the end) and no second status call is made.
        using var r = new StreamReader(Source.OpenRead(file));
        var plan = TransformPlan.FromJson(r.ReadToEnd(), file.Path);
        if (Manifest is { } m)
        {
            var hash = plan.Hash();
            if (m.Shards.FirstOrDefault(s => s.PlanHash is { } h && h != hash) is { } foreign)
                throw new DataException($"{Source.Combine(Directory, foreign.Shard)} was written by plan {foreign.PlanHash}, not by the _transform.json beside it ({hash}): a shard of another transform");
            if (m.PlanHash is { } mh && mh != hash)
                throw new DataException($"{Source.Combine(Directory, "_manifest.json")} was written for plan {mh}, not for the _transform.json beside it ({hash})");
        }
        return plan;
    }

    public delegate void RecordAction(ReadOnlySpan<byte> record);

    /// <summary>
    /// Hands every record of one shard to <paramref name="action"/> (the span is valid during the call only), verifying
    /// the record CRCs and, with a manifest, the shard's size, whole-file CRC-32C and record count (which catches damage
    /// a compressed container alone may not, e.g. in a gzip header). Returns the number of records.
    /// </summary>
    public long ForEachRecord(FileEntry shard, RecordAction action)
    {
        var info = Manifest?.Shards.First(s => s.Shard == shard.Name);
        using var raw = new CrcReadStream(Source.OpenRead(shard));
        using var reader = new TfRecordReader(raw, shard.Name, TfRecordCompressionExtensions.FromFileName(shard.Name));
        while (reader.TryRead(out var rec)) action(rec);
        raw.DrainToEnd();
        if (info is null) return reader.Records;
        if (raw.Length != info.Bytes)
            throw new TfRecordCorruptException(shard.Name, raw.Length, $"shard is {raw.Length} bytes, the manifest says {info.Bytes}");
        if (raw.Crc != info.Crc32c)
            throw new TfRecordCorruptException(shard.Name, 0, $"whole-shard CRC-32C {raw.Crc} differs from the manifest's {info.Crc32c}");
        if (reader.Records != info.Records)
            throw new TfRecordCorruptException(shard.Name, reader.Offset, $"{reader.Records} records, the manifest says {info.Records}");
        return reader.Records;
    }

    /// <summary>Every record of one shard, copied (for tests and tools; the input pipeline uses <see cref="ForEachRecord"/>).</summary>
    public List<byte[]> ReadShard(FileEntry shard)
    {
        var records = new List<byte[]>();
        ForEachRecord(shard, r => records.Add(r.ToArray()));
        return records;
    }

    /// <summary>Read-through stream that CRCs and counts what passes.</summary>
    private sealed class CrcReadStream(Stream inner) : ForwardStream
    {
        public override bool CanRead => true;
        public uint Crc { get; private set; }
        private long _length;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = inner.Read(buffer);
            Crc = Crc32C.Append(Crc, buffer[..n]);
            _length += n;
            return n;
        }
        public void DrainToEnd()
        {
            var b = new byte[1 << 16];
            while (Read(b, 0, b.Length) > 0) { }
        }
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
        protected override void Dispose(bool disposing) { if (disposing) inner.Dispose(); base.Dispose(disposing); }
    }
}
