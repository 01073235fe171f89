using System.Globalization;
using System.Text;
using Streaming.Core;

namespace Streaming.LocalRunner;

/// <summary>
/// <c>streaming-local generate</c>: a deterministic, realistic stand-in for the Black Friday purchases data
/// (same header, value sets, category frequencies, ~31 % / ~69 % missing Product_Category_2 / _3, ~93 rows per user,
/// per-user attributes that stay fixed, purchase amounts driven by the product), scaled by --rows. CRLF line ends
/// like the original file. Used when the real data is not beside the checkout, and by the benchmarks.
/// </summary>
public static class DataGenerator
{
    public const string Header = "User_ID,Product_ID,Gender,Age,Occupation,City_Category,Stay_In_Current_City_Years,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3,Purchase";

    private static readonly (string Value, double Weight)[] Ages =
        [("0-17", 2.7), ("18-25", 18.1), ("26-35", 39.9), ("36-45", 20.0), ("46-50", 8.3), ("51-55", 7.0), ("55+", 3.9)];
    private static readonly (string Value, double Weight)[] Cities = [("A", 26.9), ("B", 42.1), ("C", 31.0)];
    private static readonly (string Value, double Weight)[] Stay = [("0", 13.5), ("1", 35.2), ("2", 18.5), ("3", 17.3), ("4+", 15.4)];
    private static readonly double[] OccupationWeights = [12.7, 8.6, 4.8, 3.2, 13.1, 2.2, 3.7, 10.8, 0.3, 1.1, 2.3, 2.1, 5.7, 1.4, 5.0, 2.2, 4.6, 7.3, 1.2, 1.5, 6.1];
    private static readonly double[] Category1Weights = [25.6, 4.3, 3.7, 2.1, 27.4, 3.7, 0.7, 20.7, 0.1, 0.9, 4.4, 0.7, 1.0, 0.3, 1.1, 1.8, 0.1, 0.6, 0.3, 0.5];
    private static readonly int[] CategoryPrice = [13600, 11250, 10100, 2330, 6240, 15840, 16370, 7500, 15540, 19680, 4690, 1350, 720, 13140, 14780, 14770, 10170, 2970, 37, 370];

    public static int Run(string[] args)
    {
        long rows = 100_000;
        int seed = 42;
        string? output = null;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--rows" when i + 1 < args.Length && long.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out rows) && rows > 0: i++; break;
                case "--seed" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out seed): i++; break;
                case "--output" when i + 1 < args.Length: output = args[++i]; break;
                case "--rows" or "--seed" or "--output":
                    Console.Error.WriteLine($"generate: error: {args[i]} needs {(args[i] == "--output" ? "a file" : args[i] == "--rows" ? "a positive integer" : "an integer")}{(i + 1 < args.Length ? $", got '{args[i + 1]}'" : "")}");
                    return ExitCodes.Usage;
                default:
                    Console.Error.WriteLine($"generate: error: unknown option {args[i]} (use --rows N --seed S --output FILE)");
                    return ExitCodes.Usage;
            }
        }
        using var stream = output is null ? Console.OpenStandardOutput() : File.Create(output);
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16) { NewLine = "\r\n" };
        Write(w, rows, seed);
        return 0;
    }

    public static void Write(TextWriter w, long rows, int seed)
    {
        var rng = new Random(seed);
        int users = (int)Math.Max(50, rows / 93);
        int products = (int)Math.Clamp(rows / 150, 40, 3700);
        var user = new string[users];
        for (int u = 0; u < users; u++)
        {
            string gender = rng.NextDouble() < 0.753 ? "M" : "F";
            user[u] = string.Join(',', gender, Pick(rng, Ages), PickIndex(rng, OccupationWeights).ToString(CultureInfo.InvariantCulture),
                Pick(rng, Cities), Pick(rng, Stay), rng.NextDouble() < 0.59 ? "0" : "1");
        }
        var product = new (int C1, int? C2, int? C3, double Price)[products];
        for (int p = 0; p < products; p++)
        {
            int c1 = PickIndex(rng, Category1Weights) + 1;
            int? c2 = rng.NextDouble() < 0.31 ? null : rng.Next(Math.Min(c1 + 1, 18), 19);
            int? c3 = c2 is null || rng.NextDouble() < 0.55 ? null : rng.Next(Math.Min(c2.Value + 1, 18), 19);
            product[p] = (c1, c2, c3, CategoryPrice[c1 - 1] * (0.6 + 0.8 * rng.NextDouble()));
        }
        var sb = new StringBuilder(128);
        w.WriteLine(Header);
        for (long i = 0; i < rows; i++)
        {
            int u = (int)Math.Min(users - 1, Math.Abs(Gaussian(rng)) * users / 2.5);
            int p = (int)Math.Min(products - 1, Math.Abs(Gaussian(rng)) * products / 2.2);
            var pr = product[p];
            double purchase = Math.Clamp(pr.Price * (0.75 + 0.5 * rng.NextDouble()) + 185, 12, 23961);
            sb.Clear();
            sb.Append(1000001 + u).Append(",P00").Append((p * 7919 % 999_999).ToString("D6", CultureInfo.InvariantCulture)).Append(',')
              .Append(user[u]).Append(',').Append(pr.C1).Append(',').Append(pr.C2?.ToString(CultureInfo.InvariantCulture)).Append(',')
              .Append(pr.C3?.ToString(CultureInfo.InvariantCulture)).Append(',').Append((int)purchase);
            w.WriteLine(sb);
        }
    }

    private static string Pick(Random rng, (string Value, double Weight)[] table)
    {
        double total = table.Sum(t => t.Weight), x = rng.NextDouble() * total;
        foreach (var (v, wt) in table) { if ((x -= wt) < 0) return v; }
        return table[^1].Value;
    }

    private static int PickIndex(Random rng, double[] weights)
    {
        double x = rng.NextDouble() * weights.Sum();
        for (int i = 0; i < weights.Length; i++) if ((x -= weights[i]) < 0) return i;
        return weights.Length - 1;
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
