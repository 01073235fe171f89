using Google.Protobuf;
using Streaming.Contract;
using Streaming.TfRecord.Proto;
using Streaming.Data;
using Streaming.Transform;

namespace Streaming.Tests;

/// <summary>The trainer's direct Example decoder: packed lists (what we and TensorFlow write) and unpacked ones (other writers).</summary>
public class ExampleDecoderTests
{
    private static TransformPlan Plan() => TransformPlan.FromJson("""
        {"version":1,"csv":{"columns":["a","b","c","y"]},"compression":"gzip",
         "label":{"name":"y","source_index":3,"task":"regression"},
         "features":[{"name":"a","source":"a","source_index":0,"type":"numeric","impute_value":0,"offset":0,"factor":1},
                     {"name":"b","source":"b","source_index":1,"type":"categorical","encoding":"index","vocabulary":["x","z"],"oov_buckets":1},
                     {"name":"c","source":"c","source_index":2,"type":"categorical","encoding":"onehot","vocabulary":["p"],"oov_buckets":1}]}
        """);

    [Test]
    public void PackedAsWrittenByProtobuf()
    {
        var layout = new FeatureLayout(Plan());
        var ex = new Example { Features = new Features() };
        ex.Features.Feature.Add("y", new Feature { FloatList = new FloatList { Value = { 12.5f } } });
        ex.Features.Feature.Add("a", new Feature { FloatList = new FloatList { Value = { 0.25f } } });
        ex.Features.Feature.Add("b", new Feature { Int64List = new Int64List { Value = { 2 } } });
        ex.Features.Feature.Add("c", new Feature { FloatList = new FloatList { Value = { 0, 1, 0 } } });
        ex.Features.Feature.Add("unrelated", new Feature { BytesList = new BytesList { Value = { ByteString.CopyFromUtf8("ignored") } } });
        var num = new float[layout.NumericWidth];
        var idx = new int[layout.IndexSlots.Count];
        new ExampleDecoder(layout).Decode(ex.ToByteArray(), num, idx, out float label);
        Assert.That(num, Is.EqualTo(new[] { 0.25f, 0, 1, 0 }));
        Assert.That(idx, Is.EqualTo(new[] { 2 }));
        Assert.That(label, Is.EqualTo(12.5f));
    }

    [Test]
    public void UnpackedListsAndMissingFeatures()
    {
        var layout = new FeatureLayout(Plan());
        // Hand-written wire format with unpacked repeated fields (tag 0x0D per float, 0x08 per int64).
        byte[] Entry(string key, byte[] feature) => [0x0A, .. Len([0x0A, .. Len(System.Text.Encoding.UTF8.GetBytes(key)), 0x12, .. Len(feature)])];
        static byte[] Len(byte[] b) => [(byte)b.Length, .. b];
        byte[] Floats(params float[] v) => [0x12, .. Len(v.SelectMany(f => new byte[] { 0x0D }.Concat(BitConverter.GetBytes(f))).ToArray())];
        byte[] Ints(params byte[] v) => [0x1A, .. Len(v.SelectMany(i => new byte[] { 0x08, i }).ToArray())];
        byte[] features = [.. Entry("a", Floats(3f)), .. Entry("b", Ints(1)), .. Entry("c", Floats(1, 0, 0)), .. Entry("y", Floats(7f))];
        byte[] example = [0x0A, .. Len(features)];
        var num = new float[4];
        var idx = new int[1];
        new ExampleDecoder(layout).Decode(example, num, idx, out float label);
        Assert.That(num, Is.EqualTo(new[] { 3f, 1, 0, 0 }));
        Assert.That(idx[0], Is.EqualTo(1));
        Assert.That(label, Is.EqualTo(7f));

        byte[] withoutB = [0x0A, .. Len([.. Entry("a", Floats(3f)), .. Entry("c", Floats(1, 0, 0)), .. Entry("y", Floats(7f))])];
        var e = Assert.Throws<DataException>(() => new ExampleDecoder(layout).Decode(withoutB, num, idx, out _));
        Assert.That(e!.Message, Does.Contain("lacks feature 'b'"));
        byte[] shortOneHot = [0x0A, .. Len([.. Entry("a", Floats(3f)), .. Entry("b", Ints(1)), .. Entry("c", Floats(1, 0)), .. Entry("y", Floats(7f))])];
        Assert.Throws<DataException>(() => new ExampleDecoder(layout).Decode(shortOneHot, num, idx, out _));
    }
}
