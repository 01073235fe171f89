using System.Text.Json.Serialization;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Stats;

namespace Streaming.Transform;

[JsonConverter(typeof(CategoricalEncodingJson))]
public enum CategoricalEncoding
{
    /// <summary>One int64: the category's index (the trainer embeds it).</summary>
    Index,
    /// <summary>A float32 vector of <see cref="CategoricalFeature.Cardinality"/> with a single 1.</summary>
    OneHot,
}

/// <summary>
/// A categorical column: its value's index in <see cref="Vocabulary"/>, else one of <see cref="OovBuckets"/> hash
/// buckets after it (<see cref="OovHash"/>), else — missing, or no buckets — the last index, <see cref="MissingIndex"/>.
/// </summary>
public sealed record CategoricalFeature : FeatureSpec
{
    private VocabularyLookup? _lookup;

    public required CategoricalEncoding Encoding { get; init; }
    public required IReadOnlyList<string> Vocabulary { get; init; }
    public required int OovBuckets { get; init; }
    /// <summary>True when the vocabulary came from a heavy-hitters sketch (the column had more distinct values than tracked).</summary>
    public bool VocabularyApproximate { get; init; }

    public int VocabularySize => Vocabulary.Count;
    /// <summary>Number of distinct indices: vocabulary + OOV buckets + 1 (missing).</summary>
    public int Cardinality => Vocabulary.Count + OovBuckets + 1;
    public int MissingIndex => Vocabulary.Count + OovBuckets;
    public override string DType => Encoding == CategoricalEncoding.Index ? "int64" : "float32";
    public override int Length => Encoding == CategoricalEncoding.Index ? 1 : Cardinality;
    public override int? IndexCardinality => Encoding == CategoricalEncoding.Index ? Cardinality : null;

    /// <summary>The plan step: the vocabulary is the column's most frequent values (at least <paramref name="minCount"/>, at most <paramref name="topK"/>).</summary>
    public static CategoricalFeature Plan(ColumnStats s, string encoding, long minCount, int? topK, int oovBuckets)
    {
        var kind = encoding switch
        {
            "index" => CategoricalEncoding.Index,
            "onehot" => CategoricalEncoding.OneHot,
            _ => throw new ConfigException("encoding", $"for '{s.Name}' must be index|onehot, got '{encoding}'"),
        };
        var vocab = s.Top.Ordered().Where(t => t.Count >= minCount).Select(t => t.Value);
        if (topK is { } k) vocab = vocab.Take(k);
        return new CategoricalFeature
        {
            Name = s.Name, Source = s.Name, SourceIndex = s.Index,
            Encoding = kind, Vocabulary = vocab.ToList(), OovBuckets = oovBuckets, VocabularyApproximate = s.Top.Truncated,
        };
    }

    /// <summary>The index of a present value (not missing); <paramref name="seen"/> is false outside the vocabulary.</summary>
    public int Index(ReadOnlySpan<byte> value, out bool seen)
    {
        // Built on first use: the plan is read once and then only read (a race builds two equal lookups, keeps one).
        var lookup = _lookup ??= new VocabularyLookup(Vocabulary);
        if (seen = lookup.TryGetIndex(value, out int index)) return index;
        return OovBuckets == 0 ? MissingIndex : Vocabulary.Count + OovHash.Bucket(value, OovBuckets);
    }

    public override FeatureOutcome Encode(ReadOnlySpan<byte> value, bool missing, ExampleEncoder encoder, ExampleKey key, ref float[] scratch)
    {
        bool seen = true;
        int index = missing ? MissingIndex : Index(value, out seen);
        if (Encoding == CategoricalEncoding.OneHot)
        {
            int n = Cardinality;
            if (scratch.Length < n) scratch = new float[n];
            var span = scratch.AsSpan(0, n);
            span.Clear();
            span[index] = 1f;
            encoder.AddFloats(key, span);
        }
        else encoder.AddInt64(key, index);
        return seen ? FeatureOutcome.Encoded : FeatureOutcome.Unseen;
    }

    internal override FeatureDocument ToDocument() => new()
    {
        Name = Name, Source = Source, SourceIndex = SourceIndex, Type = FeatureDocument.Categorical,
        Encoding = Encoding, Vocabulary = [.. Vocabulary], OovBuckets = OovBuckets, VocabularyApproximate = VocabularyApproximate ? true : null,
    };
}
