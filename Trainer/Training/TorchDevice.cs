using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;
using Streaming.Core;
using Streaming.Hadoop;

namespace Streaming.Trainer.Training;

/// <summary>
/// Picks the device for <c>--device auto|cpu|cuda|cuda:N</c> and sets libtorch's CPU threads. The model and every
/// batch live on that device. libtorch's own OpenMP default collapses under CPU contention (a YARN node is shared),
/// so the thread count is always set explicitly.
/// </summary>
public static class TorchDevice
{
#if TORCH_CUDA
    public const string Build = "cuda";
#else
    public const string Build = "cpu";
#endif

    [System.Runtime.InteropServices.DllImport("libc.so.6", EntryPoint = "setenv")]
    private static extern int SetEnv(string name, string value, int overwrite);

    /// <summary>
    /// <c>--deterministic</c>: MKL's strict conditional numerical reproducibility (MKL_CBWR=AUTO,STRICT) makes its GEMMs
    /// sum in the same order whatever the thread count, so the same seed and data give bit-identical weights on 1 or N
    /// threads. It costs about a quarter of the CPU training speed (MKL's reproducible kernels), so it is asked for,
    /// as PyTorch's use_deterministic_algorithms is; without it the same seed, data and thread count still give the
    /// same weights. Must run before libtorch loads (MKL reads it once); an operator's own MKL_CBWR wins. Set through
    /// libc: .NET's Environment.SetEnvironmentVariable does not reach native getenv.
    /// </summary>
    private static void RequestReproducibleGemm()
    {
        if (Environment.GetEnvironmentVariable("MKL_CBWR") is null && OperatingSystem.IsLinux()) SetEnv("MKL_CBWR", "AUTO,STRICT", 0);
    }

    /// <summary>Checks the option's form before any work (exit 2 on a typo), without loading libtorch.</summary>
    public static string Validate(string option)
    {
        var o = option.Trim().ToLowerInvariant();
        bool ok = o is "auto" or "cpu" or "cuda" || (o.StartsWith("cuda:") && int.TryParse(o[5..], out int n) && n >= 0);
        if (!ok) throw new ConfigException($"--device must be auto, cpu, cuda or cuda:N, got '{option}'");
        if (o.StartsWith("cuda") && Build == "cpu" && !ExternalLibTorch)
            throw new ConfigException($"--device {o}: this trainer carries a CPU libtorch: point --libtorch at the CUDA libtorch of the node's PyTorch (python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')/lib, or build the CUDA trainer with 'scripts/publish.sh --torch cuda'");
        return o;
    }

    /// <summary><c>--libtorch DIR</c> on every command that runs libtorch: the node's own libtorch (a CUDA one for the GPU) instead of the bundled CPU copy.</summary>
    public static System.CommandLine.Option<string?> LibTorchOption() => new("--libtorch")
    {
        Description = "libtorch to run on instead of the bundled one: PyTorch's torch/lib (a CUDA build for --device cuda) or an unpacked libtorch's lib/, version " + LibTorchLoader.Required + ".x (default: STREAMING_LIBTORCH)",
    };

    /// <summary>Takes <c>--libtorch</c> (into STREAMING_LIBTORCH, where <see cref="Select"/> and the checks read it).</summary>
    public static void ApplyLibTorch(System.CommandLine.ParseResult r, System.CommandLine.Option<string?> option)
    {
        if (r.GetValue(option) is { } dir) Environment.SetEnvironmentVariable("STREAMING_LIBTORCH", dir);
    }

    private static bool ExternalLibTorch => !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("STREAMING_LIBTORCH"));

    /// <summary>The first call into libtorch of a command: nothing may touch torch before it.</summary>
    public static Device Select(string option, int threads, ILogger log, bool deterministic = false)
    {
        var o = Validate(option);
        if (deterministic) RequestReproducibleGemm();
        LibTorchLoader.Use(log);
        int cpuThreads = threads > 0 ? threads : TaskContext.FromEnvironment().DefaultThreads;
        torch.set_num_threads(cpuThreads);
        bool cuda = torch.cuda.is_available();
        Device device;
        if (o == "cpu" || (o == "auto" && !cuda)) device = torch.CPU;
        else
        {
            if (!cuda) throw new ConfigException($"--device {o}: no CUDA device is visible (check CUDA_VISIBLE_DEVICES and the driver), or use --device cpu");
            int index = o.StartsWith("cuda:") ? int.Parse(o[5..]) : 0;
            int count = torch.cuda.device_count();
            if (index >= count) throw new ConfigException($"--device {o}: only {count} CUDA device(s)");
            device = torch.device(DeviceType.CUDA, index);
        }
        Describe = device.type == DeviceType.CUDA
            ? $"{device} ({torch.cuda.device_count()} visible), {LibTorchLoader.Describe}"
            : $"cpu ({Plural.Of(cpuThreads, "thread")}{(deterministic ? ", deterministic" : "")}), {LibTorchLoader.Describe}";
        log.LogInformation("device {Device} ({Build} build of the trainer)", Describe, Build);
        if (ExternalLibTorch) log.LogDebug("libtorch mapped: {Files}", string.Join(", ", LibTorchLoader.Mapped()));
        return device;
    }

    /// <summary>The chosen device in words, e.g. "cpu (2 threads), libtorch 2.10.0.0".</summary>
    public static string Describe { get; private set; } = "";
}
