using System.Text;
using Streaming.Storage;
namespace Streaming.Hadoop;

/// <summary>
/// Side-effect files of a task (docs/contracts.md §1): written into the attempt's work directory
/// <c>${mapreduce_task_output_dir}</c> on whatever file system holds it (<c>file:</c>, or on a cluster <c>hdfs:</c>,
/// through the process's <see cref="FileSystemRouter"/>), promoted into the job output only when the attempt
/// commits, and named by task, never by attempt, so a retried or speculative attempt produces the same name.
/// </summary>
public static class SideEffectFiles
{
    /// <summary><c>part-m-00003</c> / <c>part-r-00001</c>: the task's stable file stem.</summary>
    public static string TaskStem(TaskContext ctx) => $"part-{(ctx.IsMap ? 'm' : 'r')}-{ctx.Partition:D5}";

    /// <summary>The quarantine's directory name under the task's work directory (and so under the job output).</summary>
    public const string RejectsDirectory = "_rejects";

    /// <summary>
    /// A writer for the task's quarantine file <c>_rejects/part-m-NNNNN.tsv</c> under its work directory, created on
    /// the first rejected row only and published by <see cref="PendingTextFile.Commit"/>; null when the task has no
    /// work directory (a plain pipe).
    /// </summary>
    public static PendingTextFile? RejectsWriter(TaskContext ctx, FileSystemRouter files) =>
        ctx.TaskOutputDir is { } dir
            ? new PendingTextFile(files, FileSystemRouter.Child(dir, RejectsDirectory), TaskStem(ctx) + ".tsv")
            : null;
}

/// <summary>
/// UTF-8 text into a <see cref="PendingFile"/> that is created on the first write (a task with nothing to say leaves
/// no file) and appears under its name only on <see cref="Commit"/>; disposed uncommitted, it is removed.
/// </summary>
public sealed class PendingTextFile(FileSystemRouter files, string directory, string name) : TextWriter
{
    private PendingFile? _file;
    private StreamWriter? _writer;

    public override Encoding Encoding => Encoding.UTF8;

    private StreamWriter Writer()
    {
        if (_writer is null)
        {
            _file = files.Create(directory, name);
            _writer = new StreamWriter(_file, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        }
        return _writer;
    }

    public override void Write(char value) => Writer().Write(value);
    public override void Write(string? value) => Writer().Write(value);
    public override void Write(ReadOnlySpan<char> buffer) => Writer().Write(buffer);

    /// <summary>Publishes what was written (nothing when nothing was); throws <see cref="IOException"/> when it could not be stored.</summary>
    public void Commit()
    {
        if (_writer is null) return;
        _writer.Flush();
        _file!.Commit();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            try { _writer?.Dispose(); } catch (IOException) { }   // an aborted file refuses the flush
            _file?.Dispose();
        }
        base.Dispose(disposing);
    }
}
