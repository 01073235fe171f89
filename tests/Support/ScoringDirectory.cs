using System.Text;

namespace Streaming.Tests;

/// <summary>
/// Batch scoring of a directory of three files — a.csv with a byte order mark, b.csv without a final line end,
/// c.csv.gz — the weather rows split among them, each with the header: written by <see cref="Write"/>, and the output
/// checked by <see cref="Verify"/> (every row exactly once under its file and position, equal to trainer predict on
/// that file, with its id column and line, and the schema), for the local run and for the cluster scripts alike.
/// </summary>
public static class ScoringDirectory
{
    public static string[] Rows => File.ReadAllLines(Repo.Data("seattle-weather.csv"));

    public static readonly (string Name, Range Rows)[] Files = [("a.csv", 1..520), ("b.csv", 520..1000), ("c.csv.gz", 1000..)];

    /// <summary>The three files in <paramref name="dir"/>.</summary>
    public static void Write(string dir)
    {
        var rows = Rows;
        Directory.CreateDirectory(dir);
        string Text((string Name, Range Rows) f) => string.Join("\n", rows[f.Rows].Prepend(rows[0]));
        File.WriteAllText(Path.Combine(dir, "a.csv"), Text(Files[0]) + "\n", new UTF8Encoding(true));
        File.WriteAllText(Path.Combine(dir, "b.csv"), Text(Files[1]));   // no final line end
        using var gz = new System.IO.Compression.GZipStream(File.Create(Path.Combine(dir, "c.csv.gz")), System.IO.Compression.CompressionLevel.Optimal);
        gz.Write(Encoding.UTF8.GetBytes(Text(Files[2]) + "\n"));
    }

    /// <summary>
    /// The scoring output of <see cref="Write"/>'s files (scored with <c>--id-columns date --keep-input</c>) in
    /// <paramref name="output"/>; <paramref name="inputUri"/>: the directory as the tasks named their input files.
    /// </summary>
    public static void Verify(string output, string inputUri, string model, int minParts)
    {
        var rows = Rows;
        var parts = Directory.GetFiles(output, "part-*").Order(StringComparer.Ordinal).ToArray();
        Assert.That(parts, Has.Length.GreaterThanOrEqualTo(minParts), "several map tasks");
        var lines = parts.SelectMany(File.ReadAllLines).Select(l => l.Split('\t')).ToList();
        Assert.That(lines, Has.Count.EqualTo(rows.Length - 1), "one line per input row");
        var keys = lines.Select(f => (f[0], long.Parse(f[1]), long.Parse(f[2]))).ToList();
        Assert.That(keys.Distinct().Count(), Is.EqualTo(keys.Count), "every key names one row: 0 duplicated");
        var plainDir = Repo.TempDir("score-plain");
        foreach (var (name, range) in Files)
        {
            var expected = rows[range];
            var mine = lines.Where(f => f[0] == inputUri.TrimEnd('/') + "/" + name).OrderBy(f => long.Parse(f[1])).ThenBy(f => long.Parse(f[2])).ToList();
            Assert.That(mine, Has.Count.EqualTo(expected.Length), $"{name}: 0 missing");
            var plain = Path.Combine(plainDir, name.Replace(".gz", ""));
            File.WriteAllLines(plain, expected.Prepend(rows[0]));
            var reference = Proc.Run(Repo.Trainer, "predict", "--model", model, "--input", plain);
            Assert.That(reference.ExitCode, Is.EqualTo(0), reference.Stderr);
            Assert.That(mine.Select(f => f[3]), Is.EqualTo(reference.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), $"{name}: trainer predict's answers, row for row");
            Assert.That(mine.Select(f => f[4]), Is.EqualTo(expected.Select(l => l.Split(',')[0])), $"{name}: --id-columns date");
            Assert.That(mine.Select(f => f[5]), Is.EqualTo(expected), $"{name}: --keep-input");
        }
        var schema = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "_schema.json"))).RootElement;
        Assert.That(schema.GetProperty("columns").EnumerateArray().Select(e => e.GetString()),
            Is.EqualTo(new[] { "input_file", "split_start", "row", "prediction", "id:date", "input_line" }));
        Assert.That(schema.GetProperty("prediction").GetString(), Does.Contain("most probable class of 'weather'"));
        TestContext.Out.WriteLine($"{parts.Length} map tasks, {lines.Count} lines for {rows.Length - 1} rows, {keys.Count - keys.Distinct().Count()} duplicated keys");
    }
}
