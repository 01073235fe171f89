namespace Streaming.Transform;

/// <summary>
/// Bucket of an out-of-vocabulary value: FNV-1a 64-bit of its UTF-8 bytes modulo the bucket count. Simple on
/// purpose: anyone can recompute it (our Python check does) without our code.
/// </summary>
public static class OovHash
{
    public static int Bucket(ReadOnlySpan<byte> value, int buckets)
    {
        // One bucket (the planner's default) is every unseen value's: no hash to compute, for what is on a
        // high-cardinality column nearly every row's value.
        if (buckets == 1) return 0;
        ulong h = 0xcbf29ce484222325;
        foreach (var b in value) { h ^= b; h *= 0x100000001b3; }
        return (int)(h % (ulong)buckets);
    }
}
