namespace Streaming.Core;

/// <summary>Writes a file through a temporary name and a rename, so a reader (or a failed run) never sees half of it.</summary>
public static class AtomicFile
{
    public static void WriteAllText(string path, string text)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId);
        File.WriteAllText(tmp, text);
        File.Move(tmp, full, overwrite: true);
    }
}
