using Google.Protobuf;
using Streaming.TfRecord.Proto;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Transform;
using Streaming.Data;

namespace Streaming.Tests;

/// <summary>The trainer's direct Example decoder: packed lists (what we and TensorFlow write) and unpacked ones (other writers).</summary>
public class ExampleDecoderTests
{
    private static TransformPlan Plan() => TransformPlan.FromJson("""
        {"version":1,"csv":{"columns":["a","b","c","y"]},"compression":"gzip",
         "label":{"name":"y","source_index":3,"task":"regression"},
         "features":[{"name":"a","source":"a","source_index":0,"type":"numeric","impute":"zero","impute_value":0,"scale":"none","offset":0,"factor":1},
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
        new ExampleDecoder(layout.Slots).Decode(ex.ToByteArray(), num, idx, out float label);
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
        new ExampleDecoder(layout.Slots).Decode(example, num, idx, out float label);
        Assert.That(num, Is.EqualTo(new[] { 3f, 1, 0, 0 }));
        Assert.That(idx[0], Is.EqualTo(1));
        Assert.That(label, Is.EqualTo(7f));

        byte[] withoutB = [0x0A, .. Len([.. Entry("a", Floats(3f)), .. Entry("c", Floats(1, 0, 0)), .. Entry("y", Floats(7f))])];
        var e = Assert.Throws<DataException>(() => new ExampleDecoder(layout.Slots).Decode(withoutB, num, idx, out _));
        Assert.That(e!.Message, Does.Contain("lacks feature 'b'"));
        byte[] shortOneHot = [0x0A, .. Len([.. Entry("a", Floats(3f)), .. Entry("b", Ints(1)), .. Entry("c", Floats(1, 0)), .. Entry("y", Floats(7f))])];
        Assert.Throws<DataException>(() => new ExampleDecoder(layout.Slots).Decode(shortOneHot, num, idx, out _));
    }

    private static byte[] Record(params (string Key, Feature Value)[] features)
    {
        var ex = new Example { Features = new Features() };
        foreach (var (k, v) in features) ex.Features.Feature.Add(k, v);
        return ex.ToByteArray();
    }

    private static Feature F(params float[] v) => new() { FloatList = new FloatList { Value = { v } } };
    private static Feature I(long v) => new() { Int64List = new Int64List { Value = { v } } };

    /// <summary>
    /// One decoder over records whose map order changes, with unknown and long keys, multi-byte varints: the order it
    /// remembers from the last record is a guess that is checked, never trusted.
    /// </summary>
    [Test]
    public void OneDecoderFollowsAnyKeyOrderAndLongNames()
    {
        var layout = new FeatureLayout(Plan());
        var dec = new ExampleDecoder(layout.Slots);
        var num = new float[layout.NumericWidth];
        var idx = new int[layout.IndexSlots.Count];
        void Check(byte[] record, float a, int b, float[] c, float y)
        {
            dec.Decode(record, num, idx, out float label);
            Assert.That(num, Is.EqualTo(new[] { a }.Concat(c).ToArray()));
            Assert.That(idx[0], Is.EqualTo(b));
            Assert.That(label, Is.EqualTo(y));
        }
        var longName = new string('k', 300);   // a key whose length takes a two-byte varint
        for (int round = 0; round < 3; round++)
        {
            Check(Record(("a", F(1)), ("b", I(0)), ("c", F(1, 0, 0)), ("y", F(5))), 1, 0, [1, 0, 0], 5);
            Check(Record(("a", F(2)), ("b", I(1)), ("c", F(0, 1, 0)), ("y", F(6))), 2, 1, [0, 1, 0], 6);
            // The same names in another order: the remembered order mismatches at every position.
            Check(Record(("y", F(7)), ("c", F(0, 0, 1)), ("b", I(2)), ("a", F(3))), 3, 2, [0, 0, 1], 7);
            // Same lengths, other names at the remembered positions: "a" where "y" was.
            Check(Record(("a", F(4)), ("c", F(1, 0, 0)), ("b", I(1)), ("y", F(8))), 4, 1, [1, 0, 0], 8);
            // Unknown keys, a long one among them, are skipped wherever they are.
            Check(Record((longName, I(300)), ("a", F(5)), ("zz", F(1, 2)), ("b", I(0)), ("c", F(0, 1, 0)), ("y", F(9))), 5, 0, [0, 1, 0], 9);
        }
        // An int64 label with a multi-byte varint.
        var multi = new FeatureLayout(TransformPlan.FromJson("""
            {"version":1,"csv":{"columns":["b","y"]},"compression":"gzip",
             "label":{"name":"y","source_index":1,"task":"multiclass","classes":["x"]},
             "features":[{"name":"b","source":"b","source_index":0,"type":"categorical","encoding":"index","vocabulary":[],"oov_buckets":1000}]}
            """));
        var d2 = new ExampleDecoder(multi.Slots);
        var i2 = new int[1];
        d2.Decode(Record(("b", I(999)), ("y", I(300))), [], i2, out float l2);
        Assert.That((i2[0], l2), Is.EqualTo((999, 300f)));
        var e = Assert.Throws<DataException>(() => d2.Decode(Record(("b", I(5000)), ("y", I(0))), [], i2, out _));
        Assert.That(e!.Message, Does.Contain("index 5000, outside its vocabulary"));
    }

    /// <summary>Every truncation and every single-byte change of a record is decoded or refused with a DataException: never another exception.</summary>
    [Test]
    public void DamagedRecordsAreRefusedCleanly()
    {
        var layout = new FeatureLayout(Plan());
        var dec = new ExampleDecoder(layout.Slots);
        var num = new float[layout.NumericWidth];
        var idx = new int[layout.IndexSlots.Count];
        var good = Record(("a", F(1)), ("b", I(1)), ("c", F(1, 0, 0)), ("y", F(5)));
        dec.Decode(good, num, idx, out _);
        var rng = new Random(7);
        var damaged = Enumerable.Range(0, good.Length).Select(n => good[..n])
            .Concat(Enumerable.Range(0, 3000).Select(_ =>
            {
                var b = (byte[])good.Clone();
                b[rng.Next(b.Length)] = (byte)rng.Next(256);
                return b;
            }));
        foreach (var record in damaged)
            try { dec.Decode(record, num, idx, out _); }
            catch (DataException) { }
    }

    /// <summary>
    /// A decoder that has seen records decodes the next ones by their remembered shape (ExampleShapes): every record —
    /// values of every varint width, an int64 label, unknown features, framing and value bytes damaged one at a time —
    /// must come out exactly as a fresh decoder (which has no shape yet and walks the wire format) decodes it, or be
    /// refused with the same error.
    /// </summary>
    [Test]
    public void RecordsDecodedByTheirShapeEqualTheFullDecode()
    {
        var plan = TransformPlan.FromJson("""
            {"version":1,"csv":{"columns":["a","b","c","d","y"]},"compression":"gzip",
             "label":{"name":"y","source_index":4,"task":"multiclass","classes":["p","q","r"]},
             "features":[{"name":"a","source":"a","source_index":0,"type":"numeric","impute":"zero","impute_value":0,"scale":"none","offset":0,"factor":1},
                         {"name":"b","source":"b","source_index":1,"type":"categorical","encoding":"index","vocabulary":[],"oov_buckets":70000},
                         {"name":"c","source":"c","source_index":2,"type":"categorical","encoding":"onehot","vocabulary":["p"],"oov_buckets":1},
                         {"name":"d","source":"d","source_index":3,"type":"categorical","encoding":"index","vocabulary":["u","v"],"oov_buckets":1}]}
            """);
        var layout = new FeatureLayout(plan);
        var kept = new ExampleDecoder(layout.Slots);
        var rng = new Random(11);
        long[] widths = [5, 200, 20000, 69999];   // one, two and three varint bytes
        int decoded = 0, refused = 0;
        for (int n = 0; n < 20000; n++)
        {
            var features = new List<(string, Feature)>
            {
                ("a", F(rng.NextSingle() * 100)), ("b", I(widths[rng.Next(widths.Length)] - rng.Next(3))),
                ("c", F(0, rng.Next(2), 1)), ("d", I(rng.Next(3))), ("y", I(rng.Next(2) == 0 ? rng.Next(3) : 130 + rng.Next(3))),
            };
            if (n % 3 == 0) features.Insert(2, ("note", new Feature { BytesList = new BytesList { Value = { ByteString.CopyFromUtf8(new string('x', rng.Next(4))) } } }));
            var record = Record([.. features]);
            if (n % 4 == 3) record[rng.Next(record.Length)] ^= (byte)(1 << rng.Next(8));   // a damaged byte
            var expected = Decoded(new ExampleDecoder(layout.Slots), record);
            var actual = Decoded(kept, record);
            Assert.That(actual, Is.EqualTo(expected), $"record {n}: {Convert.ToHexString(record)}");
            if (expected.StartsWith("error")) refused++; else decoded++;
        }
        Assert.That(decoded, Is.GreaterThan(15000));
        Assert.That(refused, Is.GreaterThan(300));
        // The shapes were used, not bypassed (a few dozen shapes take turns in eight slots here; a shard has one or two).
        Assert.That(kept.RecordsByShape, Is.GreaterThan(5000));
    }

    private static string Decoded(ExampleDecoder decoder, byte[] record)
    {
        var num = new float[4];
        var idx = new int[2];
        try
        {
            decoder.Decode(record, num, idx, out float label);
            return $"{string.Join(",", num.Select(f => BitConverter.SingleToInt32Bits(f)))} | {string.Join(",", idx)} | {label}";
        }
        catch (DataException e) { return "error: " + e.Message; }
    }
}
