using Streaming.Core;

namespace Streaming.Storage;

public sealed record FileEntry(string Path, string Name, long Length, bool IsDirectory);

/// <summary>
/// The one file system interface of the jobs and the trainer: the local file system
/// (<see cref="LocalFileSystem"/>), HDFS through the cluster's FsShell (<see cref="HadoopShellFileSystem"/>), or HDFS
/// over WebHDFS (<see cref="WebHdfsClient"/>). Each says which URIs it handles; <see cref="FileSystemRouter"/> (built
/// once per process) routes a URI to the one that does. Paths passed to a file system's members are its own paths
/// (<see cref="ResolvePath"/> of a URI it handles).
/// </summary>
public interface IFileSystem
{
    /// <summary>Whether this file system serves <paramref name="uri"/> (a URI or a plain path).</summary>
    bool CanHandle(string uri);
    /// <summary>The path this file system's members take for a URI it handles (<c>file:/a</c> → <c>/a</c>, <c>webhdfs://nn/a</c> → <c>/a</c>).</summary>
    string ResolvePath(string uri);

    IReadOnlyList<FileEntry> List(string directory);
    bool Exists(string path);
    /// <summary>A forward-only stream of the file from <paramref name="offset"/>; never the whole file in memory.</summary>
    Stream OpenRead(string path, long offset = 0);
    /// <summary>A listed file: its length is known, so a transfer that ends early is detected (and resumed remotely).</summary>
    Stream OpenRead(FileEntry file) => OpenRead(file.Path);
    string Combine(string directory, string name);

    /// <summary>
    /// A new file <paramref name="name"/> in <paramref name="directory"/> (created with its parents when missing), as a
    /// <see cref="PendingFile"/>: it appears under its name only when <see cref="PendingFile.Commit"/> returns;
    /// disposing it without a commit removes what was written.
    /// </summary>
    PendingFile Create(string directory, string name);
}

/// <summary>
/// A file being written that becomes visible under its name only through <see cref="Commit"/>: a task that fails, or
/// is killed, never leaves a file that looks complete. <see cref="Commit"/> flushes and publishes, and throws
/// <see cref="IOException"/> when the file could not be stored (then nothing appears), so a task never reports a file
/// that is not there. <see cref="Stream.Dispose()"/> without a successful commit aborts: what was written is removed.
/// </summary>
public abstract class PendingFile : ForwardStream
{
    private enum State { Open, Committed, Aborted }
    private State _state;
    private long _written;

    /// <summary>Where the file appears when committed (for logs and errors).</summary>
    public abstract string Target { get; }

    public override bool CanWrite => _state == State.Open;
    public override long Length => _written;
    public override long Position { get => _written; set => throw new NotSupportedException(); }

    public sealed override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public sealed override void Write(ReadOnlySpan<byte> buffer)
    {
        if (_state != State.Open) ThrowNotOpen();
        WriteCore(buffer);
        _written += buffer.Length;
    }

    /// <summary>Flushes what was written so far (nothing once committed or aborted).</summary>
    public sealed override void Flush()
    {
        if (_state == State.Open) FlushCore();
    }

    protected virtual void FlushCore() { }

    /// <summary>Publishes the file under its name; throws <see cref="IOException"/> when it could not be (nothing then appears).</summary>
    public void Commit()
    {
        if (_state != State.Open) ThrowNotOpen();
        try
        {
            Publish();
            _state = State.Committed;
        }
        catch
        {
            _state = State.Aborted;
            try { Abort(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    protected abstract void WriteCore(ReadOnlySpan<byte> buffer);
    /// <summary>Flush everything and make the file appear under its name.</summary>
    protected abstract void Publish();
    /// <summary>Remove whatever was written; must not throw for a file that was never started.</summary>
    protected abstract void Abort();
    /// <summary>Release what the file holds (handles, processes, spools) after a commit or an abort.</summary>
    protected virtual void Release() { }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            if (_state == State.Open)
            {
                _state = State.Aborted;
                try { Abort(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            Release();
        }
        base.Dispose(disposing);
    }

    private void ThrowNotOpen() =>
        throw new InvalidOperationException($"{Target}: the pending file was already {(_state == State.Committed ? "committed" : "aborted")}");
}

public static class FileSystems
{
    /// <summary>The local path of a directory URI the local file system serves (<c>file:/a</c> → <c>/a</c>).</summary>
    public static string LocalPath(string uri) => TryLocalPath(uri) ?? uri;

    /// <summary>The local path of a <c>file:</c> URI or a plain path; null for a URI of another scheme (<c>hdfs:</c>…).</summary>
    public static string? TryLocalPath(string? uri)
    {
        if (string.IsNullOrEmpty(uri)) return null;
        if (uri.StartsWith("file://", StringComparison.Ordinal)) return Uri.UnescapeDataString(uri["file://".Length..]);
        if (uri.StartsWith("file:", StringComparison.Ordinal)) return Uri.UnescapeDataString(uri["file:".Length..]);
        return HasScheme(uri) ? null : uri;
    }

    /// <summary>
    /// A URI with a scheme (<c>hdfs://nn/a</c>, <c>viewfs://c/a</c>, and Hadoop's short <c>hdfs:/a</c>); a plain path
    /// has none (a local file name may contain a colon, so only these forms count).
    /// </summary>
    public static bool HasScheme(string uri) =>
        uri.Contains("://", StringComparison.Ordinal) || uri.StartsWith("hdfs:", StringComparison.Ordinal) || uri.StartsWith("viewfs:", StringComparison.Ordinal);
}
