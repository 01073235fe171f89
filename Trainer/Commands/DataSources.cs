using Microsoft.Extensions.Logging;
using Streaming.WebHdfs;

namespace Streaming.Trainer.Commands;

/// <summary>A data location on the command line: a local directory, or webhdfs:// / swebhdfs:// (HA NameNodes comma-separated).</summary>
public static class DataSources
{
    public static (IFileSource Source, string Path, IDisposable? Owner) Open(string location, ILogger log)
    {
        if (!WebHdfsOptions.IsWebHdfsUri(location)) return (LocalFileSource.Instance, location, null);
        var (options, path) = WebHdfsOptions.Parse(location);
        var client = new WebHdfsClient(options, log);
        return (client, path, client);
    }
}
