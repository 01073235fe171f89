using System.Runtime.InteropServices;

namespace Streaming.Trainer.Training;

/// <summary>
/// SIGTERM (YARN, cron, systemd) and SIGINT (a terminal) ask the training loop to stop at the next batch boundary, where
/// it writes a checkpoint and ends with 128 + the signal (<see cref="Core.StopRequestedException"/>) instead of dying
/// mid-step. A second signal of the same kind is not held back: the process ends at once, as the sender insists.
/// </summary>
public sealed class StopSignal : IDisposable
{
    private readonly PosixSignalRegistration[] _registrations;
    private volatile int _signal;

    public StopSignal()
    {
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGTERM, Handle), PosixSignalRegistration.Create(PosixSignal.SIGINT, Handle)];
    }

    /// <summary>The signal number asked for (15 SIGTERM, 2 SIGINT), or null while none was.</summary>
    public int? Requested => _signal == 0 ? null : _signal;

    public static string Name(int signal) => signal == 2 ? "SIGINT" : signal == 15 ? "SIGTERM" : $"signal {signal}";

    private void Handle(PosixSignalContext context)
    {
        int number = context.Signal == PosixSignal.SIGINT ? 2 : 15;
        if (_signal != 0) return;   // the second one: let the runtime end the process
        _signal = number;
        context.Cancel = true;
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
    }
}
