using System.Globalization;
using Microsoft.Extensions.Logging;
using Streaming.Hadoop;

namespace Streaming.Tests;

/// <summary>The operator-facing side channel: counter lines for Hadoop and log lines on stderr.</summary>
public class TaskLogTests
{
    [Test]
    public void Counters_are_flushed_as_deltas_and_totals_stay()
    {
        var err = new StringWriter();
        var r = new Reporter(err);
        r.Increment("Streaming", "rows_read", 3);
        r.Increment("Streaming", "rows_read", 4);
        // A name built at run time is the same counter as the literal.
        r.Increment("Streaming", new string("rows_ok".ToCharArray()), 2);
        r.Increment("Streaming", "rows_ok", 0);
        r.Flush();
        Assert.That(err.ToString(), Is.EqualTo("reporter:counter:Streaming,rows_read,7\nreporter:counter:Streaming,rows_ok,2\n"));

        r.Increment("Streaming", "rows_ok", 5);
        r.Flush();
        r.Flush();   // nothing pending: nothing written
        Assert.That(err.ToString(), Does.EndWith("reporter:counter:Streaming,rows_read,7\nreporter:counter:Streaming,rows_ok,2\nreporter:counter:Streaming,rows_ok,5\n"));
        Assert.That(r.Get("Streaming", "rows_read"), Is.EqualTo(7));
        Assert.That(r.Get("Streaming", "rows_ok"), Is.EqualTo(7));
        Assert.That(r.Get("Streaming", "absent"), Is.EqualTo(0));
    }

    [Test]
    public void Counter_names_cannot_break_the_counter_line()
    {
        var err = new StringWriter();
        var r = new Reporter(err);
        r.Increment("Bad,group", "a\nname", 1);
        r.Flush();
        Assert.That(err.ToString(), Is.EqualTo("reporter:counter:Bad;group,a name,1\n"));
    }

    [TestCase(2026, 11, 22, 2, 5, 9)]
    [TestCase(1, 1, 1, 0, 0, 0)]
    [TestCase(9999, 12, 31, 23, 59, 59)]
    public void Timestamps_match_the_standard_format(int y, int mo, int d, int h, int mi, int s)
    {
        var t = new DateTime(y, mo, d, h, mi, s, DateTimeKind.Utc);
        Span<char> into = stackalloc char[19];
        StreamingLog.FormatTimestamp(t, into);
        Assert.That(into.ToString(), Is.EqualTo(t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Log_lines_are_one_line_each_with_level_category_and_event()
    {
        var err = new StringWriter();
        using (var logs = StreamingLog.Create(err))
        {
            var log = logs.CreateLogger("mapper.stats");
            log.LogInformation("read {Rows} rows\nfrom {Source}", 12, "stdin");
            log.LogDebug("not shown at the default level");
            log.LogWarning(new EventId(7), new InvalidOperationException("two\nlines"), "bad {Thing}", "x");
        }
        var lines = err.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines, Has.Length.EqualTo(2));
        Assert.That(lines[0], Does.Match(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d info: mapper\.stats\[0\] read 12 rows from stdin$"));
        Assert.That(lines[1], Does.Match(@" warn: mapper\.stats\[7\] bad x \| InvalidOperationException: two lines$"));
    }
}
