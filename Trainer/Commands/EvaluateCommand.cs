using System.CommandLine;
using System.Text.Json;
using Streaming.Trainer.Training;
using Streaming.Core;
using Streaming.Storage;
using Streaming.Data;
using Streaming.Model;
using Streaming.Hadoop;

namespace Streaming.Trainer.Commands;

/// <summary><c>trainer evaluate</c>: a model scores a TFRecord set made with its transform plan; metrics as JSON on stdout.</summary>
public static class EvaluateCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Required = true };
        var data = new Option<string>("--data") { Description = "Shards (directory or webhdfs:// URI) transformed with the model's plan", Required = true };
        var device = new Option<string>("--device") { Description = "auto (CUDA when available), cpu, cuda or cuda:N", DefaultValueFactory = _ => "auto" };
        var threads = new Option<int>("--threads") { Description = "libtorch CPU threads (default: all cores)", DefaultValueFactory = _ => 0 };
        var allowMissing = DataSources.AllowMissingManifestOption();
        var kerberos = new DataSources.KerberosOptions();
        var libtorch = TorchDevice.LibTorchOption();
        var cmd = new Command("evaluate", "Score a TFRecord set and print its metrics as JSON");
        foreach (var o in new Option[] { model, data, device, threads, allowMissing }) cmd.Options.Add(o);
        kerberos.AddTo(cmd);
        cmd.Options.Add(libtorch);
        cmd.SetAction(r => TaskHost.Execute("trainer.evaluate", (logs, _) =>
        {
            kerberos.Apply(r);
            TorchDevice.ApplyLibTorch(r, libtorch);
            var log = logs.CreateLogger("trainer");
            TorchDevice.Validate(r.GetValue(device)!);
            using var engine = ModelEngine.Open(r.GetValue(model)!, "libtorch", r.GetValue(device)!, r.GetValue(threads), log);
            var shards = OpenShards(r.GetValue(data)!, r.GetValue(allowMissing), engine.Meta, log);
            var accumulator = new MetricsAccumulator(engine.Meta.Spec.Task, engine.Meta.Spec.Outputs);
            engine.ScoreBatches(shards, (b, scores) => accumulator.Add(scores, b.Labels.AsSpan(0, b.Size)));
            var metrics = accumulator.Result();
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

    /// <summary>A shard set made with the model's plan, streamed in its fixed order (memory independent of its size).</summary>
    public static IExampleSource OpenShards(string location, bool allowMissingManifest, ModelFile meta, Microsoft.Extensions.Logging.ILogger log)
    {
        var set = DataSources.OpenShards(location, allowMissingManifest, log);
        if (set.LoadPlan().ToJson() != meta.Plan.ToJson())
            throw new ConfigException($"{location} was transformed with a different plan than the model's: transform it with the model's _transform.json");
        var stream = new ShardStream(set, new FeatureLayout(meta.Plan), ValidationSplit.None, SplitSide.Train);
        return new StreamingSource(stream, 0, 0, set.Manifest?.Shards.Sum(s => s.Records));
    }
}
