using System.Diagnostics;

namespace Streaming.Storage;

/// <summary>
/// One operation's retry policy: a bounded number of retries and an overall deadline, shared by every layer of the
/// operation (the NameNode fail-over loop, the OPEN redirect, the read loop's resumes), so nested retries never
/// multiply (7 × 7 × 7 attempts before). A stream's budget is renewed whenever bytes arrive: the deadline bounds a
/// stretch of failures, not a long healthy transfer.
/// </summary>
internal sealed class RetryBudget(int maxRetries, TimeSpan deadline)
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public int Attempts { get; private set; } = 1;
    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Whether one more attempt fits, after <paramref name="delay"/>; false when retries or time are spent.</summary>
    public bool TrySpend(TimeSpan delay)
    {
        if (Attempts > maxRetries || _clock.Elapsed + delay > deadline) return false;
        Attempts++;
        return true;
    }

    /// <summary>Progress was made: the next failure starts a fresh budget.</summary>
    public void Renew()
    {
        Attempts = 1;
        _clock.Restart();
    }
}
