using System.Text.Json;

namespace Streaming.Tests;

/// <summary>Each bad input or option gets one line on stderr and a documented exit code; legal extremes get an answer.</summary>
public class ClearAnswersTests
{
    private static void OneLine(ProcResult r, int exit, string contains)
    {
        Assert.That(r.ExitCode, Is.EqualTo(exit), r.Stderr);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("reporter:")).ToArray();
        Assert.That(lines, Has.Length.EqualTo(1), r.Stderr);
        Assert.That(lines[0], Does.Contain(contains));
        Assert.That(r.Stderr, Does.Not.Contain("   at "), "no stack trace");
    }

    [Test]
    public void HugeFiniteValuesGiveExactFiniteStatisticsNotACrash()
    {
        const string data = "a,b\n1e155,x\n-2e155,y\n3,z\n";
        var map = Proc.Run(Repo.Mapper, ["stats"], Proc.Utf8(data));
        Assert.That(map.ExitCode, Is.EqualTo(0), map.Stderr);
        // Two partials of each column merge (a reducer gets its input sorted by key).
        var sorted = string.Join("\n", (map.Stdout + map.Stdout).Split('\n', StringSplitOptions.RemoveEmptyEntries).Order(StringComparer.Ordinal)) + "\n";
        var reduce = Proc.Run(Repo.Reducer, ["stats"], Proc.Utf8(sorted));
        Assert.That(reduce.ExitCode, Is.EqualTo(0), reduce.Stderr);
        using var a = JsonDocument.Parse(reduce.Stdout.Split('\n').First(l => l.StartsWith("a\t")).Split('\t')[1]);
        Assert.That(a.RootElement.GetProperty("count").GetInt64(), Is.EqualTo(6));
        Assert.That(a.RootElement.GetProperty("max").GetDouble(), Is.EqualTo(1e155));
        Assert.That(a.RootElement.TryGetProperty("overflow", out _), Is.False, "(1e155)² is past double, but the exact sums hold it");
        // The same six values, checked by exact rational arithmetic in Python.
        var doubled = Path.Combine(Repo.TempDir("huge"), "doubled.csv");
        File.WriteAllText(doubled, data + string.Concat(data.Split('\n').Skip(1).Select(l => l.Length > 0 ? l + "\n" : "")));
        var py = Proc.Python("exact_moments.py", doubled);
        Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr);
        using var truth = JsonDocument.Parse(py.Stdout.Split('\n')[0]);
        foreach (var f in new[] { "mean", "std" })
            Assert.That(a.RootElement.GetProperty(f).GetDouble(),
                Is.EqualTo(double.Parse(truth.RootElement.GetProperty(f).GetString()!, System.Globalization.CultureInfo.InvariantCulture)), f);
    }

    [Test]
    public void TruncatedArtifactsAndMalformedOptionsAreOneLineAndExit2()
    {
        var dir = Repo.TempDir("clear");
        var shards = Path.Combine(dir, "shards");
        Directory.CreateDirectory(shards);
        File.WriteAllText(Path.Combine(shards, "_manifest.json"), "");
        File.WriteAllText(Path.Combine(shards, "_transform.json"), "{\"version\":1,");
        OneLine(Proc.Run(Repo.Trainer, "train", "--data", shards, "--model", Path.Combine(dir, "m")), 2, "_manifest.json");
        OneLine(Proc.Run(Repo.Trainer, "train", "--data", "webhdfs://::::/x", "--model", Path.Combine(dir, "m")), 2, "error");
        OneLine(Proc.Run(Repo.Runner, "generate", "--rows", "abc", "--output", Path.Combine(dir, "x.csv")), 2, "--rows needs a positive integer");
        OneLine(Proc.Run(Repo.Mapper, ["manifest", "--compression", "bogus"], Proc.Utf8("")), 2, "--compression must be gzip|zlib|none");
        OneLine(Proc.Run(Repo.Mapper, ["stats", "--columns", ""], Proc.Utf8("1,2\n")), 2, "--columns must be non-empty names");
        OneLine(Proc.Run(Repo.Mapper, ["stats", "--columns", ","], Proc.Utf8("1,2\n")), 2, "--columns must be non-empty names");
        OneLine(Proc.Run(Repo.Mapper, ["statz"], Proc.Utf8("")), 2, "'statz'");
        Assert.That(File.Exists(Path.Combine(dir, "x.csv")), Is.False);
    }
}
