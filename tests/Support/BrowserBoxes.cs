using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Streaming.Tests;

/// <summary>
/// Where a real browser (headless Chromium, the fonts it has) draws the text of a page's SVG pictures: each
/// &lt;text&gt;'s bounding box, relative to its own &lt;svg&gt;, measured by the browser itself.
/// </summary>
public static class BrowserBoxes
{
    public sealed record Box(int Svg, string Text, double X, double Y, double W, double H, double SvgW, double SvgH);

    /// <param name="html">A page holding the pictures (a script is appended to a copy of it).</param>
    public static List<Box> Measure(string html, string window = "1300,1000")
    {
        var copy = Path.Combine(Path.GetDirectoryName(html)!, "measured-" + Path.GetFileName(html));
        File.WriteAllText(copy, File.ReadAllText(html).Replace("</body>", "") + "<pre id=\"boxes\"></pre><script>"
            + "document.getElementById('boxes').textContent = JSON.stringify([...document.querySelectorAll('svg')].flatMap((svg, i) => {"
            + " const o = svg.getBoundingClientRect(); return [...svg.querySelectorAll('text')].map(t => { const r = t.getBoundingClientRect();"
            + " return { Svg: i, Text: t.textContent, X: r.left - o.left, Y: r.top - o.top, W: r.width, H: r.height, SvgW: o.width, SvgH: o.height }; }); }));"
            + "</script></body>");
        var dom = Proc.Run("chromium", ["--headless", "--no-sandbox", "--disable-gpu", $"--window-size={window}", "--dump-dom", "file://" + copy]);
        Assert.That(dom.ExitCode, Is.EqualTo(0), dom.Stderr);
        var json = WebUtility.HtmlDecode(Regex.Match(dom.Stdout, "<pre id=\"boxes\">(.*?)</pre>", RegexOptions.Singleline).Groups[1].Value);
        return JsonSerializer.Deserialize<List<Box>>(json)!;
    }

    /// <summary>Every box drawn, inside its picture, and no two of one picture overlapping.</summary>
    public static void AssertReadable(IEnumerable<Box> boxes)
    {
        foreach (var picture in boxes.GroupBy(b => b.Svg))
        {
            var list = picture.ToList();
            foreach (var b in list)
            {
                Assert.That(b.W * b.H, Is.GreaterThan(0), $"'{b.Text}' is drawn");
                Assert.That(b.X >= -0.5 && b.Y >= -0.5 && b.X + b.W <= b.SvgW + 0.5 && b.Y + b.H <= b.SvgH + 0.5,
                    $"picture {b.Svg}: '{b.Text}' at ({b.X:F0},{b.Y:F0}) {b.W:F0}×{b.H:F0} lies inside its {b.SvgW:F0}×{b.SvgH:F0} picture");
            }
            for (int i = 0; i < list.Count; i++)
                for (int j = i + 1; j < list.Count; j++)
                {
                    var (a, b) = (list[i], list[j]);
                    double overlapX = Math.Min(a.X + a.W, b.X + b.W) - Math.Max(a.X, b.X), overlapY = Math.Min(a.Y + a.H, b.Y + b.H) - Math.Max(a.Y, b.Y);
                    Assert.That(overlapX <= 0.5 || overlapY <= 0.5, $"picture {a.Svg}: '{a.Text}' and '{b.Text}' overlap");
                }
        }
    }
}
