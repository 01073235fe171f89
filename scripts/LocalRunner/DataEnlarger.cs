using System.Globalization;
using System.Text;

namespace Streaming.LocalRunner;

/// <summary>
/// <c>streaming-local enlarge</c>: repeats a real CSV until it reaches --size-mb, varying the ID columns on every
/// repetition (numbers shifted by repetition × 10^7, other values suffixed with the repetition) so that distinct counts
/// grow like a real larger data set. Deterministic; the header (when --header) is written once; line ends are kept.
/// </summary>
public static class DataEnlarger
{
    public static int Run(string[] args)
    {
        string? input = null, output = null;
        long sizeMb = 1024;
        bool header = true;
        int[] vary = [];
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--input": input = args[++i]; break;
                case "--output": output = args[++i]; break;
                case "--size-mb": sizeMb = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--no-header": header = false; break;
                case "--vary": vary = args[++i].Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                default:
                    Console.Error.WriteLine($"enlarge: unknown option {args[i]} (--input F --output F --size-mb N [--no-header] [--vary 0,1])");
                    return 2;
            }
        }
        if (input is null || output is null) { Console.Error.WriteLine("enlarge: --input and --output are required"); return 2; }
        var text = File.ReadAllText(input);
        string nl = text.Contains("\r\n") ? "\r\n" : "\n";
        var lines = text.Split(nl).Where(l => l.Length > 0).ToList();
        string? head = header ? lines[0] : null;
        var rows = header ? lines.Skip(1).ToList() : lines;
        long target = sizeMb << 20;
        using var w = new StreamWriter(output, false, new UTF8Encoding(false), 1 << 20) { NewLine = nl };
        if (head is not null) w.WriteLine(head);
        long written = 0;
        for (int rep = 0; written < target; rep++)
        {
            foreach (var row in rows)
            {
                string line = row;
                if (rep > 0 && vary.Length > 0)
                {
                    var f = row.Split(',');
                    foreach (int c in vary)
                    {
                        if (c >= f.Length) continue;
                        var v = f[c].Trim();
                        f[c] = long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n)
                            ? (f[c].StartsWith(' ') ? " " : "") + (n + rep * 10_000_000L).ToString(CultureInfo.InvariantCulture)
                            : f[c] + "-" + rep.ToString(CultureInfo.InvariantCulture);
                    }
                    line = string.Join(',', f);
                }
                w.WriteLine(line);
                written += line.Length + nl.Length;
                if (written >= target) break;
            }
        }
        return 0;
    }
}
