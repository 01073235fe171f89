using System.Text;

namespace Streaming.TfRecord;

/// <summary>
/// Serializes a <c>tf.train.Example</c> directly from spans, without building message objects: the hot path of the
/// transform job. Produces the same bytes as the Google.Protobuf generated <c>Example</c> (a test proves it):
/// features in insertion order, packed float/int64 lists. Buffers are reused; the result is valid until the next
/// <see cref="Begin"/>.
/// </summary>
public sealed class ExampleEncoder
{
    private enum Kind : byte { Float, Int64 }

    /// <summary>One feature of the Example being built: its values in _floats or _ints, and its sizes on the wire.</summary>
    private struct Entry
    {
        public byte[] Key;
        public Kind Kind;
        public int Start, Count;
        public int Payload;   // packed values' bytes
        public int List, Feature, Size;   // FloatList/Int64List, Feature and map entry message sizes (End fills them)
    }

    private Entry[] _features = new Entry[64];
    private int _count;
    private float[] _floats = new float[256];
    private long[] _ints = new long[256];
    private int _nFloats, _nInts;
    private byte[] _out = new byte[4096];

    public static byte[] Key(string name) => Encoding.UTF8.GetBytes(name);

    public void Begin()
    {
        _count = 0;
        _nFloats = _nInts = 0;
    }

    public void AddFloat(byte[] key, float value)
    {
        if (_nFloats == _floats.Length) Array.Resize(ref _floats, _floats.Length * 2);
        _floats[_nFloats] = value;
        Append(key, Kind.Float, _nFloats++, 1, 4);
    }

    public void AddFloats(byte[] key, ReadOnlySpan<float> values)
    {
        if (_nFloats + values.Length > _floats.Length) Array.Resize(ref _floats, Math.Max(_floats.Length * 2, _nFloats + values.Length));
        values.CopyTo(_floats.AsSpan(_nFloats));
        Append(key, Kind.Float, _nFloats, values.Length, 4 * values.Length);
        _nFloats += values.Length;
    }

    public void AddInt64(byte[] key, long value)
    {
        if (_nInts == _ints.Length) Array.Resize(ref _ints, _ints.Length * 2);
        _ints[_nInts] = value;
        Append(key, Kind.Int64, _nInts++, 1, VarintSize((ulong)value));
    }

    public void AddInt64s(byte[] key, ReadOnlySpan<long> values)
    {
        if (_nInts + values.Length > _ints.Length) Array.Resize(ref _ints, Math.Max(_ints.Length * 2, _nInts + values.Length));
        values.CopyTo(_ints.AsSpan(_nInts));
        int payload = 0;
        foreach (long v in values) payload += VarintSize((ulong)v);
        Append(key, Kind.Int64, _nInts, values.Length, payload);
        _nInts += values.Length;
    }

    private void Append(byte[] key, Kind kind, int start, int count, int payload)
    {
        if (_count == _features.Length) Array.Resize(ref _features, _features.Length * 2);
        ref var e = ref _features[_count++];
        (e.Key, e.Kind, e.Start, e.Count, e.Payload) = (key, kind, start, count, payload);
    }

    private static int Field(int payload) => 1 + VarintSize((ulong)payload) + payload;

    /// <summary>The serialized Example.</summary>
    public ReadOnlySpan<byte> End()
    {
        // Sizes first (each message is prefixed by its length), once per feature; then one pass writes the bytes.
        var entries = _features.AsSpan(0, _count);
        int features = 0;
        foreach (ref var e in entries)
        {
            e.List = e.Payload == 0 ? 0 : Field(e.Payload);
            e.Feature = Field(e.List);
            e.Size = Field(e.Key.Length) + Field(e.Feature);
            features += Field(e.Size);
        }
        int total = Field(features);
        if (_out.Length < total) _out = new byte[Math.Max(total, _out.Length * 2)];
        var w = _out.AsSpan(0, total);
        int p = 0;
        w[p++] = ExampleWire.FeaturesTag; p += WriteVarint(w[p..], (ulong)features);
        foreach (ref readonly var e in entries)
        {
            w[p++] = ExampleWire.FeatureEntryTag; p += WriteVarint(w[p..], (ulong)e.Size);
            w[p++] = ExampleWire.EntryKeyTag; p += WriteVarint(w[p..], (ulong)e.Key.Length);
            e.Key.CopyTo(w[p..]); p += e.Key.Length;
            w[p++] = ExampleWire.EntryValueTag; p += WriteVarint(w[p..], (ulong)e.Feature);
            w[p++] = e.Kind == Kind.Float ? ExampleWire.FloatListTag : ExampleWire.Int64ListTag; p += WriteVarint(w[p..], (ulong)e.List);
            if (e.Payload == 0) continue;
            w[p++] = ExampleWire.PackedValuesTag; p += WriteVarint(w[p..], (ulong)e.Payload);
            if (e.Kind == Kind.Float && !BitConverter.IsLittleEndian)
                for (int i = 0; i < e.Count; i++) { System.Buffers.Binary.BinaryPrimitives.WriteSingleLittleEndian(w[p..], _floats[e.Start + i]); p += 4; }
            else if (e.Kind == Kind.Float)
            {
                // On a little-endian host (x64, arm64) the floats' bytes are their wire bytes.
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(_floats.AsSpan(e.Start, e.Count));
                bytes.CopyTo(w[p..]);
                p += bytes.Length;
            }
            else
                for (int i = 0; i < e.Count; i++) p += WriteVarint(w[p..], (ulong)_ints[e.Start + i]);
        }
        System.Diagnostics.Debug.Assert(p == total, "the sizes computed first are the bytes written");
        return w[..p];
    }

    public static int VarintSize(ulong v)
    {
        int n = 1;
        while (v >= 0x80) { v >>= 7; n++; }
        return n;
    }

    public static int WriteVarint(Span<byte> dst, ulong v)
    {
        if (v < 0x80) { dst[0] = (byte)v; return 1; }   // most lengths and category indices
        int i = 0;
        while (v >= 0x80) { dst[i++] = (byte)(v | 0x80); v >>= 7; }
        dst[i++] = (byte)v;
        return i;
    }
}
