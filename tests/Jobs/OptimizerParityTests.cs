using System.Text.Json;

namespace Streaming.Tests;

/// <summary>
/// The trainer's hand-packed AdamW (FlatAdamW: one flat buffer, ~8 ops a step) against TorchSharp's stock AdamW — libtorch's
/// own update, with parameter groups for the decay mask — from the same start, with the same gradients (an embedding's
/// rows zero on most steps) and the learning-rate schedule the trainer uses (warm-up, cosine decay).
/// </summary>
public class OptimizerParityTests
{
    [Test]
    public void FlatAdamWTakesTorchsAdamWStepsToFloatRounding()
    {
        var r = Proc.Run(Repo.OptimizerParity, "--steps", "400");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        using var result = JsonDocument.Parse(r.Stdout);
        var root = result.RootElement;
        TestContext.Out.WriteLine(r.Stdout);
        Assert.That(root.GetProperty("steps").GetInt32(), Is.EqualTo(400));
        // Every parameter after every step, relative to its largest magnitude: an ulp or two of float32, not drifting.
        Assert.That(root.GetProperty("max_rel_diff").GetDouble(), Is.LessThanOrEqualTo(1e-6));
        // What the bound is worth: one step moves the parameters by far more than it allows.
        Assert.That(root.GetProperty("first_step_rel_update").GetDouble(), Is.GreaterThan(1e-5));
    }
}
