namespace Streaming.Storage;

public sealed record FileEntry(string Path, string Name, long Length, bool IsDirectory);

/// <summary>
/// The one file system interface of the jobs and the trainer: the local file system
/// (<see cref="LocalFileSystem"/>), HDFS through the cluster's FsShell (<see cref="HadoopShellFileSystem"/>), or HDFS
/// over WebHDFS (<see cref="WebHdfsClient"/>). <see cref="FileSystems.ForDirectory"/> picks one for a directory URI.
/// </summary>
public interface IFileSystem
{
    IReadOnlyList<FileEntry> List(string directory);
    bool Exists(string path);
    /// <summary>A forward-only stream of the file from <paramref name="offset"/>; never the whole file in memory.</summary>
    Stream OpenRead(string path, long offset = 0);
    /// <summary>A listed file: its length is known, so a transfer that ends early is detected (and resumed remotely).</summary>
    Stream OpenRead(FileEntry file) => OpenRead(file.Path);
    string Combine(string directory, string name);

    /// <summary>
    /// A new file <paramref name="name"/> in <paramref name="directory"/>, written as a pending output: it appears under
    /// its name only when <see cref="PendingOutput.Commit"/> was called before the stream is disposed; disposing an
    /// uncommitted stream leaves nothing that looks complete. Disposing a committed one throws <see cref="IOException"/>
    /// when the file could not be stored, so a task never reports a file that is not there.
    /// </summary>
    Stream Create(string directory, string name);
}

/// <summary>A file being written that becomes visible under its name only when committed.</summary>
public interface IPendingOutput
{
    void Commit();
}

public static class PendingOutput
{
    /// <summary>Marks the output complete: on disposal it takes its name (no-op for streams that are not pending).</summary>
    public static void Commit(Stream output)
    {
        if (output is IPendingOutput p) p.Commit();
    }
}

public static class FileSystems
{
    /// <summary>
    /// The file system of a directory URI: <c>file:</c> URIs and plain paths are local; any other scheme
    /// (<c>hdfs:</c>, <c>viewfs:</c>…) is <paramref name="remote"/> when given (WebHDFS), else the cluster's FsShell.
    /// </summary>
    public static IFileSystem ForDirectory(string uri, IFileSystem? remote) =>
        TryLocalPath(uri) is not null ? LocalFileSystem.Instance : remote ?? HadoopShellFileSystem.Instance;

    /// <summary>The local path of a directory URI the local file system serves (<c>file:/a</c> → <c>/a</c>).</summary>
    public static string LocalPath(string uri) => TryLocalPath(uri) ?? uri;

    /// <summary>The local path of a <c>file:</c> URI or a plain path; null for a URI of another scheme (<c>hdfs:</c>…).</summary>
    public static string? TryLocalPath(string? uri)
    {
        if (string.IsNullOrEmpty(uri)) return null;
        if (uri.StartsWith("file://", StringComparison.Ordinal)) return Uri.UnescapeDataString(uri["file://".Length..]);
        if (uri.StartsWith("file:", StringComparison.Ordinal)) return Uri.UnescapeDataString(uri["file:".Length..]);
        return uri.Contains("://", StringComparison.Ordinal) || uri.StartsWith("hdfs:", StringComparison.Ordinal) ? null : uri;
    }
}
