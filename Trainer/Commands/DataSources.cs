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
        LazyInitializer.EnsureInitialized(ref _files, () =>
        {
            var router = FileSystemRouter.ForProcess(log, webHdfsNameNodes: "", useFsShell: false);
            // At exit the WebHDFS clients cancel the delegation tokens they took (Kerberos).
            AppDomain.CurrentDomain.ProcessExit += (_, _) => router.Dispose();
            return router;
        });

    /// <summary><c>--keytab FILE</c> and <c>--principal P</c>: Kerberos for WebHDFS without a ticket cache (cron jobs), on every command that reads shards.</summary>
    public sealed class KerberosOptions
    {
        private readonly System.CommandLine.Option<string?> _keytab = new("--keytab")
        {
            Description = "Kerberos keytab for a secure cluster's WebHDFS when there is no ticket cache (cron; default: STREAMING_WEBHDFS_KEYTAB, else the ticket cache of kinit)",
        };
        private readonly System.CommandLine.Option<string?> _principal = new("--principal")
        {
            Description = "The keytab's principal to log in as (default: STREAMING_WEBHDFS_PRINCIPAL, else the keytab's first)",
        };

        public void AddTo(System.CommandLine.Command command)
        {
            command.Options.Add(_keytab);
            command.Options.Add(_principal);
        }

        /// <summary>Checks the options (exit 2 before any work) and hands them to the WebHDFS client's login.</summary>
        public void Apply(System.CommandLine.ParseResult r)
        {
            if (r.GetValue(_keytab) is { } keytab)
            {
                if (!File.Exists(keytab)) throw new ConfigException($"--keytab {keytab}: no such file");
                Environment.SetEnvironmentVariable("STREAMING_WEBHDFS_KEYTAB", keytab);
            }
            if (r.GetValue(_principal) is { } principal)
            {
                if (string.IsNullOrEmpty(r.GetValue(_keytab) ?? Environment.GetEnvironmentVariable("STREAMING_WEBHDFS_KEYTAB")))
                    throw new ConfigException("--principal needs --keytab");
                Environment.SetEnvironmentVariable("STREAMING_WEBHDFS_PRINCIPAL", principal);
            }
        }
    }

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

    private static (IFileSystem Source, string Path) Open(string location, ILogger log)
    {
        if (location.StartsWith("hdfs:", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException($"{location}: the trainer reads HDFS over WebHDFS: use webhdfs://NAMENODE:9870{WebHdfsClient.PathOf(location)} (the NameNode's HTTP address)");
        var (fs, path) = Files(log).Resolve(location);
        // A missing input named on the command line is a configuration error (exit 2), as for --model and --plan.
        if (fs is LocalFileSystem && !Directory.Exists(path)) throw new ConfigException($"{location}: no such directory (expected TFRecord shards with _transform.json)");
        return (fs, path);
    }
}
