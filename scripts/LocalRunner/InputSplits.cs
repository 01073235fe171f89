using System.Text.RegularExpressions;
using Streaming.Core;
using Streaming.Storage;

namespace Streaming.LocalRunner;

public sealed record InputSplit(string Path, long Start, long Length, bool Splittable)
{
    public string Uri => "file:" + Path;
}

/// <summary>
/// Input listing and splits as the old mapred FileInputFormat computes them (streaming uses that API):
/// splitSize = max(minSize, min(totalSize / numSplits, blockSize)); cut while remaining / splitSize > 1.1.
/// </summary>
public static class InputSplits
{
    public const double SplitSlop = 1.1;

    public static List<string> ListInputs(IEnumerable<string> inputs)
    {
        var files = new List<string>();
        foreach (var raw in inputs)
        {
            var spec = FileSystems.TryLocalPath(raw) ?? throw new ConfigException($"-input {raw}: the local runner reads local paths and file: URIs only");
            var matches = Glob(spec);
            if (matches.Count == 0) throw new ConfigException($"Input path does not exist: {raw}");
            foreach (var m in matches)
            {
                if (Directory.Exists(m))
                    files.AddRange(Directory.GetFiles(m).Where(f => !IsHidden(f)).OrderBy(f => f, StringComparer.Ordinal));
                else files.Add(m);
            }
        }
        return files.Select(Path.GetFullPath).ToList();
    }

    // Hadoop's hiddenFileFilter: names starting with '_' or '.' are not input.
    private static bool IsHidden(string path) => Path.GetFileName(path) is var n && (n.StartsWith('_') || n.StartsWith('.'));

    private static List<string> Glob(string spec)
    {
        if (spec.IndexOfAny(['*', '?', '[']) < 0) return File.Exists(spec) || Directory.Exists(spec) ? [spec] : [];
        var dir = Path.GetDirectoryName(spec);
        if (string.IsNullOrEmpty(dir)) dir = ".";
        var pattern = "^" + Regex.Escape(Path.GetFileName(spec)).Replace("\\*", ".*").Replace("\\?", ".").Replace("\\[", "[") + "$";
        if (!Directory.Exists(dir)) return [];
        return Directory.GetFileSystemEntries(dir).Where(p => Regex.IsMatch(Path.GetFileName(p), pattern) && !IsHidden(p))
            .OrderBy(p => p, StringComparer.Ordinal).ToList();
    }

    public static List<InputSplit> Compute(IReadOnlyList<string> files, int numSplitsHint, long minSize, long blockSize)
    {
        long total = files.Sum(f => new FileInfo(f).Length);
        long goalSize = total / Math.Max(1, numSplitsHint);
        minSize = Math.Max(1, minSize);
        var splits = new List<InputSplit>();
        foreach (var f in files)
        {
            long length = new FileInfo(f).Length;
            bool splittable = !IsCompressed(f);
            if (length == 0) { splits.Add(new InputSplit(f, 0, 0, splittable)); continue; }
            if (!splittable) { splits.Add(new InputSplit(f, 0, length, false)); continue; }
            long splitSize = Math.Max(minSize, Math.Min(goalSize, blockSize));
            long remaining = length;
            while ((double)remaining / splitSize > SplitSlop)
            {
                splits.Add(new InputSplit(f, length - remaining, splitSize, true));
                remaining -= splitSize;
            }
            if (remaining != 0) splits.Add(new InputSplit(f, length - remaining, remaining, true));
        }
        return splits;
    }

    public static bool IsCompressed(string path) => path.EndsWith(".gz", StringComparison.Ordinal) || path.EndsWith(".bz2", StringComparison.Ordinal);
}
