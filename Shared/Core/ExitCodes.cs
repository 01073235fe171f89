namespace Streaming.Core;

/// <summary>Exit codes shared by every executable. Hadoop treats any non-zero code as a failed attempt.</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    /// <summary>The job ran and failed: too many bad rows, a task failed, corrupt input.</summary>
    public const int Failed = 1;
    /// <summary>Bad command line or configuration: nothing was written.</summary>
    public const int Usage = 2;
    /// <summary>An I/O or remote-service error (HDFS, WebHDFS) after retries.</summary>
    public const int IoError = 3;
}

/// <summary>
/// The process was asked to stop (SIGTERM from YARN or cron, SIGINT from a terminal) and stopped cleanly where it could
/// go on from: one line, and the shell's code for the signal (128 + signal: 143 for SIGTERM, 130 for SIGINT).
/// </summary>
public sealed class StopRequestedException(int signal, string message) : Exception(message)
{
    public int ExitCode => 128 + signal;
}

/// <summary>A configuration error: reported as one line and exit code <see cref="ExitCodes.Usage"/>.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string message) : base(message) { }

    /// <summary>
    /// A bad value of a named setting (<c>impute</c>, <c>compression</c>…): the library names the setting, and a
    /// command line shows it as its flag (<see cref="CommandLineMessage"/>), so no layer below the jobs knows flags.
    /// </summary>
    public ConfigException(string setting, string problem) : base(setting + " " + problem) => (Setting, Problem) = (setting, problem);

    public string? Setting { get; }
    public string? Problem { get; }

    /// <summary>The message as a command line says it: <c>--setting problem</c>.</summary>
    public string CommandLineMessage => Setting is null ? Message : $"--{Setting} {Problem}";
}

/// <summary>The data broke a limit the user set (e.g. --max-bad-fraction) or is corrupt: exit code <see cref="ExitCodes.Failed"/>.</summary>
public class DataException(string message) : Exception(message);
