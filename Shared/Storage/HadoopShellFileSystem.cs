using System.Diagnostics;
using System.Globalization;
using Streaming.Core;

namespace Streaming.Storage;

/// <summary>
/// HDFS (and any Hadoop file system URI) through the cluster's FsShell, <c>hdfs dfs</c>, which every cluster node has
/// and which carries the task's delegation tokens. Only what both Hadoop 2.7's and 3.x's FsShell accept is used
/// (<c>-ls</c> without <c>-C</c>, docs/contracts.md). The command is <c>STREAMING_HDFS_CMD</c>, default <c>hdfs</c>.
/// </summary>
/// <param name="command">FsShell's command; default <c>STREAMING_HDFS_CMD</c>, else <c>hdfs</c>.</param>
/// <param name="environment">Variables set for it (besides the task's own).</param>
public sealed class HadoopShellFileSystem(string? command = null, IReadOnlyDictionary<string, string>? environment = null) : IFileSystem
{
    public static readonly HadoopShellFileSystem Instance = new();

    private string Command => command ?? Environment.GetEnvironmentVariable("STREAMING_HDFS_CMD") ?? "hdfs";

    private Process Start(string what, bool writes, params string[] args)
    {
        var psi = new ProcessStartInfo(Command, ["dfs", .. args])
        {
            RedirectStandardInput = writes, RedirectStandardOutput = !writes, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var (k, v) in environment ?? new Dictionary<string, string>()) psi.Environment[k] = v;
        try { return Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new IOException($"cannot start '{Command} dfs {args[0]}' to {what}: {e.Message}", e);
        }
    }

    /// <summary>Runs an FsShell command to its end: its exit code and output.</summary>
    private (int Code, string Stdout, string Stderr) Run(string what, params string[] args)
    {
        using var p = Start(what, writes: false, args);
        var stderr = p.StandardError.ReadToEndAsync();
        var stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }

    /// <summary>Any Hadoop file system URI (<c>hdfs:</c>, <c>viewfs:</c>, <c>s3a:</c>…) but those WebHDFS serves over HTTP.</summary>
    public bool CanHandle(string uri) => FileSystems.HasScheme(uri) && !WebHdfsOptions.IsWebHdfsUri(uri)
        && !uri.StartsWith("file:", StringComparison.Ordinal);

    /// <summary>FsShell takes the URI itself.</summary>
    public string ResolvePath(string uri) => uri;

    public bool Exists(string path) => Run($"test {path}", "-test", "-e", path).Code == 0;

    public IReadOnlyList<FileEntry> List(string directory)
    {
        var (code, stdout, stderr) = Run($"list {directory}", "-ls", directory);
        if (code != 0)
        {
            if (stderr.Contains("No such file or directory", StringComparison.Ordinal)) throw new FileNotFoundException($"directory {directory} does not exist", directory);
            throw new IOException($"hdfs dfs -ls {directory} failed with exit code {code}: {stderr.Trim()}");
        }
        // FsShell's long listing: permissions, replication ('-' for a directory), owner, group, size, date, time, path.
        var entries = new List<FileEntry>();
        foreach (var line in stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var f = line.Split(' ', 8, StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 8 || f[0].Length != 10 || !long.TryParse(f[4], NumberStyles.None, CultureInfo.InvariantCulture, out long size)) continue;   // "Found N items"
            var path = f[7];
            entries.Add(new FileEntry(path, path[(path.LastIndexOf('/') + 1)..], size, f[0][0] == 'd'));
        }
        return entries.OrderBy(e => e.Name, StringComparer.Ordinal).ToList();
    }

    public Stream OpenRead(string path, long offset = 0)
    {
        var p = Start($"read {path}", writes: false, "-cat", path);
        var s = new CatStream(p, path);
        // FsShell has no ranged read: skip to the offset (a resumed read of a TFRecord shard is rare).
        Span<byte> skip = stackalloc byte[8192];
        for (long left = offset; left > 0;)
        {
            int n = s.Read(skip[..(int)Math.Min(skip.Length, left)]);
            if (n == 0) throw new IOException($"{path} ends before offset {offset}");
            left -= n;
        }
        return s;
    }

    public string Combine(string directory, string name) => directory.TrimEnd('/') + "/" + name;

    /// <summary>
    /// <c>hdfs dfs -put</c> needs the parent directory (FsShell's "No such file or directory" otherwise, in 2.7 and 3.x
    /// alike): it is made first with <c>-mkdir -p</c>, which succeeds when it is already there.
    /// </summary>
    public PendingFile Create(string directory, string name)
    {
        var (code, _, stderr) = Run($"create {directory}", "-mkdir", "-p", directory);
        if (code != 0) throw new IOException($"hdfs dfs -mkdir -p {directory} failed with exit code {code}: {stderr.Trim()}");
        return new PutStream(this, Combine(directory, name));
    }

    /// <summary><c>hdfs dfs -cat</c>'s stdout; at its end the exit code is checked, so a failed read is an error, not a short file.</summary>
    private sealed class CatStream(Process p, string path) : ForwardStream
    {
        private readonly Task<string> _stderr = p.StandardError.ReadToEndAsync();
        private readonly Stream _stdout = p.StandardOutput.BaseStream;
        private long _read;

        public override bool CanRead => true;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            int n = _stdout.Read(buffer);
            _read += n;
            if (n == 0 && buffer.Length > 0)
            {
                p.WaitForExit();
                if (p.ExitCode != 0) throw new IOException($"hdfs dfs -cat {path} failed with exit code {p.ExitCode}: {_stderr.Result.Trim()}");
            }
            return n;
        }

        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            if (!p.HasExited) try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            p.WaitForExit();
            p.Dispose();
        }
    }

    /// <summary>
    /// <c>hdfs dfs -put -f - URI</c> fed from stdin. FsShell writes <c>URI._COPYING_</c> and renames it when its input
    /// ends cleanly; an aborted upload is killed, so FsShell never renames its partial file into place.
    /// </summary>
    private sealed class PutStream : PendingFile
    {
        private readonly Process _p;
        private readonly Stream _stdin;
        private readonly Task<string> _stderr;
        private readonly string _uri;

        public PutStream(HadoopShellFileSystem fs, string uri)
        {
            _uri = uri;
            _p = fs.Start($"write {uri}", writes: true, "-put", "-f", "-", uri);
            _stdin = _p.StandardInput.BaseStream;
            _stderr = _p.StandardError.ReadToEndAsync();
        }

        public override string Target => _uri;

        protected override void WriteCore(ReadOnlySpan<byte> buffer)
        {
            try { _stdin.Write(buffer); }
            catch (IOException e) { throw new IOException($"hdfs dfs -put {_uri} ended early: {Exited()}", e); }
        }

        protected override void FlushCore() => _stdin.Flush();

        protected override void Publish()
        {
            try { _stdin.Dispose(); }
            catch (IOException e) { throw new IOException($"hdfs dfs -put {_uri} ended early: {Exited()}", e); }
            _p.WaitForExit();
            if (_p.ExitCode != 0) throw new IOException($"hdfs dfs -put {_uri} failed with exit code {_p.ExitCode}: {_stderr.Result.Trim()}");
        }

        protected override void Abort()
        {
            // Abandoned half-way: kill the upload so FsShell never renames its partial ._COPYING_ file into place.
            try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
            try { _stdin.Dispose(); } catch (IOException) { }
            _p.WaitForExit();
        }

        protected override void Release() => _p.Dispose();

        private string Exited()
        {
            _p.WaitForExit();
            return $"exit code {_p.ExitCode}: {_stderr.Result.Trim()}";
        }
    }
}
