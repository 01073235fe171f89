namespace Streaming.Hadoop;

/// <summary>
/// Hadoop's default partitioner over a Text key: <c>(Text.hashCode() &amp; 0x7fffffff) % numReduceTasks</c>, where
/// Text.hashCode is <c>h = 31*h + b</c> over the key's UTF-8 bytes taken as signed Java bytes, starting at 1.
/// </summary>
public static class HashPartitioner
{
    public static int TextHashCode(ReadOnlySpan<byte> key)
    {
        int h = 1;
        foreach (var b in key) h = unchecked(31 * h + (sbyte)b);
        return h;
    }

    public static int Partition(ReadOnlySpan<byte> key, int numReduceTasks) =>
        (TextHashCode(key) & 0x7fffffff) % numReduceTasks;
}
