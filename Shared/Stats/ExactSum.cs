using System.Diagnostics;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Streaming.Stats;

/// <summary>
/// The exact sum of any number of doubles (or of their exact squares): a fixed-point integer wide enough for every
/// finite double and 2^63 terms, so the result does not depend on the order of the values, on how they were split
/// between tasks or on how partials were combined: Hadoop hands a reducer one key's values in merge order, which
/// changes with the split layout, and a floating-point sum would change in its last bits with it.
/// <para>
/// The integer is kept in 32-bit digits held in 64-bit limbs whose carries are deferred (Neal's "small
/// superaccumulator"): an addition touches at most six limbs and never loops over the carry chain; limbs are
/// normalised every 2^30 additions, long before a limb could overflow.
/// </para>
/// </summary>
public sealed class ExactSum
{
    /// <summary>Sums of values: the smallest subnormal is 2^-1074, the largest double below 2^1024.</summary>
    public static ExactSum ForValues() => new(-1074, 1024);

    /// <summary>Sums of exact squares: from (2^-1074)² to (2^1024)².</summary>
    public static ExactSum ForSquares() => new(-2148, 2048);

    private const int DigitBits = 32;
    private const int NormaliseEvery = 1 << 30;   // each addition adds < 2^32 to a limb: 2^30 of them stay below 2^62

    private readonly long[] _limbs;   // value = Σ _limbs[i] · 2^(32 i + _lsb)
    private readonly int _lsb;
    private int _unnormalised;

    private ExactSum(int lsb, int maxExponent)
    {
        _lsb = lsb;
        // The bits of the largest term, 63 more for the term count, and room for one 192-bit addition at the top.
        int bits = maxExponent - lsb + 64 + 192;
        _limbs = new long[(bits + DigitBits - 1) / DigitBits];
    }

    /// <summary>Adds <paramref name="weight"/> × x.</summary>
    public void AddValue(double x, long weight = 1)
    {
        var (m, e, negative) = Decompose(x);
        AddValue(m, e, negative, weight);
    }

    /// <summary>Adds <paramref name="weight"/> × x², computed exactly (no rounding, no overflow).</summary>
    public void AddSquare(double x, long weight = 1)
    {
        var (m, e, _) = Decompose(x);
        AddSquare(m, e, weight);
    }

    /// <summary>Adds weight × m · 2^e (x already decomposed: a caller adding x and x² decomposes once).</summary>
    internal void AddValue(ulong m, int e, bool negative, long weight)
    {
        Debug.Assert(m < 1UL << 53 && weight > 0);
        if (m == 0) return;
        Add(weight == 1 ? m : (UInt128)m * (ulong)weight, e, negative);   // 53 + 63 bits: fits
    }

    /// <summary>Adds weight × (m · 2^e)².</summary>
    internal void AddSquare(ulong m, int e, long weight)
    {
        Debug.Assert(m < 1UL << 53 && weight > 0);
        if (m == 0) return;
        UInt128 square = Math.BigMul(m, m);   // ≤ 106 bits
        if (weight == 1) { Add(square, 2 * e, negative: false); return; }
        // 106 + 63 bits do not fit 128: the weight goes in 21-bit pieces.
        ulong w = (ulong)weight;
        for (int shift = 0; w != 0; shift += 21, w >>= 21)
        {
            ulong piece = w & ((1UL << 21) - 1);
            if (piece != 0) Add(square * piece, 2 * e + shift, negative: false);
        }
    }

    public void Merge(ExactSum other)
    {
        if (other._lsb != _lsb || other._limbs.Length != _limbs.Length)
            throw new InvalidOperationException("cannot merge exact sums of different ranges");
        other.Normalise();
        Normalise();
        for (int i = 0; i < _limbs.Length; i++) _limbs[i] += other._limbs[i];
        _unnormalised = 1;
    }

    /// <summary>x = ±m · 2^e, m &lt; 2^53 (finite x).</summary>
    internal static (ulong M, int E, bool Negative) Decompose(double x)
    {
        Debug.Assert(double.IsFinite(x));
        ulong bits = (ulong)BitConverter.DoubleToInt64Bits(x);
        int biased = (int)(bits >> 52) & 0x7FF;
        ulong fraction = bits & ((1UL << 52) - 1);
        bool negative = (long)bits < 0;
        return biased == 0 ? (fraction, -1074, negative) : (fraction | (1UL << 52), biased - 1075, negative);
    }

    /// <summary>Adds ± magnitude · 2^exponent.</summary>
    private void Add(UInt128 magnitude, int exponent, bool negative)
    {
        int position = exponent - _lsb;
        Debug.Assert(position >= 0, "below the accumulator's least significant bit");
        int limb = position / DigitBits, shift = position % DigitBits;
        // The exponents of finite doubles (and of their squares) keep limb + 6 inside the array by construction.
        Debug.Assert(limb >= 0 && limb + 6 <= _limbs.Length, "above the accumulator's range");
        ulong lo = (ulong)magnitude, hi = (ulong)(magnitude >> 64);
        // The magnitude shifted left by `shift` (< 32) as 192 bits: s0, s1, s2.
        ulong s0 = lo << shift;
        ulong s1 = shift == 0 ? hi : (hi << shift) | (lo >> (64 - shift));
        ulong s2 = shift == 0 ? 0 : hi >> (64 - shift);
        ref long d = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_limbs), limb);
        if (negative)
        {
            d -= (long)(uint)s0; Unsafe.Add(ref d, 1) -= (long)(s0 >> 32);
            if ((s1 | s2) != 0)
            {
                Unsafe.Add(ref d, 2) -= (long)(uint)s1; Unsafe.Add(ref d, 3) -= (long)(s1 >> 32);
                Unsafe.Add(ref d, 4) -= (long)(uint)s2; Unsafe.Add(ref d, 5) -= (long)(s2 >> 32);
            }
        }
        else
        {
            d += (long)(uint)s0; Unsafe.Add(ref d, 1) += (long)(s0 >> 32);
            if ((s1 | s2) != 0)
            {
                Unsafe.Add(ref d, 2) += (long)(uint)s1; Unsafe.Add(ref d, 3) += (long)(s1 >> 32);
                Unsafe.Add(ref d, 4) += (long)(uint)s2; Unsafe.Add(ref d, 5) += (long)(s2 >> 32);
            }
        }
        if (++_unnormalised >= NormaliseEvery) Normalise();
    }

    /// <summary>Carries every limb into the next: all limbs but the last in [0, 2^32), the last holds the sign.</summary>
    private void Normalise()
    {
        if (_unnormalised == 0) return;
        long carry = 0;
        for (int i = 0; i < _limbs.Length - 1; i++)
        {
            long v = _limbs[i] + carry;
            _limbs[i] = v & 0xFFFFFFFF;
            carry = v >> DigitBits;   // arithmetic: a negative limb borrows
        }
        _limbs[^1] += carry;
        _unnormalised = 0;
    }

    /// <summary>The sum as an integer count of 2^<see cref="Lsb"/>.</summary>
    public BigInteger Scaled
    {
        get
        {
            Normalise();
            BigInteger v = _limbs[^1];
            for (int i = _limbs.Length - 2; i >= 0; i--) v = (v << DigitBits) + _limbs[i];
            return v;
        }
    }

    public int Lsb => _lsb;

    public bool IsZero
    {
        get
        {
            Normalise();
            foreach (long l in _limbs) if (l != 0) return false;
            return true;
        }
    }

    /// <summary>
    /// The exact value in a hexadecimal form a person can check: <c>[-]0x&lt;hex integer&gt;p&lt;binary exponent&gt;</c>
    /// (value = integer × 2^exponent, trailing zero bits moved into the exponent), e.g. 0x3p-1 = 1.5.
    /// </summary>
    public override string ToString()
    {
        var v = Scaled;
        if (v.IsZero) return "0x0p0";
        bool negative = v.Sign < 0;
        if (negative) v = -v;
        int exponent = _lsb;
        int zeros = (int)BigInteger.TrailingZeroCount(v);
        v >>= zeros;
        exponent += zeros;
        string hex = v.ToString("x", CultureInfo.InvariantCulture).TrimStart('0');
        return $"{(negative ? "-" : "")}0x{hex}p{exponent.ToString(CultureInfo.InvariantCulture)}";
    }

    /// <summary>Adds a value written by <see cref="ToString"/> (a partial's state).</summary>
    public void AddParsed(string text)
    {
        ReadOnlySpan<char> s = text;
        bool negative = s.StartsWith("-");
        if (negative) s = s[1..];
        int p = s.IndexOf('p');
        if (!s.StartsWith("0x") || p < 3)
            throw new FormatException($"not an exact sum: '{text}'");
        var hex = s[2..p];
        if (!int.TryParse(s[(p + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int exponent)
            || !BigInteger.TryParse("0" + hex.ToString(), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
            throw new FormatException($"not an exact sum: '{text}'");
        if (v.IsZero) return;
        if (exponent < _lsb || exponent + (long)v.GetBitLength() > _lsb + (long)(_limbs.Length - 6) * DigitBits)
            throw new FormatException($"exact sum out of range: '{text}'");
        // Added 96 bits at a time, at their own exponent: each piece is an ordinary addition.
        var mask = (BigInteger.One << 96) - 1;
        for (int offset = 0; !v.IsZero; offset += 96, v >>= 96)
        {
            var piece = (UInt128)(v & mask);
            if (piece != 0) Add(piece, exponent + offset, negative);
        }
    }
}
