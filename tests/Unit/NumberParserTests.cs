using System.Globalization;
using System.Text;
using Streaming.Stats;

namespace Streaming.Tests;

/// <summary>
/// The statistics' number test must accept exactly what double.TryParse (Float, invariant) accepts, minus
/// non-finite values: its shortcuts (inline integers, early rejection) may never change an answer.
/// </summary>
public class NumberParserTests
{
    private static bool Oracle(string s, out double x) =>
        double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out x) && double.IsFinite(x);

    private static void AssertSame(string s)
    {
        bool expected = Oracle(s, out double ex);
        bool actual = NumberParser.TryParse(Encoding.UTF8.GetBytes(s), out double ax);
        Assert.That(actual, Is.EqualTo(expected), $"accepts '{s}'");
        // Bit for bit: the transform encodes what it parses, and -0 is not 0 in a float's bytes.
        if (expected) Assert.That(BitConverter.DoubleToInt64Bits(ax), Is.EqualTo(BitConverter.DoubleToInt64Bits(ex)), $"value of '{s}': {ax} vs {ex}");
    }

    [TestCase("0")] [TestCase("-0")] [TestCase("8370")] [TestCase("-17")] [TestCase("+5")] [TestCase("123456789012345")]
    [TestCase("1234567890123456789")] [TestCase("1.5")] [TestCase(".5")] [TestCase("5.")] [TestCase("1e5")] [TestCase("1E-3")]
    [TestCase("1e400")] [TestCase("-1e400")] [TestCase("NaN")] [TestCase("Infinity")] [TestCase("-Infinity")]
    [TestCase(" 12")] [TestCase("12 ")] [TestCase("\t3\t")] [TestCase(" -4.5e1 ")] [TestCase("1 2")] [TestCase("1\t2")]
    [TestCase("")] [TestCase(" ")] [TestCase("-")] [TestCase("+")] [TestCase(".")] [TestCase("e5")] [TestCase("1e")]
    [TestCase("0x10")] [TestCase("1,000")] [TestCase("P00069042")] [TestCase("26-35")] [TestCase("4+")] [TestCase("?")]
    [TestCase("--1")] [TestCase("1-")] [TestCase("１２")] [TestCase("12\r")] [TestCase("\r12")]
    public void Agrees_with_double_TryParse(string s) => AssertSame(s);

    [Test]
    public void Agrees_on_every_field_of_the_real_data()
    {
        int checkedValues = 0;
        foreach (var (file, skip) in new[] { ("blackfriday_sample.csv", 1), ("adult.data", 0) })
        {
            var path = Repo.Data(file);
            Assert.That(File.Exists(path), Is.True, $"{path} (shared data) is missing");
            var distinct = new HashSet<string>();
            foreach (var line in File.ReadLines(path).Skip(skip))
                foreach (var f in line.Split(',')) distinct.Add(f);
            foreach (var f in distinct) AssertSame(f);
            checkedValues += distinct.Count;
        }
        Assert.That(checkedValues, Is.GreaterThan(1000));
    }
}
