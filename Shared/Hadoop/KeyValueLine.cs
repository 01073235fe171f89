namespace Streaming.Hadoop;

/// <summary>
/// The reading side of Hadoop Streaming's key/value protocol (the writing side is <see cref="KeyValueWriter"/>):
/// up to the first TAB is the key, the rest the value; a line with no TAB is all key with an empty value
/// (docs/contracts.md §1).
/// </summary>
public static class KeyValueLine
{
    /// <summary>Splits a line; returns false when it has no TAB (then <paramref name="value"/> is empty).</summary>
    public static bool Split(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        int tab = line.IndexOf((byte)'\t');
        if (tab < 0) { key = line; value = default; return false; }
        key = line[..tab];
        value = line[(tab + 1)..];
        return true;
    }

    /// <inheritdoc cref="Split(ReadOnlySpan{byte}, out ReadOnlySpan{byte}, out ReadOnlySpan{byte})"/>
    public static bool Split(string line, out string key, out string value)
    {
        int tab = line.IndexOf('\t');
        (key, value) = tab < 0 ? (line, "") : (line[..tab], line[(tab + 1)..]);
        return tab >= 0;
    }
}
