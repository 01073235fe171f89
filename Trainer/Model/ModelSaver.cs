using Streaming.Contract;
using Streaming.Model;
using TorchSharp;
using TorchSharp.PyBridge;

namespace Streaming.Trainer.Model;

/// <summary>
/// Writes a trained model directory: weights.bin (the libtorch-free scorer's format), model.pt (the same tensors as a
/// PyTorch state_dict, through TorchSharp.PyBridge, for torch.load + load_state_dict in Python), metrics.json,
/// training-curve.svg, and model.json last (see <see cref="ModelFile"/>). Every file goes through a temporary name.
/// </summary>
public static class ModelSaver
{
    public const string StateDictName = "model.pt";
    public const string Files = "model.json, weights.bin, model.pt, metrics.json, training-curve.svg";

    /// <summary>Fails before any work when the model directory cannot be written (not after the last epoch).</summary>
    public static void CheckWritable(string dir)
    {
        try
        {
            Directory.CreateDirectory(dir);
            var probe = Path.Combine(dir, $".write-probe-{Environment.ProcessId}");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"--model {dir}: cannot write there ({e.Message})");
        }
    }

    public static void Save(string dir, ModelFile meta, TabularNet net, string metricsJson, string curveSvg)
    {
        Directory.CreateDirectory(dir);
        net.cpu();   // state_dict files hold CPU tensors, whatever device trained them
        var tmp = Path.Combine(dir, "." + StateDictName + ".tmp");
        net.save_py(tmp);
        File.Move(tmp, Path.Combine(dir, StateDictName), true);
        AtomicFile.WriteAllText(Path.Combine(dir, "metrics.json"), metricsJson);
        AtomicFile.WriteAllText(Path.Combine(dir, "training-curve.svg"), curveSvg);
        ModelFile.Save(dir, meta, net.Weights());
    }
}
