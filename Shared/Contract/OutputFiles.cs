using System.Diagnostics;

namespace Streaming.Contract;

/// <summary>
/// Opens a file for writing under a directory URI, as a task's side-effect files need: <c>file:</c> and plain paths
/// locally; <c>hdfs:</c> (and other Hadoop schemes) through <c>hdfs dfs -put -f - URI</c>, which every cluster node
/// has and which carries the task's delegation tokens. The returned stream must be disposed; disposing waits for the
/// upload and throws <see cref="IOException"/> when it failed, so a task never reports a shard that is not there.
/// A file appears under its name only when <see cref="Commit"/> was called before disposal: a local file is written
/// under a temporary name and renamed (or deleted, uncommitted); an uncommitted <c>hdfs dfs -put</c> is killed, so
/// FsShell removes its <c>._COPYING_</c> file. A task that fails half-way leaves nothing that looks complete.
/// </summary>
public static class OutputFiles
{
    /// <summary>A file being written that becomes visible only when committed.</summary>
    public interface IPendingOutput
    {
        void Commit();
    }

    /// <summary>Marks the output complete: on disposal it takes its name (no-op for streams that are not pending).</summary>
    public static void Commit(Stream output)
    {
        if (output is IPendingOutput p) p.Commit();
    }

    /// <summary>Hook for a WebHDFS writer (set by the WebHDFS client when a NameNode address is configured).</summary>
    public static Func<string, Stream>? RemoteOpener { get; set; }

    public static Stream Create(string dirUri, string name)
    {
        if (SideEffectFiles.LocalPath(dirUri) is { } local)
        {
            Directory.CreateDirectory(local);
            return new PendingLocalFile(Path.Combine(local, name));
        }
        var uri = dirUri.TrimEnd('/') + "/" + name;
        if (RemoteOpener is { } open) return open(uri);
        return new HdfsPutStream(uri);
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

    private sealed class HdfsPutStream : ForwardStream, IPendingOutput
    {
        private bool _committed;
        public void Commit() => _committed = true;

        public override bool CanWrite => true;
        private readonly Process _p;
        private readonly Stream _stdin;
        private readonly Task<string> _stderr;
        private readonly string _uri;
        private long _written;

        public HdfsPutStream(string uri)
        {
            _uri = uri;
            var hdfs = Environment.GetEnvironmentVariable("STREAMING_HDFS_CMD") ?? "hdfs";
            var psi = new ProcessStartInfo(hdfs, ["dfs", "-put", "-f", "-", uri])
            {
                RedirectStandardInput = true, RedirectStandardError = true, RedirectStandardOutput = false, UseShellExecute = false,
            };
            try { _p = Process.Start(psi)!; }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new IOException($"cannot start '{hdfs} dfs -put' to write {uri}: {e.Message}", e);
            }
            _stdin = _p.StandardInput.BaseStream;
            _stderr = _p.StandardError.ReadToEndAsync();
        }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { _stdin.Write(buffer); _written += buffer.Length; }
        public override void Flush() => _stdin.Flush();

        protected override void Dispose(bool disposing)
        {
            if (!disposing) return;
            if (!_committed)
            {
                // Abandoned half-way: kill the upload so FsShell never renames its partial ._COPYING_ file into place.
                try { _p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                try { _stdin.Dispose(); } catch (IOException) { }
                _p.WaitForExit();
                _p.Dispose();
                return;
            }
            try { _stdin.Dispose(); } catch (IOException) { }
            _p.WaitForExit();
            var err = _stderr.Result;
            int code = _p.ExitCode;
            _p.Dispose();
            if (code != 0) throw new IOException($"hdfs dfs -put {_uri} failed with exit code {code}: {err.Trim()}");
        }

        public override long Length => _written;
        public override long Position { get => _written; set => throw new NotSupportedException(); }
    }
}
