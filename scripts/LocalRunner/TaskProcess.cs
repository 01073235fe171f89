using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.LocalRunner;

public sealed record TaskOutcome(bool Succeeded, int ExitCode, string? Error, IReadOnlyList<string> StderrTail);

/// <summary>
/// One task attempt as Hadoop Streaming's PipeMapRed runs it: the command split into argv (no shell), started in the
/// attempt's working directory with the job's environment; stdin fed by the caller, stdout handed to the caller,
/// stderr scanned for <c>reporter:</c> lines (the rest goes to the attempt's stderr log). The attempt fails on a
/// non-zero exit or when the process stops reading its input (broken pipe).
/// </summary>
public static class TaskProcess
{
    public const int StderrTailLines = 20;

    public static async Task<TaskOutcome> RunAsync(string command, string workDir, IReadOnlyDictionary<string, string> env,
        Action<Stream> feedStdin, Action<Stream> readStdout, CounterSet counters, string stderrLog, ILogger log,
        Func<long, bool>? killWhen = null)
    {
        var argv = SplitArgs(command);
        if (argv.Count == 0) return new TaskOutcome(false, -1, "empty command", []);
        var exe = argv[0];
        var local = Path.Combine(workDir, exe);
        if (!Path.IsPathRooted(exe) && File.Exists(local)) exe = Path.GetFullPath(local);

        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workDir,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in argv.Skip(1)) psi.ArgumentList.Add(a);
        foreach (var (k, v) in env) psi.Environment[k] = v;

        using var p = new Process { StartInfo = psi };
        try { p.Start(); }
        catch (Exception e) when (e is System.ComponentModel.Win32Exception or IOException)
        {
            return new TaskOutcome(false, -1, $"Cannot run program \"{argv[0]}\": {e.Message}", []);
        }

        var tail = new Queue<string>();
        bool brokenPipe = false;
        bool killed = false;
        var stdinTask = Task.Run(() =>
        {
            try
            {
                using var stdin = p.StandardInput.BaseStream;
                Stream sink = new BufferedStream(stdin, 1 << 16);
                if (killWhen is not null)
                    sink = new KillingStream(sink, n =>
                    {
                        if (!killWhen(n) || killed) return;
                        killed = true;
                        try { p.Kill(entireProcessTree: true); } catch (InvalidOperationException) { }
                    });
                feedStdin(sink);
                sink.Flush();
            }
            catch (IOException) { brokenPipe = true; }
        });
        var stdoutTask = Task.Run(() => readStdout(p.StandardOutput.BaseStream));
        var stderrTask = Task.Run(async () =>
        {
            await using var logFile = new StreamWriter(stderrLog, append: true);
            string? line;
            while ((line = await p.StandardError.ReadLineAsync()) is not null)
            {
                if (counters.TryAddReporterLine(line)) continue;
                if (line.StartsWith("reporter:status:", StringComparison.Ordinal))
                {
                    log.LogDebug("{Dir}: status {Status}", Path.GetFileName(workDir), line["reporter:status:".Length..]);
                    continue;
                }
                await logFile.WriteLineAsync(line);
                tail.Enqueue(line);
                if (tail.Count > StderrTailLines) tail.Dequeue();
            }
        });
        await Task.WhenAll(stdinTask, stdoutTask, stderrTask).ConfigureAwait(false);
        await p.WaitForExitAsync().ConfigureAwait(false);
        int code = p.ExitCode;
        if (killed) return new TaskOutcome(false, code, "killed by the runner (fault injection)", tail.ToList());
        if (code != 0) return new TaskOutcome(false, code, $"PipeMapRed.waitOutputThreads(): subprocess failed with code {code}", tail.ToList());
        if (brokenPipe) return new TaskOutcome(false, code, "java.io.IOException: Broken pipe (the task did not read all of its input)", tail.ToList());
        return new TaskOutcome(true, 0, null, tail.ToList());
    }

    /// <summary>Splits a command line into argv as Hadoop Streaming does: on spaces, honouring ' and " quoting.</summary>
    public static List<string> SplitArgs(string command)
    {
        var args = new List<string>();
        var cur = new System.Text.StringBuilder();
        char quote = '\0';
        bool any = false;
        foreach (char ch in command)
        {
            if (quote != '\0')
            {
                if (ch == quote) quote = '\0'; else cur.Append(ch);
            }
            else if (ch is '\'' or '"') { quote = ch; any = true; }
            else if (ch is ' ' or '\t')
            {
                if (cur.Length > 0 || any) { args.Add(cur.ToString()); cur.Clear(); any = false; }
            }
            else cur.Append(ch);
        }
        if (cur.Length > 0 || any) args.Add(cur.ToString());
        return args;
    }

    /// <summary>Counts bytes written and lets the runner kill the process mid-input (fault-injection tests).</summary>
    private sealed class KillingStream(Stream inner, Action<long> onProgress) : ForwardStream
    {
        public override bool CanWrite => true;
        private long _written;
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            _written += buffer.Length;
            onProgress(_written);
        }
        public override void Flush() => inner.Flush();
        public override long Position { get => _written; set => throw new NotSupportedException(); }
    }
}
