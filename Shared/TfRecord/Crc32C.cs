using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Streaming.TfRecord;

/// <summary>
/// CRC-32C (Castagnoli), with the hardware instruction behind <see cref="BitOperations.Crc32C(uint, ulong)"/>, and
/// TFRecord's masking (CONTRACTS.md §2): <c>((crc &gt;&gt; 15) | (crc &lt;&lt; 17)) + 0xA282EAD8</c>.
/// </summary>
public static class Crc32C
{
    private const uint MaskDelta = 0xA282EAD8;

    /// <summary>Continues a running CRC (start with 0) over <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        uint c = ~crc;
        var longs = MemoryMarshal.Cast<byte, ulong>(data);
        foreach (var x in longs) c = BitOperations.Crc32C(c, BitConverter.IsLittleEndian ? x : BinaryPrimitives.ReverseEndianness(x));
        foreach (var b in data[(longs.Length * 8)..]) c = BitOperations.Crc32C(c, b);
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
}
