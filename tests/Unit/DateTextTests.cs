using System.Text;
using Streaming.Transform;

namespace Streaming.Tests;

/// <summary>What a date column may hold (DateText): ISO-like dates with an optional time; never a number or free text.</summary>
public class DateTextTests
{
    [TestCase("2012-01-01", 2012, 1, 1, -1)]
    [TestCase("2012/12/31", 2012, 12, 31, -1)]
    [TestCase("2016-02-29", 2016, 2, 29, -1)]
    [TestCase("2024-03-10T07:45", 2024, 3, 10, 7)]
    [TestCase("2024-03-10 23:59:59", 2024, 3, 10, 23)]
    [TestCase("2024-03-10T00:00:00.125Z", 2024, 3, 10, 0)]
    [TestCase("2024-03-10T18:30:00+05:30", 2024, 3, 10, 18)]
    public void ADateAndItsHour(string text, int year, int month, int day, int hour)
    {
        Assert.That(DateText.TryParse(Encoding.UTF8.GetBytes(text), out var d, out bool time), Is.True);
        Assert.That((d.Year, d.Month, d.Day), Is.EqualTo((year, month, day)));
        Assert.That(time ? d.Hour : -1, Is.EqualTo(hour));
    }

    [TestCase("2015-02-29")]        // not a leap year
    [TestCase("2012-13-01")]
    [TestCase("2012-00-10")]
    [TestCase("2012-01-32")]
    [TestCase("2012-01/01")]        // mixed separators
    [TestCase("20120101")]          // a number
    [TestCase("12/01/2012")]        // month first: ambiguous, not taken
    [TestCase("2012-01-01T25:00")]
    [TestCase("2012-01-01 7:00")]
    [TestCase("2012-01-01T07:00 UTC")]
    [TestCase("2012-01-01x")]
    [TestCase("1000001")]
    public void NotADate(string text) => Assert.That(DateText.TryParse(Encoding.UTF8.GetBytes(text), out _, out _), Is.False);
}
