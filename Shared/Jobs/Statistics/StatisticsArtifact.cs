using Streaming.Core;
using Streaming.Stats;
using Streaming.Hadoop;
namespace Streaming.Jobs;

/// <summary>The statistics job's output: lines <c>column\tjson</c> in its part files.</summary>
public static class StatisticsArtifact
{
    /// <summary>Reads a whole statistics artifact (lines <c>column\tjson</c>, any part files concatenated).</summary>
    public static IReadOnlyList<ColumnStats> Read(IEnumerable<string> lines)
    {
        var list = new List<ColumnStats>();
        int n = 0;
        foreach (var line in lines)
        {
            n++;
            if (line.Length == 0) continue;
            if (!KeyValueLine.Split(line, out _, out var value)) throw new FormatException($"statistics line {n} has no TAB");
            try { list.Add(StatsJson.Deserialize(value)); }
            catch (FormatException e) { throw new FormatException($"statistics line {n}: {e.Message}", e); }
        }
        return list.OrderBy(s => s.Index).ToList();
    }

    /// <summary>
    /// Reads a statistics artifact named on a command line: a file, or a job's output directory (its part-* files).
    /// A missing or malformed one is a configuration error naming <paramref name="option"/>.
    /// </summary>
    public static IReadOnlyList<ColumnStats> Read(string path, string option)
    {
        IEnumerable<string> files = Directory.Exists(path)
            ? Directory.GetFiles(path, "part-*").Order(StringComparer.Ordinal)
            : File.Exists(path) ? [path] : throw new ConfigException($"{option} {path}: no such file or directory");
        if (!files.Any()) throw new ConfigException($"{option} {path}: no part-* files in the directory");
        try { return Read(files.SelectMany(File.ReadLines)); }
        catch (FormatException e) { throw new ConfigException($"{option} {path} is not a statistics artifact: {e.Message}"); }
    }
}
