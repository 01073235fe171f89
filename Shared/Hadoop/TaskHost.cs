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
            var command = parsed.CommandResult.Command;
            string name = command == root ? root.Name : $"{root.Name} {command.Name}";
            var suggestion = Suggestion(parsed, command);
            Console.Error.WriteLine($"{name}: error: {(suggestion == "" ? first.Message : first.Message.TrimEnd('.') + suggestion)} (see '{name} --help')");
            return ExitCodes.Usage;
        }
        return parsed.Invoke();
    }

    /// <summary>"; did you mean --delimiter?" for an unknown option within two edits of one the command has.</summary>
    private static string Suggestion(ParseResult parsed, Command command)
    {
        var typo = parsed.UnmatchedTokens.FirstOrDefault(t => t.StartsWith("--", StringComparison.Ordinal));
        if (typo is null) return "";
        var names = command.Options.SelectMany(o => o.Aliases.Prepend(o.Name)).Where(n => n.StartsWith("--", StringComparison.Ordinal)).Distinct();
        var best = names.Select(n => (Name: n, Distance: Edits(typo, n))).OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).FirstOrDefault();
        return best.Name is not null && best.Distance <= 2 ? $"; did you mean {best.Name}?" : "";
    }

    /// <summary>Levenshtein distance (insert, delete, substitute), two rows.</summary>
    private static int Edits(string a, string b)
    {
        var previous = Enumerable.Range(0, b.Length + 1).ToArray();
        var current = new int[b.Length + 1];
        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }

    /// <summary>The one line every failure ends with, as usage errors do: <c>mapper plan: error: …</c> on stderr.</summary>
    private static void Error(string taskName, string message)
    {
        Console.Error.WriteLine($"{taskName.Replace('.', ' ')}: error: {message}");
        Console.Error.Flush();
    }

    /// <summary>Runs one task body with logging, a reporter and the exit-code policy.</summary>
    public static int Execute(string taskName, Func<ILoggerFactory, Reporter, int> body)
    {
        using var logs = StreamingLog.Create();
        var log = logs.CreateLogger(taskName);
        // Counters are for the framework: written where Hadoop reads them (a task: mapreduce_task_id in the
        // environment) or when asked (STREAMING_COUNTERS=1), not into an operator's terminal or a cron mail.
        var reporter = new Reporter(Environment.GetEnvironmentVariable("mapreduce_task_id") is not null
            || Environment.GetEnvironmentVariable("mapred_tip_id") is not null || Environment.GetEnvironmentVariable("STREAMING_COUNTERS") == "1"
            ? Console.Error : TextWriter.Null);
        try
        {
            return body(logs, reporter);
        }
        catch (ConfigException e)
        {
            Error(taskName, e.CommandLineMessage);
            return ExitCodes.Usage;
        }
        catch (StopRequestedException e)
        {
            log.LogWarning("{Message}", e.Message);
            return e.ExitCode;
        }
        catch (DataException e)
        {
            Error(taskName, e.Message);
            return ExitCodes.Failed;
        }
        catch (IOException e)
        {
            Error(taskName, $"I/O: {e.Message}");
            return ExitCodes.IoError;
        }
        catch (UnauthorizedAccessException e)
        {
            Error(taskName, $"I/O: permission denied: {e.Message}");
            return ExitCodes.IoError;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or FormatException or UriFormatException or OverflowException)
        {
            // Unreadable input named on the command line (a truncated artifact, a malformed URI or number).
            Error(taskName, $"{e.GetType().Name}: {e.Message}");
            log.LogDebug("{Trace}", e.ToString());
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // A defect of ours: still one line and a documented code; the stack trace at Debug level.
            Error(taskName, $"internal: {e.GetType().Name}: {e.Message}");
            log.LogDebug("{Trace}", e.ToString());
            return ExitCodes.Failed;
        }
        finally
        {
            reporter.Flush();
        }
    }
}
