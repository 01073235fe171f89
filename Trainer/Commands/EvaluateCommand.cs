using System.CommandLine;
using System.Text.Json;
using Streaming.Contract;
using Streaming.TfRecord;
using Streaming.Trainer.Compute;
using Streaming.Trainer.Data;
using Streaming.Trainer.Model;
using Streaming.Trainer.Training;

namespace Streaming.Trainer.Commands;

/// <summary><c>trainer evaluate</c>: a model scores a TFRecord set made with its transform plan; metrics as JSON on stdout.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true };
        var data = new Option<string>("--data") { Description = "Shards (directory or webhdfs:// URI) transformed with the model's plan", Required = true };
        var cmd = new Command("evaluate", "Score a TFRecord set and print its metrics as JSON");
        cmd.Options.Add(model);
        cmd.Options.Add(data);
        cmd.SetAction(r => TaskHost.Execute("trainer.evaluate", (logs, _) =>
        {
            var log = logs.CreateLogger("trainer");
            var (meta, net) = ModelFile.Load(r.GetValue(model)!, new CpuBackend());
            var (source, path, owner) = DataSources.Open(r.GetValue(data)!, log);
            using var __ = owner;
            var set = ShardSet.Open(source, path);
            var layout = new FeatureLayout(meta.Plan);
            if (set.LoadPlan().ToJson() != meta.Plan.ToJson())
                throw new ConfigException($"{r.GetValue(data)} was transformed with a different plan than the model's: transform it with the model's _transform.json");
            var loaded = new ShardLoader(layout, log).Load(set, 0, 0);
            var metrics = Scorer.Evaluate(net, loaded.Train);
            using var w = new Utf8JsonWriter(Console.OpenStandardOutput(), new JsonWriterOptions { Indented = true });
            w.WriteStartObject();
            foreach (var (k, v) in metrics) if (double.IsFinite(v)) w.WriteNumber(k, v);
            w.WriteEndObject();
            w.Flush();
            Console.Out.WriteLine();
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
