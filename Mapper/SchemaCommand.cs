using System.CommandLine;
using Streaming.Contract;
using Streaming.Stats;
using Streaming.Validation;

namespace Streaming.Mapper;

/// <summary><c>mapper schema</c>: a statistics artifact → the schema it satisfies (JSON, to keep and edit).</summary>
internal static class SchemaCommand
{
    public static Command Create()
    {
        var stats = new Option<string>("--stats") { Description = "Statistics artifact: a file, or a job output directory (part-* files)", Required = true };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write schema.json (default: stdout)" };
        var cmd = new Command("schema", "Infer a data schema (kinds, missing fractions, ranges, domains, drift thresholds) from statistics");
        cmd.Options.Add(stats);
        cmd.Options.Add(output);
        cmd.SetAction(r => TaskHost.Execute("mapper.schema", (_, _) =>
        {
            var json = Schema.Infer(StatsJson.ReadArtifact(r.GetValue(stats)!, "--stats")).ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json); else Console.Out.Write(json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
