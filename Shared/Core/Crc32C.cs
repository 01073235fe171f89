using System.Buffers.Binary;
using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Streaming.Core;

/// <summary>
/// CRC-32C (Castagnoli), with the hardware instruction behind <see cref="BitOperations.Crc32C(uint, ulong)"/>, and
/// TFRecord's masking (docs/contracts.md §2): <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xA282EAD8</c>.
/// </summary>
/// <remarks>
/// The instruction has a latency of about three cycles but a throughput of one, so one dependent chain runs at a third
/// of its speed. Spans of at least <see cref="Lane"/> × 3 bytes (the reader's whole-shard check over 64 KiB reads) are
/// therefore cut into three lanes computed side by side and joined: the raw CRC update is linear over GF(2), so
/// <c>raw(c, A‖B) = Z(raw(c, A)) ^ raw(0, B)</c>, where <c>Z</c> feeds <see cref="Lane"/> zero bytes — a fixed 32×32
/// bit matrix, applied here as four 256-entry tables built once from the instruction itself.
/// </remarks>
public static class Crc32C
{
    private const uint MaskDelta = 0xA282EAD8;

    /// <summary>Bytes per lane of the three-way interleave (a multiple of 8).</summary>
    private const int Lane = 2048;

    /// <summary><c>ZeroShift[k * 256 + v]</c>: the raw CRC state <c>v &lt;&lt; 8k</c> after <see cref="Lane"/> zero bytes.</summary>
    private static readonly uint[] ZeroShift = BuildZeroShift();

    /// <summary>Continues a running CRC (start with 0) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        int i = 0;
        if (BitConverter.IsLittleEndian)
        {
            const int LaneLongs = Lane / 8;
            for (; longs.Length - i >= 3 * LaneLongs; i += 3 * LaneLongs)
            {
                var a = longs.Slice(i, LaneLongs);
                var b = longs.Slice(i + LaneLongs, LaneLongs);
                var d = longs.Slice(i + 2 * LaneLongs, LaneLongs);
                uint cb = 0, cd = 0;
                for (int j = 0; j < LaneLongs; j++)
                {
                    c = BitOperations.Crc32C(c, a[j]);
                    cb = BitOperations.Crc32C(cb, b[j]);
                    cd = BitOperations.Crc32C(cd, d[j]);
                }
                c = Shift(Shift(c) ^ cb) ^ cd;
            }
        }
        for (; i < longs.Length; i++)
            c = BitOperations.Crc32C(c, BitConverter.IsLittleEndian ? longs[i] : BinaryPrimitives.ReverseEndianness(longs[i]));
        foreach (var x in data[(longs.Length * 8)..]) c = BitOperations.Crc32C(c, x);
        return ~c;
    }

    public static uint Compute(ReadOnlySpan<byte> data) => Append(0, data);

    public static uint Mask(uint crc) => ((crc >> 15) | (crc << 17)) + MaskDelta;

    public static uint Unmask(uint masked)
    {
        uint rot = masked - MaskDelta;
        return (rot >> 17) | (rot << 15);
    }

    public static uint Masked(ReadOnlySpan<byte> data) => Mask(Compute(data));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static uint Shift(uint c)
    {
        var t = ZeroShift;
        Debug.Assert(t.Length == 4 * 256);
        return t[(byte)c] ^ t[256 + (byte)(c >> 8)] ^ t[512 + (byte)(c >> 16)] ^ t[768 + (c >> 24)];
    }

    private static uint[] BuildZeroShift()
    {
        // Z is linear: Z of each single bit from the instruction, then every byte value of each byte position by XOR.
        Span<uint> bit = stackalloc uint[32];
        for (int b = 0; b < 32; b++)
        {
            uint c = 1u << b;
            for (int j = 0; j < Lane / 8; j++) c = BitOperations.Crc32C(c, 0UL);
            bit[b] = c;
        }
        var table = new uint[4 * 256];
        for (int k = 0; k < 4; k++)
            for (int v = 1; v < 256; v++)
            {
                int low = BitOperations.TrailingZeroCount(v);
                table[k * 256 + v] = table[k * 256 + (v & (v - 1))] ^ bit[8 * k + low];
            }
        return table;
    }
}
