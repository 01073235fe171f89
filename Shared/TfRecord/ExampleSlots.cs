using System.Text;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>
/// Where each named feature of an Example lands when it is decoded (<see cref="ExampleDecoder"/>): float features side
/// by side in one numeric row (<see cref="FloatSlots"/>: a number, or a one-hot vector), int64 features one column each
/// (<see cref="IndexSlots"/>), and the label. The training input builds it from the plan (Data's FeatureLayout).
/// </summary>
public sealed class ExampleSlots
{
    public sealed record FloatSlot(string Name, int Offset, int Length);
    public sealed record IndexSlot(string Name, int Column, int Cardinality);

    /// <summary>The value <see cref="Keys"/> gives for the label's name.</summary>
    public const int LabelKey = -1;

    public ExampleSlots(IReadOnlyList<FloatSlot> floats, IReadOnlyList<IndexSlot> indices, string label)
    {
        FloatSlots = floats;
        IndexSlots = indices;
        LabelName = label;
        NumericWidth = floats.Sum(f => f.Length);
        var keys = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        for (int i = 0; i < floats.Count; i++) keys[Encoding.UTF8.GetBytes(floats[i].Name)] = i;
        for (int i = 0; i < indices.Count; i++) keys[Encoding.UTF8.GetBytes(indices[i].Name)] = floats.Count + i;
        keys[Encoding.UTF8.GetBytes(label)] = LabelKey;
        Keys = keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public IReadOnlyList<FloatSlot> FloatSlots { get; }
    public IReadOnlyList<IndexSlot> IndexSlots { get; }
    public string LabelName { get; }
    /// <summary>Floats per numeric row: the float slots' lengths together.</summary>
    public int NumericWidth { get; }
    /// <summary>Feature name (UTF-8) → float slot index, FloatSlots.Count + index slot, or <see cref="LabelKey"/>.</summary>
    public Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> Keys { get; }
}
