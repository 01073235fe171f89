using System.Text;
using System.Text.Json;

namespace Streaming.LocalRunner;

/// <summary>Job counters: task deltas summed per (group, name), printed like Hadoop's job summary.</summary>
public sealed class CounterSet
{
    public const string Framework = "Map-Reduce Framework";
    public const string InputFormat = "File Input Format Counters ";
    public const string OutputFormat = "File Output Format Counters ";
    private readonly SortedDictionary<string, SortedDictionary<string, long>> _groups = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void Add(string group, string name, long amount)
    {
        lock (_gate)
        {
            if (!_groups.TryGetValue(group, out var g)) _groups[group] = g = new(StringComparer.Ordinal);
            g[name] = g.GetValueOrDefault(name) + amount;
        }
    }

    public long Get(string group, string name)
    {
        lock (_gate) return _groups.TryGetValue(group, out var g) ? g.GetValueOrDefault(name) : 0;
    }

    public void Merge(CounterSet other)
    {
        foreach (var (g, names) in other._groups)
            foreach (var (n, v) in names) Add(g, n, v);
    }

    /// <summary>Parses a <c>reporter:counter:group,name,amount</c> line; false when it is not one.</summary>
    public bool TryAddReporterLine(string line)
    {
        const string prefix = "reporter:counter:";
        if (!line.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var parts = line[prefix.Length..].Split(',');
        if (parts.Length != 3 || !long.TryParse(parts[2].Trim(), out var amount)) return false;
        Add(parts[0], parts[1], amount);
        return true;
    }

    public string Summary()
    {
        lock (_gate)
        {
            // Hadoop prints the framework groups first, then the tasks' own groups, then the format groups.
            var order = _groups.Keys.OrderBy(g => g == Framework ? 0 : g == InputFormat ? 2 : g == OutputFormat ? 3 : 1).ThenBy(g => g, StringComparer.Ordinal);
            var sb = new StringBuilder();
            sb.Append("INFO mapreduce.Job: Counters: ").Append(_groups.Values.Sum(g => g.Count)).Append('\n');
            foreach (var g in order)
            {
                sb.Append('\t').Append(g).Append('\n');
                foreach (var (n, v) in _groups[g]) sb.Append("\t\t").Append(n).Append('=').Append(v).Append('\n');
            }
            return sb.ToString();
        }
    }

    public void WriteJson(string path)
    {
        lock (_gate)
        {
            using var fs = File.Create(path);
            using var w = new Utf8JsonWriter(fs, new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            foreach (var (g, names) in _groups)
            {
                w.WriteStartObject(g.Trim());
                foreach (var (n, v) in names) w.WriteNumber(n, v);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
    }
}
