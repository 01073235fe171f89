namespace Streaming.Data;

/// <summary>
/// A small seeded generator for the shuffle buffer's draws (SplitMix64, bounded by Lemire's multiply-and-reject, so
/// unbiased): one draw a row, where System.Random's seeded (legacy-compatible) algorithm cost a few percent of the
/// input pipeline. Same seed → same draws on every platform and runtime.
/// </summary>
public struct SplitMix(ulong seed)
{
    private ulong _state = seed;

    public ulong NextUInt64()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Uniform in [0, <paramref name="n"/>), n &gt; 0.</summary>
    public int Next(int n)
    {
        System.Diagnostics.Debug.Assert(n > 0);
        ulong m = (NextUInt64() >> 32) * (ulong)n;
        if ((uint)m < (uint)n)
        {
            uint threshold = (uint)-n % (uint)n;
            while ((uint)m < threshold) m = (NextUInt64() >> 32) * (ulong)n;
        }
        return (int)(m >> 32);
    }
}
