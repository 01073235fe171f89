using System.Globalization;
using Streaming.Trainer.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// The trainer's FlatAdamW against TorchSharp's stock AdamW (libtorch's own update, param groups for the decay mask)
// from the same start with the same gradients and the same learning-rate schedule, step by step. Prints one line:
// steps, the largest relative difference of any parameter after any step, and the relative size of one step's
// update (how large a wrong update would show). usage: optimizer-parity [--steps N]
int steps = args.Length == 2 && args[0] == "--steps" ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
torch.manual_seed(20261207);
long[][] shapes = [[16, 9], [16], [9, 16], [9], [40, 4]];   // dense weights (decayed), biases, an embedding table
bool[] decays = [true, false, true, false, false];
var start = shapes.Select(s => torch.randn(s)).ToArray();
var ours = start.Select(t => new Parameter(t.clone())).ToArray();
var reference = start.Select(t => new Parameter(t.clone())).ToArray();
const double lr = 3e-3, weightDecay = 0.05;
var schedule = new LearningRateSchedule(lr, steps, steps / 10);
using var flat = new FlatAdamW(ours, p => decays[Array.IndexOf(ours, p)], lr, weightDecay);
var stock = torch.optim.AdamW(
[
    new AdamW.ParamGroup(reference.Where((_, i) => decays[i]), new AdamW.Options { weight_decay = weightDecay }),
    new AdamW.ParamGroup(reference.Where((_, i) => !decays[i]), new AdamW.Options { weight_decay = 0 }),
], lr);
double worst = 0, firstUpdate = 0;
for (int step = 1; step <= steps; step++)
{
    using var scope = torch.NewDisposeScope();
    var before = ours.Select(p => p.detach().clone()).ToArray();
    flat.ZeroGrad();
    stock.zero_grad();
    for (int i = 0; i < shapes.Length; i++)
    {
        // Sparse-ish gradients as embeddings get them: some rows zero for many steps.
        var g = torch.randn(shapes[i]) * (i == 4 ? (torch.rand(shapes[i][0], 1) < 0.2).to(ScalarType.Float32) : torch.ones(1));
        using (torch.no_grad()) ours[i].grad!.copy_(g);
        reference[i].grad = g.clone();
    }
    double rate = schedule.At(step);
    flat.LearningRate = rate;
    foreach (var group in stock.ParamGroups) group.LearningRate = rate;
    flat.Step();
    stock.step();
    for (int i = 0; i < shapes.Length; i++)
    {
        double diff = (ours[i] - reference[i]).abs().max().item<float>();
        double size = reference[i].abs().max().item<float>();
        worst = Math.Max(worst, diff / size);
        if (step == 1) firstUpdate = Math.Max(firstUpdate, (ours[i] - before[i]).abs().max().item<float>() / size);
    }
}
Console.WriteLine(FormattableString.Invariant($"{{\"steps\": {steps}, \"max_rel_diff\": {worst:R}, \"first_step_rel_update\": {firstUpdate:R}}}"));
