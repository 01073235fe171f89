using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Transform;

namespace Streaming.Data;

/// <summary>
/// Where each feature of <c>_transform.json</c> lands in the model's input: float features (numeric, indicators,
/// one-hot vectors) side by side in one numeric row; categorical indices one column each (to embeddings); the label.
/// </summary>
public sealed class FeatureLayout
{
    public FeatureLayout(TransformPlan plan)
    {
        Plan = plan;
        var floats = new List<ExampleSlots.FloatSlot>();
        var indices = new List<ExampleSlots.IndexSlot>();
        int offset = 0;
        foreach (var f in plan.Features)
        {
            if (f.IndexCardinality is { } cardinality) indices.Add(new ExampleSlots.IndexSlot(f.Name, indices.Count, cardinality));
            else { floats.Add(new ExampleSlots.FloatSlot(f.Name, offset, f.Length)); offset += f.Length; }
        }
        Label = plan.Label ?? throw new ConfigException("the transform plan has no label: build the plan with a label to train");
        Task = Label.Task;
        Classes = Label.Classes?.Count ?? 0;
        Slots = new ExampleSlots(floats, indices, Label.Name);
    }

    public TransformPlan Plan { get; }
    /// <summary>The decoder's view: where each feature of an Example lands.</summary>
    public ExampleSlots Slots { get; }
    public IReadOnlyList<ExampleSlots.FloatSlot> FloatSlots => Slots.FloatSlots;
    public IReadOnlyList<ExampleSlots.IndexSlot> IndexSlots => Slots.IndexSlots;
    public int NumericWidth => Slots.NumericWidth;
    public LabelSpec Label { get; }
    public TaskKind Task { get; }
    public int Classes { get; }
}
