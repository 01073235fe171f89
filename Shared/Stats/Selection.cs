namespace Streaming.Stats;

/// <summary>Order statistics without a full sort.</summary>
public static class Selection
{
    /// <summary>
    /// The <paramref name="rank"/>-th largest value (1-based; clamped to the span), found in expected linear time by
    /// Hoare's quickselect with a median-of-three pivot. Reorders <paramref name="values"/>.
    /// </summary>
    public static long KthLargest(Span<long> values, int rank)
    {
        if (values.IsEmpty) throw new ArgumentException("no values", nameof(values));
        // The rank-th largest is the (n - rank)-th smallest, 0-based.
        int k = values.Length - Math.Clamp(rank, 1, values.Length);
        int lo = 0, hi = values.Length - 1;
        while (lo < hi)
        {
            int mid = lo + (hi - lo) / 2;
            if (values[mid] < values[lo]) Swap(values, mid, lo);
            if (values[hi] < values[lo]) Swap(values, hi, lo);
            if (values[hi] < values[mid]) Swap(values, hi, mid);
            long pivot = values[mid];
            int i = lo, j = hi;
            while (i <= j)
            {
                while (values[i] < pivot) i++;
                while (values[j] > pivot) j--;
                if (i <= j) { Swap(values, i, j); i++; j--; }
            }
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else break;
        }
        return values[k];
    }

    private static void Swap(Span<long> v, int a, int b) => (v[a], v[b]) = (v[b], v[a]);
}
