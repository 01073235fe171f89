using System.Buffers;
using System.Buffers.Binary;

namespace Streaming.TfRecord;

/// <summary>A TFRecord shard that fails its checks: which shard, at which byte offset, and why.</summary>
public sealed class TfRecordCorruptException(string shard, long offset, string reason)
    : IOException($"corrupt TFRecord shard {shard} at byte {offset}: {reason}")
{
    public string Shard { get; } = shard;
    /// <summary>Offset of the failing record in the uncompressed framing (the stored file for uncompressed shards).</summary>
    public long Offset { get; } = offset;
    public string Reason { get; } = reason;
}

/// <summary>
/// Reads TFRecord framing from a stream, verifying both CRCs of every record; any mismatch, a truncated record, or a
/// decompression error is a <see cref="TfRecordCorruptException"/> naming the shard and offset. The record span is
/// valid until the next read. Records up to <see cref="MaxRecordBytes"/> are accepted (a corrupt length never makes
/// the reader allocate gigabytes).
/// </summary>
public sealed class TfRecordReader : IDisposable
{
    public const int MaxRecordBytes = 256 << 20;
    private readonly Stream _in;
    private readonly string _shard;
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(1 << 16);

    public TfRecordReader(Stream input, string shardName, TfRecordCompression compression = TfRecordCompression.None)
    {
        _in = compression.WrapRead(input);
        _shard = shardName;
    }

    public long Offset { get; private set; }
    public long Records { get; private set; }

    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        record = default;
        long start = Offset;
        Span<byte> header = stackalloc byte[12];
        int got = ReadFull(header, start);
        if (got == 0) return false;
        if (got < 12) throw Corrupt(start, $"truncated record header ({got} of 12 bytes)");
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Crc32C.Masked(header[..8]))
            throw Corrupt(start, "length CRC mismatch");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (length > MaxRecordBytes) throw Corrupt(start, $"record length {length} over the {MaxRecordBytes}-byte limit");
        int n = (int)length + 4;
        if (_buf.Length < n)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = ArrayPool<byte>.Shared.Rent(n);
        }
        int body = ReadFull(_buf.AsSpan(0, n), start);
        if (body < n) throw Corrupt(start, $"truncated record (length {length}, {body} of {n} bytes of data and CRC present)");
        var data = _buf.AsSpan(0, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan((int)length, 4)) != Crc32C.Masked(data))
            throw Corrupt(start, "data CRC mismatch");
        Offset += 12 + n;
        Records++;
        record = data;
        return true;
    }

    private int ReadFull(Span<byte> dst, long recordStart)
    {
        int total = 0;
        try
        {
            while (total < dst.Length)
            {
                int r = _in.Read(dst[total..]);
                if (r == 0) break;
                total += r;
            }
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(recordStart, "compressed stream is damaged: " + e.Message);
        }
        return total;
    }

    private TfRecordCorruptException Corrupt(long offset, string reason) => new(_shard, offset, reason);

    public void Dispose()
    {
        _in.Dispose();
        if (_buf.Length > 0) ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }
}
