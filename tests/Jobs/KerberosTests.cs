using System.Text.RegularExpressions;
using Streaming.Storage;

namespace Streaming.Tests;

/// <summary>
/// The trainer on a secure cluster's WebHDFS, against real components started here: MIT Kerberos's KDC
/// (<see cref="KerberosRealm"/>) and the WebHDFS test server requiring SPNEGO on its NameNode (checked by the system's
/// GSSAPI) and its own delegation tokens everywhere else. One handshake, then token-authenticated requests; a keytab
/// instead of a ticket cache; no ticket is one line and exit 3; a token shorter-lived than the training is renewed;
/// no token, cookie or ticket in the logs, at Debug level.
/// </summary>
[NonParallelizable]
public class KerberosTests
{
    private KerberosRealm _realm = null!;

    [OneTimeSetUp]
    public void StartRealm() => _realm = new KerberosRealm();

    [OneTimeTearDown]
    public void StopRealm() => _realm.Dispose();

    private static string Shards => Pipeline.BlackFridayShards.Value;

    /// <summary>A WebHDFS server holding the Black Friday shards; secure (Kerberos) after the upload when asked.</summary>
    private static (WebHdfsTestServer Server, string Uri) Serve(bool kerberos)
    {
        var server = new WebHdfsTestServer();
        using (var up = new WebHdfsClient(new WebHdfsOptions { NameNodes = [server.Active], User = "etl" }))
        {
            up.Mkdirs("/data/bf");
            foreach (var f in Directory.GetFiles(Shards).Where(f => !Path.GetFileName(f).StartsWith("part-0")))
                up.Create("/data/bf/" + Path.GetFileName(f), () => File.OpenRead(f));
        }
        server.RequireKerberos = kerberos;
        // The NameNode by name: its service principal is HTTP/localhost.
        return (server, $"webhdfs://localhost:{server.Active.Split(':')[1]}/data/bf");
    }

    private static string[] Train(string data, string model) =>
        ["train", "--data", data, "--model", model, "--epochs", "2", "--hidden", "16", "--seed", "5", "--threads", "1"];

    [Test]
    public void ATicketTrainsAsSimpleAuthWithOneHandshakeThenTokens()
    {
        var (plain, plainUri) = Serve(kerberos: false);
        using (plain)
        {
            var model = Path.Combine(Repo.TempDir("krb-simple"), "m");
            var simple = Proc.Run(Repo.Trainer, Train(plainUri, model));
            Assert.That(simple.ExitCode, Is.EqualTo(0), simple.Stderr);
            var (secure, secureUri) = Serve(kerberos: true);
            using (secure)
            {
                var kmodel = Path.Combine(Repo.TempDir("krb-ticket"), "m");
                var r = Proc.Run(Repo.Trainer, Train(secureUri, kmodel), null, _realm.ClientEnvironment());
                Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
                Assert.That(Metrics(kmodel), Is.EqualTo(Metrics(model)), "the same training as with simple authentication");
                TestContext.Out.WriteLine($"one training: {secure.SpnegoHandshakes} SPNEGO handshake(s), {secure.TokenAuthenticated} token-authenticated requests, {secure.Renewals} renewal(s), {secure.Cancellations} cancellation(s)");
                Assert.That(secure.SpnegoHandshakes, Is.EqualTo(1), "one handshake");
                Assert.That(secure.Principals, Is.EqualTo(new[] { "alice@" + KerberosRealm.Realm }));
                Assert.That(secure.TokenAuthenticated, Is.GreaterThan(10), "NameNode and DataNode requests on the delegation token");
                Assert.That(secure.Cancellations, Is.EqualTo(1), "the token is cancelled at exit");
                Assert.That(r.Stderr, Does.Contain("authenticated with Kerberos, using a delegation token"));
                AssertNoSecrets(r.Stderr, secure);
            }
        }
    }

    [Test]
    public void AKeytabWorksWithoutATicketCache()
    {
        var (server, uri) = Serve(kerberos: true);
        using (server)
        {
            var env = _realm.ClientEnvironment(cache: "FILE:" + Path.Combine(_realm.Dir, "no-such-cache"));
            var named = Proc.Run(Repo.Trainer, ["read", "--data", uri, "--keytab", _realm.EtlKeytab, "--principal", "etl@" + KerberosRealm.Realm], null, env);
            Assert.That(named.ExitCode, Is.EqualTo(0), named.Stderr);
            env["STREAMING_WEBHDFS_KEYTAB"] = _realm.EtlKeytab;   // as a cron job sets it, no principal: the keytab's own
            var fromEnv = Proc.Run(Repo.Trainer, ["read", "--data", uri], null, env);
            Assert.That(fromEnv.ExitCode, Is.EqualTo(0), fromEnv.Stderr);
            Assert.That(server.Principals, Is.EqualTo(new[] { "etl@" + KerberosRealm.Realm, "etl@" + KerberosRealm.Realm }));
            AssertNoSecrets(named.Stderr + fromEnv.Stderr, server);
        }
    }

    [Test]
    public void NoTicketIsOneLineAndExit3()
    {
        var (server, uri) = Serve(kerberos: true);
        using (server)
        {
            var r = Proc.Run(Repo.Trainer, ["read", "--data", uri], null, _realm.ClientEnvironment(cache: "FILE:" + Path.Combine(_realm.Dir, "nobody")));
            Assert.That(r.ExitCode, Is.EqualTo(3), r.Stderr);
            var errors = r.Stderr.Split('\n').Where(l => l.Contains("error:")).ToList();
            Assert.That(errors, Has.Count.EqualTo(1), r.Stderr);
            Assert.That(errors[0], Does.StartWith("trainer read: error: I/O: ").And.Contain($"no Kerberos ticket for WebHDFS at localhost:{server.Active.Split(':')[1]} (run kinit or pass --keytab)"));
            Assert.That(server.SpnegoHandshakes, Is.EqualTo(0));
        }
    }

    /// <summary>An expired ticket, and a NameNode whose service principal the KDC does not know: one line each, exit 3.</summary>
    [Test]
    public void AnExpiredTicketAndAnUnknownServerPrincipalAreNamed()
    {
        var (server, uri) = Serve(kerberos: true);
        using (server)
        {
            var shortLived = _realm.Kinit("alice", "alice-pw", lifetime: "2s");
            Thread.Sleep(3_000);
            var expired = Proc.Run(Repo.Trainer, ["read", "--data", uri], null, _realm.ClientEnvironment(shortLived));
            Assert.That(expired.ExitCode, Is.EqualTo(3), expired.Stderr);
            Assert.That(expired.Stderr, Does.Contain($"the Kerberos ticket for WebHDFS at localhost:{server.Active.Split(':')[1]} has expired (run kinit again, or pass --keytab)"));
            // By address: HTTP/127.0.0.1 is no principal of the realm.
            var byAddress = Proc.Run(Repo.Trainer, ["read", "--data", uri.Replace("localhost", "127.0.0.1")], null, _realm.ClientEnvironment());
            Assert.That(byAddress.ExitCode, Is.EqualTo(3), byAddress.Stderr);
            Assert.That(byAddress.Stderr, Does.Contain("server principal HTTP/127.0.0.1 not found in the KDC"));
            Assert.That(server.SpnegoHandshakes, Is.EqualTo(0));
        }
    }

    /// <summary>A delegation token that lives shorter than the training is renewed before it expires (on the handshake's cookie, no second handshake).</summary>
    [Test]
    public void ATokenShorterLivedThanTheTrainingIsRenewed()
    {
        var (server, uri) = Serve(kerberos: true);
        using (server)
        {
            server.TokenLifetime = TimeSpan.FromSeconds(1);
            var model = Path.Combine(Repo.TempDir("krb-renew"), "m");
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var r = Proc.Run(Repo.Trainer, ["train", "--data", uri, "--model", model, "--epochs", "6", "--hidden", "16", "--seed", "5", "--threads", "1", "--cache", "off", "--patience", "0"], null, _realm.ClientEnvironment());
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
            TestContext.Out.WriteLine($"{sw.Elapsed.TotalSeconds:F1} s: {server.Renewals} renewal(s), {server.SpnegoHandshakes} handshake(s)");
            Assert.That(sw.Elapsed, Is.GreaterThan(server.TokenLifetime * 1.5), "the training outlived the token");
            Assert.That(server.Renewals, Is.GreaterThanOrEqualTo(2), "renewed before it expired (the first renewal learns its lifetime)");
            Assert.That(server.SpnegoHandshakes, Is.EqualTo(1));
            AssertNoSecrets(r.Stderr, server);
        }
    }

    /// <summary>A token given by the operator (STREAMING_WEBHDFS_TOKEN) is not logged either.</summary>
    [Test]
    public void AGivenTokenIsNeverLogged()
    {
        var (server, uri) = Serve(kerberos: false);
        using (server)
        {
            const string secret = "SECRET-TOKEN-0123456789";
            var r = Proc.Run(Repo.Trainer, ["read", "--data", uri], null, new Dictionary<string, string> { ["STREAMING_WEBHDFS_TOKEN"] = secret, ["STREAMING_LOG_LEVEL"] = "Debug" });
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
            Assert.That(r.Stderr + r.Stdout, Does.Not.Contain(secret));
            Assert.That(server.Users, Has.Some.EqualTo(secret), "the token was used");
        }
    }

    /// <summary>A model's validation metrics and per-epoch losses (not its timings).</summary>
    private static string Metrics(string model)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(model, "metrics.json")));
        var root = doc.RootElement;
        return root.GetProperty("final_validation").GetRawText() + string.Join(",", root.GetProperty("epochs").EnumerateArray().Select(e => e.GetProperty("train_loss").GetDouble().ToString("R")));
    }

    private static void AssertNoSecrets(string log, WebHdfsTestServer server)
    {
        Assert.That(log, Does.Not.Contain("HDFS_DELEGATION_TOKEN-"), "no delegation token in the logs");
        Assert.That(Regex.IsMatch(log, "hadoop\\.auth=|Negotiate [A-Za-z0-9+/=]{20}"), Is.False, "no cookie or SPNEGO token in the logs");
        Assert.That(log, Does.Not.Contain("alice-pw"));
    }
}
