using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Core;

namespace Streaming.Hadoop;

/// <summary>
/// What every executable's Main does around its work: parse the command line (usage errors → one line, exit 2),
/// set up logging and counters on stderr, map failures to exit codes with one clear line, flush counters.
/// </summary>
public static class TaskHost
{
    public static int Run(RootCommand root, string[] args)
    {
        var parsed = root.Parse(args);
        if (parsed.Errors.Count > 0)
        {
            // One line, whatever System.CommandLine found: the first error says what is wrong.
            var first = parsed.Errors.FirstOrDefault(e => e.Message.StartsWith("Unrecognized", StringComparison.Ordinal)) ?? parsed.Errors[0];
            Console.Error.WriteLine($"{root.Name}: error: {first.Message} (see '{root.Name} --help')");
            return ExitCodes.Usage;
        }
        return parsed.Invoke();
    }

    /// <summary>Runs one task body with logging, a reporter and the exit-code policy.</summary>
    public static int Execute(string taskName, Func<ILoggerFactory, Reporter, int> body)
    {
        using var logs = StreamingLog.Create();
        var log = logs.CreateLogger(taskName);
        var reporter = new Reporter();
        try
        {
            return body(logs, reporter);
        }
        catch (ConfigException e)
        {
            log.LogError("configuration error: {Message}", e.CommandLineMessage);
            return ExitCodes.Usage;
        }
        catch (StopRequestedException e)
        {
            log.LogWarning("{Message}", e.Message);
            return e.ExitCode;
        }
        catch (DataException e)
        {
            log.LogError("task failed: {Message}", e.Message);
            return ExitCodes.Failed;
        }
        catch (IOException e)
        {
            log.LogError("I/O error: {Message}", e.Message);
            return ExitCodes.IoError;
        }
        catch (UnauthorizedAccessException e)
        {
            log.LogError("I/O error: permission denied: {Message}", e.Message);
            return ExitCodes.IoError;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or UriFormatException or OverflowException)
        {
            // Unreadable input named on the command line (a truncated artifact, a malformed URI or number).
            log.LogError("configuration error: {Type}: {Message}", e.GetType().Name, e.Message);
            log.LogDebug("{Trace}", e.ToString());
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of ours: still one line and a documented code; the stack trace at Debug level.
            log.LogError("internal error: {Type}: {Message}", e.GetType().Name, e.Message);
            log.LogDebug("{Trace}", e.ToString());
            return ExitCodes.Failed;
        }
        finally
        {
            reporter.Flush();
        }
    }
}
