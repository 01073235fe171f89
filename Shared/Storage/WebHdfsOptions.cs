using Streaming.Core;
namespace Streaming.Storage;

/// <summary>How to reach HDFS over WebHDFS. Built from a URI plus the environment by <see cref="Parse"/>.</summary>
public sealed record WebHdfsOptions
{
    /// <summary>NameNode HTTP(S) addresses host:port, tried in order; the one that answered last is tried first.</summary>
    public required IReadOnlyList<string> NameNodes { get; init; }
    public bool Https { get; init; }
    /// <summary>Simple authentication: <c>user.name</c> (HADOOP_USER_NAME, else the OS user). Ignored with a token.</summary>
    public string? User { get; init; }
    /// <summary>Delegation token (<c>delegation=</c>), e.g. from STREAMING_WEBHDFS_TOKEN.</summary>
    public string? DelegationToken { get; init; }
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>Longest wait for the next bytes of a response (a stalled DataNode is abandoned and re-opened; STREAMING_WEBHDFS_READ_TIMEOUT, seconds).</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// The read timeout one attempt waits: at most a third of <see cref="Deadline"/>, so a stall always leaves the
    /// operation time to reopen at its offset (a read timeout equal to the deadline spent it on the stall alone).
    /// </summary>
    public TimeSpan AttemptTimeout => ReadTimeout < Deadline / 3 ? ReadTimeout : Deadline / 3;
    public int MaxRetries { get; init; } = 6;
    /// <summary>How long one operation may keep retrying (STREAMING_WEBHDFS_DEADLINE, seconds): then it fails with one message.</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(60);
    public TimeSpan BackoffBase { get; init; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan BackoffMax { get; init; } = TimeSpan.FromSeconds(10);
    /// <summary>DataNode host rewrites (<c>dn1.internal=10.0.0.5</c>) for clients outside the cluster's DNS.</summary>
    public IReadOnlyDictionary<string, string> DataNodeHostMap { get; init; } = new Dictionary<string, string>();

    public static bool IsWebHdfsUri(string s) =>
        s.StartsWith("webhdfs://", StringComparison.OrdinalIgnoreCase) || s.StartsWith("swebhdfs://", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// <c>webhdfs://nn1:9870,nn2:9870/path</c> → options and the absolute path. Environment: HADOOP_USER_NAME,
    /// STREAMING_WEBHDFS_TOKEN, STREAMING_WEBHDFS_DATANODE_MAP (<c>from=to,from2=to2</c>).
    /// </summary>
    public static (WebHdfsOptions Options, string Path) Parse(string uri, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        bool https = uri.StartsWith("swebhdfs://", StringComparison.OrdinalIgnoreCase);
        if (!IsWebHdfsUri(uri)) throw new ConfigException($"{uri}: expected webhdfs://host:port/path or swebhdfs://host:port/path");
        var rest = uri[(https ? "swebhdfs://".Length : "webhdfs://".Length)..];
        int slash = rest.IndexOf('/');
        var authority = slash < 0 ? rest : rest[..slash];
        var path = slash < 0 ? "/" : rest[slash..];
        var hosts = authority.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(h => h.Contains(':') ? h : $"{h}:{(https ? 9871 : 9870)}").ToList();
        if (hosts.Count == 0) throw new ConfigException($"{uri}: no NameNode host");
        var map = new Dictionary<string, string>();
        foreach (var kv in (env("STREAMING_WEBHDFS_DATANODE_MAP") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = kv.IndexOf('=');
            if (eq <= 0) throw new ConfigException($"STREAMING_WEBHDFS_DATANODE_MAP entry '{kv}': expected from=to");
            map[kv[..eq]] = kv[(eq + 1)..];
        }
        return (new WebHdfsOptions
        {
            NameNodes = hosts,
            Https = https,
            User = env("HADOOP_USER_NAME") ?? Environment.UserName,
            Deadline = Seconds(env, "STREAMING_WEBHDFS_DEADLINE") ?? TimeSpan.FromSeconds(60),
            ReadTimeout = Seconds(env, "STREAMING_WEBHDFS_READ_TIMEOUT") ?? TimeSpan.FromSeconds(20),
            DelegationToken = env("STREAMING_WEBHDFS_TOKEN"),
            DataNodeHostMap = map,
        }, Uri.UnescapeDataString(path));
    }

    private static TimeSpan? Seconds(Func<string, string?> env, string name) =>
        env(name) is { } d
            ? double.TryParse(d, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double sec) && sec > 0 && double.IsFinite(sec)
                ? TimeSpan.FromSeconds(sec) : throw new ConfigException($"{name} must be a positive number of seconds, got '{d}'")
            : null;
}
