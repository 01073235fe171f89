using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Storage;

namespace Streaming.Trainer.Commands;

/// <summary>A data location on the command line: a local directory, or webhdfs:// / swebhdfs:// (HA NameNodes comma-separated).</summary>
public static class DataSources
{
    public static (IFileSystem Source, string Path, IDisposable? Owner) Open(string location, ILogger log)
    {
        if (location.StartsWith("hdfs://", StringComparison.OrdinalIgnoreCase))
            throw new ConfigException($"{location}: the trainer reads HDFS over WebHDFS: use webhdfs://NAMENODE:9870{new Uri(location).AbsolutePath} (the NameNode's HTTP address)");
        if (!WebHdfsOptions.IsWebHdfsUri(location))
        {
            // A missing input named on the command line is a configuration error (exit 2), as for --model and --plan.
            if (!Directory.Exists(location)) throw new ConfigException($"{location}: no such directory (expected TFRecord shards with _transform.json)");
            return (LocalFileSystem.Instance, location, null);
        }
        var (options, path) = WebHdfsOptions.Parse(location);
        var client = new WebHdfsClient(options, log);
        return (client, path, client);
    }
}
