using System.Buffers.Binary;
using Streaming.Contract;

namespace Streaming.Data;

/// <summary>
/// Decodes a serialized <c>tf.train.Example</c> straight into model rows, without message objects: walks the
/// protobuf wire format, looks feature names up by span, accepts packed and unpacked lists (TensorFlow writes packed,
/// other writers may not). Every feature of the layout must be present with the right length.
/// </summary>
public sealed class ExampleDecoder(FeatureLayout layout, bool requireLabel = true)
{
    private readonly bool[] _seen = new bool[layout.FloatSlots.Count + layout.IndexSlots.Count + 1];

    /// <summary>Fills numeric[0..NumericWidth), indices[0..IndexSlots.Count) and the label.</summary>
    public void Decode(ReadOnlySpan<byte> example, Span<float> numeric, Span<int> indices, out float label)
    {
        Array.Clear(_seen);
        label = 0;
        var r = new Reader(example);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field != 1 || wire != 2) { r.Skip(wire); continue; }
            var features = new Reader(r.Bytes());
            while (!features.End)
            {
                var (ef, ew) = features.Tag();
                if (ef != 1 || ew != 2) { features.Skip(ew); continue; }
                var entry = new Reader(features.Bytes());
                ReadOnlySpan<byte> key = default, value = default;
                while (!entry.End)
                {
                    var (f, w) = entry.Tag();
                    if (f == 1 && w == 2) key = entry.Bytes();
                    else if (f == 2 && w == 2) value = entry.Bytes();
                    else entry.Skip(w);
                }
                if (!layout.Keys.TryGetValue(key, out int slot)) continue;
                DecodeFeature(slot, value, numeric, indices, ref label);
            }
        }
        for (int i = 0; i < _seen.Length - (requireLabel ? 0 : 1); i++)
            if (!_seen[i]) throw new DataException($"Example lacks feature '{NameOf(i)}' of the transform plan");
    }

    private string NameOf(int i) => i < layout.FloatSlots.Count ? layout.FloatSlots[i].Name
        : i < layout.FloatSlots.Count + layout.IndexSlots.Count ? layout.IndexSlots[i - layout.FloatSlots.Count].Name : layout.Label.Name;

    private void DecodeFeature(int slot, ReadOnlySpan<byte> feature, Span<float> numeric, Span<int> indices, ref float label)
    {
        var r = new Reader(feature);
        Span<float> one = stackalloc float[1];
        Span<long> oneLong = stackalloc long[1];
        while (!r.End)
        {
            var (kind, w) = r.Tag();
            if (w != 2) { r.Skip(w); continue; }
            var list = r.Bytes();
            int nFloats = slot >= 0 && slot < layout.FloatSlots.Count ? layout.FloatSlots[slot].Length : 1;
            if (kind == 2)
            {
                Span<float> dst = slot >= 0 && slot < layout.FloatSlots.Count
                    ? numeric.Slice(layout.FloatSlots[slot].Offset, nFloats) : one;
                ReadFloats(list, dst);
                if (slot == FeatureLayout.LabelKey) label = one[0];
                else if (slot >= layout.FloatSlots.Count) throw new DataException($"feature '{NameOf(slot)}' is a float list, the plan says int64");
            }
            else if (kind == 3)
            {
                ReadInt64s(list, oneLong);
                if (slot == FeatureLayout.LabelKey) label = oneLong[0];
                else if (slot >= layout.FloatSlots.Count)
                {
                    // An index outside the vocabulary would read past an embedding table: the shard is not of this plan.
                    var index = layout.IndexSlots[slot - layout.FloatSlots.Count];
                    if ((ulong)oneLong[0] >= (ulong)index.Cardinality)
                        throw new DataException($"feature '{index.Name}' has index {oneLong[0]}, outside its vocabulary of {index.Cardinality}");
                    indices[index.Column] = (int)oneLong[0];
                }
                else throw new DataException($"feature '{NameOf(slot)}' is an int64 list, the plan says float");
            }
            else throw new DataException($"feature '{NameOf(slot)}' is a bytes list");
            _seen[slot == FeatureLayout.LabelKey ? _seen.Length - 1 : slot] = true;
        }
    }

    private static void ReadFloats(ReadOnlySpan<byte> list, Span<float> dst)
    {
        var r = new Reader(list);
        int n = 0;
        while (!r.End)
        {
            var (f, w) = r.Tag();
            if (f == 1 && w == 2)
            {
                var packed = r.Bytes();
                if (packed.Length % 4 != 0) throw new DataException("packed float list length is not a multiple of 4");
                for (int i = 0; i < packed.Length; i += 4, n++)
                    if (n < dst.Length) dst[n] = BinaryPrimitives.ReadSingleLittleEndian(packed[i..]);
            }
            else if (f == 1 && w == 5)
            {
                float v = r.Fixed32();
                if (n < dst.Length) dst[n] = v;
                n++;
            }
            else r.Skip(w);
        }
        if (n != dst.Length) throw new DataException($"float list of {n} values where {dst.Length} were expected");
    }

    private static void ReadInt64s(ReadOnlySpan<byte> list, Span<long> dst)
    {
        var r = new Reader(list);
        int n = 0;
        while (!r.End)
        {
            var (f, w) = r.Tag();
            if (f == 1 && w == 2)
            {
                var p = new Reader(r.Bytes());
                while (!p.End) { long v = (long)p.Varint(); if (n < dst.Length) dst[n] = v; n++; }
            }
            else if (f == 1 && w == 0) { long v = (long)r.Varint(); if (n < dst.Length) dst[n] = v; n++; }
            else r.Skip(w);
        }
        if (n != dst.Length) throw new DataException($"int64 list of {n} values where {dst.Length} were expected");
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _d = data;
        private int _p;
        public readonly bool End => _p >= _d.Length;

        public ulong Varint()
        {
            ulong v = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (_p >= _d.Length) throw new DataException("truncated varint in Example");
                byte b = _d[_p++];
                v |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80) return v;
            }
            throw new DataException("malformed varint in Example");
        }

        public (int Field, int Wire) Tag()
        {
            ulong t = Varint();
            return ((int)(t >> 3), (int)(t & 7));
        }

        public ReadOnlySpan<byte> Bytes()
        {
            ulong n = Varint();
            if (n > (ulong)(_d.Length - _p)) throw new DataException("length-delimited field runs past the end of the Example");
            var s = _d.Slice(_p, (int)n);
            _p += (int)n;
            return s;
        }

        public float Fixed32()
        {
            if (_p + 4 > _d.Length) throw new DataException("truncated fixed32 in Example");
            float v = BinaryPrimitives.ReadSingleLittleEndian(_d[_p..]);
            _p += 4;
            return v;
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case 0: Varint(); break;
                case 1: _p += 8; break;
                case 2: Bytes(); break;
                case 5: _p += 4; break;
                default: throw new DataException($"unsupported wire type {wire} in Example");
            }
            if (_p > _d.Length) throw new DataException("field runs past the end of the Example");
        }
    }
}
