using System.Text;

namespace Streaming.Tests;

/// <summary>
/// Prediction reads its input by column name, answers every row with one line (a prediction or the reason it has
/// none), and refuses bad input up front; a UTF-8 byte order mark never becomes part of a column name.
/// </summary>
public class PredictInputTests
{
    private static readonly Lazy<string> Model = new(() =>
    {
        var outDir = Path.Combine(Repo.TempDir("predict-input"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", Repo.Data("seattle-weather.csv"), "--label", "weather", "--drop", "date",
            "--scale", "zscore", "--train", "--epochs 3 --hidden 16 --seed 4");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return Path.Combine(outDir, "model");
    });

    private static string[] Rows => File.ReadAllLines(Repo.Data("seattle-weather.csv"));

    private static ProcResult Predict(string csv, params string[] extra) =>
        Proc.Run(Repo.Trainer, new[] { "predict", "--model", Model.Value, "--input", csv }.Concat(extra));

    private static string Write(string name, IEnumerable<string> lines, bool bom = false)
    {
        var path = Path.Combine(Repo.TempDir("pi"), name);
        File.WriteAllText(path, string.Join("\n", lines) + "\n", new UTF8Encoding(bom));
        return path;
    }

    /// <summary>The rows with their columns picked and ordered by <paramref name="order"/> (indices into the original).</summary>
    private static IEnumerable<string> Reordered(int[] order) => Rows.Select(l => l.Split(',')).Select(f => string.Join(",", order.Select(i => i < 0 ? "x" : f[i])));

    [Test]
    public void ColumnsAreMatchedByHeaderNameTheLabelIsOptionalAndExtraColumnsAreIgnored()
    {
        var expected = Predict(Repo.Data("seattle-weather.csv"));
        Assert.That(expected.ExitCode, Is.EqualTo(0), expected.Stderr);
        // wind, an extra column, temp_min, precipitation, temp_max, date; no weather (the label).
        var lines = Reordered([4, -1, 3, 1, 2, 0]).ToArray();
        lines[0] = "wind,extra,temp_min,precipitation,temp_max,date";
        var got = Predict(Write("reordered.csv", lines, bom: true));
        Assert.That(got.ExitCode, Is.EqualTo(0), got.Stderr);
        Assert.That(got.Stdout, Is.EqualTo(expected.Stdout), "same predictions whatever the column order");
        Assert.That(got.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(Rows.Length - 1), "the header is not scored");
        Assert.That(got.Stderr, Does.Contain("matched by header name"));
    }

    [Test]
    public void NumbersOutsideTheTrainingRangeAreScoredAndCountedPerColumn()
    {
        // Seattle 2012–2015: precipitation 0–55.9 mm, temp_max −1.6–35.6 °C, wind 0.4–9.5 m/s.
        var lines = new[]
        {
            "date,precipitation,temp_max,temp_min,wind",
            "2016-01-01,0.0,12.8,5.0,4.7",      // inside
            "2016-01-02,80.5,12.8,5.0,4.7",     // precipitation above its maximum
            "2016-01-03,1.0,41.0,5.0,12.5",     // temp_max and wind above theirs
            "2016-01-04,1.0,-9.0,5.0,4.7",      // temp_max below its minimum
            "2016-01-05,,12.8,5.0,4.7",         // missing: imputed, not out of range
        };
        var r = Predict(Write("outside.csv", lines));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(5), "every row scored");
        Assert.That(r.Stderr, Does.Contain("numbers outside the training range (scored; the bins hold them at the edge): precipitation 1 (20.0 %), temp_max 2 (40.0 %), wind 1 (20.0 %)"));
        Assert.That(r.Stderr, Does.Not.Contain("temp_min 1"));
    }

    [Test]
    public void ASemicolonFileIsScoredWithDelimiterAndRefusedWithAHintWithout()
    {
        var expected = Predict(Repo.Data("seattle-weather.csv"));
        Assert.That(expected.ExitCode, Is.EqualTo(0), expected.Stderr);
        var semi = Write("semi.csv", Rows.Select(l => l.Replace(',', ';')));
        var got = Predict(semi, "--delimiter", ";");
        Assert.That(got.ExitCode, Is.EqualTo(0), got.Stderr);
        Assert.That(got.Stdout, Is.EqualTo(expected.Stdout), "the same predictions as the comma file");
        Assert.That(got.Stderr, Does.Contain($"predicted {Rows.Length - 1:N0} rows"));
        var without = Predict(semi);
        Assert.That(without.ExitCode, Is.EqualTo(2), without.Stderr);
        Assert.That(without.Stderr.Trim(), Is.EqualTo("trainer predict: error: the input's first line is one field containing ';' where the model reads ','-separated columns: is ';' its delimiter? (--delimiter)"));
        Assert.That(without.Stdout, Is.Empty, "no rejected:FieldCount lines for a file read with the wrong delimiter");
        // Rejected rows are answered and counted apart from the predicted ones.
        var bad = Write("bad.csv", Rows.Take(4).Append("2016-01-01,not-a-number,1,1,1,rain"));
        var r = Predict(bad, "--max-bad-fraction", "0.5");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("predicted 3 rows (1 more rejected: their lines say why)"));
    }

    [Test]
    public void OutputFormatsNameTheirColumnsAndAnswerEveryRow()
    {
        var csv = Write("formats.csv", Rows.Take(4).Append("2016-01-01,not-a-number,1,1,1,rain"));
        var plain = Predict(csv, "--max-bad-fraction", "0.5").Stdout.Split('\n')[..^1];
        Assert.That(plain, Has.Length.EqualTo(4));
        Assert.That(plain[3], Is.EqualTo("rejected:BadValue"));
        var tsv = Predict(csv, "--max-bad-fraction", "0.5", "--output-format", "tsv");
        Assert.That(tsv.ExitCode, Is.EqualTo(0), tsv.Stderr);
        Assert.That(tsv.Stdout.Split('\n')[..^1], Is.EqualTo(new[] { "row\tweather\trejected" }.Concat(plain.Take(3).Select((p, i) => $"{i + 1}\t{p}\t")).Append("4\t\tBadValue")));
        var csvOut = Predict(csv, "--max-bad-fraction", "0.5", "--output-format", "csv");
        Assert.That(csvOut.Stdout.Split('\n')[0], Is.EqualTo("row,weather,rejected"));
        var jsonl = Predict(csv, "--max-bad-fraction", "0.5", "--output-format", "jsonl").Stdout.Split('\n')[..^1];
        Assert.That(jsonl[0], Is.EqualTo($"{{\"row\": 1, \"weather\": \"{plain[0]}\"}}"));
        Assert.That(jsonl[3], Is.EqualTo("{\"row\": 4, \"rejected\": \"BadValue\"}"));
        foreach (var line in jsonl) Assert.DoesNotThrow(() => System.Text.Json.JsonDocument.Parse(line));
        var bad = Predict(csv, "--output-format", "xml");
        Assert.That(bad.ExitCode, Is.EqualTo(2));
        Assert.That(bad.Stderr.Trim(), Is.EqualTo("trainer predict: error: --output-format must be plain, tsv, csv or jsonl, got 'xml'"));
    }

    [Test]
    public void AMissingFeatureColumnIsExit2NamingItAndNothingIsWritten()
    {
        var lines = Reordered([0, 1, 2, 3, 5]).ToArray();   // no wind
        lines[0] = "date,precipitation,temp_max,temp_min,weather";
        var output = Path.Combine(Repo.TempDir("pi-out"), "predictions.txt");
        var r = Predict(Write("nowind.csv", lines), "--output", output);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(r.Stderr, Does.Contain("lacks the model's feature column(s) wind"));
        Assert.That(File.Exists(output), Is.False, "no output file for a refused input");
    }

    [Test]
    public void WithoutAHeaderTheTrainingOrderIsUsedAndSaid()
    {
        var expected = Predict(Repo.Data("seattle-weather.csv"));
        var got = Predict(Write("noheader.csv", Rows.Skip(1)));
        Assert.That(got.ExitCode, Is.EqualTo(0), got.Stderr);
        Assert.That(got.Stdout, Is.EqualTo(expected.Stdout));
        Assert.That(got.Stderr, Does.Contain("no header line").And.Contain("training order"));
    }

    [Test]
    public void EveryRowGetsOneLineAndARejectedRowSaysWhy()
    {
        var lines = Rows.ToList();
        lines.Insert(5, "2012-01-05,1.0,oops");          // too few fields
        lines.Insert(9, "2012-01-08,abc,11.1,7.2,5.0,rain");   // not a number
        var r = Predict(Write("bad.csv", lines), "--max-bad-fraction", "0.5");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        var output = r.Stdout.Split('\n')[..^1];
        Assert.That(output, Has.Length.EqualTo(lines.Count - 1), "one line per data row");
        Assert.That(output[4], Is.EqualTo("rejected:FieldCount"));
        Assert.That(output[8], Is.EqualTo("rejected:BadValue"));
        Assert.That(output.Count(l => l.StartsWith("rejected:")), Is.EqualTo(2));
        Assert.That(output, Has.None.Empty);
    }

    [Test]
    public void BadOptionsAreExit2BeforeAnyOutputIsCreated()
    {
        var output = Path.Combine(Repo.TempDir("pi-opt"), "predictions.txt");
        var r = Predict(Repo.Data("seattle-weather.csv"), "--max-bad-fraction", "7", "--output", output);
        Assert.That(r.ExitCode, Is.EqualTo(2), r.Stderr);
        Assert.That(File.Exists(output), Is.False);
        var missing = Predict(Path.Combine(Repo.TempDir("pi-missing"), "nope.csv"));
        Assert.That(missing.ExitCode, Is.EqualTo(2), missing.Stderr);
        var noData = Proc.Run(Repo.Trainer, "train", "--data", "/nonexistent/shards", "--model", Path.Combine(Repo.TempDir("pi-m"), "m"));
        Assert.That(noData.ExitCode, Is.EqualTo(2), noData.Stderr);
        Assert.That(noData.Stderr, Does.Contain("no such directory"));
    }

    [Test]
    public void AByteOrderMarkIsNotPartOfTheFirstColumnName()
    {
        var csv = Encoding.UTF8.GetPreamble().Concat(Encoding.UTF8.GetBytes("a,b\n1,2\n3,4\n")).ToArray();
        var named = Proc.Run(Repo.Mapper, ["stats"], csv);
        Assert.That(named.ExitCode, Is.EqualTo(0), named.Stderr);
        Assert.That(named.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.Split('\t')[0]), Is.EquivalentTo(new[] { "a", "b" }));
        var given = Proc.Run(Repo.Mapper, ["stats", "--columns", "a,b"], csv);
        Assert.That(given.ExitCode, Is.EqualTo(0), given.Stderr);
        Assert.That(given.Stderr, Does.Contain("reporter:counter:Streaming,RowsRead,2"), "the header line is the header, not data");
    }

    /// <summary>
    /// A header naming a column twice is refused, naming it, by every command that reads a header: which of the two
    /// would a name mean? (It was read silently: predict used the first, statistics took the header for a data row.)
    /// </summary>
    [Test]
    public void AHeaderThatNamesAColumnTwiceIsExit2NamingIt()
    {
        // wind twice: the first is really the date's values.
        var rows = Rows.Select((l, i) => i == 0 ? l.Replace("date", "wind") : l).ToList();
        var csv = Write("dup.csv", rows);
        var predict = Predict(csv);
        Assert.That(predict.ExitCode, Is.EqualTo(2), predict.Stderr);
        Assert.That(predict.Stderr, Does.Contain("column 'wind' is named twice (columns 1 and 5)"));
        Assert.That(predict.Stdout, Is.Empty);

        var stats = Proc.Run(Repo.Mapper, new[] { "stats" }, File.ReadAllBytes(csv));
        Assert.That(stats.ExitCode, Is.EqualTo(2), stats.Stderr);
        Assert.That(stats.Stderr, Does.Contain("column 'wind' is named twice (columns 1 and 5)"));
        Assert.That(stats.Stdout, Is.Empty);

        var columns = Proc.Run(Repo.Mapper, new[] { "stats", "--columns", "date,precipitation,temp_max,temp_max,wind,weather" }, File.ReadAllBytes(Repo.Data("seattle-weather.csv")));
        Assert.That(columns.ExitCode, Is.EqualTo(2), columns.Stderr);
        Assert.That(columns.Stderr, Does.Contain("--columns: column 'temp_max' is named twice"));

        // The cluster scripts read the header themselves: refused before any job.
        var outDir = Path.Combine(Repo.TempDir("dup-pipeline"), "out");
        var pipeline = Pipeline.Run("--output", outDir, "--input", csv, "--label", "weather");
        Assert.That(pipeline.ExitCode, Is.EqualTo(2), pipeline.Stderr);
        Assert.That(pipeline.Stderr, Does.Contain("column 'wind' is named twice"));
        Assert.That(Directory.Exists(outDir), Is.False, "no job ran");
    }

    /// <summary>
    /// Batch scoring of a directory of three files (one gzip, one without a final line end, one with a BOM) in 6+ map
    /// tasks: every row's prediction is found exactly once under (input_file, split_start, row), equal to trainer
    /// predict on that file, in its order, with its id column and its line when asked; the schema says what is where.
    /// </summary>
    [Test]
    public void ScoringADirectoryNamesEveryRowByFileAndPosition()
    {
        var dir = Path.Combine(Repo.TempDir("score-dir"), "in");
        ScoringDirectory.Write(dir);
        var output = Path.Combine(Path.GetDirectoryName(dir)!, "scored");
        var s = Pipeline.Script("score.sh", "--input", dir, "--output", output, "--model", Model.Value, "--block-size", "8000",
            "--id-columns", "date", "--keep-input");
        Assert.That(s.ExitCode, Is.EqualTo(0), s.Stderr);
        ScoringDirectory.Verify(output, "file:" + dir, Model.Value, minParts: 6);
    }

    /// <summary>
    /// A semicolon file end to end: the pipeline reads its header with --delimiter (it split names on commas, so
    /// "'weather' is not a column (columns: date;precipitation;…)"), and a statistics task given it without the
    /// delimiter says the one-column header holds a ';'.
    /// </summary>
    [Test]
    public void ASemicolonFileRunsWithItsDelimiterAndIsNamedWithout()
    {
        var semi = Write("semi.csv", Rows.Select(l => l.Replace(',', ';')));
        var outDir = Path.Combine(Repo.TempDir("semi"), "out");
        var r = Pipeline.Run("--output", outDir, "--input", semi, "--label", "weather", "--drop", "date", "--delimiter", ";");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        Assert.That(File.ReadAllText(Path.Combine(outDir, "tfrecords", "_manifest.json")), Does.Contain("\"records\": 1461"));

        var plain = Proc.Run(Repo.Mapper, new[] { "stats" }, File.ReadAllBytes(semi));
        Assert.That(plain.Stderr, Does.Contain("the header is one column 'date;precipitation;temp_max;temp_min;wind;weather', which contains ';': is that the delimiter? (--delimiter)"));
    }
}
