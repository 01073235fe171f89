using System.Diagnostics;
using Streaming.Storage;

namespace Streaming.Benchmarks;

/// <summary>
/// The WebHDFS read comparison: <c>serve FILE</c> holds the file in the contract-following WebHDFS server and prints
/// its NameNode address; <c>read URI</c> streams it with our client and prints MB/s (curl reads the same URL).
/// </summary>
public static class WebHdfsBench
{
    public static int Serve(string file)
    {
        using var server = new Tests.WebHdfsTestServer();
        using (var c = new WebHdfsClient(new WebHdfsOptions { NameNodes = [server.Active], User = "bench" }))
            c.Create("/bench/data", () => File.OpenRead(file));
        Console.WriteLine(server.Active);
        Console.Out.Flush();
        Console.In.ReadLine();   // until stdin closes
        return 0;
    }

    /// <summary>Reads the file <paramref name="times"/> times over, one after the other, with one client.</summary>
    public static int Read(string uri, int times)
    {
        var (o, path) = WebHdfsOptions.Parse(uri);
        using var c = new WebHdfsClient(o);
        var sw = Stopwatch.StartNew();
        long n = 0;
        var buf = new byte[1 << 20];
        for (int t = 0; t < times; t++)
        {
            using var s = c.OpenRead(path);
            int r;
            while ((r = s.Read(buf, 0, buf.Length)) > 0) n += r;
        }
        Console.WriteLine($"{n} bytes in {sw.Elapsed.TotalSeconds:F3} s: {n / 1e6 / sw.Elapsed.TotalSeconds:F1} MB/s");
        return 0;
    }
}
