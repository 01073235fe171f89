using Streaming.Contract;
using System.Text;

namespace Streaming.Csv;

public enum HeaderMode { Auto, Present, None }

/// <summary>How input lines are split into fields and which values count as missing.</summary>
public sealed class CsvOptions
{
    public static readonly string[] DefaultMissingTokens = ["", "NA", "NaN", "null", "?"];

    public byte Delimiter { get; init; } = (byte)',';
    public byte Quote { get; init; } = (byte)'"';
    public HeaderMode Header { get; init; } = HeaderMode.Auto;
    /// <summary>Column names from --columns; null when they must come from the header line.</summary>
    public IReadOnlyList<string>? Columns { get; init; }
    public IReadOnlyList<string> MissingTokens { get; init; } = DefaultMissingTokens;
    /// <summary>Strip spaces around fields (the Adult data is ", "-separated).</summary>
    public bool Trim { get; init; } = true;
    /// <summary>Longer lines are rejected (LineTooLong) without being held in memory.</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    private byte[][]? _missing;
    private ulong _missingLengths;   // bit n set: some token is n bytes long (n < 64)
    private bool _longMissing;
    private ulong[][] _shortMissing = [];   // by length 0..8: the tokens of that length as little-endian words

    private byte[][] MissingUtf8()
    {
        if (_missing is null)
        {
            var m = MissingTokens.Select(t => Encoding.UTF8.GetBytes(t)).ToArray();
            foreach (var t in m)
                if (t.Length < 64) _missingLengths |= 1UL << t.Length; else _longMissing = true;
            _shortMissing = Enumerable.Range(0, 9)
                .Select(len => m.Where(t => t.Length == len).Select(t => Bytes.LittleEndian(t)).ToArray()).ToArray();
            _missing = m;
        }
        return _missing;
    }

    public bool IsMissing(ReadOnlySpan<byte> value)
    {
        var tokens = _missing ?? MissingUtf8();
        // Most values have a length no token has: one bit test instead of comparing against every token.
        if (value.Length < 64 ? (_missingLengths & (1UL << value.Length)) == 0 : !_longMissing) return false;
        if (value.Length <= 8)
        {
            // Short tokens ("", NA, NaN, null, ?) compare as one word each.
            ulong word = Bytes.LittleEndian(value);
            foreach (ulong t in _shortMissing[value.Length])
                if (t == word) return true;
            return false;
        }
        foreach (var t in tokens)
            if (value.SequenceEqual(t)) return true;
        return false;
    }

    /// <summary>Parses a --delimiter argument: one character, or the names tab / comma / semicolon / pipe.</summary>
    public static byte ParseDelimiter(string text) => text switch
    {
        "tab" or "\\t" or "\t" => (byte)'\t',
        "comma" => (byte)',',
        "semicolon" => (byte)';',
        "pipe" => (byte)'|',
        _ when text.Length == 1 && text[0] < 128 => (byte)text[0],
        _ => throw new ConfigException($"--delimiter must be one ASCII character or tab|comma|semicolon|pipe, got '{text}'"),
    };

    public static HeaderMode ParseHeader(string text) => text.ToLowerInvariant() switch
    {
        "auto" => HeaderMode.Auto,
        "present" or "true" => HeaderMode.Present,
        "none" or "false" => HeaderMode.None,
        _ => throw new ConfigException($"--header must be auto|present|none, got '{text}'"),
    };

    public static IReadOnlyList<string>? ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
}
