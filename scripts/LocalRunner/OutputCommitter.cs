using Streaming.Core;
namespace Streaming.LocalRunner;

/// <summary>
/// FileOutputCommitter (algorithm 1) on the local file system: each attempt writes under
/// <c>out/_temporary/0/_temporary/attempt_…</c>; a successful attempt is renamed to <c>out/_temporary/0/task_…</c>;
/// the job commit merges the task directories into <c>out/</c>, removes <c>_temporary</c> and writes <c>_SUCCESS</c>.
/// Failed attempts are deleted, so only committed output ever reaches <c>out/</c>.
/// </summary>
public sealed class OutputCommitter
{
    private readonly string _out;

    public OutputCommitter(string output) => _out = Path.GetFullPath(output);

    public string OutputDir => _out;
    private string JobTemp => Path.Combine(_out, "_temporary", "0");

    public void SetupJob()
    {
        if (Directory.Exists(_out) || File.Exists(_out))
            throw new ConfigException($"Output directory {_out} already exists");
        Directory.CreateDirectory(Path.Combine(JobTemp, "_temporary"));
    }

    public string AttemptDir(string attemptId)
    {
        var d = Path.Combine(JobTemp, "_temporary", attemptId);
        Directory.CreateDirectory(d);
        return d;
    }

    public void CommitTask(string attemptId, string taskId)
    {
        var src = Path.Combine(JobTemp, "_temporary", attemptId);
        var dst = Path.Combine(JobTemp, taskId);
        if (Directory.Exists(dst)) Directory.Delete(dst, true);
        Directory.Move(src, dst);
    }

    public void AbortTask(string attemptId)
    {
        var d = Path.Combine(JobTemp, "_temporary", attemptId);
        if (Directory.Exists(d)) Directory.Delete(d, true);
    }

    public void CommitJob()
    {
        foreach (var task in Directory.GetDirectories(JobTemp).Where(d => Path.GetFileName(d).StartsWith("task_", StringComparison.Ordinal)).OrderBy(d => d, StringComparer.Ordinal))
            MergeInto(task, _out);
        Directory.Delete(Path.Combine(_out, "_temporary"), true);
        File.WriteAllBytes(Path.Combine(_out, "_SUCCESS"), []);
    }

    public void AbortJob()
    {
        var t = Path.Combine(_out, "_temporary");
        if (Directory.Exists(t)) Directory.Delete(t, true);
    }

    private static void MergeInto(string src, string dst)
    {
        Directory.CreateDirectory(dst);
        foreach (var f in Directory.GetFiles(src))
        {
            var target = Path.Combine(dst, Path.GetFileName(f));
            File.Move(f, target, overwrite: true);
        }
        foreach (var d in Directory.GetDirectories(src))
            MergeInto(d, Path.Combine(dst, Path.GetFileName(d)));
    }
}
