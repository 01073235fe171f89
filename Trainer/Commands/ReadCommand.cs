using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Streaming.Trainer.Training;
using Streaming.Core;
using Streaming.Storage;
using Streaming.Data;
using Streaming.Hadoop;

namespace Streaming.Trainer.Commands;

/// <summary>
/// <c>trainer read</c>: one epoch of the training input pipeline with no model (what tf.data's benchmarks measure):
/// shards read, CRC-checked, decoded, interleaved, shuffled and batched exactly as <c>train</c> would, with the same
/// <c>--cache</c> and <c>--shuffle-buffer</c> choice. Prints examples/s on stdout: if it is far above the training
/// rate, the device is never starved by its input. Loads no libtorch.
/// </summary>
public static class ReadCommand
{
    public static Command Create()
    {
        var data = new Option<string>("--data") { Description = "Shards: a directory or webhdfs://nn:9870/path", Required = true };
        var batch = new Option<int>("--batch-size") { DefaultValueFactory = _ => 512 };
        var cache = new Option<string>("--cache") { Description = "auto, on or off, as train", DefaultValueFactory = _ => "off" };
        var shuffleBuffer = new Option<int>("--shuffle-buffer") { Description = "As train (0 = sized to memory)", DefaultValueFactory = _ => 0 };
        var epochs = new Option<int>("--epochs") { DefaultValueFactory = _ => 1 };
        var allowMissing = DataSources.AllowMissingManifestOption();
        var kerberos = new DataSources.KerberosOptions();
        var cmd = new Command("read", "Run the training input pipeline without a model and print its examples/s");
        foreach (var o in new Option[] { data, batch, cache, shuffleBuffer, epochs, allowMissing }) cmd.Options.Add(o);
        kerberos.AddTo(cmd);
        cmd.SetAction(r => TaskHost.Execute("trainer.read", (logs, _) =>
        {
            kerberos.Apply(r);
            var log = logs.CreateLogger("trainer");
            var options = new TrainOptions
            {
                BatchSize = r.GetValue(batch) > 0 ? r.GetValue(batch) : throw new ConfigException("--batch-size must be positive"),
                Cache = r.GetValue(cache) is "auto" or "on" or "off" ? r.GetValue(cache)! : throw new ConfigException("--cache must be auto, on or off"),
                ShuffleBuffer = r.GetValue(shuffleBuffer) >= 0 ? r.GetValue(shuffleBuffer) : throw new ConfigException("--shuffle-buffer must be 0 or more"),
                Epochs = r.GetValue(epochs) > 0 ? r.GetValue(epochs) : throw new ConfigException("--epochs must be positive"),
            };
            var set = DataSources.OpenShards(r.GetValue(data)!, r.GetValue(allowMissing), log);
            var layout = new FeatureLayout(set.LoadPlan());
            var sw = Stopwatch.StartNew();
            var (train, _) = TrainingInputs.Open(set, null, layout, 0, options, TrainingInputs.InMemory(set, layout, options), log);
            double load = sw.Elapsed.TotalSeconds;
            for (int epoch = 1; epoch <= options.Epochs; epoch++)
            {
                sw.Restart();
                long examples = 0;
                double checksum = 0;
                foreach (var b in train.Epoch(epoch, options.BatchSize, shuffle: true))
                {
                    examples += b.Size;
                    checksum += b.Labels[0];   // touch the batch, as a consumer would
                }
                double s = sw.Elapsed.TotalSeconds;
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"epoch {epoch}: {examples:N0} examples in {s:F2} s: {examples / Math.Max(1e-9, s):N0} examples/s (load {load:F2} s; label checksum {checksum:G6})"));
            }
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
