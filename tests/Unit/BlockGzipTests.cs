using System.IO.Compression;
using Streaming.TfRecord;

namespace Streaming.Tests;

/// <summary>A gzip member written block by block (pigz's way) is one ordinary gzip stream, whoever deflated the blocks.</summary>
public class BlockGzipTests
{
    [Test]
    public void Crc32OfTwoPartsCombinesIntoTheCrcOfTheWhole()
    {
        var rng = new Random(11);
        foreach (int n in new[] { 0, 1, 7, 64, 1000, 100_003 })
        {
            var data = new byte[n + 5000];
            rng.NextBytes(data);
            uint Crc(ReadOnlySpan<byte> d) => System.IO.Hashing.Crc32.HashToUInt32(d);
            Assert.That(BlockGzipStream.Crc32Combine(Crc(data.AsSpan(0, 5000)), Crc(data.AsSpan(5000)), n), Is.EqualTo(Crc(data)), $"second part of {n} bytes");
        }
    }

    [Test]
    public void DirectWritesAndBlocksDeflatedElsewhereInflateToTheWholeInput()
    {
        var rng = new Random(3);
        var parts = Enumerable.Range(0, 12).Select(i => { var b = new byte[rng.Next(0, 3_000_000)]; for (int j = 0; j < b.Length; j++) b[j] = (byte)rng.Next(0, 16); return b; }).ToArray();
        var file = new MemoryStream();
        using (var gz = new BlockGzipStream(file, CompressionLevel.Fastest, leaveOpen: true))
        {
            var worker = new BlockGzipStream.BlockWriter(CompressionLevel.Fastest);
            for (int i = 0; i < parts.Length; i++)
            {
                if (i % 3 == 0) gz.Write(parts[i]);   // through the stream's own blocks
                else
                {
                    worker.Write(parts[i].AsSpan(0, parts[i].Length / 2));
                    worker.Write(parts[i].AsSpan(parts[i].Length / 2));
                    gz.Append(worker.End());
                }
            }
        }
        // Inflated by .NET's GZipStream and by Python's gzip module (which checks the CRC-32 and the size).
        var whole = parts.SelectMany(p => p).ToArray();
        using (var inflate = new GZipStream(new MemoryStream(file.ToArray()), CompressionMode.Decompress))
        {
            var back = new MemoryStream();
            inflate.CopyTo(back);
            Assert.That(back.ToArray(), Is.EqualTo(whole));
        }
        var path = Path.Combine(Repo.TempDir("blockgzip"), "whole.gz");
        File.WriteAllBytes(path, file.ToArray());
        var py = Proc.Run("/usr/bin/python3", "-c", "import gzip, hashlib, sys; print(hashlib.sha256(gzip.open(sys.argv[1]).read()).hexdigest())", path);
        Assert.That(py.ExitCode, Is.EqualTo(0), py.Stderr);
        Assert.That(py.Stdout.Trim(), Is.EqualTo(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(whole)).ToLowerInvariant()));
    }
}
