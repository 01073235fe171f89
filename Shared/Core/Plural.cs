using System.Globalization;

namespace Streaming.Core;

/// <summary>"1 thread", "2 threads", "19,280 rows": a count with its noun, for log lines a person reads.</summary>
public static class Plural
{
    public static string Of(long count, string noun) =>
        count.ToString("N0", CultureInfo.InvariantCulture) + " " + (count == 1 ? noun : noun + "s");
}
