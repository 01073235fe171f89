namespace Streaming.Storage;

/// <summary>The local file system; a created file is written under a temporary name in its directory and renamed on commit.</summary>
public sealed class LocalFileSystem : IFileSystem
{
    public static readonly LocalFileSystem Instance = new();

    public IReadOnlyList<FileEntry> List(string directory)
    {
        if (!Directory.Exists(directory)) throw new FileNotFoundException($"directory {directory} does not exist", directory);
        return Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal)
            .Select(p => Directory.Exists(p)
                ? new FileEntry(p, Path.GetFileName(p), 0, true)
                : new FileEntry(p, Path.GetFileName(p), new FileInfo(p).Length, false)).ToList();
    }

    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    public Stream OpenRead(string path, long offset = 0)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (offset > 0) fs.Seek(offset, SeekOrigin.Begin);
        return fs;
    }

    public string Combine(string directory, string name) => Path.Combine(directory, name);

    public Stream Create(string directory, string name)
    {
        var dir = FileSystems.LocalPath(directory);
        Directory.CreateDirectory(dir);
        return new PendingLocalFile(Path.Combine(dir, name));
    }

    private sealed class PendingLocalFile(string path) : FileStream(TempName(path), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16), IPendingOutput
    {
        private bool _committed, _done;

        private static string TempName(string path) => Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}");

        public void Commit() => _committed = true;

        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (!disposing || _done) return;
            _done = true;
            if (_committed) File.Move(Name, path, overwrite: true);
            else File.Delete(Name);
        }
    }
}
