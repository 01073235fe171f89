using System.Globalization;

namespace Streaming.Trainer.Training;

/// <summary>
/// Progress within an epoch, as Keras prints it: batches done (of how many, once known), running loss, samples/s, the
/// epoch's elapsed time and its ETA in h:mm:ss. On a terminal one line rewritten in place a few times a second; in a log (cron, YARN)
/// one line every <c>every</c>, so a long epoch is never silent. The running loss is read from the device only
/// when a line is written.
/// </summary>
public sealed class EpochProgress(TextWriter output, bool interactive, TimeSpan every)
{
    private static readonly TimeSpan TerminalRefresh = TimeSpan.FromMilliseconds(250);
    private TimeSpan last;
    private int width;

    public void StartEpoch() => last = TimeSpan.Zero;

    public void Step(int epoch, int epochs, long batches, long? totalBatches, long samples, TimeSpan elapsed, Func<double> runningLoss)
    {
        if (elapsed - last < (interactive ? TerminalRefresh : every)) return;
        last = elapsed;
        double rate = samples / Math.Max(1e-9, elapsed.TotalSeconds);
        string eta = totalBatches is long total && total >= batches
            ? Eta(TimeSpan.FromSeconds(elapsed.TotalSeconds / Math.Max(1, batches) * (total - batches))) : "?";
        var line = string.Create(CultureInfo.InvariantCulture,
            $"epoch {epoch}/{epochs}  {batches:N0}/{(totalBatches is long t ? t.ToString("N0", CultureInfo.InvariantCulture) : "?")} batches  loss {runningLoss():F4}  {rate:N0} samples/s  elapsed {Eta(elapsed)}  ETA {eta}");
        Write(line, final: false);
    }

    /// <summary>The epoch's summary line (replacing the in-place line on a terminal).</summary>
    public void EndEpoch(string line) => Write(line, final: true);

    private void Write(string line, bool final)
    {
        if (interactive)
        {
            output.Write("\r" + line.PadRight(width));
            width = final ? 0 : line.Length;
            if (final) output.WriteLine();
        }
        else output.WriteLine(line);
        output.Flush();
    }

    /// <summary>h:mm:ss, hours unbounded (a 30-hour ETA reads 30:00:00).</summary>
    public static string Eta(TimeSpan t) => string.Create(CultureInfo.InvariantCulture, $"{(long)t.TotalHours}:{t.Minutes:00}:{t.Seconds:00}");
}
