using Streaming.Storage;

namespace Streaming.Tests;

/// <summary>The one file system interface over the cluster's FsShell (stand-ins of Hadoop 2.7 and 3.x): write, list, read.</summary>
public class FileSystemTests
{
    private static (IFileSystem Fs, string Root) Shell(string version)
    {
        var root = Repo.TempDir("fsshell");
        Directory.CreateDirectory(Path.Combine(root, "data"));
        var env = new Dictionary<string, string> { ["FAKE_HDFS_ROOT"] = root, ["FAKE_HADOOP_VERSION"] = version };
        return (new HadoopShellFileSystem(Path.Combine(Repo.Root, "tests", "Support", "fakes", "hdfs"), env), root);
    }

    [TestCase("2.7.7")]
    [TestCase("3.3.6")]
    public void FilesWrittenListedAndReadThroughFsShell(string version)
    {
        var (fs, root) = Shell(version);
        var bytes = new byte[200_000];
        new Random(7).NextBytes(bytes);
        using (var s = fs.Create("hdfs://nn:8020/data", "a.bin"))
        {
            s.Write(bytes);
            s.Commit();
        }
        using (var s = fs.Create("/data", "b.bin")) s.Write(bytes.AsSpan(0, 1000));   // abandoned: never committed

        var listed = fs.List("/data");
        Assert.That(listed.Select(e => e.Name), Does.Contain("a.bin").And.Not.Contain("b.bin"), "only the committed file has its name");
        var a = listed.Single(e => e.Name == "a.bin");
        Assert.That((a.Path, a.Length, a.IsDirectory), Is.EqualTo(("/data/a.bin", 200_000L, false)));
        Assert.That(fs.Exists("/data/a.bin") && !fs.Exists("/data/b.bin"));
        Assert.That(File.ReadAllBytes(Path.Combine(root, "data", "a.bin")), Is.EqualTo(bytes));

        using (var r = fs.OpenRead(a)) Assert.That(ReadAll(r), Is.EqualTo(bytes));
        using (var r = fs.OpenRead("/data/a.bin", 150_001)) Assert.That(ReadAll(r), Is.EqualTo(bytes[150_001..]));
        Assert.Throws<FileNotFoundException>(() => fs.List("/nowhere"));
        using var missing = fs.OpenRead("/data/none.bin");
        Assert.That(Assert.Throws<IOException>(() => ReadAll(missing))!.Message, Does.Contain("hdfs dfs -cat /data/none.bin failed"));
    }

    [Test]
    public void ALocalDirectoryUriIsTheLocalFileSystem()
    {
        var dir = Repo.TempDir("fslocal");
        using var files = FileSystemRouter.ForProcess(Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, webHdfsNameNodes: "");
        Assert.That(files.Resolve("file:" + dir), Is.EqualTo(((IFileSystem)LocalFileSystem.Instance, dir)));
        Assert.That(files.Resolve(dir).FileSystem, Is.SameAs(LocalFileSystem.Instance));
        Assert.That(files.Resolve("hdfs://nn:8020/x"), Is.EqualTo(((IFileSystem)HadoopShellFileSystem.Instance, "hdfs://nn:8020/x")));
        using (var s = files.Create("file:" + dir, "p.txt"))
        {
            s.Write("x"u8);
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Has.None.EqualTo("p.txt"), "not under its name before the commit");
            s.Commit();
            Assert.Throws<InvalidOperationException>(() => s.Commit(), "a file is committed once");
        }
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "p.txt" }));
        using (var s = files.Create("file:" + dir, "q.txt")) s.Write("half"u8);   // disposed uncommitted: aborted
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "p.txt" }), "an aborted file leaves nothing, not even its temporary");
    }

    /// <summary>
    /// One router per process: WebHDFS takes the cluster's hdfs: URIs only when NameNodes are configured, and a
    /// webhdfs:// URI of other NameNodes gets a client of its own; the trainer's router (no FsShell) refuses hdfs:.
    /// </summary>
    [Test]
    public void TheRouterSendsEachUriToTheFileSystemThatHandlesIt()
    {
        var log = Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        using (var cluster = FileSystemRouter.ForProcess(log, webHdfsNameNodes: "nn1:9870,nn2:9870"))
        {
            var (fs, path) = cluster.Resolve("hdfs://nn:8020/out/_temporary/1/a");
            Assert.That((fs, path), Is.EqualTo((fs as WebHdfsClient, "/out/_temporary/1/a")), "hdfs: goes over WebHDFS when NameNodes are named");
            Assert.That(cluster.For("webhdfs://nn1:9870,nn2:9870/x"), Is.SameAs(fs), "the same NameNodes: the same client");
            var other = cluster.For("webhdfs://other:9870/x");
            Assert.That(other, Is.InstanceOf<WebHdfsClient>().And.Not.SameAs(fs));
            Assert.That(cluster.For("webhdfs://other:9870/y"), Is.SameAs(other), "made once, then kept");
            Assert.That(cluster.Resolve("/tmp/x").FileSystem, Is.SameAs(LocalFileSystem.Instance));
        }
        using var trainer = FileSystemRouter.ForProcess(log, webHdfsNameNodes: "", useFsShell: false);
        Assert.That(Assert.Throws<Streaming.Core.ConfigException>(() => trainer.For("hdfs://nn:8020/x"))!.Message, Does.Contain("no file system here handles"));
    }

    /// <summary>A commit that cannot store the file throws, and nothing appears; the uncommitted upload is killed.</summary>
    [TestCase("2.7.2")]
    [TestCase("3.3.6")]
    public void ACommitThatFailsThrowsAndLeavesNothing(string version)
    {
        var (fs, root) = Shell(version);
        // A file where the directory should be: -mkdir -p succeeds on neither generation, so Create fails before any write.
        File.WriteAllText(Path.Combine(root, "data", "blocked"), "");
        Assert.Throws<IOException>(() => fs.Create("hdfs://nn:8020/data/blocked", "x.bin"));
        // The parent is made when missing (FsShell's -put alone refuses a missing parent).
        using (var s = fs.Create("hdfs://nn:8020/data/new/deeper", "a.bin"))
        {
            s.Write("abc"u8);
            s.Commit();
        }
        Assert.That(File.ReadAllText(Path.Combine(root, "data", "new", "deeper", "a.bin")), Is.EqualTo("abc"));
        var failing = new HadoopShellFileSystem(Path.Combine(Repo.Root, "tests", "Support", "fakes", "hdfs"),
            new Dictionary<string, string> { ["FAKE_HDFS_ROOT"] = root, ["FAKE_HADOOP_VERSION"] = version, ["FAKE_HDFS_FAIL"] = "-put" });
        using (var s = failing.Create("/data", "c.bin"))
        {
            s.Write("abc"u8);
            Assert.That(Assert.Throws<IOException>(() => s.Commit())!.Message, Does.Contain("hdfs dfs -put /data/c.bin"));
        }
        Assert.That(Directory.GetFiles(Path.Combine(root, "data")).Select(Path.GetFileName), Is.EquivalentTo(new[] { "blocked" }));
    }

    private static byte[] ReadAll(Stream s)
    {
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
