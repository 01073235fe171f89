namespace Streaming.Transform;

/// <summary>
/// Bucket of an out-of-vocabulary value: FNV-1a 64-bit of its UTF-8 bytes modulo the bucket count. Simple on
/// purpose: anyone can recompute it (our Python check does) without our code.
/// </summary>
public static class OovHash
{
    public static int Bucket(ReadOnlySpan<byte> value, int buckets)
    {
        ulong h = 0xcbf29ce484222325;
        foreach (var b in value) { h ^= b; h *= 0x100000001b3; }
        return (int)(h % (ulong)buckets);
    }
}
