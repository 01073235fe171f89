using System.Buffers.Binary;
using System.Diagnostics;
using Streaming.Core;

namespace Streaming.TfRecord;

/// <summary>
/// Decodes a serialized <c>tf.train.Example</c> straight into model rows, without message objects: walks the
/// protobuf wire format, accepts packed and unpacked lists (TensorFlow writes packed, other writers may not). Every
/// feature of the layout must be present with the right length.
/// <para>
/// Feature names are resolved once, not per record: a writer emits the map's entries in the same order in every
/// record, so the decoder remembers the order of the last record and checks each key against the name expected at
/// its position (one short compare) before it falls back to the name table. Any order still decodes correctly; it
/// is only slower while the order keeps changing. Per slot, what the feature is (float run, index, label) is laid
/// out in arrays once, so the per-record work is the wire walk and the copies.
/// </para>
/// </summary>
public sealed class ExampleDecoder
{
    private const int Unknown = int.MinValue;
    private readonly ExampleSlots _layout;
    private readonly bool _requireLabel;
    private readonly int _floatSlots, _labelSlot;   // slots: float features, then index features, then the label
    private readonly int[] _offset, _length, _column, _cardinality;
    private readonly int[] _seenAt;                   // the record number at which a slot was last seen
    private int _record;
    private readonly float[] _one = new float[1];
    private byte[][] _expectedKeys = [];
    private readonly ExampleShapes _shapes = new();
    private int[] _expectedSlots = [];

    public ExampleDecoder(ExampleSlots layout, bool requireLabel = true)
    {
        _layout = layout;
        _requireLabel = requireLabel;
        _floatSlots = layout.FloatSlots.Count;
        int slots = _floatSlots + layout.IndexSlots.Count + 1;
        _labelSlot = slots - 1;
        (_offset, _length, _column, _cardinality, _seenAt) = (new int[slots], new int[slots], new int[slots], new int[slots], new int[slots]);
        for (int i = 0; i < _floatSlots; i++) (_offset[i], _length[i]) = (layout.FloatSlots[i].Offset, layout.FloatSlots[i].Length);
        for (int i = 0; i < layout.IndexSlots.Count; i++)
            (_column[_floatSlots + i], _cardinality[_floatSlots + i], _length[_floatSlots + i]) = (layout.IndexSlots[i].Column, layout.IndexSlots[i].Cardinality, 1);
        _length[_labelSlot] = 1;
        Array.Fill(_seenAt, -1);
    }

    /// <summary>Fills numeric[0..NumericWidth), indices[0..IndexSlots.Count) and the label.</summary>
    public void Decode(ReadOnlySpan<byte> example, Span<float> numeric, Span<int> indices, out float label)
    {
        if (_shapes.TryDecode(example, numeric, indices, out label)) { RecordsByShape++; return; }
        DecodeWire(example, numeric, indices, out label);
        if (_shapes.Learning && ShapeOf(example) is { } shape) _shapes.Add(shape);
    }

    /// <summary>Records decoded by a remembered shape rather than by the full wire walk (for tests and benchmarks).</summary>
    public long RecordsByShape { get; private set; }

    /// <summary>The full decoder: walks the wire format, resolves every name, checks every feature is there.</summary>
    private void DecodeWire(ReadOnlySpan<byte> example, Span<float> numeric, Span<int> indices, out float label)
    {
        label = 0;
        if (++_record == int.MaxValue) { _record = 0; Array.Fill(_seenAt, -1); }
        int seen = 0, position = 0;
        var r = new Reader(example);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field != ExampleWire.Features || wire != ExampleWire.LengthDelimited) { r.Skip(wire); continue; }
            var features = r.Bytes();
            int p = 0;
            while (p < features.Length)
            {
                ReadOnlySpan<byte> key, value;
                // The common entry, <0A n> <0A k key> <12 v value> with one-byte lengths, is split by index arithmetic;
                // anything else (long names, other fields, other order) walks the entry's wire format.
                int n = features.Length - p >= 2 && features[p] == ExampleWire.FeatureEntryTag && features[p + 1] < 0x80 ? features[p + 1] : -1;
                int k = n >= 4 && p + 2 + n <= features.Length ? features[p + 3] : -1;
                Debug.Assert(k < 0 || p + 2 + n <= features.Length, "the whole entry is inside the features");
                if (k >= 0 && features[p + 2] == ExampleWire.EntryKeyTag && k < 0x80 && 4 + k <= n
                    && features[p + 4 + k] == ExampleWire.EntryValueTag && features[p + 5 + k] == n - 4 - k)
                {
                    key = features.Slice(p + 4, k);
                    value = features.Slice(p + 6 + k, n - 4 - k);
                    p += 2 + n;
                }
                else
                {
                    var entries = new Reader(features[p..]);
                    var (ef, ew) = entries.Tag();
                    if (ef != ExampleWire.FeatureEntry || ew != ExampleWire.LengthDelimited) { entries.Skip(ew); p = features.Length - entries.Remaining; continue; }
                    var entry = new Reader(entries.Bytes());
                    p = features.Length - entries.Remaining;
                    key = value = default;
                    while (!entry.End)
                    {
                        var (f, w) = entry.Tag();
                        if (f == ExampleWire.EntryKey && w == ExampleWire.LengthDelimited) key = entry.Bytes();
                        else if (f == ExampleWire.EntryValue && w == ExampleWire.LengthDelimited) value = entry.Bytes();
                        else entry.Skip(w);
                    }
                }
                int slot = Resolve(position++, key);
                if (slot == Unknown) continue;
                if (!TryDecodeCommon(slot, value, numeric, indices, ref label)) DecodeFeature(slot, value, numeric, indices, ref label);
                if (_seenAt[slot] != _record) { _seenAt[slot] = _record; seen++; }
            }
        }
        // The label slot is last: without it required, a seen label still counts in `seen`.
        int required = _requireLabel ? _seenAt.Length : _seenAt.Length - 1;
        if (seen < required + (!_requireLabel && _seenAt[_labelSlot] == _record ? 1 : 0))
            for (int i = 0; i < required; i++)
                if (_seenAt[i] != _record) throw new DataException($"Example lacks feature '{NameOf(i)}' of the transform plan");
    }

    /// <summary>
    /// The shape of a record the full decoder has just accepted: its bytes, with the values of the layout's features (in
    /// the common packed shapes) and of unknown features (which the full decoder never looks into) masked out. Null
    /// when an entry is in another shape (unpacked lists, extra fields in an entry): such records always decode in full.
    /// </summary>
    private ExampleShapes.Shape? ShapeOf(ReadOnlySpan<byte> example)
    {
        var mask = new byte[example.Length];
        mask.AsSpan().Fill(0xFF);
        var sites = new List<ExampleShapes.Site>();
        var r = new Reader(example);
        while (!r.End)
        {
            var (field, wire) = r.Tag();
            if (field != ExampleWire.Features || wire != ExampleWire.LengthDelimited) { r.Skip(wire); continue; }
            var features = r.Bytes();
            int featuresAt = example.Length - r.Remaining - features.Length;
            var entries = new Reader(features);
            while (!entries.End)
            {
                var (ef, ew) = entries.Tag();
                if (ef != ExampleWire.FeatureEntry || ew != ExampleWire.LengthDelimited) { entries.Skip(ew); continue; }
                var entryBytes = entries.Bytes();
                int entryAt = featuresAt + features.Length - entries.Remaining - entryBytes.Length;
                // Only <0A k key 12 v value>: the shape the index arithmetic of the full decoder expects too.
                var entry = new Reader(entryBytes);
                if (entry.End || entry.Tag() != (ExampleWire.EntryKey, ExampleWire.LengthDelimited)) return null;
                var key = entry.Bytes();
                if (entry.End || entry.Tag() != (ExampleWire.EntryValue, ExampleWire.LengthDelimited)) return null;
                var value = entry.Bytes();
                if (!entry.End) return null;
                int valueAt = entryAt + entryBytes.Length - value.Length;
                int slot = !_layout.Keys.TryGetValue(key, out int s) ? Unknown : s == ExampleSlots.LabelKey ? _labelSlot : s;
                if (slot == Unknown) { mask.AsSpan(valueAt, value.Length).Clear(); continue; }
                if (value.Length < 5 || value.Length > 0x7F || value[1] != value.Length - 2 || value[2] != ExampleWire.PackedValuesTag || value[3] != value.Length - 4) return null;
                int width = value.Length - 4;
                ExampleShapes.Site site;
                if (value[0] == ExampleWire.FloatListTag && width == 4 * _length[slot] && (slot < _floatSlots || slot == _labelSlot))
                    site = slot == _labelSlot ? new(valueAt + 4, 1, ExampleShapes.SiteKind.FloatLabel, 0, 0)
                        : new(valueAt + 4, _length[slot], ExampleShapes.SiteKind.Floats, _offset[slot], 0);
                else if (value[0] == ExampleWire.Int64ListTag && slot >= _floatSlots && width <= 9)
                    site = slot == _labelSlot ? new(valueAt + 4, width, ExampleShapes.SiteKind.IntLabel, 0, 0)
                        : new(valueAt + 4, width, ExampleShapes.SiteKind.Index, _column[slot], _cardinality[slot]);
                else return null;
                mask.AsSpan(site.Offset, value.Length - 4).Clear();
                sites.Add(site);
            }
        }
        return new ExampleShapes.Shape(example.ToArray(), mask, [.. sites]);
    }

    /// <summary>The slot of the key at this position of the feature map: the last record's, when the name matches.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private int Resolve(int position, ReadOnlySpan<byte> key)
    {
        if (position < _expectedKeys.Length && key.SequenceEqual(_expectedKeys[position])) return _expectedSlots[position];
        return ResolveSlow(position, key);
    }

    private int ResolveSlow(int position, ReadOnlySpan<byte> key)
    {
        int slot = !_layout.Keys.TryGetValue(key, out int s) ? Unknown
            : s == ExampleSlots.LabelKey ? _labelSlot : s;
        if (position >= _expectedKeys.Length)
        {
            Array.Resize(ref _expectedKeys, position + 1);
            Array.Resize(ref _expectedSlots, position + 1);
        }
        _expectedKeys[position] = key.ToArray();   // only when the order differs from the last record's
        _expectedSlots[position] = slot;
        return slot;
    }

    /// <summary>
    /// The shapes TensorFlow and our writer emit, decoded without a wire walk: a float feature as
    /// <c>12 L 0A 4n f32×n</c> (one packed run of exactly its length), an index or int64 label as
    /// <c>1A L 0A N varint</c> (one packed value). Anything else (unpacked lists, other lengths, errors) goes the
    /// general way, which also words the errors.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private bool TryDecodeCommon(int slot, ReadOnlySpan<byte> v, Span<float> numeric, Span<int> indices, ref float label)
    {
        if (v.Length < 4 || v[1] != v.Length - 2 || v[2] != ExampleWire.PackedValuesTag || v[3] != v.Length - 4) return false;
        var payload = v[4..];
        if (v[0] == ExampleWire.FloatListTag)
        {
            int n = _length[slot];
            if (payload.Length != 4 * n || slot >= _floatSlots && slot != _labelSlot) return false;
            var floats = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(payload);
            if (!BitConverter.IsLittleEndian) return false;
            if (slot == _labelSlot) label = floats[0];
            else floats.CopyTo(numeric.Slice(_offset[slot], n));
            return true;
        }
        if (v[0] != ExampleWire.Int64ListTag || slot < _floatSlots) return false;   // for an index or the label
        ulong value = 0;
        int shift = 0, i = 0;
        for (; i < payload.Length && shift < 64; i++, shift += 7)
        {
            value |= (ulong)(payload[i] & 0x7F) << shift;
            if (payload[i] < 0x80) break;
        }
        if (i != payload.Length - 1) return false;   // not exactly one varint
        if (slot == _labelSlot) { label = (long)value; return true; }
        if (value >= (ulong)_cardinality[slot]) return false;   // the general way throws with the reason
        indices[_column[slot]] = (int)value;
        return true;
    }

    private string NameOf(int slot) => slot < _floatSlots ? _layout.FloatSlots[slot].Name
        : slot < _labelSlot ? _layout.IndexSlots[slot - _floatSlots].Name : _layout.LabelName;

    private void DecodeFeature(int slot, ReadOnlySpan<byte> feature, Span<float> numeric, Span<int> indices, ref float label)
    {
        var r = new Reader(feature);
        while (!r.End)
        {
            var (kind, w) = r.Tag();
            if (w != ExampleWire.LengthDelimited) { r.Skip(w); continue; }
            var list = r.Bytes();
            if (kind == ExampleWire.FloatList)
            {
                if (slot < _floatSlots) ReadFloats(list, numeric.Slice(_offset[slot], _length[slot]));
                else if (slot == _labelSlot)
                {
                    ReadFloats(list, _one);
                    label = _one[0];
                }
                else throw new DataException($"feature '{NameOf(slot)}' is a float list, the plan says int64");
            }
            else if (kind == ExampleWire.Int64List)
            {
                if (slot < _floatSlots) throw new DataException($"feature '{NameOf(slot)}' is an int64 list, the plan says float");
                long v = ReadOneInt64(list);
                if (slot == _labelSlot) label = v;
                else
                {
                    // An index outside the vocabulary would read past an embedding table: the shard is not of this plan.
                    if ((ulong)v >= (ulong)_cardinality[slot])
                        throw new DataException($"feature '{NameOf(slot)}' has index {v}, outside its vocabulary of {_cardinality[slot]}");
                    indices[_column[slot]] = (int)v;
                }
            }
            else throw new DataException($"feature '{NameOf(slot)}' is a bytes list");
        }
    }

    private static void ReadFloats(ReadOnlySpan<byte> list, Span<float> dst)
    {
        // The common case, as TensorFlow and our writer emit it: one packed run of exactly dst.Length floats.
        if (list.Length == 2 + 4 * dst.Length && list[0] == ExampleWire.PackedValuesTag && list[1] == 4 * dst.Length && dst.Length < 32)
        {
            var packed = list[2..];
            if (BitConverter.IsLittleEndian) System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(packed).CopyTo(dst);
            else for (int i = 0; i < dst.Length; i++) dst[i] = BinaryPrimitives.ReadSingleLittleEndian(packed[(4 * i)..]);
            return;
        }
        var r = new Reader(list);
        int n = 0;
        while (!r.End)
        {
            var (f, w) = r.Tag();
            if (f == ExampleWire.ListValue && w == ExampleWire.LengthDelimited)
            {
                var packed = r.Bytes();
                if (packed.Length % 4 != 0) throw new DataException("packed float list length is not a multiple of 4");
                for (int i = 0; i < packed.Length; i += 4, n++)
                    if (n < dst.Length) dst[n] = BinaryPrimitives.ReadSingleLittleEndian(packed[i..]);
            }
            else if (f == ExampleWire.ListValue && w == ExampleWire.Fixed32)
            {
                float v = r.Fixed32();
                if (n < dst.Length) dst[n] = v;
                n++;
            }
            else r.Skip(w);
        }
        if (n != dst.Length) throw new DataException($"float list of {n} values where {dst.Length} were expected");
    }

    /// <summary>The one value of an int64 list (packed or not); any other count is an error.</summary>
    private static long ReadOneInt64(ReadOnlySpan<byte> list)
    {
        // The common case: one packed value below 128 (a small vocabulary index, a class).
        if (list.Length == 3 && list[0] == ExampleWire.PackedValuesTag && list[1] == 1 && list[2] < 0x80) return list[2];
        var r = new Reader(list);
        int n = 0;
        long value = 0;
        while (!r.End)
        {
            var (f, w) = r.Tag();
            if (f == ExampleWire.ListValue && w == ExampleWire.LengthDelimited)
            {
                var p = new Reader(r.Bytes());
                while (!p.End) { value = (long)p.Varint(); n++; }
            }
            else if (f == ExampleWire.ListValue && w == ExampleWire.Varint) { value = (long)r.Varint(); n++; }
            else r.Skip(w);
        }
        if (n != 1) throw new DataException($"int64 list of {n} values where 1 was expected");
        return value;
    }

    private ref struct Reader(ReadOnlySpan<byte> data)
    {
        private readonly ReadOnlySpan<byte> _d = data;
        private int _p;
        public readonly bool End => _p >= _d.Length;
        public readonly int Remaining => _d.Length - _p;

        // Tags and lengths of an Example are nearly all one byte: that case inlines, the rest is out of line.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public ulong Varint()
        {
            if ((uint)_p < (uint)_d.Length && _d[_p] < 0x80) return _d[_p++];
            return VarintSlow();
        }

        private ulong VarintSlow()
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

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
        public (int Field, int Wire) Tag()
        {
            ulong t = Varint();
            return ((int)(t >> 3), (int)(t & 7));
        }

        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
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
