using Microsoft.Extensions.Logging;

namespace Streaming.Contract;

/// <summary>
/// Logging for tasks: Microsoft.Extensions.Logging with one provider that writes one line per message, synchronously,
/// to stderr (stdout is the data channel), so the task log an operator reads in the YARN UI stays greppable and
/// nothing is lost when a task exits. Built without a DI container or option monitors: a streaming task starts
/// thousands of times per job, and those cost tens of milliseconds per start. Level from STREAMING_LOG_LEVEL
/// (default Information).
/// </summary>
public static class StreamingLog
{
    public static ILoggerFactory Create(TextWriter? writer = null)
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("STREAMING_LOG_LEVEL"), true, out var l)
            ? l : LogLevel.Information;
        return new LoggerFactory([new StderrLoggerProvider(writer ?? Console.Error, level)]);
    }

    private sealed class StderrLoggerProvider(TextWriter writer, LogLevel minimum) : ILoggerProvider
    {
        private readonly Lock _gate = new();
        private readonly TextWriter _writer = writer;
        private readonly LogLevel _minimum = minimum;

        public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

        public void Dispose() { }

        private sealed class StderrLogger(StderrLoggerProvider p, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= p._minimum && logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var message = formatter(state, exception).Replace('\n', ' ');
                if (exception is not null) message += " | " + exception.GetType().Name + ": " + exception.Message.Replace('\n', ' ');
                var line = $"{DateTime.UtcNow:yyyy-MM-dd HH:mm:ss} {Name(logLevel)}: {category}[{eventId.Id}] {message}";
                lock (p._gate)
                {
                    p._writer.WriteLine(line);
                    p._writer.Flush();
                }
            }

            private static string Name(LogLevel l) => l switch
            {
                LogLevel.Trace => "trce", LogLevel.Debug => "dbug", LogLevel.Information => "info",
                LogLevel.Warning => "warn", LogLevel.Error => "fail", _ => "crit",
            };
        }
    }
}
