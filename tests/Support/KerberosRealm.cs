using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Streaming.Tests;

/// <summary>
/// A throw-away MIT Kerberos realm for the tests, started by them on 127.0.0.1 and torn down: Debian's <c>krb5kdc</c>
/// with a database made by <c>kdb5_util</c> in a temporary directory, principals and keytabs from <c>kadmin.local</c>:
/// a user <c>alice</c> (password, with a ticket cache from <c>kinit</c>), a cron user <c>etl</c> (keytab only), and
/// <c>HTTP/localhost</c> whose keytab this test process (the WebHDFS test server) accepts SPNEGO with.
/// </summary>
public sealed class KerberosRealm : IDisposable
{
    public const string Realm = "STREAMING.TEST";
    public string Dir { get; }
    public string Config => Path.Combine(Dir, "krb5.conf");
    /// <summary>alice's ticket cache (kinit with her password).</summary>
    public string AliceCache => "FILE:" + Path.Combine(Dir, "alice.cc");
    public string EtlKeytab => Path.Combine(Dir, "etl.keytab");
    private readonly Process _kdc;

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetNative(string name, string value, int overwrite);

    public KerberosRealm()
    {
        Dir = Repo.TempDir("krb5");
        int port = WebHdfsTestServer.FreePort();
        File.WriteAllText(Config, $$"""
            [libdefaults]
              default_realm = {{Realm}}
              dns_lookup_kdc = false
              dns_lookup_realm = false
              rdns = false
              dns_canonicalize_hostname = false
              udp_preference_limit = 1
            [realms]
              {{Realm}} = {
                kdc = 127.0.0.1:{{port}}
              }
            [domain_realm]
              localhost = {{Realm}}
            """);
        File.WriteAllText(Path.Combine(Dir, "kdc.conf"), $$"""
            [kdcdefaults]
              kdc_ports = {{port}}
              kdc_tcp_ports = {{port}}
            [realms]
              {{Realm}} = {
                database_name = {{Dir}}/principal
                key_stash_file = {{Dir}}/stash
                acl_file = {{Dir}}/kadm5.acl
                max_life = 10h
                supported_enctypes = aes256-cts-hmac-sha1-96:normal aes128-cts-hmac-sha1-96:normal
              }
            [logging]
              kdc = FILE:{{Dir}}/kdc.log
            """);
        Run("/usr/sbin/kdb5_util", "create", "-s", "-r", Realm, "-P", "master-" + Guid.NewGuid().ToString("N"));
        foreach (var q in new[] { "addprinc -pw alice-pw alice", "addprinc -randkey HTTP/localhost", $"ktadd -k {Dir}/http.keytab HTTP/localhost",
                     "addprinc -randkey etl", $"ktadd -k {EtlKeytab} etl" })
            Run("/usr/sbin/kadmin.local", "-r", Realm, "-q", q);
        _kdc = Process.Start(Psi("/usr/sbin/krb5kdc", "-n"))!;
        // The KDC answers once it listens on its TCP port.
        var sw = Stopwatch.StartNew();
        while (!Listening(port))
        {
            if (_kdc.HasExited || sw.Elapsed > TimeSpan.FromSeconds(20))
                Assert.Fail($"krb5kdc did not start: {_kdc.StandardError.ReadToEnd()} {File.ReadAllText(Path.Combine(Dir, "kdc.log"))}");
            Thread.Sleep(50);
        }
        Kinit("alice", "alice-pw", cache: AliceCache);
        // This process is the WebHDFS server: its GSSAPI reads the realm and the HTTP/localhost keytab from the native environment.
        SetNative("KRB5_CONFIG", Config, 1);
        SetNative("KRB5_KTNAME", "FILE:" + Path.Combine(Dir, "http.keytab"), 1);
    }

    /// <summary>A fresh ticket cache of <paramref name="user"/> (optionally short-lived: <c>kinit -l</c>); its name.</summary>
    public string Kinit(string user, string password, string? lifetime = null, string? cache = null)
    {
        cache ??= "FILE:" + Path.Combine(Dir, $"{user}-{Guid.NewGuid():N}.cc");
        Run("/usr/bin/kinit", lifetime is null ? ["-c", cache, user] : ["-c", cache, "-l", lifetime, user], password + "\n");
        return cache;
    }

    /// <summary>The environment of a client process: this realm, and alice's ticket cache unless <paramref name="cache"/> says otherwise.</summary>
    public Dictionary<string, string> ClientEnvironment(string? cache = null) => new()
    {
        ["KRB5_CONFIG"] = Config, ["KRB5CCNAME"] = cache ?? AliceCache, ["STREAMING_LOG_LEVEL"] = "Debug",
    };

    private ProcessStartInfo Psi(string exe, params string[] args)
    {
        var psi = new ProcessStartInfo(exe) { RedirectStandardError = true, RedirectStandardOutput = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["KRB5_CONFIG"] = Config;
        psi.Environment["KRB5_KDC_PROFILE"] = Path.Combine(Dir, "kdc.conf");
        return psi;
    }

    private void Run(string exe, params string[] args) => Run(exe, args, null);

    private void Run(string exe, string[] args, string? stdin)
    {
        using var p = Process.Start(Psi(exe, args))!;
        if (stdin is not null) p.StandardInput.Write(stdin);
        p.StandardInput.Close();
        var err = p.StandardError.ReadToEndAsync();
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0) Assert.Fail($"{exe} {string.Join(' ', args)} failed ({p.ExitCode}): {err.Result} {output}");
    }

    private static bool Listening(int port)
    {
        try
        {
            using var c = new TcpClient();
            c.Connect(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException) { return false; }
    }

    public void Dispose()
    {
        try { _kdc.Kill(); _kdc.WaitForExit(); } catch (InvalidOperationException) { }
        _kdc.Dispose();
    }
}
