namespace Streaming.LocalRunner;

/// <summary>
/// The reduce side's merge of sorted map outputs as Hadoop 2.x does it, so one key's values reach the reducer in the
/// order real Hadoop gives (../shared/hadoop-golden/reduce-value-order): the outputs are taken smallest first by their
/// IFile byte size and put one by one into Hadoop's binary heap (org.apache.hadoop.util.PriorityQueue: sift up while
/// strictly smaller); after each record the top output sifts down only below a strictly smaller key. A map's values
/// stay together, the maps come in merge order (not map order), and the last output of one key is the first of the
/// next. Outputs of equal size come in an order Hadoop does not fix; here, map order.
/// </summary>
public static class ReduceMerge
{
    /// <param name="outputs">Each map's records for this reducer, sorted by key (lines "key\tvalue").</param>
    public static List<byte[]> Merge(IReadOnlyList<List<byte[]>> outputs, Func<byte[], ReadOnlyMemory<byte>> keyOf)
    {
        var segments = outputs.Select((o, i) => (Records: o, Map: i, Size: IFileBytes(o, keyOf))).Where(s => s.Records.Count > 0)
            .OrderBy(s => s.Size).ThenBy(s => s.Map).Select(s => new Cursor(s.Records)).ToList();
        var heap = new Cursor[segments.Count + 1];   // 1-based, as Hadoop's
        int size = 0;
        bool Less(Cursor a, Cursor b) => keyOf(a.Current).Span.SequenceCompareTo(keyOf(b.Current).Span) < 0;
        foreach (var s in segments)
        {
            heap[++size] = s;
            int i = size, j = i >> 1;   // upHeap
            var node = heap[i];
            while (j > 0 && Less(node, heap[j])) { heap[i] = heap[j]; i = j; j >>= 1; }
            heap[i] = node;
        }
        var merged = new List<byte[]>(outputs.Sum(o => o.Count));
        while (size > 0)
        {
            var top = heap[1];
            merged.Add(top.Current);
            if (!top.Next()) { heap[1] = heap[size]; heap[size--] = null!; }
            if (size == 0) break;
            int i = 1, j = 2, k = 3;   // downHeap
            var node = heap[i];
            if (k <= size && Less(heap[k], heap[j])) j = k;
            while (j <= size && Less(heap[j], node))
            {
                heap[i] = heap[j];
                i = j; j = i << 1; k = j + 1;
                if (k <= size && Less(heap[k], heap[j])) j = k;
            }
            heap[i] = node;
        }
        return merged;
    }

    private sealed class Cursor(List<byte[]> records)
    {
        private int at;
        public byte[] Current => records[at];
        public bool Next() => ++at < records.Count;
    }

    /// <summary>A map output's size in IFile format: per record the key's and the value's Text (vint length + bytes), each
    /// preceded by its serialized length as a vint; then the two end-of-file markers.</summary>
    private static long IFileBytes(List<byte[]> records, Func<byte[], ReadOnlyMemory<byte>> keyOf)
    {
        long total = 2;
        foreach (var r in records)
        {
            int k = keyOf(r).Length, v = Math.Max(0, r.Length - k - 1);
            long key = VIntSize(k) + k, value = VIntSize(v) + v;
            total += VIntSize(key) + key + VIntSize(value) + value;
        }
        return total;
    }

    /// <summary>Bytes of Hadoop's WritableUtils.writeVLong encoding.</summary>
    private static int VIntSize(long i)
    {
        if (i >= -112 && i <= 127) return 1;
        if (i < 0) i ^= -1L;
        int dataBits = 64 - System.Numerics.BitOperations.LeadingZeroCount((ulong)i);
        return (dataBits + 7) / 8 + 1;
    }
}
