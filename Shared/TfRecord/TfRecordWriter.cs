using System.Buffers.Binary;
using System.IO.Compression;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>
/// Writes TFRecord framing: <c>uint64 length, uint32 masked_crc(length), data, uint32 masked_crc(data)</c>, little
/// endian, optionally through GZIP/ZLIB. Also keeps the CRC-32C and size of the bytes that reach the destination
/// (the shard as stored), which the manifest records so a reader can check a whole shard.
/// </summary>
public sealed class TfRecordWriter : IDisposable
{
    private readonly CountingCrcStream _file;
    private readonly Stream _framed;
    private readonly BufferedStream _buffer;
    private readonly bool _leaveOpen;
    private bool _disposed;

    public TfRecordWriter(Stream destination, TfRecordCompression compression = TfRecordCompression.None,
        CompressionLevel level = CompressionLevel.Fastest, bool leaveOpen = false)
    {
        _leaveOpen = leaveOpen;
        _file = new CountingCrcStream(destination);
        _framed = compression.WrapWrite(_file, level, leaveOpen: true);
        _buffer = new BufferedStream(_framed, 1 << 16);
    }

    public long Records { get; private set; }
    /// <summary>Bytes of framing written before compression.</summary>
    public long RecordBytes { get; private set; }
    /// <summary>Bytes that reached the destination; final after <see cref="Dispose"/>.</summary>
    public long FileBytes => _file.Length;
    /// <summary>CRC-32C of the bytes that reached the destination; final after <see cref="Dispose"/>.</summary>
    public uint FileCrc32C => _file.Crc;

    /// <summary>Bytes of framing around a record: the length with its CRC before it, the data's CRC after it.</summary>
    public const int FrameOverhead = 16;

    public void Write(ReadOnlySpan<byte> record)
    {
        Span<byte> header = stackalloc byte[12];
        WriteHeader(header, record.Length);
        _buffer.Write(header);
        _buffer.Write(record);
        Span<byte> footer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(footer, Crc32C.Masked(record));
        _buffer.Write(footer);
        Records++;
        RecordBytes += FrameOverhead + record.Length;
    }

    /// <summary>
    /// Frames <paramref name="record"/> into <paramref name="destination"/> (<see cref="FrameOverhead"/> bytes more than
    /// the record), as <see cref="Write"/> would write it: worker threads frame, one writer writes the frames in order.
    /// </summary>
    public static int Frame(ReadOnlySpan<byte> record, Span<byte> destination)
    {
        WriteHeader(destination, record.Length);
        record.CopyTo(destination[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(destination[(12 + record.Length)..], Crc32C.Masked(record));
        return FrameOverhead + record.Length;
    }

    /// <summary>Writes <paramref name="records"/> records framed by <see cref="Frame"/>.</summary>
    public void WriteFramed(ReadOnlySpan<byte> frames, long records)
    {
        _buffer.Write(frames);
        Records += records;
        RecordBytes += frames.Length;
    }

    /// <summary>True when blocks of records may be compressed elsewhere (a <see cref="BlockGzipStream.BlockWriter"/>): a gzip shard.</summary>
    public bool CompressesBlocks => _framed is BlockGzipStream;

    /// <summary>Writes <paramref name="records"/> records framed by <see cref="Frame"/> and compressed as one block elsewhere.</summary>
    public void WriteCompressedBlock(BlockGzipStream.Block block, long records)
    {
        _buffer.Flush();   // what was written before goes first
        ((BlockGzipStream)_framed).Append(block);
        Records += records;
        RecordBytes += block.Size;
    }

    private static void WriteHeader(Span<byte> header, int length)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(header, (ulong)length);
        BinaryPrimitives.WriteUInt32LittleEndian(header[8..], Crc32C.Masked(header[..8]));
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _buffer.Flush();
        if (!ReferenceEquals(_framed, _file)) _framed.Dispose();
        _file.Flush();
        if (!_leaveOpen) _file.Inner.Dispose();
    }

    /// <summary>Pass-through stream that counts bytes and CRCs them.</summary>
    private sealed class CountingCrcStream(Stream inner) : ForwardStream
    {
        public override bool CanWrite => true;
        public Stream Inner => inner;
        public uint Crc { get; private set; }
        private long _length;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            Crc = Crc32C.Append(Crc, buffer);
            _length += buffer.Length;
        }
        public override void Flush() => inner.Flush();
        public override long Length => _length;
        public override long Position { get => _length; set => throw new NotSupportedException(); }
    }
}
