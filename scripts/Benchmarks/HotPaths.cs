using System.Text;
using BenchmarkDotNet.Attributes;
using Streaming.Core;
using Streaming.Csv;
using Streaming.TfRecord;
using Streaming.Stats;
using Streaming.Transform;
using Streaming.Data;
using Streaming.Model;

namespace Streaming.Benchmarks;

/// <summary>Micro-benchmarks of the hot paths, per row / record / batch, on real-looking data.</summary>
[MemoryDiagnoser]
public class HotPaths
{
    private byte[][] _lines = [];
    private readonly CsvLineParser _parser = new(new CsvOptions());
    private ColumnStats[] _stats = [];
    private readonly ExampleEncoder _encoder = new();
    private readonly ExampleKey[] _keys = Enumerable.Range(0, 12).Select(i => ExampleEncoder.Key("feature_" + i)).ToArray();
    private byte[] _record = [];
    private TfRecordWriter _writer = null!;
    private MlpScorer _scorer = null!;
    private Batch _batch = null!;
    private float[] _outputs = [];

    [GlobalSetup]
    public void Setup()
    {
        var sw = new StringWriter();
        LocalRunner.DataGenerator.Write(sw, 4096, 1);
        _lines = sw.ToString().Split("\r\n", StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(Encoding.UTF8.GetBytes).ToArray();
        _stats = Enumerable.Range(0, 12).Select(i => new ColumnStats("c" + i, i)).ToArray();
        _encoder.Begin();
        for (int i = 0; i < 8; i++) _encoder.AddFloat(_keys[i], i * 0.1f);
        for (int i = 8; i < 12; i++) _encoder.AddInt64(_keys[i], i * 100);
        _record = _encoder.End().ToArray();
        _writer = new TfRecordWriter(Stream.Null, TfRecordCompression.None);
        var spec = new ModelSpec
        {
            Task = TaskKind.Regression, NumericWidth = 8, Hidden = [256, 128],
            Embeddings = [new EmbeddingSpec { Feature = "u", Cardinality = 3000, Dim = 14 }, new EmbeddingSpec { Feature = "p", Cardinality = 3000, Dim = 14 }],
        };
        var rng = new Random(1);
        _scorer = new MlpScorer(spec, spec.Tensors().ToDictionary(t => t.Name, t => new NamedTensor(t.Name, t.Shape,
            Enumerable.Range(0, t.Shape.Aggregate(1, (a, b) => a * b)).Select(_ => rng.NextSingle() - 0.5f).ToArray())));
        _batch = new Batch(256, 8, 2) { Size = 256 };
        for (int i = 0; i < _batch.Numeric.Length; i++) _batch.Numeric[i] = rng.NextSingle();
        for (int i = 0; i < _batch.Categorical.Length; i++) _batch.Categorical[i] = rng.Next(3000);
        for (int i = 0; i < 256; i++) _batch.Labels[i] = rng.NextSingle();
        _outputs = new float[256];
    }

    [Benchmark(Description = "CSV: split 4,096 lines into fields")]
    public int CsvParse()
    {
        int n = 0;
        foreach (var l in _lines) { _parser.Parse(l); n += _parser.FieldCount; }
        return n;
    }

    [Benchmark(Description = "Stats: update 12 columns × 4,096 rows")]
    public long StatsUpdate()
    {
        foreach (var l in _lines)
        {
            _parser.Parse(l);
            for (int i = 0; i < 12 && i < _parser.FieldCount; i++) _stats[i].Add(_parser[i]);
        }
        return _stats[0].Complete().Count;
    }

    [Benchmark(Description = "Example: encode 12 features")]
    public int EncodeExample()
    {
        _encoder.Begin();
        for (int i = 0; i < 8; i++) _encoder.AddFloat(_keys[i], i * 0.1f);
        for (int i = 8; i < 12; i++) _encoder.AddInt64(_keys[i], i * 100);
        return _encoder.End().Length;
    }

    [Benchmark(Description = "CRC-32C of 1 MiB")]
    public uint Crc() => Crc32C.Compute(Big);

    private static readonly byte[] Big = Enumerable.Range(0, 1 << 20).Select(i => (byte)i).ToArray();

    [Benchmark(Description = "TFRecord: frame one record")]
    public void Frame() => _writer.Write(_record);

    [Benchmark(Description = "Scorer (no libtorch): forward batch 256, MLP 36→256→128→1")]
    public float ScoreBatch()
    {
        _scorer.Forward(_batch, _outputs);
        return _outputs[0];
    }
}
