using Microsoft.Extensions.Logging;

namespace Streaming.Hadoop;

/// <summary>
/// What a streaming task attempt is handed (Hadoop's TaskAttemptContext, as far as a streaming process sees it): its
/// stdin and stdout, the job environment, its counters and its log.
/// </summary>
public sealed record TaskAttempt(Stream Input, Stream Output, TaskContext Context, Reporter Reporter, ILogger Log)
{
    /// <summary>This process as a task: standard streams and the environment Hadoop set.</summary>
    public static TaskAttempt OfProcess(Reporter reporter, ILogger log) =>
        new(StandardStreams.Input(), StandardStreams.Output(), TaskContext.FromEnvironment(), reporter, log);
}
