using System.Buffers;
using System.Buffers.Binary;
using System.Diagnostics;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>A TFRecord shard that fails its checks: which shard, at which byte offset, and why.</summary>
/// <remarks>Corrupt data, not an I/O failure: exit 1 like every data verdict (exit 3 is for I/O and remote failures, which a retry may heal).</remarks>
public sealed class TfRecordCorruptException(string shard, long offset, string reason)
    : DataException($"corrupt TFRecord shard {shard} at byte {offset}: {reason}")
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
/// <para>
/// The reader owns its buffer, as Utf8JsonReader does: it fills <see cref="ChunkBytes"/> at a time from the stream and
/// hands out records as spans of the buffer, so a record costs no stream call and no copy (records are ~300 bytes: two
/// small reads a record through a decompressor and a CRC stream cost more than decoding the record). State: the
/// buffer holds bytes [_start, _end) not yet consumed; a record that straddles _end moves to the front first.
/// </para>
/// </summary>
public sealed class TfRecordReader : IDisposable
{
    public const int MaxRecordBytes = 256 << 20;
    public const int ChunkBytes = 256 << 10;
    private const int HeaderBytes = 12, FooterBytes = 4;
    private readonly Stream _in;
    private readonly string _shard;
    private byte[] _buf = ArrayPool<byte>.Shared.Rent(ChunkBytes);
    private int _start, _end;
    private bool _eof;

    public TfRecordReader(Stream input, string shardName, TfRecordCompression compression = TfRecordCompression.None)
    {
        _in = compression.WrapRead(input);
        _shard = shardName;
    }

    /// <summary>Offset of the next record in the uncompressed framing.</summary>
    public long Offset { get; private set; }
    public long Records { get; private set; }

    public bool TryRead(out ReadOnlySpan<byte> record)
    {
        record = default;
        long start = Offset;
        if (!Ensure(HeaderBytes))
        {
            if (_end == _start) return false;
            throw Corrupt(start, $"truncated record header ({_end - _start} of 12 bytes)");
        }
        var header = _buf.AsSpan(_start, HeaderBytes);
        if (BinaryPrimitives.ReadUInt32LittleEndian(header[8..]) != Crc32C.Masked(header[..8]))
            throw Corrupt(start, "length CRC mismatch");
        ulong length = BinaryPrimitives.ReadUInt64LittleEndian(header);
        if (length > MaxRecordBytes) throw Corrupt(start, $"record length {length} over the {MaxRecordBytes}-byte limit");
        int total = HeaderBytes + (int)length + FooterBytes;
        if (!Ensure(total))
            throw Corrupt(start, $"truncated record (length {length}, {_end - _start - HeaderBytes} of {length + FooterBytes} bytes of data and CRC present)");
        Debug.Assert(_start + total <= _end);
        var data = _buf.AsSpan(_start + HeaderBytes, (int)length);
        if (BinaryPrimitives.ReadUInt32LittleEndian(_buf.AsSpan(_start + HeaderBytes + (int)length, FooterBytes)) != Crc32C.Masked(data))
            throw Corrupt(start, "data CRC mismatch");
        _start += total;
        Offset += total;
        Records++;
        record = data;
        return true;
    }

    /// <summary>Makes at least <paramref name="bytes"/> unconsumed bytes present; false at the end of the stream before that.</summary>
    private bool Ensure(int bytes)
    {
        if (_end - _start >= bytes) return true;
        // Move the unconsumed tail to the front (the span handed out last is no longer valid: documented), grow for a big record.
        int have = _end - _start;
        if (_buf.Length < bytes)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(bytes, 2 * _buf.Length));
            _buf.AsSpan(_start, have).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }
        else _buf.AsSpan(_start, have).CopyTo(_buf);
        (_start, _end) = (0, have);
        try
        {
            while (_end < bytes && !_eof)
            {
                int r = _in.Read(_buf, _end, _buf.Length - _end);
                if (r == 0) _eof = true;
                _end += r;
            }
        }
        catch (InvalidDataException e)
        {
            throw Corrupt(Offset, "compressed stream is damaged: " + e.Message);
        }
        return _end - _start >= bytes;
    }

    private TfRecordCorruptException Corrupt(long offset, string reason) => new(_shard, offset, reason);

    public void Dispose()
    {
        _in.Dispose();
        if (_buf.Length > 0) ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }
}
