using Microsoft.Extensions.Logging;
using TorchSharp;
using TorchSharp.PyBridge;
using Streaming.Core;
using Streaming.Model;

namespace Streaming.Trainer.Model;

/// <summary>
/// Writes a trained model directory: weights.bin (the libtorch-free scorer's format), model.pt (the same tensors as a
/// PyTorch state_dict, through TorchSharp.PyBridge, for torch.load + load_state_dict in Python), metrics.json,
/// training-curve.svg and model.json (see <see cref="ModelFile"/>), staged beside the destination and swapped in whole.
/// </summary>
public static class ModelSaver
{
    public const string StateDictName = "model.pt";
    public const string Files = "model.json, weights.bin, model.pt, metrics.json, training-curve.svg, events.out.tfevents.*";

    /// <summary>
    /// Fails before any work when the model cannot be saved (not after the last epoch): the directory's parent must
    /// take a staging directory, and an existing <paramref name="dir"/> must be a model directory (it is replaced
    /// whole; anything else there is not ours to remove).
    /// </summary>
    public static void CheckWritable(string dir)
    {
        var full = Path.GetFullPath(dir);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !File.Exists(Path.Combine(full, ModelFile.MetaName)))
            throw new ConfigException($"--model {dir}: exists and is not a model directory (no {ModelFile.MetaName}): refusing to replace it");
        if (File.Exists(full)) throw new ConfigException($"--model {dir}: is a file");
        // Probe the nearest existing ancestor (creating nothing that would outlive the check).
        var existing = Path.GetDirectoryName(full);
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new ConfigException($"--model {dir}: cannot write there ({existing} is a file)");
            existing = Path.GetDirectoryName(existing);
        }
        var probe = Path.Combine(existing ?? "/", $".streaming-write-probe-{Environment.ProcessId}");
        try
        {
            Directory.CreateDirectory(probe);
            File.WriteAllText(Path.Combine(probe, "probe"), "");
            Directory.Delete(probe, true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"--model {dir}: cannot write there ({e.Message})");
        }
    }

    private static string Staging(string full) =>
        Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.staging-{Environment.ProcessId}");

    /// <summary>
    /// Writes the whole directory beside its destination, then swaps it in with renames: a reader sees the old model
    /// or the new one, never a mix (a save killed half-way leaves only the staging directory).
    /// </summary>
    /// <param name="extraFiles">Files copied into the directory with the rest (the TensorBoard event file).</param>
    public static void Save(string dir, ModelFile meta, TabularNet net, string metricsJson, string curveSvg, IReadOnlyList<string>? extraFiles = null)
    {
        var full = Path.GetFullPath(dir);
        var staging = Staging(full);
        var old = Path.Combine(Path.GetDirectoryName(full)!, $".{Path.GetFileName(full)}.old-{Environment.ProcessId}");
        try
        {
            if (Directory.Exists(staging)) Directory.Delete(staging, true);
            Directory.CreateDirectory(staging);
            net.cpu();   // state_dict files hold CPU tensors, whatever device trained them
            net.save_py(Path.Combine(staging, StateDictName));
            File.WriteAllText(Path.Combine(staging, "metrics.json"), metricsJson);
            File.WriteAllText(Path.Combine(staging, "training-curve.svg"), curveSvg);
            ModelFile.Save(staging, meta, net.Weights());
            foreach (var f in extraFiles ?? []) File.Copy(f, Path.Combine(staging, Path.GetFileName(f)));
            if (Directory.Exists(full))
            {
                Directory.Move(full, old);
                Directory.Move(staging, full);
            }
            else Directory.Move(staging, full);
        }
        catch
        {
            // Nothing of a failed save stays behind, and the previous model is where it was.
            Quietly(() => { if (Directory.Exists(staging)) Directory.Delete(staging, true); });
            Quietly(() => { if (Directory.Exists(old) && !Directory.Exists(full)) Directory.Move(old, full); });
            throw;
        }
        // The new model is in place; the old one goes (a kill now leaves it hidden, for the next run to remove: RemoveStale).
        Quietly(() => { if (Directory.Exists(old)) Directory.Delete(old, true); });
    }

    /// <summary>
    /// Removes what killed or failed saves of <paramref name="dir"/> left beside it (staging and replaced model
    /// directories of processes that are gone); logs each.
    /// </summary>
    public static void RemoveStale(string dir, ILogger log)
    {
        foreach (var p in AtomicFile.RemoveStale(dir, "staging", "old"))
            log.LogInformation("removed {Path}, left by an earlier save that did not finish", p);
    }

    private static void Quietly(Action action)
    {
        try { action(); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
