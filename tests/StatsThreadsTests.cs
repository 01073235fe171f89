using System.Text;
using System.Text.Json;

namespace Streaming.Tests;

/// <summary>mapper stats --threads N gives the same exact statistics and accounting as one thread.</summary>
public class StatsThreadsTests
{
    [Test]
    public void ParallelWorkersAgreeWithOneThreadOnExactFieldsAndCounters()
    {
        // Adult enlarged ×6 in memory (≈ 24 MB, many 1 MiB blocks), with bad rows and a too-long line mixed in.
        var sb = new StringBuilder();
        var rows = File.ReadAllLines(Repo.Data("adult.data"));
        for (int rep = 0; rep < 6; rep++)
            foreach (var r in rows)
            {
                sb.Append(r).Append('\n');
                if (r.GetHashCode() % 997 == 0) sb.Append("broken,row\n");
            }
        sb.Append(new string('y', 2 << 20)).Append('\n');
        var input = Encoding.UTF8.GetBytes(sb.ToString());
        string[] args = ["stats", "--header", "none", "--columns", StatsJob.AdultColumns, "--max-bad-fraction", "0.05"];
        var one = Proc.Run(Repo.Mapper, args.Append("--threads").Append("1"), input);
        var two = Proc.Run(Repo.Mapper, args.Append("--threads").Append("3"), input);
        Assert.That(one.ExitCode, Is.EqualTo(0), one.Stderr);
        Assert.That(two.ExitCode, Is.EqualTo(0), two.Stderr);
        string Counters(string stderr) => string.Join("\n", stderr.Split('\n').Where(l => l.StartsWith("reporter:counter:")).Order());
        Assert.That(Counters(two.Stderr), Is.EqualTo(Counters(one.Stderr)));
        Assert.That(two.Stderr, Does.Contain("Malformed.LineTooLong,1"));
        var a = one.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = two.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(b, Has.Length.EqualTo(a.Length));
        for (int i = 0; i < a.Length; i++)
        {
            using var x = JsonDocument.Parse(a[i][(a[i].IndexOf('\t') + 1)..]);
            using var y = JsonDocument.Parse(b[i][(b[i].IndexOf('\t') + 1)..]);
            foreach (var f in new[] { "column", "count", "missing", "non_numeric", "kind", "distinct", "min", "max" })
                if (x.RootElement.TryGetProperty(f, out var v)) Assert.That(y.RootElement.GetProperty(f).ToString(), Is.EqualTo(v.ToString()), f);
            if (x.RootElement.TryGetProperty("mean", out var mean))
                Assert.That(y.RootElement.GetProperty("mean").GetDouble(), Is.EqualTo(mean.GetDouble()).Within(1e-9).Percent);
            if (!x.RootElement.GetProperty("top_truncated").GetBoolean())
                Assert.That(y.RootElement.GetProperty("top").ToString(), Is.EqualTo(x.RootElement.GetProperty("top").ToString()));
        }
    }
}
