using System.Globalization;

namespace Streaming.Stats;

/// <summary>
/// "Is this value a finite invariant-culture number, and which?" on the statistics' and the transform's hot paths. Plain integers of up to
/// 15 digits (exactly representable) are parsed inline; values that cannot start a number (letters, '?') are rejected
/// at the first byte; everything else goes to <see cref="double.TryParse(ReadOnlySpan{byte}, NumberStyles, IFormatProvider, out double)"/>,
/// so the accepted set is exactly what that accepts (minus non-finite values).
/// </summary>
public static class NumberParser
{
    public static bool TryParse(ReadOnlySpan<byte> s, out double value)
    {
        value = 0;
        if (s.IsEmpty) return false;
        int i = 0;
        bool negative = false;
        if (s[0] == (byte)'-') { negative = true; i = 1; }
        if (s.Length - i is > 0 and <= 15)
        {
            long n = 0;
            int j = i;
            for (; j < s.Length; j++)
            {
                uint d = (uint)(s[j] - '0');
                if (d > 9) break;
                n = n * 10 + d;
            }
            if (j == s.Length)
            {
                value = negative ? -(double)n : n;   // "-0" is -0.0, as double.TryParse reads it
                return true;
            }
        }
        // Only text shaped like a decimal number ([+-]digits[.digits][e[+-]digits], or with surrounding spaces) can
        // parse: anything else ("26-35", "4+", "P00069042") is rejected without the full parser. Spaces inside a
        // number never parse, so only the ends are looked at.
        if (!LooksNumeric(s) && !IsBlank(s[0]) && !IsBlank(s[^1])) return false;
        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value) && double.IsFinite(value);
    }

    // The white space NumberStyles.Float allows around a number: U+0009–U+000D and U+0020.
    private static bool IsBlank(byte b) => b == (byte)' ' || (uint)(b - 0x09) <= 0x0D - 0x09;

    private static bool LooksNumeric(ReadOnlySpan<byte> s)
    {
        int i = 0, digits = 0;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-') i++;
        while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; digits++; }
        if (i < s.Length && s[i] == (byte)'.')
        {
            i++;
            while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; digits++; }
        }
        if (digits == 0) return false;
        if (i < s.Length && s[i] is (byte)'e' or (byte)'E')
        {
            i++;
            if (i < s.Length && s[i] is (byte)'+' or (byte)'-') i++;
            int exp = 0;
            while (i < s.Length && (uint)(s[i] - '0') <= 9) { i++; exp++; }
            if (exp == 0) return false;
        }
        return i == s.Length;
    }
}
