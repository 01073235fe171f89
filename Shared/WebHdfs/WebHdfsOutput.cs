using Microsoft.Extensions.Logging;
using Streaming.Contract;

namespace Streaming.WebHdfs;

/// <summary>
/// Side-effect files to HDFS through WebHDFS CREATE instead of <c>hdfs dfs -put</c>, when a NameNode HTTP address is
/// configured (<c>--webhdfs nn1:9870,nn2:9870</c> or STREAMING_WEBHDFS): for tasks on nodes without an HDFS client.
/// </summary>
public static class WebHdfsOutput
{
    public static WebHdfsClient? Configure(string? nameNodes, ILogger log)
    {
        nameNodes ??= Environment.GetEnvironmentVariable("STREAMING_WEBHDFS");
        if (string.IsNullOrWhiteSpace(nameNodes)) return null;
        var https = nameNodes.StartsWith("https://", StringComparison.Ordinal);
        var hosts = nameNodes.Replace("https://", "").Replace("http://", "");
        var (options, _) = WebHdfsOptions.Parse($"{(https ? "swebhdfs" : "webhdfs")}://{hosts}/");
        var client = new WebHdfsClient(options, log);
        OutputFiles.RemoteOpener = uri => client.OpenWrite(PathOf(uri));
        return client;
    }

    /// <summary><c>hdfs://nn:8020/a/b</c> → <c>/a/b</c>; a bare absolute path stays as it is.</summary>
    public static string PathOf(string uri)
    {
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return uri.StartsWith("hdfs:", StringComparison.Ordinal) ? uri["hdfs:".Length..] : uri;
        int slash = uri.IndexOf('/', scheme + 3);
        return slash < 0 ? "/" : uri[slash..];
    }
}
