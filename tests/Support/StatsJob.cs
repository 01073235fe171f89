using System.Text.Json;
using Streaming.Stats;
using Streaming.Hadoop;
using Streaming.Jobs;

namespace Streaming.Tests;

/// <summary>Runs the statistics job (mapper + combiner + reducer) through the local runner, as a user would.</summary>
public static class StatsJob
{
    public const string AdultColumns = "age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income";
    public const string BlackFridayColumns = "User_ID,Product_ID,Gender,Age,Occupation,City_Category,Stay_In_Current_City_Years,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3,Purchase";

    public sealed record Result(ProcResult Process, string OutputDir, Dictionary<string, ColumnStats> Columns, Dictionary<string, JsonElement> Json, JsonDocument Counters);

    public static Result Run(string input, string mapperArgs, long blockSize, int reducers = 2, bool combiner = true)
    {
        var dir = Repo.TempDir("stats");
        var outDir = Path.Combine(dir, "out");
        var counters = Path.Combine(dir, "counters.json");
        var args = new List<string> { "-D", $"fs.local.block.size={blockSize}", "-input", input, "-output", outDir,
            "-mapper", $"'{Repo.Mapper}' stats {mapperArgs}", "-reducer", $"'{Repo.Reducer}' stats",
            "-numReduceTasks", reducers.ToString(), "-countersFile", counters };
        if (combiner) args.AddRange(["-combiner", $"'{Repo.Reducer}' stats"]);
        var p = Proc.Run(Repo.Runner, args);
        Assert.That(p.ExitCode, Is.EqualTo(0), p.Stderr);
        var lines = Directory.GetFiles(outDir, "part-*").Order().SelectMany(File.ReadLines).ToList();
        var stats = StatisticsArtifact.Read(lines).ToDictionary(s => s.Name);
        var json = lines.Select(l => JsonDocument.Parse(l[(l.IndexOf('\t') + 1)..]).RootElement).ToDictionary(e => e.GetProperty("column").GetString()!);
        return new Result(p, outDir, stats, json, JsonDocument.Parse(File.ReadAllText(counters)));
    }

    public static long Counter(this Result r, string group, string name) =>
        r.Counters.RootElement.TryGetProperty(group, out var g) && g.TryGetProperty(name, out var v) ? v.GetInt64() : 0;
}
