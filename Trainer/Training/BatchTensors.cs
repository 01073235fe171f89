using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using Streaming.Data;

namespace Streaming.Trainer.Training;

/// <summary>
/// Hands batches to libtorch through host tensors made once and overwritten per batch: numeric [B×F] float32,
/// embedding gather positions [B×W] int64, labels [B]. torch.tensor(array) costs ~20× a plain copy in TorchSharp
/// (~0.9 ms for one Black Friday batch's positions, a tenth of a 1-thread step); writing the bytes of a tensor made
/// once costs the copy. The tensors are valid until the next <see cref="Load"/>: the step that uses them has ended
/// by then (CPU ops are synchronous, and a CUDA copy from pageable memory has read its source when it returns).
/// </summary>
public sealed class BatchTensors : IDisposable
{
    private Tensor? numeric, positions, labels;
    private int capacity;

    public (Tensor Numeric, Tensor Positions, Tensor Labels) Load(Batch b, Device device)
    {
        var gather = b.GatherPositions ?? throw new InvalidOperationException("batch without gather positions: pass TorchScoring.Prepare to BatchStream");
        if (numeric is null || capacity != b.Capacity)
        {
            Dispose();
            capacity = b.Capacity;
            numeric = torch.empty([capacity, b.Numeric.Length / capacity], ScalarType.Float32).DetachFromDisposeScope();
            positions = torch.empty([capacity, gather.Length / capacity], ScalarType.Int64).DetachFromDisposeScope();
            labels = torch.empty([capacity], ScalarType.Float32).DetachFromDisposeScope();
        }
        // Whole buffers (a short last batch's stale tail rows are cut off below).
        numeric.bytes = MemoryMarshal.AsBytes(b.Numeric.AsSpan());
        positions!.bytes = MemoryMarshal.AsBytes(gather.AsSpan());
        labels!.bytes = MemoryMarshal.AsBytes(b.Labels.AsSpan());
        int n = b.Size;
        var (x, p, y) = n == capacity ? (numeric, positions, labels) : (numeric.narrow(0, 0, n), positions.narrow(0, 0, n), labels.narrow(0, 0, n));
        if (device.type == DeviceType.CPU) return (x, p, y);
        return (x.to(device, non_blocking: true), p.to(device, non_blocking: true), y.to(device, non_blocking: true));
    }

    public void Dispose()
    {
        numeric?.Dispose();
        positions?.Dispose();
        labels?.Dispose();
        (numeric, positions, labels) = (null, null, null);
    }
}
