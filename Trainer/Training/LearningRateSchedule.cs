namespace Streaming.Trainer.Training;

/// <summary>
/// The learning rate of each optimizer step: a linear warm-up from near 0 over the first
/// <see cref="WarmupSteps"/> (Adam's early second-moment estimates are noisy: large first steps scatter freshly
/// initialised embeddings), then a half-cosine from the base rate down to <see cref="FloorFraction"/> of it at the
/// last planned step (Loshchilov and Hutter's SGDR without restarts; one-cycle's second half). The late, small steps
/// are where a network settles into a minimum that validates well; early stopping keeps the best epoch either way.
/// A function of the step alone, so a resumed run continues on the same curve.
/// </summary>
public sealed class LearningRateSchedule
{
    public const double FloorFraction = 0.05;
    private readonly double _base;

    /// <param name="totalSteps">Steps of all planned epochs; null when the data's size is unknown (streamed without a
    /// count): warm-up over 1,000 steps, then the base rate.</param>
    public LearningRateSchedule(double baseRate, long? totalSteps, long stepsPerEpoch)
    {
        _base = baseRate;
        TotalSteps = totalSteps;
        // A twentieth of the run, at most one epoch and at least one step.
        WarmupSteps = totalSteps is long t ? Math.Max(1, Math.Min(stepsPerEpoch, t / 20)) : 1000;
    }

    public long WarmupSteps { get; }
    public long? TotalSteps { get; }

    /// <summary>The rate for step <paramref name="step"/> (1-based, as the optimizer counts).</summary>
    public double At(long step)
    {
        if (step <= WarmupSteps) return _base * step / WarmupSteps;
        if (TotalSteps is not long total || total <= WarmupSteps) return _base;
        double progress = Math.Min(1, (double)(step - WarmupSteps) / (total - WarmupSteps));
        return _base * (FloorFraction + (1 - FloorFraction) * 0.5 * (1 + Math.Cos(Math.PI * progress)));
    }
}
