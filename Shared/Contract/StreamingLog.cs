using Microsoft.Extensions.Logging;

namespace Streaming.Contract;

/// <summary>
/// Logging for tasks: everything to stderr (stdout is the data channel), one line per message so the task log
/// an operator reads in the YARN UI stays greppable. Level from STREAMING_LOG_LEVEL (default Information).
/// </summary>
public static class StreamingLog
{
    public static ILoggerFactory Create()
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("STREAMING_LOG_LEVEL"), true, out var l)
            ? l : LogLevel.Information;
        return LoggerFactory.Create(b =>
        {
            b.SetMinimumLevel(level);
            b.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
            b.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.TimestampFormat = "yyyy-MM-dd HH:mm:ss ";
                o.UseUtcTimestamp = true;
            });
        });
    }
}
