using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Streaming.Core;

namespace Streaming.Storage;

/// <summary>
/// WebHDFS REST client (docs/contracts.md §3), for Hadoop 2.x and 3.x NameNodes: file status and listings (with
/// LISTSTATUS_BATCH paging, falling back to LISTSTATUS on servers without it), streaming OPEN that follows the 307 to the
/// DataNode itself and resumes at the reached offset after a dropped connection, two-step CREATE, MKDIRS, RENAME,
/// DELETE. Fails over between NameNodes on connection errors and StandbyException; retries transient failures with
/// exponential backoff and jitter; turns RemoteException JSON into typed errors.
/// </summary>
public sealed class WebHdfsClient : IFileSystem, IDisposable
{
    private readonly WebHdfsOptions _o;
    private readonly HttpClient _http;
    private readonly ILogger _log;
    private volatile int _active;
    private bool _noBatchListing;

    public WebHdfsClient(WebHdfsOptions options, ILogger? log = null, HttpMessageHandler? handler = null)
    {
        _o = options;
        _log = log ?? NullLogger.Instance;
        handler ??= new SocketsHttpHandler
        {
            AllowAutoRedirect = false,  // we follow the NameNode's 307 ourselves (host rewrite, PUT bodies)
            ConnectTimeout = options.ConnectTimeout,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(30),
            AutomaticDecompression = DecompressionMethods.None,
            // A response abandoned half-read (a stalled DataNode, a read cut short) closes its connection at once: the
            // default drains it for up to 2 s to reuse the connection, which a stalled DataNode turns into 2 s more.
            MaxResponseDrainSize = 0,
            ConnectCallback = (context, _) => ConnectBlocking(context.DnsEndPoint, options.ConnectTimeout),
        };
        _http = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        _kerberos = new WebHdfsKerberos(_http, _log, options.AttemptTimeout);
    }

    private readonly WebHdfsKerberos _kerberos;

    /// <summary>
    /// Connects a socket that stays in blocking mode: every request here is synchronous, and a blocking socket's read
    /// is one recv, where a socket that ever saw an asynchronous operation (the handler's default connect) waits for
    /// each read through the runtime's epoll thread — two threads and a hand-off per read (measured on a 1 GB OPEN:
    /// 10k epoll_wait and 5k sched_yield calls gone, the client's CPU time down from ~2.4 s to ~0.9 s per 4 GB).
    /// The connect timeout is the socket's send timeout, which Linux applies to a blocking connect.
    /// </summary>
    private static ValueTask<Stream> ConnectBlocking(DnsEndPoint endpoint, TimeSpan timeout)
    {
        Exception? last = null;
        foreach (var address in Dns.GetHostAddresses(endpoint.Host))
        {
            var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.SendTimeout = (int)timeout.TotalMilliseconds;
                socket.Connect(address, endpoint.Port);
                socket.SendTimeout = 0;
                return ValueTask.FromResult<Stream>(new NetworkStream(socket, ownsSocket: true));
            }
            catch (SocketException e)
            {
                socket.Dispose();
                last = e;
            }
        }
        throw last ?? new SocketException((int)SocketError.HostNotFound);
    }

    /// <summary>Requests made, by kind (for tests and logs).</summary>
    public int Retries => _retries;
    public int Failovers => _failovers;
    public int Resumes => _resumes;
    private int _retries, _failovers, _resumes;

    // ---------------------------------------------------------------- metadata

    public FileEntry GetFileStatus(string path)
    {
        using var r = NameNode(HttpMethod.Get, path, "GETFILESTATUS");
        using var doc = ReadJson(r);
        return Entry(path, doc.RootElement.GetProperty("FileStatus"), self: true);
    }

    public bool Exists(string path)
    {
        try { GetFileStatus(path); return true; }
        catch (WebHdfsFileNotFoundException) { return false; }
    }

    public IReadOnlyList<FileEntry> List(string directory)
    {
        var result = new List<FileEntry>();
        if (!_noBatchListing)
        {
            try
            {
                string? after = null;
                while (true)
                {
                    var args = after is null ? [] : new[] { ("startAfter", after) };
                    using var r = NameNode(HttpMethod.Get, directory, "LISTSTATUS_BATCH", args);
                    using var doc = ReadJson(r);
                    var listing = doc.RootElement.GetProperty("DirectoryListing");
                    var page = listing.GetProperty("partialListing").GetProperty("FileStatuses").GetProperty("FileStatus");
                    foreach (var s in page.EnumerateArray()) result.Add(Entry(directory, s, self: false));
                    if (listing.GetProperty("remainingEntries").GetInt64() == 0 || page.GetArrayLength() == 0) break;
                    after = result[^1].Name;
                }
                return result;
            }
            catch (WebHdfsException e) when (e.Status == HttpStatusCode.BadRequest && e.RemoteExceptionName is "IllegalArgumentException" or "UnsupportedOperationException")
            {
                _log.LogDebug("LISTSTATUS_BATCH not supported by the NameNode (Hadoop < 2.8): using LISTSTATUS");
                _noBatchListing = true;
                result.Clear();
            }
        }
        using (var r = NameNode(HttpMethod.Get, directory, "LISTSTATUS"))
        using (var doc = ReadJson(r))
            foreach (var s in doc.RootElement.GetProperty("FileStatuses").GetProperty("FileStatus").EnumerateArray())
                result.Add(Entry(directory, s, self: false));
        return result;
    }

    private static FileEntry Entry(string parent, JsonElement s, bool self)
    {
        var suffix = s.GetProperty("pathSuffix").GetString() ?? "";
        var path = self || suffix.Length == 0 ? parent : parent.TrimEnd('/') + "/" + suffix;
        return new FileEntry(path, self ? System.IO.Path.GetFileName(parent.TrimEnd('/')) : suffix,
            s.GetProperty("length").GetInt64(), s.GetProperty("type").GetString() == "DIRECTORY");
    }

    public string Combine(string directory, string name) => directory.TrimEnd('/') + "/" + name;

    public bool Mkdirs(string path, string permission = "755")
    {
        using var r = NameNode(HttpMethod.Put, path, "MKDIRS", [("permission", permission)]);
        using var doc = ReadJson(r);
        return doc.RootElement.GetProperty("boolean").GetBoolean();
    }

    public bool Rename(string from, string to)
    {
        using var r = NameNode(HttpMethod.Put, from, "RENAME", [("destination", to)]);
        using var doc = ReadJson(r);
        return doc.RootElement.GetProperty("boolean").GetBoolean();
    }

    public bool Delete(string path, bool recursive = false)
    {
        using var r = NameNode(HttpMethod.Delete, path, "DELETE", [("recursive", recursive ? "true" : "false")]);
        using var doc = ReadJson(r);
        return doc.RootElement.GetProperty("boolean").GetBoolean();
    }

    // ---------------------------------------------------------------- data

    /// <summary>
    /// Streams the file from <paramref name="offset"/>, resuming after drops. Its length is asked of the NameNode first
    /// (GETFILESTATUS), so a body that ends early, with no Content-Length to say so, is a drop to resume, never a
    /// short file accepted as whole.
    /// </summary>
    public Stream OpenRead(string path, long offset = 0) => new ReadStream(this, path, offset, Math.Max(0, GetFileStatus(path).Length - offset));

    public Stream OpenRead(string path, long offset, long length) => new ReadStream(this, path, offset, length);

    public Stream OpenRead(FileEntry file) => new ReadStream(this, file.Path, 0, file.Length);

    /// <summary>CREATE in two steps: the NameNode redirects, the DataNode takes the bytes (201). Retried whole on failure.</summary>
    public void Create(string path, Func<Stream> content, bool overwrite = true, string permission = "644")
    {
        Retry($"CREATE {path}", () =>
        {
            using var nn = NameNode(HttpMethod.Put, path, "CREATE", [("overwrite", overwrite ? "true" : "false"), ("permission", permission)], expectRedirect: true);
            var location = Location(nn, "CREATE", path);
            using var body = content();
            using var req = new HttpRequestMessage(HttpMethod.Put, location) { Content = new StreamContent(body, 1 << 16) };
            req.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
            using var resp = Send(req, HttpCompletionOption.ResponseContentRead, _o.AttemptTimeout);
            if (resp.StatusCode != HttpStatusCode.Created && resp.StatusCode != HttpStatusCode.OK)
                throw WebHdfsException.From(resp.StatusCode, resp.Content.ReadAsStringAsync().GetAwaiter().GetResult(), "CREATE", path);
            return true;
        });
    }

    /// <summary>A pending file: uploaded (CREATE to a temporary name, then RENAME) when it is committed; see UploadStream.</summary>
    public PendingFile OpenWrite(string path) => new UploadStream(this, path);

    /// <summary>A pending file in a directory given as a path or as an <c>hdfs://nn:8020/dir</c> URI (the NameNode is ours); CREATE makes missing parents.</summary>
    public PendingFile Create(string directory, string name) => OpenWrite(Combine(PathOf(directory), name));

    /// <summary>
    /// <c>webhdfs://</c> (<c>swebhdfs://</c>) URIs naming this client's NameNodes; and, when the client stands for the
    /// cluster's default file system (<see cref="ForNameNodes"/>: <c>--webhdfs</c> or STREAMING_WEBHDFS), its
    /// <c>hdfs:</c> URIs too, so a task on a node without an HDFS client writes its side-effect files over HTTP.
    /// </summary>
    public bool CanHandle(string uri)
    {
        if (WebHdfsOptions.IsWebHdfsUri(uri))
        {
            try { return WebHdfsOptions.Parse(uri, _ => null).Options is var o && o.Https == _o.Https && o.NameNodes.SequenceEqual(_o.NameNodes); }
            catch (ConfigException) { return false; }
        }
        return ServesClusterUris && (uri.StartsWith("hdfs:", StringComparison.Ordinal) || uri.StartsWith("viewfs:", StringComparison.Ordinal));
    }

    public string ResolvePath(string uri) => PathOf(uri);

    /// <summary>This client serves the cluster's <c>hdfs:</c> URIs (see <see cref="CanHandle"/>).</summary>
    public bool ServesClusterUris { get; init; }

    /// <summary><c>hdfs://nn:8020/a/b</c> → <c>/a/b</c>; a bare absolute path stays as it is.</summary>
    public static string PathOf(string uri)
    {
        int scheme = uri.IndexOf("://", StringComparison.Ordinal);
        if (scheme < 0) return uri.StartsWith("hdfs:", StringComparison.Ordinal) ? uri["hdfs:".Length..] : uri;
        int slash = uri.IndexOf('/', scheme + 3);
        return slash < 0 ? "/" : uri[slash..];
    }

    /// <summary>
    /// The client for side-effect files when NameNode HTTP addresses are configured (<c>--webhdfs nn1:9870,nn2:9870</c>
    /// or STREAMING_WEBHDFS): for tasks on nodes without an HDFS client. Null when none is.
    /// </summary>
    public static WebHdfsClient? ForNameNodes(string? nameNodes, ILogger log)
    {
        nameNodes ??= Environment.GetEnvironmentVariable("STREAMING_WEBHDFS");
        if (string.IsNullOrWhiteSpace(nameNodes)) return null;
        var https = nameNodes.StartsWith("https://", StringComparison.Ordinal);
        var hosts = nameNodes.Replace("https://", "").Replace("http://", "");
        var (options, _) = WebHdfsOptions.Parse($"{(https ? "swebhdfs" : "webhdfs")}://{hosts}/");
        return new WebHdfsClient(options, log) { ServesClusterUris = true };
    }

    // ---------------------------------------------------------------- plumbing

    private string BaseUrl(int nn) => $"{(_o.Https ? "https" : "http")}://{_o.NameNodes[nn]}/webhdfs/v1";

    private string Url(int nn, string path, string op, IEnumerable<(string, string)> args)
    {
        var sb = new StringBuilder(BaseUrl(nn));
        foreach (var seg in path.Split('/', StringSplitOptions.RemoveEmptyEntries)) sb.Append('/').Append(Uri.EscapeDataString(seg));
        if (path.Trim('/').Length == 0) sb.Append('/');
        sb.Append("?op=").Append(op);
        if ((_kerberos.Token ?? _o.DelegationToken) is { } t) sb.Append("&delegation=").Append(Uri.EscapeDataString(t));
        else if (_o.User is { } u) sb.Append("&user.name=").Append(Uri.EscapeDataString(u));
        foreach (var (k, v) in args) sb.Append('&').Append(k).Append('=').Append(Uri.EscapeDataString(v));
        return sb.ToString();
    }

    /// <summary>The budget of the operation this thread is inside: nested retry loops defer to it.</summary>
    [ThreadStatic] private static RetryBudget? _ambient;

    internal RetryBudget NewBudget() => new(_o.MaxRetries, _o.Deadline);

    private T Retry<T>(string what, Func<T> action, RetryBudget? budget = null)
    {
        // Inside another operation's retry loop: one attempt here; the outer loop retries with the shared budget.
        if (_ambient is not null && budget is null) return action();
        var b = budget ?? NewBudget();
        var outer = _ambient;
        _ambient = b;
        try
        {
            while (true)
            {
                try { return action(); }
                catch (Exception e) when (IsTransient(e))
                {
                    var delay = Backoff(b.Attempts - 1);
                    if (!b.TrySpend(delay)) throw GaveUp(what, b, e);
                    Interlocked.Increment(ref _retries);
                    Fault(what, e, b.Attempts, delay);
                    Thread.Sleep(delay);
                }
            }
        }
        finally { _ambient = outer; }
    }

    /// <summary>The one line an operation fails with: what, how many attempts in how long, the faults seen, the last cause.</summary>
    private WebHdfsGaveUpException GaveUp(string what, RetryBudget b, Exception last) =>
        new($"WebHDFS {what}: gave up after {b.Attempts} attempt(s) in {b.Elapsed.TotalSeconds:F1} s (limits: {_o.MaxRetries + 1} attempts, {_o.Deadline.TotalSeconds:F0} s; faults so far: {FaultSummary()}): {last.Message}", last);

    // Faults by kind: the first of each kind is a warning, the rest are counted (at Debug level) and summed up in the
    // final error, so a NameNode that is down is a few lines, not one per attempt and operation.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _faults = new();

    /// <param name="then">What happens next: retrying the request, or resuming a read at its offset.</param>
    private void Fault(string what, Exception e, int attempt, TimeSpan delay, string then = "retrying")
    {
        var kind = FaultKind(e);
        int n = _faults.AddOrUpdate(kind, 1, (_, c) => c + 1);
        if (n == 1)
            _log.LogWarning("WebHDFS {What}: {Error}; {Then} (attempt {Attempt} of {Max}, in {Delay} ms; further {Kind} faults are counted, not logged)",
                what, e.Message, then, attempt, _o.MaxRetries + 1, (int)delay.TotalMilliseconds, kind);
        else _log.LogDebug("WebHDFS {What}: {Error}; attempt {Attempt} of {Max} in {Delay} ms ({Kind} fault {Count})", what, e.Message, attempt, _o.MaxRetries + 1, (int)delay.TotalMilliseconds, kind, n);
    }

    private static string FaultKind(Exception e) => e switch
    {
        AllNameNodesUnavailableException => "NameNode unavailable",
        WebHdfsRetriableException => "NameNode busy (503/RetriableException)",
        TimeoutException or OperationCanceledException => "timeout",
        DataNodeStalledException => "DataNode stalled",
        HttpRequestException => "connection",
        _ => "connection lost",
    };

    private string FaultSummary() =>
        _faults.IsEmpty ? "none" : string.Join(", ", _faults.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} ×{kv.Value}"));

    /// <summary>A DataNode sent nothing for a whole read timeout: the connection is dropped and the read reopened at its offset.</summary>
    private sealed class DataNodeStalledException(string message) : IOException(message);

    private TimeSpan Backoff(int attempt)
    {
        double ms = Math.Min(_o.BackoffMax.TotalMilliseconds, _o.BackoffBase.TotalMilliseconds * Math.Pow(2, attempt));
        return TimeSpan.FromMilliseconds(ms / 2 + Random.Shared.NextDouble() * ms / 2);
    }

    private static bool IsTransient(Exception e) => !IsUnknownHost(e) && e is not WebHdfsGaveUpException
        && (e is WebHdfsRetriableException or HttpRequestException or TimeoutException or OperationCanceledException or AllNameNodesUnavailableException
            || (e is IOException && e is not WebHdfsException));

    /// <summary>A name that does not resolve does not heal by retrying.</summary>
    private static bool IsUnknownHost(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is System.Net.Sockets.SocketException { SocketErrorCode: System.Net.Sockets.SocketError.HostNotFound or System.Net.Sockets.SocketError.NoData }) return true;
        return false;
    }

    private sealed class AllNameNodesUnavailableException(string m, Exception inner) : IOException(m, inner);

    /// <summary>One request to the active NameNode, failing over to the others on connection errors and StandbyException.</summary>
    private HttpResponseMessage NameNode(HttpMethod method, string path, string op, (string, string)[]? args = null, bool expectRedirect = false) =>
        Retry($"{op} {path}", () =>
        {
            Exception? last = null;
            int n = _o.NameNodes.Count, start = _active;
            for (int i = 0, logins = 0; i < n; i++)
            {
                int nn = (start + i) % n;
                try
                {
                    _kerberos.RenewIfDue(BaseUrl(nn), _o.NameNodes[nn]);
                    using var req = new HttpRequestMessage(method, Url(nn, path, op, args ?? []));
                    var resp = Send(req, HttpCompletionOption.ResponseContentRead, _o.AttemptTimeout);
                    bool ok = resp.IsSuccessStatusCode || (expectRedirect && (int)resp.StatusCode is 307 or 302 or 303);
                    if (ok)
                    {
                        if (nn != _active) { _active = nn; Interlocked.Increment(ref _failovers); _log.LogInformation("WebHDFS: using NameNode {NameNode}", _o.NameNodes[nn]); }
                        return resp;
                    }
                    // A secure cluster: authenticate once with Kerberos (a delegation token from then on), and again
                    // when the token was refused (expired, cancelled); then ask this NameNode again.
                    if (logins == 0 && _o.DelegationToken is null && (WebHdfsKerberos.AsksForKerberos(resp) || (_kerberos.Token is not null && IsInvalidToken(resp))))
                    {
                        resp.Dispose();
                        _kerberos.Forget();
                        _kerberos.Login(BaseUrl(nn), _o.NameNodes[nn]);
                        logins++;
                        i--;
                        continue;
                    }
                    var error = WebHdfsException.From(resp.StatusCode, resp.Content.ReadAsStringAsync().GetAwaiter().GetResult(), op, path);
                    resp.Dispose();
                    if (error is WebHdfsStandbyException) { last = error; continue; }
                    throw error;
                }
                catch (HttpRequestException e) { last = e; }
                catch (OperationCanceledException e) { last = new TimeoutException($"{_o.NameNodes[nn]} did not answer within {_o.AttemptTimeout}", e); }
            }
            throw new AllNameNodesUnavailableException($"no NameNode of [{string.Join(", ", _o.NameNodes)}] is available: {last?.Message}", last!);
        });

    /// <summary>A 401/403 naming a delegation token that is no longer valid (SecretManager$InvalidToken).</summary>
    private static bool IsInvalidToken(HttpResponseMessage r) =>
        (int)r.StatusCode is 401 or 403 && r.Content.ReadAsStringAsync().GetAwaiter().GetResult().Contains("InvalidToken", StringComparison.Ordinal);

    private HttpResponseMessage Send(HttpRequestMessage req, HttpCompletionOption completion, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        return _http.Send(req, completion, cts.Token);
    }

    private string Location(HttpResponseMessage nn, string op, string path)
    {
        string? loc = nn.Headers.Location?.ToString();
        if (loc is null && nn.StatusCode == HttpStatusCode.OK)
        {
            // noredirect=true style answer: {"Location": "..."}
            using var doc = ReadJson(nn);
            if (doc.RootElement.TryGetProperty("Location", out var l)) loc = l.GetString();
        }
        if (loc is null) throw new WebHdfsException($"WebHDFS {op} {path}: the NameNode answered {(int)nn.StatusCode} without a Location", nn.StatusCode);
        return RewriteHost(loc);
    }

    private string RewriteHost(string url)
    {
        if (_o.DataNodeHostMap.Count == 0) return url;
        var b = new UriBuilder(url);
        if (_o.DataNodeHostMap.TryGetValue(b.Host, out var to)) b.Host = to;
        else if (_o.DataNodeHostMap.TryGetValue($"{b.Host}:{b.Port}", out var hp))
        {
            var parts = hp.Split(':');
            b.Host = parts[0];
            if (parts.Length > 1) b.Port = int.Parse(parts[1]);
        }
        return b.Uri.ToString();
    }

    private static JsonDocument ReadJson(HttpResponseMessage r) => JsonDocument.Parse(r.Content.ReadAsStream());

    /// <summary>OPEN: NameNode → 307 → DataNode body, read with a stall timeout; on a drop, re-open at the offset reached.</summary>
    private (Stream Body, HttpResponseMessage Response) OpenAt(string path, long offset, long? remaining)
    {
        var args = new List<(string, string)> { ("offset", offset.ToString()) };
        if (remaining is { } len) args.Add(("length", len.ToString()));
        using var nn = NameNode(HttpMethod.Get, path, "OPEN", args.ToArray(), expectRedirect: true);
        var location = Location(nn, "OPEN", path);
        var req = new HttpRequestMessage(HttpMethod.Get, location);
        var resp = Send(req, HttpCompletionOption.ResponseHeadersRead, _o.AttemptTimeout);
        if (!resp.IsSuccessStatusCode)
        {
            var body = resp.Content.ReadAsStringAsync().GetAwaiter().GetResult();
            resp.Dispose();
            throw WebHdfsException.From(resp.StatusCode, body, "OPEN (DataNode)", path);
        }
        return (resp.Content.ReadAsStream(), resp);
    }

    private sealed class ReadStream : ForwardStream
    {
        public override bool CanRead => true;
        private readonly WebHdfsClient _c;
        private readonly string _path;
        private readonly long? _end;
        private long _pos;
        private Stream? _body;
        private HttpResponseMessage? _resp;
        private CancellationTokenSource? _stall;
        private readonly RetryBudget _budget;
        private string _dataNode = "?";

        public ReadStream(WebHdfsClient c, string path, long offset, long? length)
        {
            _c = c;
            _path = path;
            _pos = offset;
            _end = length is { } l ? offset + l : null;
            _budget = c.NewBudget();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (_end is { } e) buffer = buffer[..(int)Math.Min(buffer.Length, e - _pos)];
            if (buffer.IsEmpty) return 0;
            while (true)
            {
                try
                {
                    if (_body is null)
                    {
                        (_body, _resp) = _c.Retry($"OPEN {_path}@{_pos}", () => _c.OpenAt(_path, _pos, _end - _pos), _budget);
                        _dataNode = _resp.RequestMessage?.RequestUri?.Authority ?? "?";
                        // A stalled DataNode: the timer drops the connection, the blocked read fails, and we resume.
                        _stall = new CancellationTokenSource();
                        _stall.Token.Register(static r => ((HttpResponseMessage)r!).Dispose(), _resp);
                    }
                    _stall!.CancelAfter(_c._o.AttemptTimeout);
                    int n;
                    try { n = _body.Read(buffer); }   // straight into the caller's buffer: no copy, no task per read
                    catch (Exception ex) when (_stall.IsCancellationRequested && ex is IOException or OperationCanceledException or ObjectDisposedException)
                    {
                        // The stall timer dropped the connection: say so, not "The operation was canceled."
                        throw new DataNodeStalledException($"no bytes from DataNode {_dataNode} for {_c._o.AttemptTimeout.TotalSeconds:0.#} s (read timeout) at byte {_pos}");
                    }
                    _stall.CancelAfter(Timeout.InfiniteTimeSpan);
                    // A body without Content-Length that ends before the known length is a drop, not the end.
                    if (n == 0 && _end is { } known && _pos < known)
                        throw new IOException($"the DataNode's response ended at byte {_pos} of {known}");
                    _pos += n;
                    if (n > 0) _budget.Renew();
                    return n;
                }
                catch (Exception ex) when (ex is IOException or HttpRequestException or OperationCanceledException or ObjectDisposedException
                    && ex is not WebHdfsException and not WebHdfsGaveUpException)
                {
                    DropConnection();
                    var delay = _c.Backoff(_budget.Attempts - 1);
                    if (!_budget.TrySpend(delay)) throw _c.GaveUp($"OPEN {_path} at byte {_pos}", _budget, ex);
                    Interlocked.Increment(ref _c._resumes);
                    _c.Fault($"OPEN {_path} at byte {_pos}", ex, _budget.Attempts, delay, "resuming at that byte");
                    Thread.Sleep(delay);
                }
            }
        }

        private void DropConnection()
        {
            _stall?.Dispose();
            try { _body?.Dispose(); } catch (IOException) { }
            _resp?.Dispose();
            _stall = null;
            _body = null;
            _resp = null;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing) DropConnection();
            base.Dispose(disposing);
        }

        public override long Position { get => _pos; set => throw new NotSupportedException(); }
    }

    /// <summary>
    /// A pending file: spooled to a local temporary file; on commit uploaded to a hidden temporary name beside the
    /// target (re-read from the start on each retry) and renamed onto it, so a reader never sees a half-uploaded file
    /// under the real name (HDFS shows a file being written with its finished blocks); aborted, nothing is uploaded.
    /// </summary>
    private sealed class UploadStream(WebHdfsClient c, string path) : PendingFile
    {
        private readonly FileStream _spool = new(
            System.IO.Path.Combine(System.IO.Path.GetTempPath(), "webhdfs-upload-" + Guid.NewGuid().ToString("N")),
            FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);

        public override string Target => path;
        protected override void WriteCore(ReadOnlySpan<byte> buffer) => _spool.Write(buffer);
        protected override void Publish() => Upload();
        protected override void Abort() { }   // nothing was uploaded: the spool goes with Release
        protected override void Release() => _spool.Dispose();

        private void Upload()
        {
            _spool.Flush();
            int slash = path.LastIndexOf('/');
            // A dot name: Hadoop's input formats skip hidden files, so even a leftover temporary is never read as data.
            string pending = path[..(slash + 1)] + "." + path[(slash + 1)..] + ".tmp-" + Guid.NewGuid().ToString("N")[..12];
            c.Create(pending, () => { _spool.Position = 0; return new Borrowed(_spool); });
            // RENAME does not replace: a file already there (an earlier attempt's, committed) is removed first.
            if (!c.Rename(pending, path) && !(c.Delete(path) && c.Rename(pending, path)))
            {
                try { c.Delete(pending); } catch (IOException) { }   // WebHdfsException is one too
                throw new IOException($"WebHDFS RENAME {pending} -> {path} failed: the target could not be replaced");
            }
        }

        /// <summary>Reads the spool without closing it (the HTTP content disposes what it is given).</summary>
        private sealed class Borrowed(Stream inner) : ForwardStream
        {
            public override bool CanRead => true;
            public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);
            public override int Read(Span<byte> buffer) => inner.Read(buffer);
        }
    }

    /// <summary>Cancels the Kerberos delegation token this client took, if any, and closes its connections.</summary>
    public void Dispose()
    {
        _kerberos.Cancel(BaseUrl(_active), _o.NameNodes[_active]);
        _http.Dispose();
    }
}
