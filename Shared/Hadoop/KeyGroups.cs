using System.Text;
using Streaming.Core;

namespace Streaming.Hadoop;

/// <summary>
/// Reduce-side input: sorted <c>key\tvalue</c> lines, all lines of a key contiguous (docs/contracts.md §1). Yields one
/// group per key; the reducer must do the grouping itself, Hadoop only sorts.
/// </summary>
public sealed class KeyGroups
{
    private readonly LineReader _lines;

    public KeyGroups(LineReader lines) => _lines = lines;

    public long Lines { get; private set; }

    /// <summary>Groups in input order; the value list is reused between groups.</summary>
    public IEnumerable<(string Key, List<string> Values)> Read()
    {
        string? current = null;
        var values = new List<string>();
        while (_lines.TryReadLine(out var line, out _))
        {
            Lines++;
            KeyValueLine.Split(line, out var keyBytes, out var valueBytes);
            var key = Encoding.UTF8.GetString(keyBytes);
            var value = Encoding.UTF8.GetString(valueBytes);
            if (current is not null && key != current)
            {
                yield return (current, values);
                values.Clear();
            }
            current = key;
            values.Add(value);
        }
        if (current is not null) yield return (current, values);
    }
}
