using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Streaming.Core;
using Streaming.Data;

namespace Streaming.Trainer.Training;

/// <summary>
/// A training run's state at a step boundary, enough to go on as if it had never stopped: the epoch and the batches
/// of it already applied (the input order is deterministic, so a resumed run skips exactly those), the running loss,
/// the optimizer's flat buffers (weights, first and second moments, step), the best epoch's weights and the early
/// stopping state, the history so far and torch's RNG state (dropout). <see cref="RunKey"/> says which run it
/// belongs to: a checkpoint of other data or options is never resumed.
/// File: "STRMCKP1", the JSON header's length and bytes, then each array as its length and little-endian values,
/// the RNG state, and the CRC-32C of everything before it; written under a temporary name and renamed.
/// </summary>
public sealed class Checkpoint
{
    private static readonly byte[] Magic = "STRMCKP1"u8.ToArray();

    public required string RunKey { get; init; }
    public int Epoch { get; init; }
    public long Batches { get; init; }
    public long Seen { get; init; }
    public double LossSum { get; init; }
    public long Step { get; init; }
    public double Best { get; init; }
    public int BestEpoch { get; init; }
    public int SinceBest { get; init; }
    public List<EpochResult> History { get; init; } = [];

    // Binary parts (not in the JSON header).
    public float[] Values { get; init; } = [];
    public float[] ExpAvg { get; init; } = [];
    public float[] ExpAvgSq { get; init; } = [];
    public float[]? BestWeights { get; init; }
    public byte[] RngState { get; init; } = [];

    private sealed record Header(string RunKey, int Epoch, long Batches, long Seen, double LossSum, long Step, double Best, int BestEpoch,
        int SinceBest, List<EpochResult> History, bool HasBest);

    public void Save(string path)
    {
        using var ms = new MemoryStream();
        ms.Write(Magic);
        var header = JsonSerializer.SerializeToUtf8Bytes(new Header(RunKey, Epoch, Batches, Seen, LossSum, Step,
            double.IsFinite(Best) ? Best : double.MaxValue, BestEpoch, SinceBest, History, BestWeights is not null));
        WriteInt64(ms, header.Length);
        ms.Write(header);
        foreach (var a in new[] { Values, ExpAvg, ExpAvgSq, BestWeights ?? [] })
        {
            WriteInt64(ms, a.Length * sizeof(float));
            ms.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(a.AsSpan()));   // little-endian hosts only (x64, arm64)
        }
        WriteInt64(ms, RngState.Length);
        ms.Write(RngState);
        var body = ms.ToArray();
        var full = Path.GetFullPath(path);
        var tmp = Path.Combine(Path.GetDirectoryName(full)!, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId);
        try
        {
            using (var f = new FileStream(tmp, FileMode.Create, FileAccess.Write))
            {
                f.Write(body);
                Span<byte> crc = stackalloc byte[4];
                BinaryPrimitives.WriteUInt32LittleEndian(crc, Crc32C.Compute(body));
                f.Write(crc);
                f.Flush(flushToDisk: true);
            }
            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            // A full disk must not stay full of our half checkpoint: the previous checkpoint, if any, is intact.
            try { File.Delete(tmp); } catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The checkpoint at <paramref name="path"/>, or null when there is none; a damaged one is an error.</summary>
    public static Checkpoint? Load(string path)
    {
        if (!File.Exists(path)) return null;
        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < Magic.Length + 12 || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic)
            || Crc32C.Compute(bytes.AsSpan(0, bytes.Length - 4)) != BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)))
            throw new ConfigException($"{path}: not a trainer checkpoint, or damaged (CRC mismatch): remove it to start over");
        int p = Magic.Length;
        var header = JsonSerializer.Deserialize<Header>(Read(bytes, ref p))!;
        float[] Floats(ref int at) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(Read(bytes, ref at)).ToArray();
        var values = Floats(ref p);
        var m = Floats(ref p);
        var v = Floats(ref p);
        var best = Floats(ref p);
        var rng = Read(bytes, ref p).ToArray();
        return new Checkpoint
        {
            RunKey = header.RunKey, Epoch = header.Epoch, Batches = header.Batches, Seen = header.Seen, LossSum = header.LossSum,
            Step = header.Step, Best = header.Best == double.MaxValue ? double.PositiveInfinity : header.Best, BestEpoch = header.BestEpoch,
            SinceBest = header.SinceBest, History = header.History, Values = values, ExpAvg = m, ExpAvgSq = v,
            BestWeights = header.HasBest ? best : null, RngState = rng,
        };
    }

    private static ReadOnlySpan<byte> Read(byte[] bytes, ref int p)
    {
        long n = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(p));
        p += 8;
        var span = bytes.AsSpan(p, checked((int)n));
        p += (int)n;
        return span;
    }

    private static void WriteInt64(Stream s, long v)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(b, v);
        s.Write(b);
    }

    /// <summary>What identifies a run: the data, the split and every option that changes the weights.</summary>
    public static string Key(string data, string? validation, double fraction, string inputKind, TrainOptions o) =>
        JsonSerializer.Serialize(new
        {
            data, validation, fraction, inputKind, o.BatchSize, o.LearningRate, o.WeightDecay, o.Dropout, o.Hidden, o.EmbeddingDim,
            o.Seed, o.ShuffleBuffer, o.Deterministic,
        });
}
