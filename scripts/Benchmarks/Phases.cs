using System.Diagnostics;
using Streaming.Contract;
using Streaming.Csv;
using Streaming.Stats;

namespace Streaming.Benchmarks;

public static class Phases
{
    public static int Run(string file)
    {
        var csv = new CsvOptions();
        foreach (var phase in new[] { "lines", "parse", "hash", "topnoid", "top", "number", "full" })
        {
            var sw = Stopwatch.StartNew();
            using var fs = File.OpenRead(file);
            using var lr = new LineReader(fs);
            var p = new CsvLineParser(csv);
            var cols = Enumerable.Range(0, 12).Select(i => new ColumnStats("c" + i, i, i is 0 or 1 or 4 or 7 or 8 or 9 or 10)).ToArray();
            var tops = Enumerable.Range(0, 12).Select(i => new FrequentValues()).ToArray();
            long acc = 0;
            while (lr.TryReadLine(out var line, out _))
            {
                if (phase == "lines") { acc += line.Length; continue; }
                p.Parse(line);
                if (phase == "parse") { acc += p.FieldCount; continue; }
                for (int i = 0; i < p.FieldCount && i < 12; i++)
                {
                    var v = p[i];
                    if (phase == "missing") { if (csv.IsMissing(v)) acc++; continue; }
                    if (phase == "top") { tops[i].Add(v); continue; }
                    if (phase == "topnoid") { if (i >= 2) tops[i].Add(v); continue; }
                    if (phase == "hash") { acc += (long)FrequentValues.HashOf(v); continue; }
                    if (phase == "number") { if (NumberParser.TryParse(v, out var d)) acc += (long)d; continue; }
                    if (csv.IsMissing(v)) cols[i].AddMissing(); else cols[i].Add(v);
                }
            }
            Console.WriteLine($"{phase,-8} {sw.Elapsed.TotalSeconds:F2} s {acc}");
        }
        return 0;
    }
}
