using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using Streaming.TfRecord;

namespace Streaming.Benchmarks;

/// <summary>
/// The transform's ceiling on one thread: a gzip shard's compression step alone (<see cref="BlockGzipStream.BlockWriter"/>
/// at the shards' level: deflate and the gzip CRC), over an uncompressed shard of framed Examples, fed in the 64 KiB
/// runs the transform feeds it. Divided by the Examples' expansion (shard bytes per CSV byte) it is the CSV MB/s that
/// one thread cannot exceed even if reading, parsing, transforming, encoding and framing cost nothing.
/// CPU time of this process, best of three: stolen time on a shared VM would lower the ceiling, not raise it.
/// </summary>
public static class DeflateCeiling
{
    public static int Run(string shard, long csvBytes)
    {
        var data = File.ReadAllBytes(shard);
        double expansion = (double)data.Length / csvBytes;
        // One compressed block per block of input lines, as the transform's workers make them; 64 KiB runs within it.
        const int Run = 1 << 16;
        int blockBytes = (int)Math.Min(int.MaxValue, Streaming.Hadoop.LineBlocks.BlockBytes * expansion);
        var writer = new BlockGzipStream.BlockWriter(CompressionLevel.Fastest);
        double best = double.MaxValue;
        long compressed = 0;
        for (int round = 0; round < 3; round++)
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            compressed = 0;
            for (int block = 0; block < data.Length; block += blockBytes)
            {
                int end = (int)Math.Min(data.Length, (long)block + blockBytes);
                for (int at = block; at < end; at += Run) writer.Write(data.AsSpan(at, Math.Min(Run, end - at)));
                var b = writer.End();
                compressed += b.Length;
                System.Buffers.ArrayPool<byte>.Shared.Return(b.Buffer);
            }
            best = Math.Min(best, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
        }
        double mbps = data.Length / 1e6 / best;
        Console.WriteLine(JsonSerializer.Serialize(new Dictionary<string, double>
        {
            ["deflate_mb_per_s"] = Math.Round(mbps, 1),
            ["compression_ratio"] = Math.Round((double)compressed / data.Length, 4),
            ["example_bytes_per_csv_byte"] = Math.Round(expansion, 3),
            ["ceiling_csv_mb_per_s"] = Math.Round(mbps / expansion, 1),
        }));
        return 0;
    }
}
