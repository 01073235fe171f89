using Microsoft.Extensions.Logging;

namespace Streaming.Hadoop;

/// <summary>
/// Logging for tasks: Microsoft.Extensions.Logging's <see cref="ILogger"/>, with one logger that writes one line per
/// message, synchronously, to stderr (stdout is the data channel), so the task log an operator reads in the YARN UI
/// stays greppable and nothing is lost when a task exits. The factory is ours, not <c>LoggerFactory</c>: no DI
/// container, option monitors or fan-out over providers, and no date formatting machinery — a streaming task starts
/// thousands of times per job, and each of those costs milliseconds of JIT per start (the loggers' generic methods
/// over library structs cannot be precompiled). Level from STREAMING_LOG_LEVEL (default Information).
/// </summary>
public static class StreamingLog
{
    public static ILoggerFactory Create(TextWriter? writer = null)
    {
        var level = Enum.TryParse<LogLevel>(Environment.GetEnvironmentVariable("STREAMING_LOG_LEVEL"), true, out var l)
            ? l : LogLevel.Information;
        return new StderrLoggerFactory(writer ?? Console.Error, level);
    }

    /// <summary>"yyyy-MM-dd HH:mm:ss" of a UTC time, written by hand into a 19-char span.</summary>
    public static void FormatTimestamp(DateTime utc, Span<char> into)
    {
        static void Digits(Span<char> s, int value)
        {
            for (int i = s.Length - 1; i >= 0; i--, value /= 10) s[i] = (char)('0' + value % 10);
        }
        Digits(into[..4], utc.Year); into[4] = '-';
        Digits(into.Slice(5, 2), utc.Month); into[7] = '-';
        Digits(into.Slice(8, 2), utc.Day); into[10] = ' ';
        Digits(into.Slice(11, 2), utc.Hour); into[13] = ':';
        Digits(into.Slice(14, 2), utc.Minute); into[16] = ':';
        Digits(into.Slice(17, 2), utc.Second);
    }

    private sealed class StderrLoggerFactory(TextWriter writer, LogLevel minimum) : ILoggerFactory
    {
        private readonly Lock _gate = new();
        private readonly TextWriter _writer = writer;
        private readonly LogLevel _minimum = minimum;

        public ILogger CreateLogger(string categoryName) => new StderrLogger(this, categoryName);

        // One sink by design: tasks log to stderr and nowhere else.
        public void AddProvider(ILoggerProvider provider) =>
            throw new NotSupportedException("task logs go to stderr only");

        public void Dispose() { }

        private sealed class StderrLogger(StderrLoggerFactory f, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= f._minimum && logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (!IsEnabled(logLevel)) return;
                var message = formatter(state, exception).Replace('\n', ' ');
                if (exception is not null) message += " | " + exception.GetType().Name + ": " + exception.Message.Replace('\n', ' ');
                Span<char> time = stackalloc char[19];
                FormatTimestamp(DateTime.UtcNow, time);
                var line = $"{time} {Name(logLevel)}: {category}[{eventId.Id}] {message}";
                lock (f._gate)
                {
                    f._writer.WriteLine(line);
                    f._writer.Flush();
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
