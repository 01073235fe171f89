using System.Diagnostics;

namespace Streaming.Contract;

/// <summary>
/// Opens a file for writing under a directory URI, as a task's side-effect files need: <c>file:</c> and plain paths
/// locally; <c>hdfs:</c> (and other Hadoop schemes) through <c>hdfs dfs -put -f - URI</c>, which every cluster node
/// has and which carries the task's delegation tokens. The returned stream must be disposed; disposing waits for the
/// upload and throws <see cref="IOException"/> when it failed, so a task never reports a shard that is not there.
/// </summary>
public static class OutputFiles
{
    /// <summary>Hook for a WebHDFS writer (set by the WebHDFS client when a NameNode address is configured).</summary>
    public static Func<string, Stream>? RemoteOpener { get; set; }

    public static Stream Create(string dirUri, string name)
    {
        if (SideEffectFiles.LocalPath(dirUri) is { } local)
        {
            Directory.CreateDirectory(local);
            return new FileStream(Path.Combine(local, name), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        }
        var uri = dirUri.TrimEnd('/') + "/" + name;
        if (RemoteOpener is { } open) return open(uri);
        return new HdfsPutStream(uri);
    }

    private sealed class HdfsPutStream : ForwardStream
    {
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
