using Streaming.Core;

namespace Streaming.Stats;

/// <summary>
/// HyperLogLog distinct-count sketch, precision 14 (16,384 one-byte registers, 16 KiB): standard error
/// 1.04/√16384 = 0.81 %, so the estimate is within 2 % at ~2.5σ. Uses Ertl's improved estimator ("New
/// cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs no bias tables or range switches.
/// Merging is a register-wise max: exact, associative and commutative.
/// </summary>
public sealed class HyperLogLog
{
    public const int Precision = 14;
    public const int RegisterCount = 1 << Precision;
    private const int Q = 64 - Precision;
    private readonly byte[] _registers;

    public HyperLogLog() => _registers = new byte[RegisterCount];

    private HyperLogLog(byte[] registers) => _registers = registers;

    public void AddHash(ulong hash)
    {
        int idx = (int)(hash >> Q);
        byte rho = (byte)Hash64.Rho(hash << Precision, Q);
        if (rho > _registers[idx]) _registers[idx] = rho;
    }

    public void Merge(HyperLogLog other)
    {
        for (int i = 0; i < RegisterCount; i++)
            if (other._registers[i] > _registers[i]) _registers[i] = other._registers[i];
    }

    public double Estimate()
    {
        Span<int> c = stackalloc int[Q + 2];
        foreach (var r in _registers) c[r]++;
        double m = RegisterCount;
        double z = m * Tau(1 - c[Q + 1] / m);
        for (int k = Q; k >= 1; k--) z = 0.5 * (z + c[k]);
        z += m * Sigma(c[0] / m);
        return 0.5 / Math.Log(2) * m * m / z;
    }

    private static double Sigma(double x)
    {
        if (x == 1) return double.PositiveInfinity;
        double y = 1, z = x, zOld;
        do { x *= x; zOld = z; z += x * y; y += y; } while (z != zOld);
        return z;
    }

    private static double Tau(double x)
    {
        if (x == 0 || x == 1) return 0;
        double y = 1, z = 1 - x, zOld;
        do { x = Math.Sqrt(x); zOld = z; y *= 0.5; z -= Math.Pow(1 - x, 2) * y; } while (z != zOld);
        return z / 3;
    }

    public string ToBase64() => Convert.ToBase64String(_registers);

    public static HyperLogLog FromBase64(string s)
    {
        var r = Convert.FromBase64String(s);
        if (r.Length != RegisterCount) throw new FormatException($"HyperLogLog state has {r.Length} registers, expected {RegisterCount}");
        return new HyperLogLog(r);
    }
}
