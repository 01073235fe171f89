using System.Diagnostics;
using System.Numerics;

namespace Streaming.Stats;

/// <summary>
/// Count, mean and sample standard deviation of a column's numbers, from the exact sums Σx and Σx²: the mean is
/// Σx / n and the variance (nΣx² − (Σx)²) / (n(n − 1)) evaluated exactly, each statistic then rounded once to the
/// nearest double. So the mean and std are the same bytes whatever the order of the values, the split layout, the
/// number of reducers or combiner runs, they never overflow on finite data (|x| up to 1.8e308; only a std above
/// double's range cannot be written), and they are the correctly rounded values, closer than any floating sum.
/// </summary>
public sealed class Moments
{
    private readonly ExactSum _sum = ExactSum.ForValues();
    private readonly ExactSum _squares = ExactSum.ForSquares();
    private double? _mean, _std;
    private bool _computed;

    public long Count { get; private set; }

    public void Add(double x, long weight)
    {
        var (m, e, negative) = ExactSum.Decompose(x);
        _sum.AddValue(m, e, negative, weight);
        _squares.AddSquare(m, e, weight);
        Count += weight;
        _computed = false;
    }

    public void Merge(Moments other)
    {
        _sum.Merge(other._sum);
        _squares.Merge(other._squares);
        Count += other.Count;
        _computed = false;
    }

    /// <summary>The partial's state: count and the two exact sums in <see cref="ExactSum.ToString"/>'s form.</summary>
    public (string Sum, string SumSquares) State => (_sum.ToString(), _squares.ToString());

    public static Moments FromState(long count, string sum, string sumSquares)
    {
        var m = new Moments { Count = count };
        m._sum.AddParsed(sum);
        m._squares.AddParsed(sumSquares);
        return m;
    }

    public double? Mean { get { Compute(); return _mean; } }

    /// <summary>Sample standard deviation (ddof = 1, as pandas); null below two values; +∞ beyond double's range.</summary>
    public double? Std { get { Compute(); return _std; } }

    private void Compute()
    {
        if (_computed) return;
        _computed = true;
        _mean = _std = null;
        if (Count == 0) return;
        BigInteger n = Count, s = _sum.Scaled, q = _squares.Scaled;
        _mean = Rounded.Quotient(s, n, _sum.Lsb);
        if (Count < 2) return;
        // Σx is in units of 2^-1074, (Σx)² and Σx² of 2^-2148: the variance's numerator is one exact integer.
        Debug.Assert(2 * _sum.Lsb == _squares.Lsb);
        BigInteger numerator = n * q - s * s;
        Debug.Assert(numerator.Sign >= 0, "Cauchy–Schwarz: nΣx² ≥ (Σx)²");
        _std = Rounded.SquareRootOfQuotient(numerator, n * (n - 1), _squares.Lsb);
    }
}

/// <summary>Rationals rounded once to the nearest double (ties to even), the way IEEE 754 rounds one operation.</summary>
internal static class Rounded
{
    private const int Precision = 53;

    /// <summary>num / den × 2^exp2, den &gt; 0.</summary>
    public static double Quotient(BigInteger num, BigInteger den, int exp2)
    {
        Debug.Assert(den.Sign > 0);
        if (num.IsZero) return 0.0;
        bool negative = num.Sign < 0;
        var a = BigInteger.Abs(num);
        // Scale so the integer quotient has at least Precision + 2 bits; the remainder is the sticky bit.
        int shift = Precision + 2 - (int)(a.GetBitLength() - den.GetBitLength());
        var q = BigInteger.DivRem(shift >= 0 ? a << shift : a, shift >= 0 ? den : den << -shift, out var remainder);
        double r = Round(q, exp2 - shift, !remainder.IsZero);
        return negative ? -r : r;
    }

    /// <summary>√(num / den × 2^exp2), num ≥ 0, den &gt; 0, exp2 even.</summary>
    public static double SquareRootOfQuotient(BigInteger num, BigInteger den, int exp2)
    {
        Debug.Assert(num.Sign >= 0 && den.Sign > 0 && exp2 % 2 == 0);
        if (num.IsZero) return 0.0;
        // x = num·2^(2k) / den with at least 2(Precision + 2) bits, so its integer square root has Precision + 2.
        int k = Math.Max(0, (2 * (Precision + 2) - (int)(num.GetBitLength() - den.GetBitLength()) + 2) / 2);
        var x = BigInteger.DivRem(num << (2 * k), den, out var remainder);
        var root = IntegerSquareRoot(x);
        bool inexact = !remainder.IsZero || root * root != x;
        return Round(root, exp2 / 2 - k, inexact);
    }

    /// <summary>(q + f) × 2^e rounded to a double, q &gt; 0 with at least Precision + 1 bits, f in [0, 1) nonzero iff sticky.</summary>
    private static double Round(BigInteger q, int e, bool sticky)
    {
        Debug.Assert(q.Sign > 0 && q.GetBitLength() > Precision);
        int drop = (int)q.GetBitLength() - Precision;
        if (e + drop < -1074) drop = -1074 - e;                       // subnormal: fewer significant bits
        if (drop > q.GetBitLength() + 1) return 0.0;                  // far below half the smallest subnormal
        var kept = q >> drop;
        var dropped = q - (kept << drop);
        var half = BigInteger.One << (drop - 1);
        int c = dropped.CompareTo(half);
        if (c > 0 || c == 0 && (sticky || !kept.IsEven)) kept += 1;
        // kept ≤ 2^53 is exact in a double; ScaleB rounds nothing more and gives ∞ above double's range.
        return Math.ScaleB((double)kept, e + drop);
    }

    private static BigInteger IntegerSquareRoot(BigInteger x)
    {
        if (x < 2) return x;
        // Newton from above: starts at a power of two ≥ √x and decreases monotonically to ⌊√x⌋.
        var r = BigInteger.One << (int)((x.GetBitLength() + 1) / 2);
        while (true)
        {
            var next = (r + x / r) >> 1;
            if (next >= r) return r;
            r = next;
        }
    }
}
