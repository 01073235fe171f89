using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Storage;

namespace Streaming.Trainer.Commands;

/// <summary>
/// A data location on the command line: a local directory, or webhdfs:// / swebhdfs:// (HA NameNodes comma-separated),
/// routed by the process's one <see cref="FileSystemRouter"/> (the trainer runs off the cluster: no FsShell).
/// </summary>
public static class DataSources
{
    private static FileSystemRouter? _files;

    /// <summary>The trainer's file systems, built on first use and kept for the process (one WebHDFS client per NameNode set).</summary>
    public static FileSystemRouter Files(ILogger log) =>
        LazyInitializer.EnsureInitialized(ref _files, () => FileSystemRouter.ForProcess(log, webHdfsNameNodes: "", useFsShell: false));

    public static (IFileSystem Source, string Path) Open(string location, ILogger log)
    {
        if (location.StartsWith("hdfs:", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException($"{location}: the trainer reads HDFS over WebHDFS: use webhdfs://NAMENODE:9870{WebHdfsClient.PathOf(location)} (the NameNode's HTTP address)");
        var (fs, path) = Files(log).Resolve(location);
        // A missing input named on the command line is a configuration error (exit 2), as for --model and --plan.
        if (fs is LocalFileSystem && !Directory.Exists(path)) throw new ConfigException($"{location}: no such directory (expected TFRecord shards with _transform.json)");
        return (fs, path);
    }
}
