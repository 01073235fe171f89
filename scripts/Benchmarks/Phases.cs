using System.Diagnostics;
using Streaming.Core;
using Streaming.Csv;
using Streaming.Stats;

namespace Streaming.Benchmarks;

/// <summary>
/// Cumulative cost of the statistics mapper's steps on a Black Friday-shaped file (profiling aid, not a benchmark
/// of record): each phase does the previous phases' work plus one more step; best of three runs each.
/// PHASES=lines,parse,... picks phases; CAP sets the frequency tables' capacity.
/// </summary>
public static class Phases
{
    private static readonly string[] All = ["lines", "parse", "fields", "missing", "hash", "ids", "topnoid", "top", "number", "full"];

    public static int Run(string file)
    {
        var csv = new CsvOptions();
        var phases = Environment.GetEnvironmentVariable("PHASES")?.Split(',') ?? All;
        int capacity = int.Parse(Environment.GetEnvironmentVariable("CAP") ?? FrequentValues.DefaultCapacity.ToString());
        foreach (var phase in phases)
        {
            int code = Array.IndexOf(All, phase);
            if (code < 0) throw new ArgumentException($"unknown phase {phase}");
            double best = double.MaxValue;
            long acc = 0;
            for (int run = 0; run < 3; run++)
            {
                // CPU time of this process, not wall time: on a shared VM, stolen time shows in the wall clock only.
                var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                acc = Once(file, csv, code, capacity);
                best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
            }
            Console.WriteLine($"{phase,-8} {best:F3} s CPU (best of 3) {acc}");
        }
        return 0;
    }

    private static long Once(string file, CsvOptions csv, int code, int capacity)
    {
        using var fs = File.OpenRead(file);
        using var lr = new LineReader(fs);
        var p = new CsvLineParser(csv);
        var cols = Enumerable.Range(0, 12).Select(i => new ColumnStats("c" + i, i, i is 0 or 1 or 4 or 7 or 8 or 9 or 10, capacity, csv.Missing)).ToArray();
        var tops = Enumerable.Range(0, 12).Select(i => new FrequentValues(capacity)).ToArray();
        long acc = 0;
        var include = new bool[12];
        foreach (var c in (Environment.GetEnvironmentVariable("COLS") ?? "0,1,2,3,4,5,6,7,8,9,10,11").Split(',')) include[int.Parse(c)] = true;
        while (lr.TryReadLine(out var line, out _))
        {
            if (code == 0) { acc += line.Length; continue; }
            p.Parse(line);
            if (code == 1) { acc += p.FieldCount; continue; }
            int n = Math.Min(p.FieldCount, 12);
            for (int i = 0; i < n; i++)
            {
                var v = p[i];
                switch (code)
                {
                    case 2: acc += v.Length; break;
                    case 3: if (csv.IsMissing(v)) acc++; break;
                    case 4: acc += (long)Hash64.Of(v); break;
                    case 5: if (i < 2) tops[i].Add(v); break;
                    case 6: if (i >= 2) tops[i].Add(v); break;
                    case 7: tops[i].Add(v); break;
                    case 8: if (NumberParser.TryParse(v, out var d)) acc += (long)d; break;
                    default: if (include[i]) cols[i].Add(v); break;
                }
            }
        }
        return acc;
    }
}
