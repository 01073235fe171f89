namespace Streaming.WebHdfs;

public sealed record FileEntry(string Path, string Name, long Length, bool IsDirectory);

/// <summary>Where the Trainer and the shard tools read from: the local file system or HDFS over WebHDFS.</summary>
public interface IFileSource
{
    IReadOnlyList<FileEntry> List(string directory);
    bool Exists(string path);
    /// <summary>A forward-only stream of the file from <paramref name="offset"/>; never the whole file in memory.</summary>
    Stream OpenRead(string path, long offset = 0);
    /// <summary>A listed file: its length is known, so a transfer that ends early is detected (and resumed remotely).</summary>
    Stream OpenRead(FileEntry file) => OpenRead(file.Path);
    string Combine(string directory, string name);
}

public sealed class LocalFileSource : IFileSource
{
    public static readonly LocalFileSource Instance = new();

    public IReadOnlyList<FileEntry> List(string directory)
    {
        if (!Directory.Exists(directory)) throw new FileNotFoundException($"directory {directory} does not exist", directory);
        return Directory.GetFileSystemEntries(directory).Order(StringComparer.Ordinal)
            .Select(p => Directory.Exists(p)
                ? new FileEntry(p, System.IO.Path.GetFileName(p), 0, true)
                : new FileEntry(p, System.IO.Path.GetFileName(p), new FileInfo(p).Length, false)).ToList();
    }

    public bool Exists(string path) => File.Exists(path) || Directory.Exists(path);

    public Stream OpenRead(string path, long offset = 0)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        if (offset > 0) fs.Seek(offset, SeekOrigin.Begin);
        return fs;
    }

    public string Combine(string directory, string name) => System.IO.Path.Combine(directory, name);
}
