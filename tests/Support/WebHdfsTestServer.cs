using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// A WebHDFS server for tests, in process on loopback, following docs/contracts.md §3: an active NameNode that answers
/// OPEN and CREATE with 307 to a separate DataNode endpoint, a standby NameNode answering StandbyException, offsets and
/// lengths honoured, RemoteException JSON with the right status codes, LISTSTATUS_BATCH paging. Faults on demand:
/// connection reset mid-body, 503 before success, a slow DataNode, a NameNode address where nothing listens.
/// </summary>
public sealed class WebHdfsTestServer : IDisposable
{
    private readonly ConcurrentDictionary<string, byte[]> _files = new();
    private readonly ConcurrentDictionary<string, bool> _dirs = new() { ["/"] = true };
    private readonly List<HttpListener> _listeners = [];
    private readonly CancellationTokenSource _stop = new();

    public string Active { get; }
    public string Standby { get; }
    public string DataNode { get; }
    /// <summary>host:port where nothing listens (connection refused).</summary>
    public string Dead { get; }

    // Faults and knobs.
    public int ResetsRemaining;          // DataNode resets this many responses…
    public long ResetAfterBytes = 10_000; // …after sending this many bytes of each
    public int ServiceUnavailableRemaining; // the active NameNode answers 503 RetriableException this many times
    public int DataNodeChunkDelayMs;     // slow DataNode: pause between 8 KiB chunks
    public int EarlyEndsRemaining;       // DataNode sends chunked (no Content-Length) and ends cleanly after ResetAfterBytes, this many times
    public int StallsRemaining;          // DataNode goes silent after the first chunk, this many responses…
    public int StallMs = 3000;           // …for this long
    public int ListBatchSize = 2;
    /// <summary>
    /// When set, every write is mirrored into this directory (HDFS's / there): created files, directories, renames and
    /// deletes, so a local Hadoop runner whose HDFS stand-in is the same directory commits what tasks wrote over WebHDFS.
    /// </summary>
    public string? Root;
    /// <summary>
    /// A secure cluster's NameNode (Hadoop's AuthenticationFilter with Kerberos): a request without credentials gets
    /// 401 <c>WWW-Authenticate: Negotiate</c>; a SPNEGO token is checked by the system's GSSAPI (.NET's
    /// NegotiateAuthentication, with the realm's HTTP/localhost keytab: <see cref="KerberosRealm"/>) and answered with
    /// a <c>hadoop.auth</c> cookie; delegation tokens are issued, renewed, cancelled and required by the DataNode.
    /// </summary>
    public bool RequireKerberos;
    public TimeSpan TokenLifetime = TimeSpan.FromHours(1);
    public int SpnegoHandshakes, TokenAuthenticated, TokensIssued, Renewals, Cancellations;
    /// <summary>The principal each SPNEGO handshake authenticated.</summary>
    public readonly ConcurrentQueue<string> Principals = new();
    private readonly ConcurrentDictionary<string, (string Owner, DateTime Expires)> _tokens = new();
    private readonly ConcurrentDictionary<string, string> _cookies = new();
    public bool SupportsListBatch = true;

    // What happened.
    public int DataNodeReads;
    public int ResetsDone;
    public int NameNodeRequests;
    public int StandbyRequests;
    public readonly ConcurrentQueue<string> Users = new();

    public WebHdfsTestServer()
    {
        Active = Start(HandleNameNode);
        Standby = Start(HandleStandby);
        DataNode = Start(HandleDataNode);
        Dead = $"127.0.0.1:{FreePort()}";
    }

    public byte[] this[string path] => _files[path];
    public IEnumerable<string> Files => _files.Keys;

    /// <summary>A loopback port nothing listens on now.</summary>
    internal static int FreePort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        int port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private string Start(Func<HttpListenerContext, Task> handler)
    {
        for (int tries = 0; ; tries++)
        {
            int port = FreePort();
            var l = new HttpListener();
            l.Prefixes.Add($"http://127.0.0.1:{port}/");
            l.Prefixes.Add($"http://localhost:{port}/");   // reachable under a second name (DataNode host rewrites)
            try { l.Start(); }
            catch (HttpListenerException) when (tries < 5) { continue; }
            _listeners.Add(l);
            _ = Task.Run(async () =>
            {
                while (!_stop.IsCancellationRequested)
                {
                    HttpListenerContext ctx;
                    try { ctx = await l.GetContextAsync(); }
                    catch (Exception) { return; }
                    _ = Task.Run(async () =>
                    {
                        try { await handler(ctx); }
                        catch (Exception) { try { ctx.Response.Abort(); } catch (Exception) { } }
                    });
                }
            });
            return $"127.0.0.1:{port}";
        }
    }

    private static (string Path, Dictionary<string, string> Query) Parse(HttpListenerRequest req)
    {
        var raw = req.Url!.AbsolutePath;
        const string prefix = "/webhdfs/v1";
        var path = Uri.UnescapeDataString(raw.StartsWith(prefix) ? raw[prefix.Length..] : raw);
        if (path.Length == 0) path = "/";
        if (path.Length > 1) path = path.TrimEnd('/');
        var q = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var kv in (req.Url.Query.TrimStart('?')).Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = kv.IndexOf('=');
            q[Uri.UnescapeDataString(eq < 0 ? kv : kv[..eq])] = eq < 0 ? "" : Uri.UnescapeDataString(kv[(eq + 1)..]);
        }
        return (path, q);
    }

    private static async Task Json(HttpListenerResponse resp, int status, object body)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(body);
        resp.StatusCode = status;
        resp.ContentType = "application/json";
        resp.ContentLength64 = bytes.Length;
        await resp.OutputStream.WriteAsync(bytes);
        resp.Close();
    }

    private static Task Remote(HttpListenerResponse resp, int status, string exception, string javaClass, string message) =>
        Json(resp, status, new Dictionary<string, object>
        {
            ["RemoteException"] = new Dictionary<string, string> { ["exception"] = exception, ["javaClassName"] = javaClass, ["message"] = message },
        });

    private static Task NotFound(HttpListenerResponse resp, string path) =>
        Remote(resp, 404, "FileNotFoundException", "java.io.FileNotFoundException", $"File does not exist: {path}");

    private Dictionary<string, object> Status(string path, string suffix)
    {
        bool dir = _dirs.ContainsKey(path);
        return new Dictionary<string, object>
        {
            ["accessTime"] = 0, ["blockSize"] = 134217728, ["childrenNum"] = dir ? Children(path).Count() : 0, ["fileId"] = Math.Abs(path.GetHashCode()),
            ["group"] = "supergroup", ["length"] = dir ? 0 : _files[path].LongLength, ["modificationTime"] = 1700000000000L,
            ["owner"] = "hdfs", ["pathSuffix"] = suffix, ["permission"] = dir ? "755" : "644", ["replication"] = dir ? 0 : 3,
            ["storagePolicy"] = 0, ["type"] = dir ? "DIRECTORY" : "FILE",
        };
    }

    private IEnumerable<string> Children(string dir)
    {
        var prefix = dir == "/" ? "/" : dir + "/";
        return _files.Keys.Concat(_dirs.Keys).Where(p => p != dir && p.StartsWith(prefix) && !p[prefix.Length..].Contains('/'))
            .Select(p => p[prefix.Length..]).Distinct().Order(StringComparer.Ordinal);
    }

    private bool Exists(string path) => _files.ContainsKey(path) || _dirs.ContainsKey(path);

    private string? OnDisk(string path) => Root is null ? null : Path.Combine(Root, path.TrimStart('/'));

    private void MakeParents(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var cur = "";
        for (int i = 0; i < parts.Length - 1; i++) { cur += "/" + parts[i]; _dirs[cur] = true; }
    }

    private async Task HandleStandby(HttpListenerContext ctx)
    {
        Interlocked.Increment(ref StandbyRequests);
        await Remote(ctx.Response, 403, "StandbyException", "org.apache.hadoop.ipc.StandbyException",
            "Operation category READ is not supported in state standby. Visit https://s.apache.org/sbnn-error");
    }

    private async Task HandleNameNode(HttpListenerContext ctx)
    {
        Interlocked.Increment(ref NameNodeRequests);
        var (path, q) = Parse(ctx.Request);
        var resp = ctx.Response;
        if (Interlocked.Decrement(ref ServiceUnavailableRemaining) >= 0)
        {
            await Remote(resp, 503, "RetriableException", "org.apache.hadoop.ipc.RetriableException", "NameNode still not started");
            return;
        }
        string op = q.GetValueOrDefault("op", "").ToUpperInvariant();
        string method = ctx.Request.HttpMethod;
        string? user = RequireKerberos ? await Authenticate(ctx, q, op) : q.GetValueOrDefault("user.name") ?? q.GetValueOrDefault("delegation") ?? "(none)";
        if (user is null) return;   // answered 401/403
        Users.Enqueue(user);
        string delegation = q.TryGetValue("delegation", out var dt) ? "&delegation=" + Uri.EscapeDataString(dt) : "";
        switch (op)
        {
            case "GETDELEGATIONTOKEN" when method == "GET" && RequireKerberos:
                var token = "HDFS_DELEGATION_TOKEN-" + Guid.NewGuid().ToString("N");
                _tokens[token] = (user, DateTime.UtcNow + TokenLifetime);
                Interlocked.Increment(ref TokensIssued);
                await Json(resp, 200, new Dictionary<string, object> { ["Token"] = new Dictionary<string, string> { ["urlString"] = token } });
                return;
            case "RENEWDELEGATIONTOKEN" when method == "PUT" && RequireKerberos:
                var renew = q.GetValueOrDefault("token", "");
                if (!_tokens.TryGetValue(renew, out var info) || info.Expires <= DateTime.UtcNow) { await InvalidToken(resp, renew); return; }
                var expires = DateTime.UtcNow + TokenLifetime;
                _tokens[renew] = (info.Owner, expires);
                Interlocked.Increment(ref Renewals);
                await Json(resp, 200, new Dictionary<string, long> { ["long"] = (long)(expires - DateTime.UnixEpoch).TotalMilliseconds });
                return;
            case "CANCELDELEGATIONTOKEN" when method == "PUT" && RequireKerberos:
                if (!_tokens.TryRemove(q.GetValueOrDefault("token", ""), out _)) { await InvalidToken(resp, q.GetValueOrDefault("token", "")); return; }
                Interlocked.Increment(ref Cancellations);
                await Json(resp, 200, new Dictionary<string, object>());
                return;
            case "GETFILESTATUS" when method == "GET":
                if (!Exists(path)) { await NotFound(resp, path); return; }
                await Json(resp, 200, new Dictionary<string, object> { ["FileStatus"] = Status(path, "") });
                return;
            case "LISTSTATUS" when method == "GET":
                if (!Exists(path)) { await NotFound(resp, path); return; }
                var all = _dirs.ContainsKey(path) ? Children(path).Select(c => Status((path == "/" ? "" : path) + "/" + c, c)).ToList() : [Status(path, "")];
                await Json(resp, 200, new Dictionary<string, object> { ["FileStatuses"] = new Dictionary<string, object> { ["FileStatus"] = all } });
                return;
            case "LISTSTATUS_BATCH" when method == "GET":
                if (!SupportsListBatch)
                {
                    await Remote(resp, 400, "IllegalArgumentException", "java.lang.IllegalArgumentException",
                        "Invalid value for webhdfs parameter \"op\": No enum constant org.apache.hadoop.hdfs.web.resources.GetOpParam.Op.LISTSTATUS_BATCH");
                    return;
                }
                if (!_dirs.ContainsKey(path)) { await NotFound(resp, path); return; }
                var after = q.GetValueOrDefault("startAfter");
                var rest = Children(path).Where(c => after is null || string.CompareOrdinal(c, after) > 0).ToList();
                var page = rest.Take(ListBatchSize).Select(c => Status((path == "/" ? "" : path) + "/" + c, c)).ToList();
                await Json(resp, 200, new Dictionary<string, object>
                {
                    ["DirectoryListing"] = new Dictionary<string, object>
                    {
                        ["partialListing"] = new Dictionary<string, object> { ["FileStatuses"] = new Dictionary<string, object> { ["FileStatus"] = page } },
                        ["remainingEntries"] = rest.Count - page.Count,
                    },
                });
                return;
            case "OPEN" when method == "GET":
                if (!_files.TryGetValue(path, out var data)) { await NotFound(resp, path); return; }
                long offset = long.Parse(q.GetValueOrDefault("offset", "0"));
                if (offset < 0 || offset > data.Length)
                {
                    await Remote(resp, 400, "IOException", "java.io.IOException", $"Offset={offset} out of the range [0, {data.Length}); OPEN, path={path}");
                    return;
                }
                var loc = $"http://{DataNode}/webhdfs/v1{Escape(path)}?op=OPEN{delegation}&namenoderpcaddress=localhost:8020&offset={offset}"
                    + (q.TryGetValue("length", out var len) ? $"&length={len}" : "");
                Redirect(resp, q, loc);
                return;
            case "CREATE" when method == "PUT":
                if (_dirs.ContainsKey(path) || (_files.ContainsKey(path) && q.GetValueOrDefault("overwrite") != "true"))
                {
                    await Remote(resp, 403, "FileAlreadyExistsException", "org.apache.hadoop.fs.FileAlreadyExistsException", $"{path} for client 127.0.0.1 already exists");
                    return;
                }
                Redirect(resp, q, $"http://{DataNode}/webhdfs/v1{Escape(path)}?op=CREATE{delegation}&namenoderpcaddress=localhost:8020&createflag=&createparent=true&overwrite={q.GetValueOrDefault("overwrite", "false")}");
                return;
            case "MKDIRS" when method == "PUT":
                if (_files.ContainsKey(path)) { await Remote(resp, 403, "FileAlreadyExistsException", "org.apache.hadoop.fs.FileAlreadyExistsException", $"Path is not a directory: {path}"); return; }
                MakeParents(path + "/x");
                if (OnDisk(path) is { } mkdir) Directory.CreateDirectory(mkdir);
                await Json(resp, 200, new Dictionary<string, bool> { ["boolean"] = true });
                return;
            case "RENAME" when method == "PUT":
                var dst = q.GetValueOrDefault("destination", "");
                bool ok = _files.TryRemove(path, out var moved) && !Exists(dst);
                if (ok)
                {
                    MakeParents(dst);
                    _files[dst] = moved!;
                    if (OnDisk(path) is { } from && OnDisk(dst) is { } to && File.Exists(from))
                    {
                        Directory.CreateDirectory(Path.GetDirectoryName(to)!);
                        File.Move(from, to);
                    }
                }
                else if (moved is not null) _files[path] = moved;
                await Json(resp, 200, new Dictionary<string, bool> { ["boolean"] = ok });
                return;
            case "DELETE" when method == "DELETE":
                bool recursive = q.GetValueOrDefault("recursive") == "true";
                if (_dirs.ContainsKey(path) && Children(path).Any() && !recursive)
                {
                    await Remote(resp, 403, "PathIsNotEmptyDirectoryException", "org.apache.hadoop.fs.PathIsNotEmptyDirectoryException", $"{path} is non empty': Directory is not empty");
                    return;
                }
                bool any = _files.TryRemove(path, out _) | _dirs.TryRemove(path, out _);
                foreach (var k in _files.Keys.Where(k => k.StartsWith(path + "/"))) any |= _files.TryRemove(k, out _);
                foreach (var k in _dirs.Keys.Where(k => k.StartsWith(path + "/"))) any |= _dirs.TryRemove(k, out _);
                if (OnDisk(path) is { } gone) { if (Directory.Exists(gone)) Directory.Delete(gone, true); else File.Delete(gone); }
                await Json(resp, 200, new Dictionary<string, bool> { ["boolean"] = any });
                return;
            default:
                await Remote(resp, 400, "IllegalArgumentException", "java.lang.IllegalArgumentException", $"Invalid value for webhdfs parameter \"op\": {op} ({method})");
                return;
        }
    }

    /// <summary>Who a request on a secure NameNode is (delegation token, hadoop.auth cookie, or a SPNEGO handshake); null when it was answered 401/403.</summary>
    private async Task<string?> Authenticate(HttpListenerContext ctx, Dictionary<string, string> q, string op)
    {
        var resp = ctx.Response;
        bool tokenOp = op is "GETDELEGATIONTOKEN" or "RENEWDELEGATIONTOKEN" or "CANCELDELEGATIONTOKEN";
        if (!tokenOp && q.TryGetValue("delegation", out var token))
        {
            if (_tokens.TryGetValue(token, out var info) && info.Expires > DateTime.UtcNow)
            {
                Interlocked.Increment(ref TokenAuthenticated);
                return info.Owner;
            }
            await InvalidToken(resp, token);
            return null;
        }
        if (ctx.Request.Cookies["hadoop.auth"]?.Value is { } cookie && _cookies.TryGetValue(cookie, out var who)) return who;
        var auth = ctx.Request.Headers["Authorization"];
        if (auth is not null && auth.StartsWith("Negotiate ", StringComparison.Ordinal))
        {
            using var gss = new System.Net.Security.NegotiateAuthentication(new System.Net.Security.NegotiateAuthenticationServerOptions { Package = "Negotiate" });
            var blob = gss.GetOutgoingBlob(auth["Negotiate ".Length..], out var status);
            if (status == System.Net.Security.NegotiateAuthenticationStatusCode.Completed)
            {
                Interlocked.Increment(ref SpnegoHandshakes);
                var principal = gss.RemoteIdentity.Name!;
                Principals.Enqueue(principal);
                var c = Guid.NewGuid().ToString("N");
                _cookies[c] = principal;
                resp.AppendHeader("Set-Cookie", $"hadoop.auth={c}; Path=/; HttpOnly");
                if (blob is not null) resp.AddHeader("WWW-Authenticate", "Negotiate " + blob);
                return principal;
            }
            await Remote(resp, 403, "AuthenticationException", "org.apache.hadoop.security.authentication.client.AuthenticationException", $"GSSException: {status}");
            return null;
        }
        resp.AddHeader("WWW-Authenticate", "Negotiate");
        await Remote(resp, 401, "SecurityException", "java.lang.SecurityException", "Authentication required");
        return null;
    }

    private static Task InvalidToken(HttpListenerResponse resp, string token) =>
        Remote(resp, 403, "InvalidToken", "org.apache.hadoop.security.token.SecretManager$InvalidToken",
            $"token (HDFS_DELEGATION_TOKEN token {Math.Abs(token.GetHashCode()) % 1000}) is expired, cancelled or unknown");

    private static string Escape(string path) => string.Join("/", path.Split('/').Select(Uri.EscapeDataString));

    private static void Redirect(HttpListenerResponse resp, Dictionary<string, string> q, string location)
    {
        if (q.GetValueOrDefault("noredirect") == "true")
        {
            Json(resp, 200, new Dictionary<string, string> { ["Location"] = location }).Wait();
            return;
        }
        resp.StatusCode = 307;
        resp.RedirectLocation = location;
        resp.ContentLength64 = 0;
        resp.Close();
    }

    private async Task HandleDataNode(HttpListenerContext ctx)
    {
        var (path, q) = Parse(ctx.Request);
        var resp = ctx.Response;
        if (RequireKerberos && !(q.TryGetValue("delegation", out var token) && _tokens.TryGetValue(token, out var t) && t.Expires > DateTime.UtcNow))
        {
            await InvalidToken(resp, q.GetValueOrDefault("delegation", ""));
            return;
        }
        if (RequireKerberos) Interlocked.Increment(ref TokenAuthenticated);
        if (q.GetValueOrDefault("op")?.ToUpperInvariant() == "CREATE" && ctx.Request.HttpMethod == "PUT")
        {
            using var ms = new MemoryStream();
            await ctx.Request.InputStream.CopyToAsync(ms);
            MakeParents(path);
            _files[path] = ms.ToArray();
            if (OnDisk(path) is { } file)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(file)!);
                File.WriteAllBytes(file, _files[path]);
            }
            resp.StatusCode = 201;
            resp.AddHeader("Location", $"hdfs://localhost:8020{path}");
            resp.ContentLength64 = 0;
            resp.Close();
            return;
        }
        if (!_files.TryGetValue(path, out var data)) { await NotFound(resp, path); return; }
        Interlocked.Increment(ref DataNodeReads);
        long offset = long.Parse(q.GetValueOrDefault("offset", "0"));
        long length = q.TryGetValue("length", out var l) ? Math.Min(long.Parse(l), data.Length - offset) : data.Length - offset;
        bool reset = Interlocked.Decrement(ref ResetsRemaining) >= 0;
        resp.StatusCode = 200;
        resp.ContentType = "application/octet-stream";
        if (Interlocked.Decrement(ref EarlyEndsRemaining) >= 0)
        {
            resp.SendChunked = true;   // no Content-Length: a clean early end looks like the end of the file
            await resp.OutputStream.WriteAsync(data.AsMemory((int)offset, (int)Math.Min(length, ResetAfterBytes)));
            resp.Close();
            return;
        }
        resp.ContentLength64 = length;
        long sent = 0;
        while (sent < length)
        {
            int n = (int)Math.Min(8192, length - sent);
            if (reset && sent + n > ResetAfterBytes)
            {
                await resp.OutputStream.WriteAsync(data.AsMemory((int)(offset + sent), (int)Math.Max(0, ResetAfterBytes - sent)));
                await resp.OutputStream.FlushAsync();
                Interlocked.Increment(ref ResetsDone);
                resp.Abort();
                return;
            }
            await resp.OutputStream.WriteAsync(data.AsMemory((int)(offset + sent), n));
            sent += n;
            if (DataNodeChunkDelayMs > 0) await Task.Delay(DataNodeChunkDelayMs);
            if (sent == n && Interlocked.Decrement(ref StallsRemaining) >= 0)
            {
                await resp.OutputStream.FlushAsync();
                await Task.Delay(StallMs);
            }
        }
        resp.Close();
    }

    public void Dispose()
    {
        _stop.Cancel();
        foreach (var l in _listeners) { try { l.Stop(); l.Close(); } catch (Exception) { } }
    }
}
