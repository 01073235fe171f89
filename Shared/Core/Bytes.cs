using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Streaming.Core;

/// <summary>Small byte-string helpers for hot paths.</summary>
public static class Bytes
{
    /// <summary>
    /// The first min(8, length) bytes as a little-endian integer (missing high bytes 0): a short value as one
    /// comparable, hashable word. Little-endian hosts only (x64, arm64: the targets we publish).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong LittleEndian(ReadOnlySpan<byte> data)
    {
        // Overlapping loads instead of one branch per size bit: values of mixed lengths ("55+", "0-17", "26-35") then
        // cost no mispredicted branches. Overlapping bytes are OR-ed with themselves, so the result is exact.
        int n = data.Length;
        ref byte p = ref MemoryMarshal.GetReference(data);
        if (n >= 8) return Unsafe.ReadUnaligned<ulong>(ref p);
        if (n >= 4)
            return Unsafe.ReadUnaligned<uint>(ref p) | ((ulong)Unsafe.ReadUnaligned<uint>(ref Unsafe.Add(ref p, n - 4)) << ((n - 4) * 8));
        if (n == 0) return 0;
        return p | ((ulong)Unsafe.Add(ref p, n >> 1) << ((n >> 1) * 8)) | ((ulong)Unsafe.Add(ref p, n - 1) << ((n - 1) * 8));
    }
    /// <summary>
    /// A value of at most 16 bytes as two little-endian words, zero-padded: with the length compared apart, equal words
    /// mean equal values (two word compares instead of a byte loop).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static (ulong Lo, ulong Hi) TwoWords(ReadOnlySpan<byte> value)
    {
        Debug.Assert(value.Length <= 16, "a value of at most two words");
        // The unaligned read below runs only when the value has more than 8 bytes.
        return value.Length <= 8 ? (LittleEndian(value), 0UL)
            : (Unsafe.ReadUnaligned<ulong>(ref MemoryMarshal.GetReference(value)), LittleEndian(value[8..]));
    }

    /// <summary>Printable form of a raw line: invalid UTF-8 and control bytes escaped, long lines cut.</summary>
    public static string Escape(ReadOnlySpan<byte> line, int maxBytes)
    {
        var sb = new System.Text.StringBuilder();
        var cut = line.Length > maxBytes ? line[..maxBytes] : line;
        foreach (var b in cut)
        {
            if (b == '\\') sb.Append("\\\\");
            else if (b is >= 0x20 and < 0x7f) sb.Append((char)b);
            else sb.Append("\\x").Append(b.ToString("x2"));
        }
        if (cut.Length < line.Length) sb.Append($"…(+{line.Length - cut.Length} bytes)");
        return sb.ToString();
    }

}
