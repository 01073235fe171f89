using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// Peak memory of <c>mapper stats</c> is bounded whatever the input: 10 million distinct values in one column stay
/// under the documented 256 MB per map task (README "Memory").
/// </summary>
public class MemoryBoundTests
{
    public const long BoundBytes = 256L << 20;

    [Test]
    public void TenMillionDistinctValuesStayUnderTheBound()
    {
        var dir = Repo.TempDir("memory");
        var input = Path.Combine(dir, "distinct.csv");
        using (var w = new StreamWriter(input, false, new System.Text.UTF8Encoding(false), 1 << 20))
        {
            w.Write("id,group,amount\n");
            for (int i = 0; i < 10_000_000; i++)
            {
                w.Write("u");
                w.Write(i);
                w.Write(i % 7 == 0 ? ",a," : ",b,");
                w.Write(i % 1000);
                w.Write('\n');
            }
        }
        var r = Proc.Run("/usr/bin/time", ["-f", "maxrss_kb=%M", Repo.Mapper, "stats"], File.ReadAllBytes(input));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        long peakKb = long.Parse(System.Text.RegularExpressions.Regex.Match(r.Stderr, @"maxrss_kb=(\d+)").Groups[1].Value);
        TestContext.Out.WriteLine($"mapper stats peak RSS on 10M distinct values: {peakKb / 1024} MB");
        Assert.That(peakKb * 1024, Is.LessThan(BoundBytes));

        var id = r.Stdout.Split('\n').First(l => l.StartsWith("id\t"));
        using var doc = JsonDocument.Parse(id[3..]);
        Assert.That(doc.RootElement.GetProperty("count").GetInt64(), Is.EqualTo(10_000_000));
        Assert.That(doc.RootElement.GetProperty("top_truncated").GetBoolean());
        Assert.That(doc.RootElement.GetProperty("distinct").GetInt64(), Is.EqualTo(10_000_000).Within(2).Percent);
        Assert.That(doc.RootElement.GetProperty("top").GetArrayLength(), Is.LessThanOrEqualTo(10_000));
        Assert.That(id.Length, Is.LessThan(2_000_000), "a partial stays small");
        File.Delete(input);
    }
}
