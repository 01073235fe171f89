using System.Text;
using Streaming.Transform;

namespace Streaming.Tests;

/// <summary>
/// The vocabulary lookup keeps short values in a table of words and long ones in a dictionary: whatever the value,
/// its answer must be a dictionary's (first spelling wins, aliases after the values, misses are misses).
/// </summary>
public class VocabularyLookupTests
{
    [Test]
    public void AnswersAsADictionaryOfTheValuesWould()
    {
        var rng = new Random(5);
        string Value() => rng.Next(6) switch
        {
            0 => "",
            1 => rng.Next(100).ToString(),                                   // codes
            2 => "P000" + rng.Next(100_000).ToString("D5"),                  // 9-byte IDs, second word in use
            3 => new string('x', rng.Next(14, 19)) + rng.Next(10),          // around the 16-byte edge
            4 => "é" + rng.Next(1000) + "\0",                               // non-ASCII, a NUL byte (zero padding is not a value)
            _ => new string((char)('a' + rng.Next(26)), rng.Next(1, 40)),   // long runs
        };
        for (int trial = 0; trial < 40; trial++)
        {
            var values = Enumerable.Range(0, rng.Next(0, trial < 30 ? 60 : 5000)).Select(_ => Value()).ToList();
            var aliases = values.Count == 0 ? null
                : Enumerable.Range(0, rng.Next(0, 5)).Select(_ => (From: Value(), To: values[rng.Next(values.Count)]))
                    .DistinctBy(a => a.From).ToDictionary(a => a.From, a => a.To);
            var expected = new Dictionary<string, int>(StringComparer.Ordinal);
            for (int i = 0; i < values.Count; i++) expected.TryAdd(values[i], i);
            foreach (var (from, to) in aliases ?? []) expected.TryAdd(from, values.IndexOf(to));
            var lookup = new VocabularyLookup(values, aliases);
            var probes = values.Concat(aliases?.Keys.AsEnumerable() ?? []).Concat(Enumerable.Range(0, 500).Select(_ => Value()))
                .Concat(["\0", "\0\0", "P0000000\0", "P00000000000000\0"]);   // differ from others only by NUL padding
            foreach (var probe in probes)
            {
                bool found = lookup.TryGetIndex(Encoding.UTF8.GetBytes(probe), out int index);
                Assert.That(found, Is.EqualTo(expected.TryGetValue(probe, out int want)), $"trial {trial}: is '{probe}' found");
                if (found) Assert.That(index, Is.EqualTo(want), $"trial {trial}: index of '{probe}'");
            }
        }
    }
}
