using Google.Protobuf;
using Streaming.TfRecord;

namespace Streaming.Trainer.Training;

/// <summary>
/// A TensorBoard event file written while training runs: <c>events.out.tfevents.&lt;unix time&gt;.&lt;host&gt;</c>, TensorFlow's
/// format — TFRecord framing (ours: <see cref="TfRecordWriter.Frame"/>) of <c>tensorflow.Event</c> protos, the first
/// with <c>file_version: "brain.Event:2"</c>, then scalar <c>Summary</c> values with their global step (the
/// optimizer's step count) and wall time. Each event is flushed as it is written, so a TensorBoard pointed at the
/// directory follows the training live. The Event and Summary fields used (event.proto: wall_time 1, step 2,
/// file_version 3, summary 5; summary.proto: value 1, tag 1, simple_value 2) are encoded here, as TensorFlow reads them.
/// </summary>
public sealed class TensorBoardEvents : IDisposable
{
    private readonly FileStream _file;
    private byte[] _frame = new byte[256];

    public string Path { get; }

    public TensorBoardEvents(string directory)
    {
        Directory.CreateDirectory(directory);
        var now = DateTimeOffset.UtcNow;
        Path = System.IO.Path.Combine(directory, $"events.out.tfevents.{now.ToUnixTimeSeconds()}.{Environment.MachineName}");
        _file = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
        Write(Event(now, 0, file_version: "brain.Event:2", summary: null));
    }

    /// <summary>Scalars at one step (one event): e.g. the validation metrics of an epoch.</summary>
    public void Scalars(long step, IEnumerable<(string Tag, double Value)> values)
    {
        using var ms = new MemoryStream();
        var summary = new CodedOutputStream(ms);
        foreach (var (tag, value) in values)
        {
            if (!double.IsFinite(value)) continue;
            var v = new MemoryStream();
            var vo = new CodedOutputStream(v);
            vo.WriteTag(1, WireFormat.WireType.LengthDelimited);
            vo.WriteString(tag);
            vo.WriteTag(2, WireFormat.WireType.Fixed32);
            vo.WriteFloat((float)value);
            vo.Flush();
            summary.WriteTag(1, WireFormat.WireType.LengthDelimited);
            summary.WriteBytes(ByteString.CopyFrom(v.ToArray()));
        }
        summary.Flush();
        Write(Event(DateTimeOffset.UtcNow, step, file_version: null, summary: ms.ToArray()));
    }

    private static byte[] Event(DateTimeOffset when, long step, string? file_version, byte[]? summary)
    {
        using var ms = new MemoryStream();
        var o = new CodedOutputStream(ms);
        o.WriteTag(1, WireFormat.WireType.Fixed64);
        o.WriteDouble(when.ToUnixTimeMilliseconds() / 1000.0);
        if (step != 0)
        {
            o.WriteTag(2, WireFormat.WireType.Varint);
            o.WriteInt64(step);
        }
        if (file_version is not null)
        {
            o.WriteTag(3, WireFormat.WireType.LengthDelimited);
            o.WriteString(file_version);
        }
        if (summary is not null)
        {
            o.WriteTag(5, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(summary));
        }
        o.Flush();
        return ms.ToArray();
    }

    private void Write(byte[] record)
    {
        if (_frame.Length < record.Length + TfRecordWriter.FrameOverhead) _frame = new byte[(record.Length + TfRecordWriter.FrameOverhead) * 2];
        int n = TfRecordWriter.Frame(record, _frame);
        _file.Write(_frame, 0, n);
        _file.Flush();   // a TensorBoard reading the file sees every event as it happens
    }

    public void Dispose() => _file.Dispose();
}
