using System.Buffers.Binary;
using System.Numerics;

namespace Streaming.Core;

/// <summary>MurmurHash64A of a byte span: fast, well mixed, stable across platforms (sketch state is persisted).</summary>
public static class Hash64
{
    public static ulong Of(ReadOnlySpan<byte> data, ulong seed = 0x9E3779B97F4A7C15)
    {
        const ulong m = 0xc6a4a7935bd1e995;
        const int r = 47;
        ulong h = seed ^ ((ulong)data.Length * m);
        int i = 0;
        for (; i + 8 <= data.Length; i += 8)
        {
            ulong k = BinaryPrimitives.ReadUInt64LittleEndian(data[i..]);
            k *= m; k ^= k >> r; k *= m;
            h ^= k; h *= m;
        }
        int rest = data.Length - i;
        if (rest > 0)
        {
            h ^= Bytes.LittleEndian(data[i..]); h *= m;
        }
        h ^= h >> r; h *= m; h ^= h >> r;
        return h;
    }

    internal static int Rho(ulong w, int maxBits) => Math.Min(BitOperations.LeadingZeroCount(w) + 1, maxBits + 1);
}
