using System.Diagnostics;
using System.Text;

namespace Streaming.Tests;

/// <summary>Paths of the checkout, the shared material beside it, and the built executables.</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();
    public static readonly string Shared = Path.GetFullPath(Path.Combine(Root, "..", "shared"));
    public static string Data(string name) => Path.Combine(Shared, "data", name);
    public static string Golden(string path) => Path.Combine(Shared, "hadoop-golden", path);

    private static readonly string Configuration =
        TestContext.CurrentContext.TestDirectory.Contains("/bin/Release/", StringComparison.Ordinal) ? "Release" : "Debug";

    public static string Mapper => Exe("Mapper", "mapper");
    public static string Reducer => Exe("Reducer", "reducer");
    public static string Trainer => Exe("Trainer", "trainer");
    public static string Runner => Exe(Path.Combine("scripts", "LocalRunner"), "streaming-local");
    public static string OptimizerParity => Exe(Path.Combine("tests", "OptimizerParity"), "optimizer-parity");
    public const string Python = "/usr/bin/python3";

    private static string Exe(string project, string name)
    {
        var p = Path.Combine(Root, project, "bin", Configuration, "net10.0", name);
        if (!File.Exists(p)) Assert.Fail($"{p} is not built: build the solution first (dotnet build -c {Configuration})");
        return p;
    }

    private static string FindRoot()
    {
        var d = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (d is not null && !File.Exists(Path.Combine(d.FullName, "Streaming.sln"))) d = d.Parent;
        return d?.FullName ?? throw new InvalidOperationException("Streaming.sln not found above the test directory");
    }

    public static string TempDir(string name)
    {
        var d = Path.Combine(Path.GetTempPath(), "streaming-tests", name + "-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(d);
        return d;
    }
}

public sealed record ProcResult(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs a child process with optional stdin bytes and captures its output.</summary>
public static class Proc
{
    public static ProcResult Run(string exe, IEnumerable<string> args, byte[]? stdin = null, IDictionary<string, string>? env = null,
        string? cwd = null, int timeoutMs = 300_000)
    {
        var psi = new ProcessStartInfo(exe)
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = cwd ?? Repo.Root,
        };
        foreach (var a in args) psi.ArgumentList.Add(a);
        // The map and reduce executables run here in a task's role: their counters are asked for, as Hadoop's
        // environment asks for them (ReporterTests checks that they stay off outside a task).
        if (Path.GetFileName(exe) is "mapper" or "reducer") psi.Environment["STREAMING_COUNTERS"] = "1";
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var feed = Task.Run(() =>
        {
            try
            {
                if (stdin is not null) p.StandardInput.BaseStream.Write(stdin);
                p.StandardInput.Close();
            }
            catch (IOException) { }
        });
        if (!p.WaitForExit(timeoutMs))
        {
            p.Kill(true);
            Assert.Fail($"{exe} timed out after {timeoutMs} ms");
        }
        feed.Wait();
        return new ProcResult(p.ExitCode, stdout.Result, stderr.Result);
    }

    public static ProcResult Run(string exe, params string[] args) => Run(exe, args, null);

    public static ProcResult Python(string script, params string[] args) =>
        Run(Repo.Python, new[] { Path.Combine(Repo.Root, "tests", "Support", "python", script) }.Concat(args));

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}
