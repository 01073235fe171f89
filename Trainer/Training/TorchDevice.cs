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
        if (o.StartsWith("cuda") && Build == "cpu")
            throw new ConfigException($"--device {o}: this trainer is the CPU build; build the CUDA trainer with 'scripts/publish.sh --torch cuda' (needs the TorchSharp-cuda-linux package) and run it on a GPU node");
        return o;
    }

    /// <summary>The first call into libtorch of a command: nothing may touch torch before it.</summary>
    public static Device Select(string option, int threads, ILogger log, bool deterministic = false)
    {
        var o = Validate(option);
        if (deterministic) RequestReproducibleGemm();
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
            ? $"{device} ({torch.cuda.device_count()} visible), libtorch {torch.__version__}"
            : $"cpu ({cpuThreads} threads{(deterministic ? ", deterministic" : "")}), libtorch {torch.__version__}";
        log.LogInformation("device {Device} ({Build} build of the trainer)", Describe, Build);
        return device;
    }

    /// <summary>The chosen device in words, e.g. "cpu (2 threads), libtorch 2.10.0.0".</summary>
    public static string Describe { get; private set; } = "";
}
