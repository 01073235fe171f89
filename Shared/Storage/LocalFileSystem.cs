namespace Streaming.Storage;

/// <summary>The local file system (plain paths and <c>file:</c> URIs); a created file is written under a hidden temporary name in its directory and renamed on commit.</summary>
public sealed class LocalFileSystem : IFileSystem
{
    public static readonly LocalFileSystem Instance = new();

    public bool CanHandle(string uri) => FileSystems.TryLocalPath(uri) is not null;

    public string ResolvePath(string uri) => FileSystems.LocalPath(uri);

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

    public PendingFile Create(string directory, string name)
    {
        var dir = FileSystems.LocalPath(directory);
        Directory.CreateDirectory(dir);
        return new PendingLocalFile(Path.Combine(dir, name));
    }

    /// <summary>The temporary name of a file being written: hidden (Hadoop's input formats skip dot files) and owned by this process.</summary>
    public static string TemporaryName(string path) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.tmp-{Environment.ProcessId}");

    private sealed class PendingLocalFile(string path) : PendingFile
    {
        private readonly FileStream _file = new(TemporaryName(path), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);

        public override string Target => path;
        protected override void WriteCore(ReadOnlySpan<byte> buffer) => _file.Write(buffer);
        protected override void FlushCore() => _file.Flush();

        protected override void Publish()
        {
            _file.Dispose();   // flushes: a full disk fails here, before the name is taken
            File.Move(_file.Name, path, overwrite: true);
        }

        protected override void Abort()
        {
            try { _file.Dispose(); } catch (IOException) { }   // a full disk fails the flush: the file goes all the same
            File.Delete(_file.Name);
        }

        protected override void Release() => _file.Dispose();
    }
}
