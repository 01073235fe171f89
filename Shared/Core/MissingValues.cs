namespace Streaming.Core;

/// <summary>
/// Which field values count as missing (<c>"", NA, NaN, null, ?</c> by default): the CSV reader, the statistics and
/// the transform ask the same matcher, so a value is missing everywhere or nowhere. Called once per field: most
/// values are ruled out by their length alone.
/// </summary>
public sealed class MissingValues
{
    private readonly byte[][] _tokens;
    private readonly ulong _lengths;   // bit n set: some token is n bytes long (n < 64)
    private readonly bool _long;
    private readonly ulong[][] _short;   // by length 0..8: the tokens of that length as little-endian words

    public MissingValues(IReadOnlyList<string> tokens)
    {
        _tokens = tokens.Select(t => System.Text.Encoding.UTF8.GetBytes(t)).ToArray();
        foreach (var t in _tokens)
            if (t.Length < 64) _lengths |= 1UL << t.Length; else _long = true;
        _short = Enumerable.Range(0, 9).Select(len => _tokens.Where(t => t.Length == len).Select(t => Bytes.LittleEndian(t)).ToArray()).ToArray();
    }

    public bool IsMissing(ReadOnlySpan<byte> value)
    {
        // Most values have a length no token has: one bit test instead of comparing against every token.
        if (value.Length < 64 ? (_lengths & (1UL << value.Length)) == 0 : !_long) return false;
        if (value.Length <= 8)
        {
            // Short tokens ("", NA, NaN, null, ?) compare as one word each.
            ulong word = Bytes.LittleEndian(value);
            foreach (ulong t in _short[value.Length])
                if (t == word) return true;
            return false;
        }
        foreach (var t in _tokens)
            if (value.SequenceEqual(t)) return true;
        return false;
    }
}
