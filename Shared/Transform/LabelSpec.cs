using System.Globalization;
using System.Text.Json.Serialization;
using Streaming.Stats;
using Streaming.TfRecord;

namespace Streaming.Transform;

[JsonConverter(typeof(TaskKindJson))]
public enum TaskKind
{
    Regression,
    Binary,
    Multiclass,
}

/// <summary>What a row whose label is missing does.</summary>
[JsonConverter(typeof(LabelMissingPolicyJson))]
public enum LabelMissingPolicy
{
    /// <summary>The row is rejected (counted, quarantined).</summary>
    Error,
    /// <summary>The row is left out and counted as DroppedMissingLabel.</summary>
    Drop,
}

/// <summary>What encoding a row's label came to.</summary>
public enum LabelOutcome { Encoded, Missing, NotAClass, NotANumber }

/// <summary>The label: a float32 regression target, or the int64 index of its class in <see cref="Classes"/>.</summary>
public sealed record LabelSpec
{
    private VocabularyLookup? _classLookup;

    public required string Name { get; set; }
    public int SourceIndex { get; set; }
    public required TaskKind Task { get; set; }
    /// <summary>Class values in index order (classification).</summary>
    public IReadOnlyList<string>? Classes { get; set; }
    public LabelMissingPolicy MissingPolicy { get; set; } = LabelMissingPolicy.Error;
    /// <summary>Other spellings of class values (e.g. the Adult test file's "&gt;50K." for "&gt;50K").</summary>
    public IReadOnlyDictionary<string, string>? Aliases { get; set; }

    /// <summary>A regression target's mean and standard deviation over the statistics' rows (exact moments): the trainer standardises with them.</summary>
    public double? Mean { get; set; }
    public double? Std { get; set; }

    [JsonIgnore] public string DType => Task == TaskKind.Regression ? "float32" : "int64";

    /// <summary>Adds the label of one row to the Example being encoded.</summary>
    public LabelOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key)
    {
        if (missing) return LabelOutcome.Missing;
        if (Classes is { } classes)
        {
            var lookup = _classLookup ??= new VocabularyLookup(classes, Aliases);
            if (!lookup.TryGetIndex(value, out int cls)) return LabelOutcome.NotAClass;
            encoder.AddInt64(key, cls);
        }
        else
        {
            if (!NumberParser.TryParse(value, out double y))
                return LabelOutcome.NotANumber;
            encoder.AddFloat(key, (float)y);
        }
        return LabelOutcome.Encoded;
    }
}
