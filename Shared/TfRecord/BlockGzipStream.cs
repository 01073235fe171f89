using System.Buffers.Binary;
using System.IO.Compression;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>
/// One gzip member written block by block, as pigz does: each block is deflated on its own and ended with a sync flush
/// (so it ends on a byte boundary), the blocks are concatenated, then a final empty block and the CRC-32 and size of
/// everything. Any inflater reads it as one ordinary gzip stream. The bytes depend only on the blocks, never on the
/// thread that compressed them. Bytes written directly are deflated here, in blocks of <see cref="BlockBytes"/>; blocks deflated
/// elsewhere (a <see cref="BlockWriter"/> per worker) are appended with <see cref="Append"/>.
/// </summary>
public sealed class BlockGzipStream : ForwardStream
{
    public const int BlockBytes = 1 << 20;
    // ID1 ID2, CM = deflate, no flags, no mtime, no extra flags, OS unknown (RFC 1952 §2.3).
    private static ReadOnlySpan<byte> Header => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF];
    // A final, empty block with fixed codes: BFINAL = 1, BTYPE = 01, end-of-block (RFC 1951 §3.2.3, §3.2.6).
    private static ReadOnlySpan<byte> FinalBlock => [0x03, 0x00];

    private readonly Stream _inner;
    private readonly CompressionLevel _level;
    private readonly bool _leaveOpen;
    private uint _crc;   // CRC-32 of everything so far, combined block by block
    // Bytes written directly, deflated a block at a time; allocated on the first direct write (a shard made of
    // appended blocks never needs it).
    private byte[]? _pending;
    private int _pendingBytes;
    private long _size;
    private bool _disposed;

    public BlockGzipStream(Stream inner, CompressionLevel level, bool leaveOpen)
    {
        (_inner, _level, _leaveOpen) = (inner, level, leaveOpen);
        _inner.Write(Header);
    }

    public override bool CanWrite => true;

    /// <summary>
    /// A block deflated on its own: its bytes (ending on a byte boundary, not final), the CRC-32 and size of what it
    /// holds. The bytes are in an array rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>, returned when the
    /// block is appended: a block is megabytes, and a fresh array per block was large-object garbage that the
    /// collector let pile up (a 2-thread transform of 1 GiB peaked at 220 MB).
    /// </summary>
    public sealed record Block(byte[] Buffer, int Length, uint Crc, long Size)
    {
        public ReadOnlySpan<byte> Deflated => Buffer.AsSpan(0, Length);
    }

    /// <summary>Deflates one block as it is written, on any thread; <see cref="End"/> gives the <see cref="Block"/>.</summary>
    public sealed class BlockWriter(CompressionLevel level)
    {
        private readonly MemoryStream _output = new();
        private readonly System.IO.Hashing.Crc32 _crc = new();
        private DeflateStream? _deflate;
        private long _size;

        public void Write(ReadOnlySpan<byte> data)
        {
            _deflate ??= new DeflateStream(_output, level, leaveOpen: true);
            _deflate.Write(data);
            _crc.Append(data);
            _size += data.Length;
        }

        public Block End()
        {
            _deflate ??= new DeflateStream(_output, level, leaveOpen: true);
            _deflate.Flush();   // a sync flush: the block's bytes, then an empty stored block (00 00 FF FF)
            int length = (int)_output.Position;
            var bytes = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
            _output.GetBuffer().AsSpan(0, length).CopyTo(bytes);
            System.Diagnostics.Debug.Assert(length >= 4 && bytes.AsSpan(length - 4, 4).SequenceEqual((ReadOnlySpan<byte>)[0, 0, 0xFF, 0xFF]),
                "a sync flush ends the block");
            _deflate.Dispose();   // writes the final block we do not keep
            _deflate = null;
            var block = new Block(bytes, length, _crc.GetCurrentHashAsUInt32(), _size);
            _output.SetLength(0);
            _crc.Reset();
            _size = 0;
            return block;
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> data)
    {
        while (!data.IsEmpty)
        {
            _pending ??= new byte[BlockBytes];
            int n = Math.Min(data.Length, _pending.Length - _pendingBytes);
            data[..n].CopyTo(_pending.AsSpan(_pendingBytes));
            _pendingBytes += n;
            data = data[n..];
            if (_pendingBytes == _pending.Length) FlushPending();
        }
    }

    /// <summary>Appends a block deflated by a <see cref="BlockWriter"/> (after what was written before).</summary>
    public void Append(Block block)
    {
        FlushPending();
        Write(block);
    }

    /// <summary>Writes a block's bytes and takes them into the member's CRC and size; its array goes back to the pool.</summary>
    private void Write(Block block)
    {
        _inner.Write(block.Deflated);
        _crc = Crc32Combine(_crc, block.Crc, block.Size);
        _size += block.Size;
        System.Buffers.ArrayPool<byte>.Shared.Return(block.Buffer);
    }

    private BlockWriter? _own;

    private void FlushPending()
    {
        if (_pendingBytes == 0) return;
        _own ??= new BlockWriter(_level);
        _own.Write(_pending.AsSpan(0, _pendingBytes));   // bytes pending: _pending was allocated
        _pendingBytes = 0;
        Write(_own.End());
    }

    /// <summary>
    /// The CRC-32 of A followed by B from the CRCs of A and B and the length of B (zlib's crc32_combine: the CRC of
    /// B's length in zeros is a linear map, applied by squaring the one-zero-bit operator in GF(2)).
    /// </summary>
    public static uint Crc32Combine(uint crcA, uint crcB, long lengthB)
    {
        if (lengthB <= 0) return crcA;
        Span<uint> even = stackalloc uint[32], odd = stackalloc uint[32];
        odd[0] = 0xEDB88320;   // the reflected polynomial: one zero bit
        for (int n = 1; n < 32; n++) odd[n] = 1u << (n - 1);
        Square(even, odd);   // two zero bits
        Square(odd, even);   // four zero bits
        do
        {
            Square(even, odd);   // first pass: one zero byte
            if ((lengthB & 1) != 0) crcA = Times(even, crcA);
            lengthB >>= 1;
            if (lengthB == 0) break;
            Square(odd, even);
            if ((lengthB & 1) != 0) crcA = Times(odd, crcA);
            lengthB >>= 1;
        } while (lengthB != 0);
        return crcA ^ crcB;

        static uint Times(ReadOnlySpan<uint> matrix, uint vector)
        {
            uint sum = 0;
            for (int i = 0; vector != 0; i++, vector >>= 1)
                if ((vector & 1) != 0) sum ^= matrix[i];
            return sum;
        }
        static void Square(Span<uint> square, ReadOnlySpan<uint> matrix)
        {
            for (int n = 0; n < 32; n++) square[n] = Times(matrix, matrix[n]);
        }
    }

    public override void Flush() { }

    protected override void Dispose(bool disposing)
    {
        if (!disposing || _disposed) return;
        _disposed = true;
        FlushPending();
        _inner.Write(FinalBlock);
        Span<byte> trailer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt32LittleEndian(trailer, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(trailer[4..], (uint)_size);   // ISIZE: the size modulo 2^32
        _inner.Write(trailer);
        _inner.Flush();
        if (!_leaveOpen) _inner.Dispose();
    }
}
