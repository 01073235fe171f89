using System.IO.Compression;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>TFRecord file compression: the whole file is one GZIP or ZLIB stream of the framing (docs/contracts.md §2).</summary>
public enum TfRecordCompression { None, Gzip, Zlib }

public static class TfRecordCompressionExtensions
{
    public static string Extension(this TfRecordCompression c) => c switch
    {
        TfRecordCompression.Gzip => ".tfrecord.gz",
        TfRecordCompression.Zlib => ".tfrecord.zlib",
        _ => ".tfrecord",
    };

    public static TfRecordCompression Parse(string text) => text.ToLowerInvariant() switch
    {
        "gzip" or "gz" => TfRecordCompression.Gzip,
        "zlib" => TfRecordCompression.Zlib,
        "none" or "" => TfRecordCompression.None,
        _ => throw new ConfigException("compression", $"must be gzip|zlib|none, got '{text}'"),
    };

    /// <summary>From a shard's file name.</summary>
    public static TfRecordCompression FromFileName(string name) =>
        name.EndsWith(".gz", StringComparison.Ordinal) ? TfRecordCompression.Gzip
        : name.EndsWith(".zlib", StringComparison.Ordinal) || name.EndsWith(".zz", StringComparison.Ordinal) ? TfRecordCompression.Zlib
        : TfRecordCompression.None;

    /// <summary>A gzip-style 0..9 level as .NET's coarser <see cref="CompressionLevel"/>.</summary>
    public static CompressionLevel Level(int level) => level switch
    {
        0 => CompressionLevel.NoCompression,
        >= 1 and <= 5 => CompressionLevel.Fastest,
        >= 6 and <= 8 => CompressionLevel.Optimal,
        9 => CompressionLevel.SmallestSize,
        _ => throw new ConfigException("gzip-level", "must be 0..9"),
    };

    public static Stream WrapWrite(this TfRecordCompression c, Stream s, CompressionLevel level, bool leaveOpen) => c switch
    {
        // Block by block, so that blocks may be deflated in parallel and the shard still be the same bytes.
        TfRecordCompression.Gzip => new BlockGzipStream(s, level, leaveOpen),
        TfRecordCompression.Zlib => new ZLibStream(s, level, leaveOpen),
        _ => s,
    };

    public static Stream WrapRead(this TfRecordCompression c, Stream s) => c switch
    {
        TfRecordCompression.Gzip => new GZipStream(s, CompressionMode.Decompress),
        TfRecordCompression.Zlib => new ZLibStream(s, CompressionMode.Decompress),
        _ => s,
    };
}
