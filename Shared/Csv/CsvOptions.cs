using Streaming.Core;

namespace Streaming.Csv;

public enum HeaderMode { Auto, Present, None }

/// <summary>How input lines are split into fields and which values count as missing.</summary>
public sealed record CsvOptions
{
    public static readonly string[] DefaultMissingTokens = ["", "NA", "NaN", "null", "?"];

    public byte Delimiter { get; init; } = (byte)',';
    public byte Quote { get; init; } = (byte)'"';
    public HeaderMode Header { get; init; } = HeaderMode.Auto;
    /// <summary>Column names from --columns; null when they must come from the header line.</summary>
    public IReadOnlyList<string>? Columns { get; init; }
    public IReadOnlyList<string> MissingTokens
    {
        get => _missingTokens;
        init { _missingTokens = value; _missing = null; }   // a copy made with other tokens must not keep this matcher
    }
    private readonly IReadOnlyList<string> _missingTokens = DefaultMissingTokens;
    /// <summary>Strip spaces around fields (the Adult data is ", "-separated).</summary>
    public bool Trim { get; init; } = true;
    /// <summary>Longer lines are rejected (LineTooLong) without being held in memory.</summary>
    public int MaxLineBytes { get; init; } = 1 << 20;

    private MissingValues? _missing;

    /// <summary>The matcher of <see cref="MissingTokens"/>.</summary>
    public MissingValues Missing => _missing ??= new MissingValues(MissingTokens);

    public bool IsMissing(ReadOnlySpan<byte> value) => Missing.IsMissing(value);

    /// <summary>Parses a --delimiter argument: one character, or the names tab / comma / semicolon / pipe.</summary>
    public static byte ParseDelimiter(string text) => text switch
    {
        "tab" or "\\t" or "\t" => (byte)'\t',
        "comma" => (byte)',',
        "semicolon" => (byte)';',
        "pipe" => (byte)'|',
        _ when text.Length == 1 && text[0] < 128 => (byte)text[0],
        _ => throw new ConfigException("delimiter", $"must be one ASCII character or tab|comma|semicolon|pipe, got '{text}'"),
    };

    public static HeaderMode ParseHeader(string text) => text.ToLowerInvariant() switch
    {
        "auto" => HeaderMode.Auto,
        "present" or "true" => HeaderMode.Present,
        "none" or "false" => HeaderMode.None,
        _ => throw new ConfigException("header", $"must be auto|present|none, got '{text}'"),
    };

    public static IReadOnlyList<string>? ParseList(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// Null when every column name differs; else what is wrong, naming the first repeated name and its positions
    /// (1-based). Every command that reads a header or --columns refuses a repeat: which column would a name mean?
    /// </summary>
    public static string? DuplicateColumn(IReadOnlyList<string> names)
    {
        var first = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int i = 0; i < names.Count; i++)
            if (!first.TryAdd(names[i], i))
                return $"column '{names[i]}' is named twice (columns {first[names[i]] + 1} and {i + 1}): every column needs its own name";
        return null;
    }
}
