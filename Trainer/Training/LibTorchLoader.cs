using System.Runtime.InteropServices;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.Trainer.Training;

/// <summary>
/// Which libtorch the trainer runs on: its own (bundled beside it), or the one a GPU node already has —
/// <c>--libtorch DIR</c> / STREAMING_LIBTORCH: PyTorch's <c>torch/lib</c>, or an unpacked libtorch archive (its
/// <c>lib/</c>). TorchSharp documents this route (its loader's own error text points to it): the native libraries are
/// loaded from DIR by full path before TorchSharp initialises; TorchSharp's loader, asking for <c>torch_cpu</c>,
/// <c>torch_cuda</c> and <c>LibTorchSharp</c> by name, gets them (the dynamic linker matches loaded sonames), and
/// <c>libLibTorchSharp.so</c> (ours) binds to them. Two libtorch copies cannot share a process (each registers the
/// same operators), so this needs the trainer without its own libtorch (<c>trainer-linux-x64-nolibtorch.tgz</c>). Before anything loads, DIR is
/// checked: its libraries are there, its version — from the installation itself (PyTorch's <c>torch/version.py</c>,
/// libtorch's <c>build-version</c>), never the folder's name — is the one TorchSharp 0.107 was built for (2.10.x), and
/// its C++ ABI is ours; a mismatch is one line and exit 2, before any data is read.
/// </summary>
public static class LibTorchLoader
{
    /// <summary>The libtorch line TorchSharp 0.107.0 is built against: any 2.10.x (CPU or CUDA) will do.</summary>
    public const string Required = "2.10";

    /// <summary>What this process runs on, for the log and model.json: e.g. "libtorch 2.10.0+cu128 (CUDA 12.8) from /opt/conda/.../torch/lib".</summary>
    public static string Describe { get; private set; } = "the bundled libtorch";

    private static readonly string[] Core = ["libc10.so", "libtorch_cpu.so", "libtorch.so"];
    private static bool _done;

    /// <summary>The directory of the bundled native libraries (flat in a published trainer, runtimes/… in a build).</summary>
    private static string NativeDir =>
        File.Exists(Path.Combine(AppContext.BaseDirectory, "libLibTorchSharp.so")) ? AppContext.BaseDirectory
            : Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");

    /// <summary>Checks and loads the libtorch to use (STREAMING_LIBTORCH, which <c>--libtorch</c> sets); call before anything touches TorchSharp.</summary>
    public static void Use(ILogger log)
    {
        if (_done) return;
        var dir = Environment.GetEnvironmentVariable("STREAMING_LIBTORCH");
        if (string.IsNullOrEmpty(dir))
        {
            if (!File.Exists(Path.Combine(NativeDir, "libtorch_cpu.so")))
                throw new ConfigException("this trainer carries no libtorch (the -nolibtorch archive): pass --libtorch DIR (PyTorch's torch/lib, or an unpacked libtorch's lib/) or set STREAMING_LIBTORCH");
            var bundled = Version(NativeDir);
            Describe = $"the bundled libtorch {bundled?.Version ?? Required}";
            _done = true;
            return;
        }
        if (File.Exists(Path.Combine(NativeDir, "libtorch_cpu.so")))
            throw new ConfigException($"--libtorch {dir}: this trainer carries its own libtorch ({NativeDir}), and two cannot share a process: use the trainer without libtorch (trainer-linux-x64-nolibtorch.tgz) with --libtorch");
        var lib = Check(dir);
        var found = Version(lib) ?? throw new ConfigException(
            $"--libtorch {dir}: cannot tell which libtorch this is (no torch/version.py of PyTorch, no build-version of a libtorch archive beside {lib})");
        if (!found.Version.StartsWith(Required + ".", StringComparison.Ordinal))
            throw new ConfigException($"--libtorch {dir}: libtorch {found.Version} (from {found.Source}); this trainer needs libtorch {Required}.x (TorchSharp 0.107.0): PyTorch {Required}, or the libtorch {Required} archive");
        bool theirs = UsesCxx11Abi(Path.Combine(lib, "libc10.so")), ours = UsesCxx11Abi(Path.Combine(NativeDir, "libLibTorchSharp.so"));
        if (theirs != ours)
            throw new ConfigException($"--libtorch {dir}: built with the {(theirs ? "new" : "pre-")}C++11 ABI of libstdc++, this trainer with the {(ours ? "new" : "pre-")}C++11 one: use a libtorch {Required} built with the other (pre-cxx11 / cxx11 ABI) archive");
        Load(lib, found, log);
        _done = true;
    }

    /// <summary>The directory holding the libraries (DIR itself, or DIR/lib of an unpacked archive); exit 2 naming what is missing.</summary>
    private static string Check(string dir)
    {
        if (!Directory.Exists(dir)) throw new ConfigException($"--libtorch {dir}: no such directory");
        var lib = Core.All(f => File.Exists(Path.Combine(dir, "lib", f))) && !File.Exists(Path.Combine(dir, "libtorch.so")) ? Path.Combine(dir, "lib") : dir;
        var missing = Core.Where(f => !File.Exists(Path.Combine(lib, f))).ToList();
        if (missing.Count > 0)
            throw new ConfigException($"--libtorch {dir}: not a libtorch: {string.Join(", ", missing)} missing (expected PyTorch's torch/lib or an unpacked libtorch's lib/)");
        return Path.GetFullPath(lib);
    }

    private sealed record Found(string Version, string? Cuda, string Source);

    /// <summary>The version the installation states: PyTorch's torch/version.py beside torch/lib, or a libtorch archive's build-version (in lib/ or above it).</summary>
    private static Found? Version(string lib)
    {
        var versionPy = Path.Combine(lib, "..", "version.py");
        if (File.Exists(versionPy))
        {
            var text = File.ReadAllText(versionPy);
            var v = Regex.Match(text, @"^__version__\s*=\s*['""]([^'""]+)['""]", RegexOptions.Multiline);
            var c = Regex.Match(text, @"^cuda\s*(?::\s*[^=]+)?=\s*['""]([^'""]+)['""]", RegexOptions.Multiline);
            if (v.Success) return new Found(v.Groups[1].Value, c.Success ? c.Groups[1].Value : null, Path.GetFullPath(versionPy));
        }
        foreach (var candidate in new[] { Path.Combine(lib, "build-version"), Path.Combine(lib, "..", "build-version") })
            if (File.Exists(candidate) && File.ReadAllText(candidate).Trim() is { Length: > 0 } bv)
                return new Found(bv, Regex.Match(bv, @"\+cu(\d+)(\d)$") is { Success: true } m ? $"{m.Groups[1].Value}.{m.Groups[2].Value}" : null, Path.GetFullPath(candidate));
        return null;
    }

    /// <summary>Whether a library's symbols use libstdc++'s C++11 ABI (std::__cxx11 names), as libtorch's cxx11-abi builds do.</summary>
    private static bool UsesCxx11Abi(string path) =>
        // The dynamic symbol table holds the mangled names; "__cxx11" appears in them only for the new ABI (a few MB to read).
        File.ReadAllBytes(path).AsSpan().IndexOf("__cxx11"u8) >= 0;

    /// <summary>Loads DIR's libraries by full path and answers TorchSharp's native requests with them.</summary>
    private static void Load(string lib, Found found, ILogger log)
    {
        var handles = new Dictionary<string, IntPtr>();
        // Dependencies first, so each one's soname is taken by DIR's copy before anything asks for it by name.
        foreach (var name in new[] { "libc10.so", "libc10_cuda.so", "libtorch_cpu.so", "libtorch_cuda.so", "libtorch.so" })
        {
            var path = Path.Combine(lib, name);
            if (!File.Exists(path)) continue;
            try { handles[name] = NativeLibrary.Load(path); }
            catch (DllNotFoundException e) { throw new ConfigException($"--libtorch {lib}: {name} does not load here: {e.Message}"); }
        }
        IntPtr torchSharp;
        try { torchSharp = NativeLibrary.Load(Path.Combine(NativeDir, "libLibTorchSharp.so")); }
        catch (DllNotFoundException e) { throw new ConfigException($"--libtorch {lib}: TorchSharp's native library does not bind to libtorch {found.Version}: {e.Message}"); }
        // TorchSharp's loader then asks for torch_cpu, torch_cuda and LibTorchSharp by name: with no copy of its own
        // beside the trainer, the dynamic linker answers with the libraries already loaded under those sonames.
        GC.KeepAlive(torchSharp);
        Describe = $"libtorch {found.Version}{(found.Cuda is { } c ? $" (CUDA {c})" : "")} from {lib}";
        log.LogInformation("using {LibTorch} (version from {Source})", Describe, found.Source);
    }

    /// <summary>The libtorch files this process has mapped (for the log and the tests: one copy, from the chosen directory).</summary>
    public static IReadOnlyList<string> Mapped() =>
        File.Exists("/proc/self/maps")
            ? File.ReadLines("/proc/self/maps").Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries)).Where(f => f.Length >= 6)
                .Select(f => f[^1]).Where(p => Path.GetFileName(p) is "libtorch_cpu.so" or "libtorch.so" or "libc10.so" or "libtorch_cuda.so").Distinct().Order().ToList()
            : [];
}
