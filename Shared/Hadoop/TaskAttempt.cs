using Microsoft.Extensions.Logging;
using Streaming.Storage;

namespace Streaming.Hadoop;

/// <summary>
/// What a streaming task attempt is handed (Hadoop's TaskAttemptContext, as far as a streaming process sees it): its
/// stdin and stdout, the job environment, its counters and its log; and the process's file systems, through which
/// every side-effect file goes.
/// </summary>
public sealed record TaskAttempt(Stream Input, Stream Output, TaskContext Context, Reporter Reporter, ILogger Log)
{
    /// <summary>The process's file systems (the task's work directory may be <c>file:</c>, <c>hdfs:</c>, or WebHDFS).</summary>
    public FileSystemRouter Files { get; init; } = FileSystemRouter.LocalOnly;

    /// <summary>This process as a task: standard streams, the environment Hadoop set, and <paramref name="files"/> (default: local, WebHDFS when STREAMING_WEBHDFS is set, FsShell).</summary>
    public static TaskAttempt OfProcess(Reporter reporter, ILogger log, FileSystemRouter? files = null) =>
        new(StandardStreams.Input(), StandardStreams.Output(), TaskContext.FromEnvironment(), reporter, log)
        {
            Files = files ?? FileSystemRouter.ForProcess(log),
        };
}
