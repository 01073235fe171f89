using System.CommandLine;
using Streaming.Contract;
using Streaming.Transform;

namespace Streaming.Mapper;

/// <summary><c>mapper manifest</c>: the transform job's manifest lines (its part-* outputs) → <c>_manifest.json</c>.</summary>
internal static class ManifestCommand
{
    public static Command Create()
    {
        var output = new Option<string?>("--output", "-o") { Description = "Where to write _manifest.json (default: stdout)" };
        var compression = new Option<string>("--compression") { Description = "Compression of the shards", DefaultValueFactory = _ => "gzip" };
        var cmd = new Command("manifest", "Combine the transform job's manifest lines (stdin) into _manifest.json");
        cmd.Options.Add(output);
        cmd.Options.Add(compression);
        cmd.SetAction(r => TaskHost.Execute("mapper.manifest", (_, _) =>
        {
            TfRecord.TfRecordCompressionExtensions.Parse(r.GetValue(compression)!);   // exit 2 on an unknown name, before reading
            var shards = new List<ShardInfo>();
            string? line;
            int n = 0;
            while ((line = Console.In.ReadLine()) is not null)
            {
                n++;
                if (line.Length == 0) continue;
                // A shard record is the value of a reducer's line, or a whole line when it has no key.
                var record = KeyValueLine.Split(line, out _, out var value) ? value : line;
                try { shards.Add(ShardInfo.FromJson(record)); }
                catch (System.Text.Json.JsonException e) { throw new DataException($"manifest line {n} is not a shard record: {e.Message}"); }
            }
            var json = JobManifest.FromShards(shards, r.GetValue(compression)!).ToJson() + "\n";
            if (r.GetValue(output) is { } path) AtomicFile.WriteAllText(path, json); else Console.Out.Write(json);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
