using System.Buffers;
using System.IO.Compression;
using Streaming.Core;

namespace Streaming.LocalRunner;

/// <summary>
/// Feeds a split's lines to a task's stdin exactly as Hadoop's LineRecordReader delivers them: a split that does
/// not start at 0 throws away its first (partial) line, lines are read while their start is ≤ the split end (so a
/// line starting in this split is read to its end even past the split), a line ends at '\n', '\r' or "\r\n", and
/// each is delivered without its terminator followed by '\n'. Compressed files are one split, read whole.
/// </summary>
public sealed class SplitReader : IDisposable
{
    private readonly Stream _in;
    private readonly byte[] _buf = ArrayPool<byte>.Shared.Rent(1 << 16);
    private int _pos, _len;
    private static readonly byte[] Newline = [(byte)'\n'];

    private SplitReader(Stream input) => _in = input;

    public long Records { get; private set; }

    /// <summary>Writes the split's records to <paramref name="sink"/>; returns the bytes read from the file.</summary>
    public static long Feed(InputSplit split, Stream sink, Func<long, bool>? stopAfter = null, Action<long>? onRecords = null)
    {
        Stream file = new FileStream(split.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        long start = split.Start, end = split.Start + split.Length;
        if (!split.Splittable)
        {
            if (split.Path.EndsWith(".bz2", StringComparison.Ordinal))
                throw new ConfigException($"{split.Path}: bzip2 input is not supported by the local runner; use gzip");
            file = new GZipStream(file, CompressionMode.Decompress);
            start = 0;
            end = long.MaxValue;
        }
        else file.Seek(start, SeekOrigin.Begin);
        using var reader = new SplitReader(file);
        long pos = start;
        if (start != 0) pos += reader.ReadLine(null);
        while (pos <= end)
        {
            long n = reader.ReadLine(sink);
            if (n == 0) break;
            pos += n;
            reader.Records++;
            if (stopAfter is not null && stopAfter(pos - start)) break;
        }
        onRecords?.Invoke(reader.Records);
        return pos - start;
    }

    private bool Fill()
    {
        _len = _in.Read(_buf, 0, _buf.Length);
        _pos = 0;
        return _len > 0;
    }

    /// <summary>Reads one line; writes it (plus '\n') to sink when given. Returns bytes consumed, 0 at end of input.</summary>
    private long ReadLine(Stream? sink)
    {
        long consumed = 0;
        while (true)
        {
            if (_pos == _len && !Fill())
            {
                if (consumed > 0) sink?.Write(Newline);
                return consumed;
            }
            var span = _buf.AsSpan(_pos, _len - _pos);
            int i = span.IndexOfAny((byte)'\n', (byte)'\r');
            if (i < 0)
            {
                sink?.Write(span);
                consumed += span.Length;
                _pos = _len;
                continue;
            }
            sink?.Write(span[..i]);
            sink?.Write(Newline);
            consumed += i + 1;
            bool cr = span[i] == (byte)'\r';
            _pos += i + 1;
            if (cr)
            {
                if (_pos == _len && !Fill()) return consumed;
                if (_buf[_pos] == (byte)'\n') { _pos++; consumed++; }
            }
            return consumed;
        }
    }

    public void Dispose()
    {
        _in.Dispose();
        ArrayPool<byte>.Shared.Return(_buf);
    }
}
