using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Streaming.Core;
using Streaming.Hadoop;

namespace Streaming.Tests;

/// <summary>Every input row is either in the statistics or counted as rejected with its reason: rows in = ok + rejected.</summary>
public class MalformedRowsTests
{
    private static Dictionary<string, long> Counters(string stderr)
    {
        var d = new Dictionary<string, long>();
        foreach (Match m in Regex.Matches(stderr, @"^reporter:counter:Streaming,([^,]+),(\d+)$", RegexOptions.Multiline))
            d[m.Groups[1].Value] = d.GetValueOrDefault(m.Groups[1].Value) + long.Parse(m.Groups[2].Value);
        return d;
    }

    private static (byte[] Input, int Good, Dictionary<RejectReason, int> Bad) BuildInput()
    {
        var real = File.ReadLines(Repo.Data("blackfriday_sample.csv")).Take(3001).ToList();
        var ms = new MemoryStream();
        void Line(string s) => ms.Write(Encoding.UTF8.GetBytes(s + "\r\n"));
        var bad = new Dictionary<RejectReason, int>();
        void Bad(RejectReason r, Action write) { write(); bad[r] = bad.GetValueOrDefault(r) + 1; }
        Line(real[0]);
        int good = 0;
        for (int i = 1; i < real.Count; i++)
        {
            Line(real[i]);
            good++;
            switch (i % 300)
            {
                case 1: Bad(RejectReason.FieldCount, () => Line(real[i] + ",extra")); break;
                case 2: Bad(RejectReason.FieldCount, () => Line(string.Join(',', real[i].Split(',').Take(5)))); break;
                case 3: Bad(RejectReason.BadQuotes, () => Line("1000001,\"P00069042,F,0-17,10,A,2,0,3,,,8370")); break;
                case 4: Bad(RejectReason.InvalidUtf8, () => { ms.Write([0xff, 0xfe, 0x00, 0x80, (byte)',', 0xc3]); ms.Write("\n"u8); }); break;
                case 5: Bad(RejectReason.EmptyLine, () => Line("")); break;
                case 6:
                    // A quoted field with an embedded delimiter is valid CSV: it counts as a good row.
                    Line("1000002,\"P00,quoted\",M,55+,16,C,4+,0,8,,,7969"); good++; break;
            }
        }
        Bad(RejectReason.LineTooLong, () => Line(new string('x', 10 << 20)));
        Line(real[1]);
        good++;
        return (ms.ToArray(), good, bad);
    }

    [Test]
    public void RowsInEqualOkPlusRejectedPerReason()
    {
        var (input, good, bad) = BuildInput();
        var dir = Repo.TempDir("malformed");
        var env = new Dictionary<string, string> { ["mapreduce_task_output_dir"] = "file:" + dir, ["mapreduce_task_partition"] = "3", ["mapreduce_task_ismap"] = "true" };
        var r = Proc.Run(Repo.Mapper, new[] { "stats", "--columns", StatsJob.BlackFridayColumns, "--max-bad-fraction", "0.1" }, input, env);
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var c = Counters(r.Stderr);
        int rejected = bad.Values.Sum();
        Assert.That(c["RowsRead"], Is.EqualTo(good + rejected), "every line but the header is a row");
        Assert.That(c["RowsOk"], Is.EqualTo(good));
        Assert.That(c["MalformedRows"], Is.EqualTo(rejected));
        Assert.That(c["RowsOk"] + c["MalformedRows"], Is.EqualTo(c["RowsRead"]));
        Assert.That(c["HeaderLines"], Is.EqualTo(1));
        foreach (var (reason, n) in bad) Assert.That(c.GetValueOrDefault("Malformed." + reason), Is.EqualTo(n), reason.ToString());

        // Each column accounts for every good row; the quarantine holds every rejected row with its reason.
        foreach (var line in r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var doc = JsonDocument.Parse(line[(line.IndexOf('\t') + 1)..]);
            Assert.That(doc.RootElement.GetProperty("count").GetInt64() + doc.RootElement.GetProperty("missing").GetInt64(), Is.EqualTo(good));
        }
        var quarantine = File.ReadAllLines(Path.Combine(dir, "_rejects", "part-m-00003.tsv"));
        Assert.That(quarantine, Has.Length.EqualTo(rejected));
        foreach (var (reason, n) in bad) Assert.That(quarantine.Count(l => l.StartsWith(reason + "\t")), Is.EqualTo(n));
        Assert.That(r.Stderr, Does.Contain("Rejected row (FieldCount: 13 fields, expected 12)"));
    }

    [Test]
    public void TooManyBadRowsFailTheTaskWithOneClearLine()
    {
        var (input, _, _) = BuildInput();
        var r = Proc.Run(Repo.Mapper, new[] { "stats", "--columns", StatsJob.BlackFridayColumns }, input);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Failed));
        Assert.That(r.Stderr, Does.Contain("over --max-bad-fraction 0.01"));
        Assert.That(r.Stdout, Is.Empty, "no partial output from a failed task");
    }

    [TestCase("--header", "sideways", "--header must be auto|present|none")]
    [TestCase("--max-bad-fraction", "1.5", "--max-bad-fraction must be between 0 and 1")]
    [TestCase("--categorical", "NoSuchColumn", "--categorical names column 'NoSuchColumn'")]
    [TestCase("--delimiter", "ab", "--delimiter must be one ASCII character")]
    public void BadConfigurationIsOneErrorLineAndExitCode2(string option, string value, string message)
    {
        var input = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Repo.Data("blackfriday_sample.csv")).Take(50)));
        var r = Proc.Run(Repo.Mapper, new[] { "stats", option, value }, input);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain(message));
        Assert.That(r.Stdout, Is.Empty);
    }

    [Test]
    public void HeaderThatDoesNotMatchColumnsIsAConfigurationError()
    {
        var input = Encoding.UTF8.GetBytes(string.Join("\n", File.ReadLines(Repo.Data("blackfriday_sample.csv")).Take(50)));
        var r = Proc.Run(Repo.Mapper, new[] { "stats", "--header", "present", "--columns", StatsJob.AdultColumns }, input);
        Assert.That(r.ExitCode, Is.EqualTo(ExitCodes.Usage));
        Assert.That(r.Stderr, Does.Contain("header line does not match --columns"));
    }
}
