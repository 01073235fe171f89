using System.Text;
using System.Text.Json;
using Streaming.Csv;
using Streaming.Hadoop;
using Streaming.Jobs;

namespace Streaming.Tests;

/// <summary>mapper stats --threads N gives the same exact statistics and accounting as one thread.</summary>
public class StatsThreadsTests
{
    [Test]
    public void ParallelWorkersAgreeWithOneThreadOnExactFieldsAndCounters()
    {
        // Adult enlarged ×6 in memory (≈ 24 MB, many 1 MiB blocks), with bad rows and a too-long line mixed in.
        var sb = new StringBuilder();
        var rows = File.ReadAllLines(Repo.Data("adult.data"));
        for (int rep = 0; rep < 6; rep++)
            foreach (var r in rows)
            {
                sb.Append(r).Append('\n');
                if (r.GetHashCode() % 997 == 0) sb.Append("broken,row\n");
            }
        sb.Append(new string('y', 2 << 20)).Append('\n');
        var input = Encoding.UTF8.GetBytes(sb.ToString());
        string[] args = ["stats", "--header", "none", "--columns", StatsJob.AdultColumns, "--max-bad-fraction", "0.05"];
        var one = Proc.Run(Repo.Mapper, args.Append("--threads").Append("1"), input);
        var two = Proc.Run(Repo.Mapper, args.Append("--threads").Append("3"), input);
        Assert.That(one.ExitCode, Is.EqualTo(0), one.Stderr);
        Assert.That(two.ExitCode, Is.EqualTo(0), two.Stderr);
        string Counters(string stderr) => string.Join("\n", stderr.Split('\n').Where(l => l.StartsWith("reporter:counter:")).Order());
        Assert.That(Counters(two.Stderr), Is.EqualTo(Counters(one.Stderr)));
        Assert.That(two.Stderr, Does.Contain("Malformed.LineTooLong,1"));
        var a = one.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var b = two.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That(b, Has.Length.EqualTo(a.Length));
        for (int i = 0; i < a.Length; i++)
        {
            using var x = JsonDocument.Parse(a[i][(a[i].IndexOf('\t') + 1)..]);
            using var y = JsonDocument.Parse(b[i][(b[i].IndexOf('\t') + 1)..]);
            foreach (var f in new[] { "column", "count", "missing", "non_numeric", "kind", "distinct", "min", "max" })
                if (x.RootElement.TryGetProperty(f, out var v)) Assert.That(y.RootElement.GetProperty(f).ToString(), Is.EqualTo(v.ToString()), f);
            if (x.RootElement.TryGetProperty("mean", out var mean))
                Assert.That(y.RootElement.GetProperty("mean").GetDouble(), Is.EqualTo(mean.GetDouble()).Within(1e-9).Percent);
            if (!x.RootElement.GetProperty("top_truncated").GetBoolean())
                Assert.That(y.RootElement.GetProperty("top").ToString(), Is.EqualTo(x.RootElement.GetProperty("top").ToString()));
        }
    }
}

/// <summary>
/// With several threads the sketches depend on how the input is cut into blocks, so the cut must depend on the
/// bytes only, never on how much each read of a pipe happened to return: a re-run gives the same partials.
/// </summary>
public class StatsBlockCutTests
{
    // A pipe seen by a reader: every read returns a different, smaller amount.
    private sealed class ShortReads(byte[] data, int seed) : Stream
    {
        private readonly Random _rng = new(seed);
        private int _pos;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            int n = Math.Min(Math.Min(buffer.Length, data.Length - _pos), 1 + _rng.Next(200_000));
            data.AsSpan(_pos, n).CopyTo(buffer);
            _pos += n;
            return n;
        }
        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _pos; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private static string Partials(Stream input)
    {
        var csv = new CsvOptions { Header = HeaderMode.None, Columns = StatsJob.AdultColumns.Split(',') };
        var output = new MemoryStream();
        var ctx = TaskContext.FromVariables(_ => null);
        StatsMapTask.Run(new TaskAttempt(input, output, ctx, new Reporter(TextWriter.Null), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance),
            csv, new StatsOptions([], 50, MaxBadFraction: 0.05, Threads: 2));
        return Encoding.UTF8.GetString(output.ToArray());
    }

    [Test]
    public void TwoThreadsGiveTheSamePartialsWhateverTheReadSizes()
    {
        // Adult ×3 (≈ 12 MB: several blocks per worker); a small table capacity so the heavy-hitter sketch is in play.
        var rows = File.ReadAllBytes(Repo.Data("adult.data"));
        var input = rows.Concat(rows).Concat(rows).ToArray();
        string whole = Partials(new MemoryStream(input));
        Assert.That(whole, Does.Contain("\"top_truncated\":true"), "the sketches are approximate here");
        Assert.That(Partials(new ShortReads(input, 1)), Is.EqualTo(whole));
        Assert.That(Partials(new ShortReads(input, 2)), Is.EqualTo(whole));
    }
}
