using System.Text;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Hadoop;

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

/// <summary>
/// CsvRowReader finds a buffered line's end in the same pass that splits it, and falls back to the line reader at
/// buffer edges: rows and rejects must be exactly those of reading line by line, for every buffer size and ending.
/// </summary>
public class CsvRowReaderTests
{
    private static readonly CsvOptions Options = new() { Header = HeaderMode.None, Columns = ["a", "b", "c"], Trim = true, MaxLineBytes = 120 };

    private static byte[] Input(int seed, bool crlf, bool finalNewline)
    {
        var rng = new Random(seed);
        var lines = new List<byte[]>();
        for (int i = 0; i < 2_000; i++)
        {
            string line = rng.Next(12) switch
            {
                0 => "",                                                   // empty line
                1 => "x,\"quoted, with delimiter\",z",                     // RFC 4180 path
                2 => "x,\"broken,z",                                      // bad quotes
                3 => "only,two",                                           // field count
                4 => new string('w', 150) + ",b,c",                        // over MaxLineBytes
                5 => " pad , b ,c ",                                       // trimmed
                6 => "ü,ß,€",                                              // valid UTF-8
                _ => $"{rng.Next(1000)},{new string('v', rng.Next(0, 70))},{rng.NextDouble()}",
            };
            var bytes = Encoding.UTF8.GetBytes(line);
            if (rng.Next(40) == 0) bytes = [.. bytes, 0xFF];                // invalid UTF-8
            lines.Add(bytes);
        }
        var eol = crlf ? "\r\n"u8.ToArray() : "\n"u8.ToArray();
        var all = new List<byte>();
        for (int i = 0; i < lines.Count; i++)
        {
            all.AddRange(lines[i]);
            if (i < lines.Count - 1 || finalNewline) all.AddRange(eol);
        }
        return [.. all];
    }

    // Line by line, each line parsed on its own (the copy path): the meaning the one-pass reader must keep.
    private static List<string> Reference(byte[] input)
    {
        var parser = new CsvLineParser(Options);
        var result = new List<string>();
        var text = input.AsSpan();
        int number = 0;
        while (!text.IsEmpty)
        {
            int nl = text.IndexOf((byte)'\n');
            var line = nl < 0 ? text : text[..nl];
            text = nl < 0 ? default : text[(nl + 1)..];
            if (!line.IsEmpty && line[^1] == (byte)'\r') line = line[..^1];
            number++;
            RejectReason? reason = line.Length > Options.MaxLineBytes ? RejectReason.LineTooLong
                : line.IsEmpty ? RejectReason.EmptyLine
                : parser.Parse(line) ?? (parser.FieldCount != 3 ? RejectReason.FieldCount : null);
            result.Add(reason is { } r ? $"{number} reject {r}"
                : $"{number} " + string.Join("|", Enumerable.Range(0, parser.FieldCount).Select(i => Encoding.UTF8.GetString(parser[i]))));
        }
        return result;
    }

    private static List<string> Read(LineReader lines)
    {
        var result = new List<string>();
        var reporter = new Reporter(TextWriter.Null);
        var quarantine = new StringWriter();
        using var rejects = new RejectedRows(reporter, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, 1.0, "test", quarantine);
        var reader = new CsvRowReader(lines, Options, atFileStart: false, rejects, reporter);
        while (reader.TryRead(out var row))
            result.Add($"{reader.LineNumber} " + string.Join("|", Enumerable.Range(0, row.FieldCount).Select(i => Encoding.UTF8.GetString(row[i]))));
        rejects.Dispose();
        foreach (var q in quarantine.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = q.Split('\t');
            result.Add($"{parts[2]} reject {parts[0]}");
        }
        return result.OrderBy(s => long.Parse(s[..s.IndexOf(' ')])).ToList();
    }

    [TestCase(false, true), TestCase(true, true), TestCase(false, false), TestCase(true, false)]
    public void OnePassReadingMatchesLineByLine(bool crlf, bool finalNewline)
    {
        var input = Input(crlf ? 11 : 7, crlf, finalNewline);
        var expected = Reference(input);
        Assert.That(expected.Count(e => e.Contains("reject")), Is.GreaterThan(300), "the input exercises every reject");
        Assert.That(Read(new LineReader(input, input.Length, Options.MaxLineBytes)), Is.EqualTo(expected), "a block in memory");
        foreach (int bufferSize in new[] { 16, 100, 256, 4096 })
            Assert.That(Read(new LineReader(new MemoryStream(input), Options.MaxLineBytes, bufferSize)), Is.EqualTo(expected), $"a stream, buffer {bufferSize}");
    }
}
