using System.Text.Json;

namespace Streaming.Tests;

/// <summary>The picture so far while training runs: MODEL.progress/ holds the chart and metrics after every epoch; the model directory appears only complete.</summary>
public class TrainingProgressTests
{
    [Test]
    public void TheChartSoFarIsWrittenAfterEveryEpochBesideAModelThatAppearsOnlyWhenDone()
    {
        var dir = Repo.TempDir("progress");
        string model = Path.Combine(dir, "m"), chart = Path.Combine(model + ".progress", "training-curve.svg");
        var psi = new System.Diagnostics.ProcessStartInfo(Repo.Trainer) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "train", "--data", Pipeline.BlackFridayShards.Value, "--model", model, "--epochs", "40", "--patience", "0", "--hidden", "16", "--seed", "5" })
            psi.ArgumentList.Add(a);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        var seen = new SortedSet<int>();
        while (!p.HasExited)
        {
            try
            {
                if (File.Exists(chart))
                {
                    var svg = File.ReadAllText(chart);   // replaced whole (renamed into place): never half a file
                    Assert.That(svg, Does.StartWith("<svg").And.EndWith("</svg>\n"));
                    var epochs = JsonDocument.Parse(File.ReadAllText(Path.Combine(model + ".progress", "metrics.json"))).RootElement.GetProperty("epochs").GetArrayLength();
                    if (epochs < 40) Assert.That(File.Exists(Path.Combine(model, "model.json")), Is.False, "no model directory while training runs");
                    seen.Add(epochs);
                }
            }
            catch (IOException) { }   // renamed between the check and the read
            Thread.Sleep(20);
        }
        p.WaitForExit();
        Assert.That(p.ExitCode, Is.EqualTo(0), stderr.Result);
        TestContext.Out.WriteLine($"epochs seen in the progress picture: {string.Join(",", seen)}");
        Assert.That(seen, Has.Count.GreaterThanOrEqualTo(3), "the picture grew epoch by epoch while training ran");
        Assert.That(Directory.Exists(model + ".progress"), Is.False, "gone once the model is saved");
        Assert.That(File.Exists(Path.Combine(model, "training-curve.svg")), Is.True);
    }
}
