using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.Storage;

/// <summary>
/// Kerberos for WebHDFS as Hadoop's own <c>WebHdfsFileSystem</c> does it: when a NameNode answers
/// <c>401 WWW-Authenticate: Negotiate</c>, one SPNEGO handshake (.NET's <see cref="NegotiateAuthentication"/>, i.e. the
/// system's MIT GSSAPI with the user's ticket cache or a keytab) asks for a delegation token
/// (<c>GETDELEGATIONTOKEN</c>); every later NameNode and DataNode request carries that token; the <c>hadoop.auth</c>
/// cookie of the handshake authenticates its renewal (<c>RENEWDELEGATIONTOKEN</c>, at three quarters of its lifetime,
/// checked before each request) and its cancellation at the end (<c>CANCELDELEGATIONTOKEN</c>). A token is the
/// cluster's, not a NameNode's: it is valid on either of an HA pair. Neither the token, the cookie nor a ticket is ever
/// logged.
/// </summary>
internal sealed class WebHdfsKerberos(HttpClient http, ILogger log, TimeSpan timeout)
{
    private readonly Lock _gate = new();
    private string? _token, _cookie;
    private DateTime _renewAt = DateTime.MaxValue;

    /// <summary>The delegation token in use (null before the first handshake).</summary>
    public string? Token => _token;

    /// <summary>Whether a response asks for Kerberos: 401 with <c>WWW-Authenticate: Negotiate</c>.</summary>
    public static bool AsksForKerberos(HttpResponseMessage r) =>
        r.StatusCode == HttpStatusCode.Unauthorized && r.Headers.WwwAuthenticate.Any(h => h.Scheme.Equals("Negotiate", StringComparison.OrdinalIgnoreCase));

    /// <summary>Authenticates against the NameNode at <paramref name="baseUrl"/> (<c>http://host:port/webhdfs/v1</c>) and takes a delegation token.</summary>
    public void Login(string baseUrl, string nameNode)
    {
        lock (_gate)
        {
            LoginFromEnvironment(log);
            var host = new Uri(baseUrl).Host;
            using var req = new HttpRequestMessage(HttpMethod.Get, baseUrl + "/?op=GETDELEGATIONTOKEN");
            req.Headers.Authorization = new AuthenticationHeaderValue("Negotiate", Spnego(host, nameNode));
            using var resp = Send(req);
            if (!resp.IsSuccessStatusCode)
            {
                var body = resp.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                throw new WebHdfsAuthenticationException($"WebHDFS at {nameNode} refused the Kerberos authentication: {(int)resp.StatusCode} {Short(body)}", resp.StatusCode);
            }
            _cookie = resp.Headers.TryGetValues("Set-Cookie", out var cookies)
                ? cookies.Select(c => c.Split(';')[0]).FirstOrDefault(c => c.StartsWith("hadoop.auth=", StringComparison.Ordinal)) : null;
            using var doc = JsonDocument.Parse(resp.Content.ReadAsStream());
            _token = doc.RootElement.GetProperty("Token").GetProperty("urlString").GetString()
                ?? throw new WebHdfsAuthenticationException($"WebHDFS at {nameNode}: GETDELEGATIONTOKEN answered no token", resp.StatusCode);
            log.LogInformation("WebHDFS at {NameNode}: authenticated with Kerberos, using a delegation token", nameNode);
            Renew(baseUrl, nameNode);
        }
    }

    /// <summary>Renews the token when three quarters of its lifetime are gone (before a request); a token that cannot be renewed is replaced by a new login.</summary>
    public void RenewIfDue(string baseUrl, string nameNode)
    {
        if (_token is null || DateTime.UtcNow < _renewAt) return;
        lock (_gate)
        {
            if (_token is null || DateTime.UtcNow < _renewAt) return;
            try { Renew(baseUrl, nameNode); }
            catch (WebHdfsAuthenticationException e)
            {
                log.LogInformation("WebHDFS at {NameNode}: the delegation token could not be renewed ({Error}): authenticating again", nameNode, e.Message);
                _token = null;
                Login(baseUrl, nameNode);
            }
        }
    }

    /// <summary>The token was refused (expired, cancelled): the next request authenticates again.</summary>
    public void Forget()
    {
        lock (_gate) { _token = null; _renewAt = DateTime.MaxValue; }
    }

    private void Renew(string baseUrl, string nameNode)
    {
        using var req = new HttpRequestMessage(HttpMethod.Put, baseUrl + "/?op=RENEWDELEGATIONTOKEN&token=" + Uri.EscapeDataString(_token!));
        Authenticate(req, baseUrl, nameNode);
        using var resp = Send(req);
        if (!resp.IsSuccessStatusCode)
            throw new WebHdfsAuthenticationException($"WebHDFS at {nameNode}: RENEWDELEGATIONTOKEN failed: {(int)resp.StatusCode} {Short(resp.Content.ReadAsStringAsync().GetAwaiter().GetResult())}", resp.StatusCode);
        using var doc = JsonDocument.Parse(resp.Content.ReadAsStream());
        var expires = DateTime.UnixEpoch.AddMilliseconds(doc.RootElement.GetProperty("long").GetInt64());
        var now = DateTime.UtcNow;
        _renewAt = now + (expires - now) * 0.75;
        log.LogDebug("WebHDFS at {NameNode}: delegation token valid until {Expires:u}; renewing after {RenewAt:u}", nameNode, expires, _renewAt);
    }

    /// <summary>Cancels the token at the end of the process's use (best effort: an expired or unreachable one is let go).</summary>
    public void Cancel(string baseUrl, string nameNode)
    {
        lock (_gate)
        {
            if (_token is null) return;
            try
            {
                using var req = new HttpRequestMessage(HttpMethod.Put, baseUrl + "/?op=CANCELDELEGATIONTOKEN&token=" + Uri.EscapeDataString(_token));
                Authenticate(req, baseUrl, nameNode);
                using var resp = Send(req);
                if (resp.IsSuccessStatusCode) log.LogDebug("WebHDFS at {NameNode}: delegation token cancelled", nameNode);
                else log.LogDebug("WebHDFS at {NameNode}: cancelling the delegation token answered {Status}", nameNode, (int)resp.StatusCode);
            }
            catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException or WebHdfsAuthenticationException)
            {
                log.LogDebug("WebHDFS at {NameNode}: the delegation token was not cancelled: {Error}", nameNode, e.Message);
            }
            _token = null;
        }
    }

    /// <summary>The handshake's cookie when there is one (no second handshake), else a new SPNEGO token.</summary>
    private void Authenticate(HttpRequestMessage req, string baseUrl, string nameNode)
    {
        if (_cookie is not null) req.Headers.Add("Cookie", _cookie);
        else
        {
            req.Headers.Authorization = new AuthenticationHeaderValue("Negotiate", Spnego(new Uri(baseUrl).Host, nameNode));
        }
    }

    private HttpResponseMessage Send(HttpRequestMessage req)
    {
        using var cts = new CancellationTokenSource(timeout);
        return http.Send(req, HttpCompletionOption.ResponseContentRead, cts.Token);
    }

    /// <summary>The first SPNEGO token for <c>HTTP/host</c> from the user's credentials; a failure is one line saying what to do.</summary>
    private static string Spnego(string host, string nameNode)
    {
        using var auth = new NegotiateAuthentication(new NegotiateAuthenticationClientOptions
        {
            Package = "Negotiate", TargetName = "HTTP/" + host, Credential = CredentialCache.DefaultNetworkCredentials,
        });
        var blob = auth.GetOutgoingBlob((string?)null, out var status);
        if (blob is not null && status is NegotiateAuthenticationStatusCode.ContinueNeeded or NegotiateAuthenticationStatusCode.Completed) return blob;
        var noTicket = $"no Kerberos ticket for WebHDFS at {nameNode} (run kinit or pass --keytab)";
        var expired = $"the Kerberos ticket for WebHDFS at {nameNode} has expired (run kinit again, or pass --keytab)";
        var unknown = $"server principal HTTP/{host} not found in the KDC (WebHDFS at {nameNode})";
        throw new WebHdfsAuthenticationException(status switch
        {
            NegotiateAuthenticationStatusCode.UnknownCredentials or NegotiateAuthenticationStatusCode.InvalidCredentials => noTicket,
            NegotiateAuthenticationStatusCode.CredentialsExpired or NegotiateAuthenticationStatusCode.ContextExpired => expired,
            NegotiateAuthenticationStatusCode.TargetUnknown => unknown,
            // GSSAPI's generic failure hides MIT's reason: MIT's own kvno, asking for the same service ticket, names it.
            _ => Diagnose(host) switch
            {
                var d when d.Contains("not found in Kerberos database", StringComparison.Ordinal) => unknown,
                var d when d.Contains("expired", StringComparison.OrdinalIgnoreCase) => expired,
                var d when d.Contains("Clock skew", StringComparison.OrdinalIgnoreCase) =>
                    $"clock skew between this machine and the Kerberos KDC is too great (WebHDFS at {nameNode}): synchronise the clocks (NTP)",
                var d when d.Contains("No credentials cache", StringComparison.Ordinal) => noTicket,
                var d => $"no Kerberos service ticket for HTTP/{host} (WebHDFS at {nameNode}): {(d.Length > 0 ? d : $"{status}; KRB5_TRACE=/dev/stderr shows why")}",
            },
        }, HttpStatusCode.Unauthorized);
    }

    /// <summary>MIT's <c>kvno HTTP/host</c>'s error, which says why a service ticket cannot be had; empty when kvno is not installed or succeeds.</summary>
    private static string Diagnose(string host)
    {
        try
        {
            using var p = Process.Start(new ProcessStartInfo("kvno", ["HTTP/" + host]) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
            var err = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000)) { p.Kill(); return ""; }
            return p.ExitCode == 0 ? "" : err.Result.Trim().Replace("kvno: ", "");
        }
        catch (System.ComponentModel.Win32Exception) { return ""; }
    }

    private static string Short(string s) => s.Length > 200 ? s[..200] + "…" : s;

    // ---------------------------------------------------------------- the process's Kerberos login

    [DllImport("libc", EntryPoint = "setenv", SetLastError = true)]
    private static extern int SetNativeEnvironment(string name, string value, int overwrite);

    private static string? _privateCache;
    private static readonly Lock LoginGate = new();
    private static bool _loggedIn;

    /// <summary>
    /// The process's keytab login, once, at the first Kerberos use: STREAMING_WEBHDFS_KEYTAB (and
    /// STREAMING_WEBHDFS_PRINCIPAL), which <c>--keytab</c>/<c>--principal</c> set; without them, the user's ticket cache.
    /// </summary>
    public static void LoginFromEnvironment(ILogger log)
    {
        lock (LoginGate)
        {
            if (_loggedIn) return;
            var keytab = Environment.GetEnvironmentVariable("STREAMING_WEBHDFS_KEYTAB");
            var principal = Environment.GetEnvironmentVariable("STREAMING_WEBHDFS_PRINCIPAL");
            if (string.IsNullOrEmpty(keytab))
            {
                if (!string.IsNullOrEmpty(principal)) throw new ConfigException("--principal (STREAMING_WEBHDFS_PRINCIPAL) needs --keytab (STREAMING_WEBHDFS_KEYTAB)");
            }
            else LoginFromKeytab(keytab, string.IsNullOrEmpty(principal) ? null : principal, log);
            _loggedIn = true;
        }
    }

    /// <summary>
    /// Logs this process in from a keytab (cron jobs, no ticket cache), before any Kerberos use: into a private
    /// credential cache, so the user's own is never touched. With <paramref name="principal"/>, MIT's <c>kinit -k</c>
    /// takes that principal's key; without, GSSAPI takes the keytab's first principal itself (KRB5_CLIENT_KTNAME).
    /// The variables are set in the native environment, where the system's GSSAPI reads them.
    /// </summary>
    private static void LoginFromKeytab(string keytab, string? principal, ILogger log)
    {
        if (!File.Exists(keytab)) throw new ConfigException($"--keytab {keytab}: no such file");
        if (principal is null)
        {
            Set("KRB5_CLIENT_KTNAME", "FILE:" + Path.GetFullPath(keytab));
            Set("KRB5CCNAME", "MEMORY:streaming-" + Environment.ProcessId);
            log.LogInformation("Kerberos: credentials from the keytab {Keytab}", keytab);
            return;
        }
        _privateCache = Path.Combine(Path.GetTempPath(), $"streaming-krb5cc-{Environment.ProcessId}");
        var psi = new ProcessStartInfo("kinit", ["-k", "-t", Path.GetFullPath(keytab), "-c", "FILE:" + _privateCache, principal])
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception e) { throw new ConfigException($"--principal {principal}: cannot run kinit ({e.Message}): install the Kerberos client (krb5-user), or pass --keytab alone"); }
        using (p)
        {
            var err = p.StandardError.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0) throw new WebHdfsAuthenticationException($"kinit -k -t {keytab} {principal} failed: {err.Trim()}", HttpStatusCode.Unauthorized);
        }
        Set("KRB5CCNAME", "FILE:" + _privateCache);
        AppDomain.CurrentDomain.ProcessExit += (_, _) => { try { File.Delete(_privateCache); } catch (IOException) { } };
        log.LogInformation("Kerberos: logged in as {Principal} from the keytab {Keytab}", principal, keytab);
    }

    private static void Set(string name, string value)
    {
        Environment.SetEnvironmentVariable(name, value);
        if (SetNativeEnvironment(name, value, 1) != 0) throw new IOException($"cannot set {name}: errno {Marshal.GetLastPInvokeError()}");
    }
}

/// <summary>Kerberos did not authenticate us (no ticket, expired, unknown server principal, refused): not retried; exit 3.</summary>
public sealed class WebHdfsAuthenticationException(string message, HttpStatusCode status) : WebHdfsException(message, status);
