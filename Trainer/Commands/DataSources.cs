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

    /// <summary><c>--allow-missing-manifest</c>, the same on every command that reads shards.</summary>
    public static System.CommandLine.Option<bool> AllowMissingManifestOption() => new("--allow-missing-manifest")
    {
        Description = "Read a shard directory without _manifest.json (assembled by hand, or a transform that did not finish): its completeness, checksums and plan cannot be checked",
    };

    /// <summary>The shard set at <paramref name="location"/>; without a manifest it is refused (exit 1) unless <paramref name="allowMissingManifest"/>.</summary>
    public static ShardSet OpenShards(string location, bool allowMissingManifest, ILogger log)
    {
        var (fs, path) = Open(location, log);
        return ShardSet.Open(fs, path, allowMissingManifest, log);
    }

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
