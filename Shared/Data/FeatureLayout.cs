using System.Text;
using Streaming.Core;
using Streaming.Transform;

namespace Streaming.Data;

/// <summary>
/// Where each feature of <c>_transform.json</c> lands in the model's input: float features (numeric, indicators,
/// one-hot vectors) side by side in one numeric row; categorical indices one column each (to embeddings); the label.
/// </summary>
public sealed class FeatureLayout
{
    public sealed record FloatSlot(string Name, int Offset, int Length);
    public sealed record IndexSlot(string Name, int Column, int Cardinality);

    public FeatureLayout(TransformPlan plan)
    {
        Plan = plan;
        int offset = 0;
        foreach (var f in plan.Features)
        {
            if (f is CategoricalFeature { Encoding: CategoricalEncoding.Index } c) IndexSlots.Add(new IndexSlot(f.Name, IndexSlots.Count, c.Cardinality));
            else { FloatSlots.Add(new FloatSlot(f.Name, offset, f.Length)); offset += f.Length; }
        }
        NumericWidth = offset;
        Label = plan.Label ?? throw new ConfigException("the transform plan has no label: build it with --label to train");
        Task = Label.Task;
        Classes = Label.Classes?.Count ?? 0;
        var keys = new Dictionary<byte[], int>(ByteArrayComparer.Instance);
        for (int i = 0; i < FloatSlots.Count; i++) keys[Encoding.UTF8.GetBytes(FloatSlots[i].Name)] = i;
        for (int i = 0; i < IndexSlots.Count; i++) keys[Encoding.UTF8.GetBytes(IndexSlots[i].Name)] = FloatSlots.Count + i;
        keys[Encoding.UTF8.GetBytes(Label.Name)] = LabelKey;
        Keys = keys.GetAlternateLookup<ReadOnlySpan<byte>>();
    }

    public const int LabelKey = -1;
    public TransformPlan Plan { get; }
    public List<FloatSlot> FloatSlots { get; } = [];
    public List<IndexSlot> IndexSlots { get; } = [];
    public int NumericWidth { get; }
    public LabelSpec Label { get; }
    public TaskKind Task { get; }
    public int Classes { get; }
    /// <summary>Feature name (UTF-8) → float slot index, FloatSlots.Count + index slot, or <see cref="LabelKey"/>.</summary>
    public Dictionary<byte[], int>.AlternateLookup<ReadOnlySpan<byte>> Keys { get; }
}
