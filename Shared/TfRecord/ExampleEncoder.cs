using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace Streaming.TfRecord;

/// <summary>
/// A feature's name made ready for <see cref="ExampleEncoder"/>: the bytes of its map entry that do not depend on the
/// value are computed once, so that encoding a scalar is one copy of them and the value's bytes.
/// </summary>
public sealed class ExampleKey
{
    /// <summary>The name, UTF-8.</summary>
    public byte[] Name { get; }
    /// <summary>A one-float entry up to its 4 value bytes.</summary>
    internal byte[] FloatScalar { get; }
    /// <summary>A one-int64 entry up to its varint, by the varint's width (1–10; 0 unused).</summary>
    internal byte[][] Int64Scalar { get; }

    public ExampleKey(string name)
    {
        Name = Encoding.UTF8.GetBytes(name);
        Span<byte> header = stackalloc byte[ExampleEncoder.MaxEntryHeader(Name.Length)];
        FloatScalar = header[..ExampleEncoder.WriteEntryHeader(header, Name, ExampleWire.FloatListTag, sizeof(float))].ToArray();
        Int64Scalar = new byte[11][];
        Int64Scalar[0] = [];
        for (int width = 1; width <= 10; width++)
            Int64Scalar[width] = header[..ExampleEncoder.WriteEntryHeader(header, Name, ExampleWire.Int64ListTag, width)].ToArray();
    }

    public override string ToString() => Encoding.UTF8.GetString(Name);
}

/// <summary>
/// Serializes a <c>tf.train.Example</c> directly from spans, without building message objects: the hot path of the
/// transform job. Produces the same bytes as the Google.Protobuf generated <c>Example</c> (a test proves it):
/// features in insertion order, packed float/int64 lists. Each feature's map entry is written when it is added — its
/// size is known then — so the only length left for <see cref="End"/> is the outer one, written into room kept before
/// the entries. The buffer is reused; the result is valid until the next <see cref="Begin"/>.
/// </summary>
public sealed class ExampleEncoder
{
    /// <summary>Room before the entries for <c>Features</c>' tag and length (a 5-byte varint at most).</summary>
    private const int Room = 6;
    private byte[] _out = new byte[4096];
    private int _end = Room;

    public static ExampleKey Key(string name) => new(name);

    public void Begin() => _end = Room;

    public void AddFloat(ExampleKey key, float value)
    {
        var header = key.FloatScalar;
        var w = Reserve(header.Length + sizeof(float));
        header.CopyTo(w);
        BinaryPrimitives.WriteSingleLittleEndian(w[header.Length..], value);
        _end += header.Length + sizeof(float);
    }

    public void AddInt64(ExampleKey key, long value)
    {
        int width = VarintSize((ulong)value);
        var header = key.Int64Scalar[width];
        var w = Reserve(header.Length + width);
        header.CopyTo(w);
        WriteVarint(w[header.Length..], (ulong)value);
        _end += header.Length + width;
    }

    public void AddFloats(ExampleKey key, ReadOnlySpan<float> values)
    {
        int payload = sizeof(float) * values.Length;
        var w = Reserve(MaxEntryHeader(key.Name.Length) + payload);
        int p = WriteEntryHeader(w, key.Name, ExampleWire.FloatListTag, payload);
        if (BitConverter.IsLittleEndian)
            MemoryMarshal.AsBytes(values).CopyTo(w[p..]);   // on a little-endian host the floats' bytes are their wire bytes
        else
            for (int i = 0; i < values.Length; i++) BinaryPrimitives.WriteSingleLittleEndian(w[(p + 4 * i)..], values[i]);
        _end += p + payload;
    }

    public void AddInt64s(ExampleKey key, ReadOnlySpan<long> values)
    {
        int payload = 0;
        foreach (long v in values) payload += VarintSize((ulong)v);
        var w = Reserve(MaxEntryHeader(key.Name.Length) + payload);
        int p = WriteEntryHeader(w, key.Name, ExampleWire.Int64ListTag, payload);
        foreach (long v in values) p += WriteVarint(w[p..], (ulong)v);
        _end += p;
    }

    /// <summary>The serialized Example.</summary>
    public ReadOnlySpan<byte> End()
    {
        int features = _end - Room;
        int start = Room - 1 - VarintSize((ulong)features);
        _out[start] = ExampleWire.FeaturesTag;
        WriteVarint(_out.AsSpan(start + 1), (ulong)features);
        return _out.AsSpan(start, _end - start);
    }

    /// <summary>The free space after the entries written so far, at least <paramref name="bytes"/> long.</summary>
    private Span<byte> Reserve(int bytes)
    {
        if (_out.Length - _end < bytes) Array.Resize(ref _out, Math.Max(_out.Length * 2, _end + bytes));
        return _out.AsSpan(_end);
    }

    /// <summary>The most bytes <see cref="WriteEntryHeader"/> writes for a key of <paramref name="keyBytes"/> bytes.</summary>
    internal static int MaxEntryHeader(int keyBytes) => 6 * 6 + keyBytes;   // six tags with their lengths (5-byte varints at most), the key

    /// <summary>
    /// A map entry of <c>Features.feature</c> up to its packed values: the entry's tag and size, the key, the
    /// <c>Feature</c> and its list's tag and size, and — for a non-empty list — the packed field's tag and
    /// <paramref name="payload"/>. Each message is prefixed by its length, so the sizes are worked out inside out.
    /// </summary>
    internal static int WriteEntryHeader(Span<byte> w, ReadOnlySpan<byte> key, byte listTag, int payload)
    {
        int list = payload == 0 ? 0 : Field(payload);
        int feature = Field(list);
        int size = Field(key.Length) + Field(feature);
        int p = 0;
        w[p++] = ExampleWire.FeatureEntryTag; p += WriteVarint(w[p..], (ulong)size);
        w[p++] = ExampleWire.EntryKeyTag; p += WriteVarint(w[p..], (ulong)key.Length);
        key.CopyTo(w[p..]); p += key.Length;
        w[p++] = ExampleWire.EntryValueTag; p += WriteVarint(w[p..], (ulong)feature);
        w[p++] = listTag; p += WriteVarint(w[p..], (ulong)list);
        if (payload == 0) return p;
        w[p++] = ExampleWire.PackedValuesTag; p += WriteVarint(w[p..], (ulong)payload);
        return p;
    }

    /// <summary>A length-delimited field's bytes: tag, length, payload.</summary>
    private static int Field(int payload) => 1 + VarintSize((ulong)payload) + payload;

    public static int VarintSize(ulong v) => (70 - System.Numerics.BitOperations.LeadingZeroCount(v | 1)) / 7;

    public static int WriteVarint(Span<byte> dst, ulong v)
    {
        if (v < 0x80) { dst[0] = (byte)v; return 1; }   // most lengths and category indices
        int i = 0;
        while (v >= 0x80) { dst[i++] = (byte)(v | 0x80); v >>= 7; }
        dst[i++] = (byte)v;
        return i;
    }
}
