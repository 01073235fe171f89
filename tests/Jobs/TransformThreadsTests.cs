using System.Text;
using System.Text.RegularExpressions;

namespace Streaming.Tests;

/// <summary>mapper transform --threads: the shard, its manifest line, the quarantine and the counters are those of one thread.</summary>
public partial class TransformThreadsTests
{
    [GeneratedRegex(@"^reporter:counter:Streaming,([^,]+),(-?\d+)$", RegexOptions.Multiline)]
    private static partial Regex Counter();

    private static Dictionary<string, long> Counters(string stderr) =>
        Counter().Matches(stderr).GroupBy(m => m.Groups[1].Value).ToDictionary(g => g.Key, g => g.Sum(m => long.Parse(m.Groups[2].Value)));

    [Test]
    public void AnyNumberOfThreadsWritesTheBytesOfOne()
    {
        var dir = Repo.TempDir("transform-threads");
        var stats = StatsJob.Run(Repo.Data("blackfriday_sample.csv"), "--columns " + StatsJob.BlackFridayColumns, 300_000);
        var plan = Path.Combine(dir, "_transform.json");
        Assert.That(Proc.Run(Repo.Mapper, "plan", "--stats", stats.OutputDir, "--label", "Purchase", "--header", "present",
            "--categorical", "User_ID,Product_ID,Occupation", "--numeric", "Product_Category_1", "--missing-indicator", "all", "--max-line-bytes", "4096", "-o", plan).ExitCode, Is.EqualTo(0));

        // 40 copies of the sample (≈ 36 MB: several 4 MiB blocks), with every kind of bad row spread through it:
        // a wrong field count, a bad label, a line over the limit, an empty line, a bad number, and CRLF endings.
        var sample = File.ReadAllLines(Repo.Data("blackfriday_sample.csv"));
        var input = new StringBuilder(sample[0]).Append('\n');
        for (int copy = 0; copy < 40; copy++)
            for (int i = 1; i < sample.Length; i++)
            {
                input.Append(sample[i]).Append(i % 997 == 0 ? "\r\n" : "\n");
                if (i == 1000 + copy * 97) input.Append("1000001,P00069042,F,0-17\n");
                if (i == 2000 + copy * 89) input.Append("1000001,P00069042,F,0-17,10,A,2,0,3,,,not-a-price\n");
                if (i == 3000 + copy * 83) input.Append(new string('x', 9000)).Append('\n');
                if (i == 4000 + copy * 79) input.Append('\n');
                if (i == 5000 + copy * 73) input.Append("1000001,P00069042,F,0-17,10,A,2,0,abc,,,8370\n");
            }
        var bytes = Encoding.UTF8.GetBytes(input.ToString());

        (string Shard, string Stdout, string Rejects, Dictionary<string, long> Counters) Run(int threads)
        {
            var task = Path.Combine(dir, $"t{threads}");
            var env = new Dictionary<string, string>
            {
                ["mapreduce_task_output_dir"] = task, ["mapreduce_task_partition"] = "0", ["mapreduce_task_ismap"] = "true",
            };
            var r = Proc.Run(Repo.Mapper, new[] { "transform", "--plan", plan, "--threads", threads.ToString(), "--max-bad-fraction", "0.5" }, bytes, env);
            Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
            Assert.That(r.Stderr, Does.Contain(threads == 1 ? "(1 thread)" : $"({threads} threads)"), "the count said in words a person reads");
            return (Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(Path.Combine(task, "part-m-00000.tfrecord.gz")))),
                r.Stdout, File.ReadAllText(Path.Combine(task, "_rejects", "part-m-00000.tsv")), Counters(r.Stderr));
        }

        var one = Run(1);
        Assert.That(one.Counters["MalformedRows"], Is.EqualTo(40 * 5), "every bad row was seen");
        Assert.That(one.Rejects.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(40 * 5));
        foreach (int threads in new[] { 2, 3 })
        {
            var many = Run(threads);
            Assert.That(many.Shard, Is.EqualTo(one.Shard), $"{threads} threads: the shard");
            Assert.That(many.Stdout, Is.EqualTo(one.Stdout), $"{threads} threads: the manifest line");
            Assert.That(many.Rejects, Is.EqualTo(one.Rejects), $"{threads} threads: the quarantine, in input order");
            Assert.That(many.Counters, Is.EquivalentTo(one.Counters), $"{threads} threads: the counters");
        }
    }
}
