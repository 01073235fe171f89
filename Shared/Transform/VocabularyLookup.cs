using System.Text;
using Streaming.Core;

namespace Streaming.Transform;

/// <summary>
/// Value → index for a vocabulary or a label's classes, looked up by UTF-8 span (no string per row). Built once per
/// plan feature and only read after, so one lookup serves every thread transforming rows with the plan.
/// </summary>
public sealed class VocabularyLookup
{
    private readonly Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> _lookup;

    /// <param name="aliases">Other spellings: FROM → a value of <paramref name="values"/>.</param>
    public VocabularyLookup(IReadOnlyList<string> values, IReadOnlyDictionary<string, string>? aliases = null)
    {
        var d = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        for (int i = 0; i < values.Count; i++) d.TryAdd(Encoding.UTF8.GetBytes(values[i]), i);
        foreach (var (from, to) in aliases ?? new Dictionary<string, string>())
            d.TryAdd(Encoding.UTF8.GetBytes(from), values.ToList().IndexOf(to));
        _lookup = d.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public bool TryGetIndex(ReadOnlySpan<byte> value, out int index) => _lookup.TryGetValue(value, out index);
}
