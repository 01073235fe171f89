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
            PendingOutput.Commit(s);
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
        Assert.That(FileSystems.ForDirectory("file:" + dir, remote: null), Is.SameAs(LocalFileSystem.Instance));
        Assert.That(FileSystems.ForDirectory("hdfs://nn:8020/x", remote: null), Is.SameAs(HadoopShellFileSystem.Instance));
        using (var s = LocalFileSystem.Instance.Create("file:" + dir, "p.txt"))
        {
            s.Write("x"u8);
            Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Has.None.EqualTo("p.txt"), "not under its name before the commit");
            PendingOutput.Commit(s);
        }
        Assert.That(Directory.GetFiles(dir).Select(Path.GetFileName), Is.EqualTo(new[] { "p.txt" }));
    }

    private static byte[] ReadAll(Stream s)
    {
        var ms = new MemoryStream();
        s.CopyTo(ms);
        return ms.ToArray();
    }
}
