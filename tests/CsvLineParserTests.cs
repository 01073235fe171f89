using System.Text;
using Streaming.Contract;
using Streaming.Csv;

namespace Streaming.Tests;

/// <summary>The in-place, one-pass field splitter: what lies beyond a line never leaks into it.</summary>
public class CsvLineParserTests
{
    private static string[] Fields(CsvLineParser p) => Enumerable.Range(0, p.FieldCount).Select(i => Encoding.UTF8.GetString(p[i])).ToArray();

    [Test]
    public void BytesAfterTheLineInTheBufferAreIgnored()
    {
        var p = new CsvLineParser(new CsvOptions { Trim = false });
        var rng = new Random(2);
        const string alphabet = "ab,1 -.";
        for (int len = 0; len <= 100; len++)
        {
            var line = new string(Enumerable.Range(0, len).Select(_ => alphabet[rng.Next(alphabet.Length)]).ToArray());
            // The buffer goes on with delimiters, a quote and a byte that is not UTF-8, as the next lines of a block may.
            var buffer = Encoding.UTF8.GetBytes(line).Concat(new byte[] { (byte)'\n', (byte)',', (byte)'"', 0xFF, (byte)',' }).Concat(new byte[64]).ToArray();
            Assert.That(p.Parse(buffer, 0, len), Is.Null, $"length {len}");
            Assert.That(Fields(p), Is.EqualTo(line.Split(',')), $"length {len}");
            Assert.That(Encoding.UTF8.GetString(p.RawLine), Is.EqualTo(line));
        }
    }

    [Test]
    public void LineEndingAtTheEndOfTheBufferUsesTheScalarTail()
    {
        var p = new CsvLineParser(new CsvOptions());
        var bytes = Encoding.UTF8.GetBytes("1000001,P00069042,F,0-17,10,A,2,0,3,,,8370");
        Assert.That(p.Parse(bytes, 0, bytes.Length), Is.Null);
        Assert.That(Fields(p), Is.EqualTo(new[] { "1000001", "P00069042", "F", "0-17", "10", "A", "2", "0", "3", "", "", "8370" }));
    }

    [TestCase(5), TestCase(40)]
    public void AQuoteAnywhereTakesTheRfc4180Path(int at)
    {
        var p = new CsvLineParser(new CsvOptions());
        var head = string.Join(",", Enumerable.Repeat("x", at / 2));
        var line = Encoding.UTF8.GetBytes(head + ",\"a,b\",z");
        Assert.That(p.Parse(line, 0, line.Length), Is.Null);
        Assert.That(Fields(p)[^2..], Is.EqualTo(new[] { "a,b", "z" }));
        var broken = Encoding.UTF8.GetBytes(head + ",\"a,b,z");
        Assert.That(p.Parse(broken, 0, broken.Length), Is.EqualTo(RejectReason.BadQuotes));
    }

    [Test]
    public void NonAsciiIsValidatedOnlyWhereItIs()
    {
        var p = new CsvLineParser(new CsvOptions());
        var ok = Encoding.UTF8.GetBytes(new string('a', 37) + ",Zürich,東京");
        Assert.That(p.Parse(ok, 0, ok.Length), Is.Null);
        Assert.That(Fields(p)[1..], Is.EqualTo(new[] { "Zürich", "東京" }));
        var bad = ok.ToArray();
        bad[^1] = 0xFF;
        Assert.That(p.Parse(bad, 0, bad.Length), Is.EqualTo(RejectReason.InvalidUtf8));
    }
}
