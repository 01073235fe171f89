using Streaming.Storage;

namespace Streaming.Tests;

/// <summary>Our WebHDFS client against the contract-following test server, with and without faults.</summary>
public class WebHdfsClientTests
{
    private static WebHdfsClient Client(WebHdfsTestServer s, params string[] nameNodes) => new(new WebHdfsOptions
    {
        NameNodes = nameNodes.Length > 0 ? nameNodes : [s.Active],
        User = "alice",
        BackoffBase = TimeSpan.FromMilliseconds(5),
        BackoffMax = TimeSpan.FromMilliseconds(50),
        ReadTimeout = TimeSpan.FromSeconds(5),
    });

    private static byte[] Data(int n, int seed = 1)
    {
        var b = new byte[n];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Test]
    public void UploadListReadRenameDelete()
    {
        using var s = new WebHdfsTestServer();
        using var c = Client(s);
        Assert.That(c.Mkdirs("/data/set"), Is.True);
        var payload = Data(300_000);
        for (int i = 0; i < 5; i++) c.Create($"/data/set/part-{i}.bin", () => new MemoryStream(payload));
        Assert.That(s["/data/set/part-3.bin"], Is.EqualTo(payload));
        var list = c.List("/data/set");
        Assert.That(list.Select(e => e.Name), Is.EqualTo(Enumerable.Range(0, 5).Select(i => $"part-{i}.bin")), "paged with LISTSTATUS_BATCH (2 per page)");
        Assert.That(list.All(e => e.Length == payload.Length && !e.IsDirectory));
        Assert.That(c.GetFileStatus("/data/set").IsDirectory);
        using (var r = c.OpenRead("/data/set/part-1.bin"))
        using (var ms = new MemoryStream()) { r.CopyTo(ms); Assert.That(ms.ToArray(), Is.EqualTo(payload)); }
        using (var r = c.OpenRead("/data/set/part-1.bin", 1000, 5000))
        using (var ms = new MemoryStream()) { r.CopyTo(ms); Assert.That(ms.ToArray(), Is.EqualTo(payload[1000..6000]), "offset and length honoured"); }
        Assert.That(c.Rename("/data/set/part-4.bin", "/data/other/p4.bin"), Is.True);
        Assert.That(c.Exists("/data/other/p4.bin"));
        Assert.That(c.Exists("/data/set/part-4.bin"), Is.False);
        Assert.That(c.Delete("/data", recursive: true), Is.True);
        Assert.That(c.Exists("/data"), Is.False);
        Assert.That(s.Users.Distinct(), Is.EqualTo(new[] { "alice" }), "user.name on every NameNode call");
    }

    [Test]
    public void TypedErrorsFromRemoteException()
    {
        using var s = new WebHdfsTestServer();
        using var c = Client(s);
        var e = Assert.Throws<WebHdfsFileNotFoundException>(() => c.GetFileStatus("/nope"));
        Assert.That(e!.Message, Does.Contain("File does not exist: /nope"));
        Assert.That(e.JavaClassName, Is.EqualTo("java.io.FileNotFoundException"));
        c.Create("/x", () => new MemoryStream([1]));
        Assert.Throws<WebHdfsAlreadyExistsException>(() => c.Create("/x", () => new MemoryStream([2]), overwrite: false));
        Assert.Throws<WebHdfsFileNotFoundException>(() => c.OpenRead("/missing").ReadByte());
    }

    [Test]
    public void ResumesAtTheReachedOffsetAfterConnectionResets()
    {
        using var s = new WebHdfsTestServer { ResetsRemaining = 3, ResetAfterBytes = 50_000 };
        using var c = Client(s);
        var payload = Data(400_000, 2);
        c.Create("/f", () => new MemoryStream(payload));
        using var r = c.OpenRead("/f");
        using var ms = new MemoryStream();
        r.CopyTo(ms);
        Assert.That(ms.ToArray(), Is.EqualTo(payload));
        Assert.That(c.Resumes, Is.EqualTo(3));
        Assert.That(s.DataNodeReads, Is.EqualTo(4));
    }

    [Test]
    public void RetriesServiceUnavailableWithBackoff()
    {
        using var s = new WebHdfsTestServer { ServiceUnavailableRemaining = 3 };
        using var c = Client(s);
        Assert.That(c.Mkdirs("/a"), Is.True);
        Assert.That(c.Retries, Is.EqualTo(3));
        s.ServiceUnavailableRemaining = 100;
        var e = Assert.Catch<IOException>(() => c.Mkdirs("/b"));
        Assert.That(e!.Message, Does.Contain("gave up after"));
    }

    [Test]
    public void FailsOverFromADeadAndAStandbyNameNode()
    {
        using var s = new WebHdfsTestServer();
        using var c = Client(s, s.Dead, s.Standby, s.Active);
        c.Create("/ha", () => new MemoryStream([1, 2, 3]));
        Assert.That(c.Failovers, Is.EqualTo(1));
        Assert.That(s.StandbyRequests, Is.EqualTo(1));
        // The active one is remembered: no more standby round trips.
        Assert.That(c.Exists("/ha"));
        Assert.That(s.StandbyRequests, Is.EqualTo(1));
        var (o, path) = WebHdfsOptions.Parse($"webhdfs://{s.Standby},{s.Active}/ha", _ => null);
        using var c2 = new WebHdfsClient(o with { BackoffBase = TimeSpan.FromMilliseconds(5) });
        Assert.That(c2.GetFileStatus(path).Length, Is.EqualTo(3));
    }

    [Test]
    public void FallsBackToListStatusOnHadoopWithoutBatchListing()
    {
        using var s = new WebHdfsTestServer { SupportsListBatch = false };
        using var c = Client(s);
        for (int i = 0; i < 3; i++) c.Create($"/d/f{i}", () => new MemoryStream([1]));
        Assert.That(c.List("/d").Select(e => e.Name), Is.EqualTo(new[] { "f0", "f1", "f2" }));
    }

    [Test]
    public void AStalledDataNodeIsAbandonedAndTheReadResumes()
    {
        using var s = new WebHdfsTestServer { StallsRemaining = 1, StallMs = 4000 };
        using var c = new WebHdfsClient(new WebHdfsOptions
        {
            NameNodes = [s.Active], User = "u", ReadTimeout = TimeSpan.FromMilliseconds(500), BackoffBase = TimeSpan.FromMilliseconds(5),
        });
        var payload = Data(200_000, 4);
        c.Create("/stall", () => new MemoryStream(payload));
        var sw = System.Diagnostics.Stopwatch.StartNew();
        using var r = c.OpenRead("/stall");
        using var ms = new MemoryStream();
        r.CopyTo(ms);
        Assert.That(ms.ToArray(), Is.EqualTo(payload));
        Assert.That(c.Resumes, Is.EqualTo(1));
        Assert.That(sw.Elapsed, Is.LessThan(TimeSpan.FromSeconds(3.5)), "did not wait for the stalled DataNode");
    }

    [Test]
    public void ASlowDataNodeIsReadCompletely()
    {
        using var s = new WebHdfsTestServer { DataNodeChunkDelayMs = 20 };
        using var c = Client(s);
        var payload = Data(100_000, 3);
        c.Create("/slow", () => new MemoryStream(payload));
        using var r = c.OpenRead("/slow");
        using var ms = new MemoryStream();
        r.CopyTo(ms);
        Assert.That(ms.ToArray(), Is.EqualTo(payload));
    }

    private sealed class Recorder(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public readonly List<Uri> Requests = [];
        protected override HttpResponseMessage Send(HttpRequestMessage request, CancellationToken ct)
        {
            lock (Requests) Requests.Add(request.RequestUri!);
            return base.Send(request, ct);
        }
    }

    [Test]
    public void DataNodeRedirectsAreRewrittenByTheHostMap()
    {
        using var s = new WebHdfsTestServer();
        using (var up = Client(s)) up.Create("/m", () => new MemoryStream([9, 8, 7]));
        var recorder = new Recorder(new SocketsHttpHandler { AllowAutoRedirect = false });
        var dnPort = s.DataNode.Split(':')[1];
        using var c = new WebHdfsClient(new WebHdfsOptions
        {
            NameNodes = [s.Active], User = "x",
            DataNodeHostMap = new Dictionary<string, string> { ["127.0.0.1:" + dnPort] = "localhost:" + dnPort },
        }, handler: recorder);
        using var ms = new MemoryStream();
        using (var r = c.OpenRead("/m")) r.CopyTo(ms);
        Assert.That(ms.ToArray(), Is.EqualTo(new byte[] { 9, 8, 7 }));
        Assert.That(recorder.Requests.Select(u => u.Host), Is.EqualTo(new[] { "127.0.0.1", "127.0.0.1", "localhost" }),
            "NameNode (the file's length, then OPEN), then the rewritten DataNode");
    }

    [Test]
    public void UriParsingAndDataNodeHostMap()
    {
        var (o, p) = WebHdfsOptions.Parse("swebhdfs://nn1,nn2:50470/user/x%20y/data", n => n switch
        {
            "HADOOP_USER_NAME" => "bob", "STREAMING_WEBHDFS_DATANODE_MAP" => "dn1.internal=10.0.0.5", _ => null,
        });
        Assert.That(o.Https);
        Assert.That(o.NameNodes, Is.EqualTo(new[] { "nn1:9871", "nn2:50470" }));
        Assert.That(p, Is.EqualTo("/user/x y/data"));
        Assert.That(o.User, Is.EqualTo("bob"));
        Assert.That(o.DataNodeHostMap["dn1.internal"], Is.EqualTo("10.0.0.5"));
    }
}

/// <summary>The client's own connect (blocking sockets) keeps the connect timeout: a NameNode that never answers a
/// SYN is given up after ConnectTimeout and the next one is tried.</summary>
public class WebHdfsConnectTimeoutTests
{
    [Test]
    public void AnUnansweringNameNodeIsAbandonedAfterTheConnectTimeout()
    {
        // A listener that never accepts, its backlog filled: the kernel drops further SYNs, so a connect hangs.
        using var blackHole = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        blackHole.Bind(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, 0));
        blackHole.Listen(0);
        var port = ((System.Net.IPEndPoint)blackHole.LocalEndPoint!).Port;
        var fillers = new List<System.Net.Sockets.Socket>();
        try
        {
            for (int i = 0; i < 4; i++)
            {
                var f = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { Blocking = false };
                try { f.Connect(System.Net.IPAddress.Loopback, port); } catch (System.Net.Sockets.SocketException) { }
                fillers.Add(f);
            }
            Thread.Sleep(200);
            using var s = new WebHdfsTestServer();
            using var c = new WebHdfsClient(new WebHdfsOptions
            {
                NameNodes = [$"127.0.0.1:{port}", s.Active], User = "u", ConnectTimeout = TimeSpan.FromMilliseconds(700),
                BackoffBase = TimeSpan.FromMilliseconds(5), BackoffMax = TimeSpan.FromMilliseconds(20),
            });
            var sw = System.Diagnostics.Stopwatch.StartNew();
            c.Create("/t", () => new MemoryStream([7]));
            Assert.That(c.GetFileStatus("/t").Length, Is.EqualTo(1));
            Assert.That(c.Failovers, Is.GreaterThanOrEqualTo(1));
            Assert.That(sw.Elapsed, Is.InRange(TimeSpan.FromMilliseconds(600), TimeSpan.FromSeconds(8)), "waited about the connect timeout, not the kernel's");
        }
        finally
        {
            foreach (var f in fillers) f.Dispose();
        }
    }
}
