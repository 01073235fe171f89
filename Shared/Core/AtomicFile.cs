namespace Streaming.Core;

/// <summary>Writes a file through a temporary name and a rename, so a reader (or a failed run) never sees half of it.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text) => Write(path, tmp => File.WriteAllText(tmp, text));

    public static void WriteAllBytes(string path, byte[] bytes) => Write(path, tmp => File.WriteAllBytes(tmp, bytes));

    private static void Write(string path, Action<string> write)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId);
        try
        {
            write(tmp);
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            File.Delete(tmp);   // a full disk leaves no half file behind
            throw;
        }
    }

    /// <summary>
    /// Removes what earlier processes left beside <paramref name="path"/> when they died mid-write: hidden siblings
    /// <c>.NAME.KIND-PID</c> (KIND one of <paramref name="kinds"/>: <c>tmp</c>, <c>staging</c>, <c>old</c>) whose
    /// process is gone. A live process's are left alone (it may be writing them now). Returns what was removed.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string path, params string[] kinds)
    {
        var full = Path.GetFullPath(Path.TrimEndingDirectorySeparator(path));
        var dir = Path.GetDirectoryName(full)!;
        var removed = new List<string>();
        if (!Directory.Exists(dir)) return removed;
        var prefix = "." + Path.GetFileName(full) + ".";
        foreach (var entry in Directory.EnumerateFileSystemEntries(dir, prefix + "*"))
        {
            var rest = Path.GetFileName(entry)[prefix.Length..];
            int dash = rest.LastIndexOf('-');
            if (dash <= 0 || !kinds.Contains(rest[..dash]) || !int.TryParse(rest[(dash + 1)..], out int pid)) continue;
            if (pid != Environment.ProcessId && Directory.Exists($"/proc/{pid}")) continue;   // alive: maybe writing it now
            try
            {
                if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true); else File.Delete(entry);
                removed.Add(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
        }
        return removed;
    }
}
