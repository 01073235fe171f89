using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.Storage;

/// <summary>
/// The one place a URI meets a file system (mrjob's CompositeFilesystem): built once per process from what is
/// configured, it asks each file system in order whether it handles a URI and hands the first that does, with the
/// URI as that file system's path. Order: local paths and <c>file:</c>; WebHDFS (its <c>webhdfs://</c> NameNodes, and
/// the cluster's <c>hdfs:</c> URIs when <c>--webhdfs</c>/STREAMING_WEBHDFS names NameNodes); the cluster's FsShell
/// for every other Hadoop URI (when this process may run <c>hdfs dfs</c>). A <c>webhdfs://</c> URI naming other
/// NameNodes gets a client of its own on first use, kept for the rest of the process.
/// </summary>
public sealed class FileSystemRouter : IDisposable
{
    private readonly List<IFileSystem> _systems;
    private readonly List<IDisposable> _owned = [];
    private readonly ILogger _log;
    private readonly Lock _gate = new();

    public FileSystemRouter(IEnumerable<IFileSystem> systems, ILogger? log = null)
    {
        _systems = systems.ToList();
        _log = log ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
    }

    /// <summary>Local paths and <c>file:</c> URIs only (code that runs in process, in tests and tools).</summary>
    public static readonly FileSystemRouter LocalOnly = new([LocalFileSystem.Instance]);

    /// <summary>
    /// This process's router: local; WebHDFS for <c>hdfs:</c> URIs when <paramref name="webHdfsNameNodes"/> (else
    /// STREAMING_WEBHDFS) names NameNodes; FsShell unless <paramref name="useFsShell"/> is false (the trainer, which runs
    /// off the cluster, reads HDFS over WebHDFS only).
    /// </summary>
    public static FileSystemRouter ForProcess(ILogger log, string? webHdfsNameNodes = null, bool useFsShell = true)
    {
        var router = new FileSystemRouter([LocalFileSystem.Instance], log);
        if (WebHdfsClient.ForNameNodes(webHdfsNameNodes, log) is { } cluster) router.Add(cluster, owned: true);
        if (useFsShell) router.Add(HadoopShellFileSystem.Instance, owned: false);
        return router;
    }

    private void Add(IFileSystem fs, bool owned)
    {
        _systems.Add(fs);
        if (owned && fs is IDisposable d) _owned.Add(d);
    }

    /// <summary>The file system that handles <paramref name="uri"/> and the URI as its path; <see cref="ConfigException"/> when none does.</summary>
    public (IFileSystem FileSystem, string Path) Resolve(string uri)
    {
        var fs = For(uri);
        return (fs, fs.ResolvePath(uri));
    }

    /// <summary>The file system that handles <paramref name="uri"/>; <see cref="ConfigException"/> when none does.</summary>
    public IFileSystem For(string uri)
    {
        lock (_gate)
        {
            foreach (var fs in _systems)
                if (fs.CanHandle(uri)) return fs;
            if (WebHdfsOptions.IsWebHdfsUri(uri))
            {
                var (options, _) = WebHdfsOptions.Parse(uri);
                var client = new WebHdfsClient(options, _log);
                Add(client, owned: true);
                return client;
            }
        }
        throw new ConfigException($"{uri}: no file system here handles this URI (local paths, file:, webhdfs://{(_systems.Any(s => s is HadoopShellFileSystem) ? ", and hdfs: through 'hdfs dfs'" : "")})");
    }

    /// <summary>A pending file <paramref name="name"/> in the directory <paramref name="directoryUri"/>, on whichever file system handles it.</summary>
    public PendingFile Create(string directoryUri, string name)
    {
        var (fs, dir) = Resolve(directoryUri);
        return fs.Create(dir, name);
    }

    /// <summary>A URI under a directory URI: <c>hdfs://nn/a</c> + <c>b</c> → <c>hdfs://nn/a/b</c> (a local path is combined as a path).</summary>
    public static string Child(string directoryUri, string name) =>
        FileSystems.HasScheme(directoryUri) ? directoryUri.TrimEnd('/') + "/" + name : Path.Combine(directoryUri, name);

    public void Dispose()
    {
        foreach (var d in _owned) d.Dispose();
        _owned.Clear();
    }
}
