using Google.Protobuf;
using Streaming.TfRecord.Proto;
using Streaming.Core;
using Streaming.TfRecord;
using Streaming.Storage;

namespace Streaming.Tests;

public class TfRecordTests
{
    [Test]
    public void Crc32CCheckValueAndMask()
    {
        Assert.That(Crc32C.Compute("123456789"u8), Is.EqualTo(0xE3069283u));
        Assert.That(Crc32C.Compute(new byte[32]), Is.EqualTo(0x8A9136AAu), "RFC 3720 test vector: 32 zero bytes");
        uint c = Crc32C.Compute("hello"u8);
        Assert.That(Crc32C.Unmask(Crc32C.Mask(c)), Is.EqualTo(c));
        Assert.That(Crc32C.Append(Crc32C.Compute("1234"u8), "56789"u8), Is.EqualTo(0xE3069283u), "running CRC");
    }

    [Test]
    public void Crc32CInterleavedLanesEqualTheBitwiseDefinition()
    {
        // Long spans run as three lanes joined by a zero-shift table; checked against the polynomial itself, bit by
        // bit, at lengths around every lane boundary and at odd offsets (unaligned starts).
        static uint Bitwise(uint crc, ReadOnlySpan<byte> data)
        {
            uint c = ~crc;
            foreach (var x in data)
            {
                c ^= x;
                for (int k = 0; k < 8; k++) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1)));
            }
            return ~c;
        }
        var rng = new Random(5);
        var bytes = new byte[40_000];
        rng.NextBytes(bytes);
        foreach (int length in new[] { 0, 7, 6143, 6144, 6145, 6151, 12_288, 12_295, 20_000, 39_990 })
            foreach (int offset in new[] { 0, 3 })
            {
                var span = bytes.AsSpan(offset, length);
                Assert.That(Crc32C.Compute(span), Is.EqualTo(Bitwise(0, span)), $"length {length} at offset {offset}");
                Assert.That(Crc32C.Append(0x12345678, span), Is.EqualTo(Bitwise(0x12345678, span)), $"running CRC, length {length}");
            }
    }

    [Test]
    public void DirectEncoderIsByteIdenticalToGoogleProtobuf()
    {
        var rng = new Random(11);
        var enc = new ExampleEncoder();
        for (int trial = 0; trial < 2000; trial++)
        {
            var ex = new Example { Features = new Features() };
            enc.Begin();
            int n = rng.Next(0, 12);
            for (int i = 0; i < n; i++)
            {
                string name = "f" + i + (i % 3 == 0 ? "_é" : "") + (trial % 5 == 0 ? new string('k', 130 * (i % 3)) : "");   // entry sizes past one varint byte
                var key = ExampleEncoder.Key(name);
                int kind = rng.Next(4);
                if (kind == 2)
                {
                    // A scalar takes the encoder's precomputed entry header: one float, any bit pattern.
                    float v = BitConverter.Int32BitsToSingle(rng.Next(int.MinValue, int.MaxValue));
                    enc.AddFloat(key, v);
                    var fl = new FloatList(); fl.Value.Add(v);
                    ex.Features.Feature.Add(name, new Feature { FloatList = fl });
                }
                else if (kind == 3)
                {
                    // One int64 of every varint width (1–10 bytes; negatives take 10).
                    long v = rng.Next(3) == 0 ? -rng.NextInt64(1, long.MaxValue) >> rng.Next(0, 63) : rng.NextInt64(0, long.MaxValue) >> rng.Next(0, 63);
                    enc.AddInt64(key, v);
                    var il = new Int64List(); il.Value.Add(v);
                    ex.Features.Feature.Add(name, new Feature { Int64List = il });
                }
                else if (kind == 0)
                {
                    var vals = Enumerable.Range(0, rng.Next(0, 20)).Select(_ => (float)(rng.NextDouble() * 1e6 - 5e5)).ToArray();
                    if (trial % 7 == 0 && vals.Length > 0) vals[0] = float.NaN;
                    enc.AddFloats(key, vals);
                    var fl = new FloatList(); fl.Value.AddRange(vals);
                    ex.Features.Feature.Add(name, new Feature { FloatList = fl });
                }
                else
                {
                    var vals = Enumerable.Range(0, rng.Next(0, 20)).Select(_ => rng.NextInt64(long.MinValue, long.MaxValue) >> rng.Next(0, 63)).ToArray();
                    enc.AddInt64s(key, vals);
                    var il = new Int64List(); il.Value.AddRange(vals);
                    ex.Features.Feature.Add(name, new Feature { Int64List = il });
                }
            }
            Assert.That(enc.End().ToArray(), Is.EqualTo(ex.ToByteArray()), $"trial {trial}");
            Assert.That(Example.Parser.ParseFrom(enc.End().ToArray()), Is.EqualTo(ex));
        }
    }

    private static (string Dir, ShardInfo Info) WriteShard(TfRecordCompression compression, int records = 200)
    {
        var dir = Repo.TempDir("shard");
        string name = "part-m-00000" + compression.Extension();
        var enc = new ExampleEncoder();
        using (var w = new TfRecordWriter(File.Create(Path.Combine(dir, name)), compression))
        {
            for (int i = 0; i < records; i++)
            {
                enc.Begin();
                enc.AddFloat(ExampleEncoder.Key("x"), i * 0.5f);
                enc.AddInt64(ExampleEncoder.Key("id"), i);
                w.Write(enc.End());
            }
            w.Dispose();
            var info = new ShardInfo { Shard = name, Records = w.Records, Bytes = w.FileBytes, Crc32c = w.FileCrc32C };
            File.WriteAllText(Path.Combine(dir, "_manifest.json"), JobManifest.FromShards([info], compression.ToString().ToLowerInvariant()).ToJson());
            return (dir, info);
        }
    }

    private static Exception? ReadAll(string dir)
    {
        try
        {
            var set = ShardSet.Open(LocalFileSystem.Instance, dir, allowMissingManifest: true);
            foreach (var s in set.Shards) foreach (var r in set.ReadShard(s)) Example.Parser.ParseFrom(r);
            return null;
        }
        catch (Exception e) { return e; }
    }

    [TestCase(TfRecordCompression.None)]
    [TestCase(TfRecordCompression.Gzip)]
    [TestCase(TfRecordCompression.Zlib)]
    public void EverySingleBitFlipIsDetectedWithShardAndOffset(TfRecordCompression compression)
    {
        var (dir, info) = WriteShard(compression);
        Assert.That(ReadAll(dir), Is.Null, "intact shard reads");
        var path = Path.Combine(dir, info.Shard);
        var original = File.ReadAllBytes(path);
        // Every bit for small files, else a deterministic sample of 2,000 positions plus every bit of the first 64 bytes.
        var rng = new Random(5);
        var bits = Enumerable.Range(0, 64 * 8).Concat(Enumerable.Range(0, 2000).Select(_ => rng.Next(original.Length * 8))).Distinct();
        foreach (int bit in bits)
        {
            var damaged = (byte[])original.Clone();
            damaged[bit / 8] ^= (byte)(1 << (bit % 8));
            File.WriteAllBytes(path, damaged);
            var e = ReadAll(dir);
            Assert.That(e, Is.InstanceOf<TfRecordCorruptException>(), $"bit {bit}: {e}");
            var c = (TfRecordCorruptException)e!;
            Assert.That(c.Shard, Is.EqualTo(info.Shard));
            Assert.That(c.Message, Does.Contain(info.Shard).And.Contain("at byte"));
            if (compression == TfRecordCompression.None && !c.Reason.StartsWith("whole-shard"))
                Assert.That(c.Offset, Is.LessThanOrEqualTo(bit / 8).And.GreaterThan(bit / 8 - 64), "offset of the damaged record");
        }
    }

    [TestCase(TfRecordCompression.None)]
    [TestCase(TfRecordCompression.Gzip)]
    public void ATruncatedShardFailsWithShardAndOffset(TfRecordCompression compression)
    {
        var (dir, info) = WriteShard(compression);
        var path = Path.Combine(dir, info.Shard);
        var original = File.ReadAllBytes(path);
        foreach (int cut in new[] { 1, 5, 12, 20, original.Length / 2, original.Length - 1 })
        {
            File.WriteAllBytes(path, original[..(original.Length - cut)]);
            var e = ReadAll(dir);
            Assert.That(e, Is.InstanceOf<TfRecordCorruptException>(), $"cut {cut}: {e}");
            Assert.That(((TfRecordCorruptException)e!).Shard, Is.EqualTo(info.Shard));
            // Without the manifest, the framing alone still catches it (no silent short read).
            File.Move(Path.Combine(dir, "_manifest.json"), Path.Combine(dir, "manifest.bak"));
            if (compression == TfRecordCompression.None && cut % 32 != 0)
                Assert.That(ReadAll(dir), Is.InstanceOf<TfRecordCorruptException>(), $"cut {cut} without manifest");
            File.Move(Path.Combine(dir, "manifest.bak"), Path.Combine(dir, "_manifest.json"));
        }
    }
}
