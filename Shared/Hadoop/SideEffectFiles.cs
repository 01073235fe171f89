using Streaming.Storage;
namespace Streaming.Hadoop;

/// <summary>
/// Side-effect files of a task (docs/contracts.md §1): written into the attempt's work directory
/// <c>${mapreduce_task_output_dir}</c>, promoted into the job output only when the attempt commits, and named by
/// task, never by attempt, so a retried or speculative attempt produces the same name.
/// </summary>
public static class SideEffectFiles
{
    /// <summary><c>part-m-00003</c> / <c>part-r-00001</c>: the task's stable file stem.</summary>
    public static string TaskStem(TaskContext ctx) => $"part-{(ctx.IsMap ? 'm' : 'r')}-{ctx.Partition:D5}";


    /// <summary>
    /// A writer for the task's quarantine file <c>_rejects/part-m-NNNNN.tsv</c> under its work directory,
    /// created on the first rejected row only; null when the task has no local work directory.
    /// </summary>
    public static TextWriter? RejectsWriter(TaskContext ctx)
    {
        var dir = FileSystems.TryLocalPath(ctx.TaskOutputDir);
        return dir is null ? null : new LazyFileWriter(Path.Combine(dir, "_rejects", TaskStem(ctx) + ".tsv"));
    }

    private sealed class LazyFileWriter(string path) : TextWriter
    {
        private StreamWriter? _inner;
        public override System.Text.Encoding Encoding => System.Text.Encoding.UTF8;

        private StreamWriter Inner()
        {
            if (_inner is null)
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                _inner = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false));
            }
            return _inner;
        }

        public override void Write(char value) => Inner().Write(value);
        public override void Write(string? value) => Inner().Write(value);

        protected override void Dispose(bool disposing)
        {
            if (disposing) _inner?.Dispose();
            base.Dispose(disposing);
        }
    }
}
