using System.Buffers;
using System.Diagnostics;

namespace Streaming.Core;

/// <summary>
/// Reads '\n'-terminated lines from a byte stream without allocating per line (the returned span points into a
/// pooled buffer and is valid until the next call). A trailing '\r' is removed, as Hadoop's line reader does, so the
/// same code works behind Hadoop and behind a plain pipe of a CRLF file. Lines longer than <see cref="MaxLineBytes"/>
/// are skipped to the next '\n' and reported as too long, so one huge line never grows memory without bound.
/// Always reads to the end of the stream: a streaming task must consume all of its stdin.
/// </summary>
public sealed class LineReader : IDisposable
{
    private readonly Stream _stream;
    private byte[] _buf;
    private int _start, _end;
    private bool _eof;
    private long _position;

    private readonly bool _ownsBuffer = true;

    public LineReader(Stream stream, int maxLineBytes = 64 << 20, int bufferSize = 1 << 20)
    {
        _stream = stream;
        MaxLineBytes = maxLineBytes;
        _buf = ArrayPool<byte>.Shared.Rent(bufferSize);
    }

    /// <summary>Lines of <paramref name="length"/> bytes already in memory, read in place (the caller keeps the array).</summary>
    public LineReader(byte[] data, int length, int maxLineBytes)
    {
        _stream = Stream.Null;
        MaxLineBytes = maxLineBytes;
        _buf = data;
        _end = length;
        _eof = true;
        _ownsBuffer = false;
    }

    public int MaxLineBytes { get; }

    /// <summary>
    /// At the start of a file: drops a UTF-8 byte order mark (EF BB BF), which editors on Windows write and which would
    /// otherwise become part of the first column's name or value. Call before reading the first line.
    /// </summary>
    public void SkipByteOrderMark()
    {
        if (_position != 0 || _start != 0) return;
        while (_end - _start < 3 && !_eof)
        {
            int scanFrom = _start;
            Fill(ref scanFrom);
        }
        if (_end - _start >= 3 && _buf[_start] == 0xEF && _buf[_start + 1] == 0xBB && _buf[_start + 2] == 0xBF)
        {
            _start += 3;
            _position += 3;
        }
    }

    /// <summary>Byte offset of the most recent line within the stream.</summary>
    public long LineOffset { get; private set; }

    /// <summary>The next line without consuming it (false at the end, or when it is longer than the limit).</summary>
    public bool TryPeekLine(out ReadOnlySpan<byte> line)
    {
        int scanFrom = _start;
        while (true)
        {
            int nl = _buf.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (nl >= 0 || _eof)
            {
                int end = nl >= 0 ? scanFrom + nl : _end;
                if (nl < 0 && _start == _end) { line = default; return false; }
                int len = end - _start;
                if (len > 0 && _buf[_start + len - 1] == (byte)'\r') len--;
                line = _buf.AsSpan(_start, len);
                return true;
            }
            if (_end - _start > MaxLineBytes) { line = default; return false; }
            scanFrom = _end;
            Fill(ref scanFrom);
        }
    }

    /// <summary>
    /// Next line. Returns false at end of stream. <paramref name="tooLong"/> is set for a line that exceeded the
    /// limit; it is then returned truncated to its first bytes (for quarantine samples).
    /// </summary>
    public bool TryReadLine(out ReadOnlySpan<byte> line, out bool tooLong)
    {
        tooLong = false;
        int scanFrom = _start;
        while (true)
        {
            int nl = _buf.AsSpan(scanFrom, _end - scanFrom).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                int lineEnd = scanFrom + nl;
                line = Emit(_start, lineEnd, lineEnd + 1);
                if (line.Length > MaxLineBytes)
                {
                    // Already buffered whole (a caller-sized buffer): still over the limit.
                    tooLong = true;
                    line = line[..Math.Min(256, line.Length)];
                }
                return true;
            }
            if (_eof)
            {
                if (_start == _end) { line = default; return false; }
                line = Emit(_start, _end, _end);
                return true;
            }
            scanFrom = _end;
            if (_end - _start >= MaxLineBytes)
            {
                tooLong = true;
                line = SkipRestOfLongLine();
                return true;
            }
            Fill(ref scanFrom);
        }
    }

    /// <summary>
    /// The next line when the reader already holds it whole, found by <paramref name="scanner"/>'s own pass over the
    /// buffered bytes (so a parser reads each byte once: the same loads find the '\n' and split the fields). The
    /// scanner sees the bytes read-only and only until the next call. False, with the reader as it was, when the line
    /// is not buffered whole or is over the limit: then <see cref="TryReadLine"/> reads on.
    /// </summary>
    public bool TryScanLine(ILineScanner scanner, out ReadOnlySpan<byte> line)
    {
        int newline = scanner.ScanLine(_buf, _start, _end);
        Debug.Assert(newline >= _start && newline <= _end, "the scanner stops inside the buffered bytes");
        if (newline == _end || newline - _start > MaxLineBytes)
        {
            line = default;
            return false;
        }
        Debug.Assert(_buf[newline] == (byte)'\n', "the scanner stops at a newline");
        line = Emit(_start, newline, newline + 1);
        return true;
    }

    private ReadOnlySpan<byte> Emit(int from, int lineEnd, int next)
    {
        LineOffset = _position;
        _position += next - from;
        _start = next;
        int len = lineEnd - from;
        if (len > 0 && _buf[from + len - 1] == (byte)'\r') len--;
        return _buf.AsSpan(from, len);
    }

    private ReadOnlySpan<byte> SkipRestOfLongLine()
    {
        LineOffset = _position;
        long skipped = _end - _start;
        var sample = _buf.AsSpan(_start, Math.Min(256, _end - _start)).ToArray();
        _start = _end = 0;
        while (true)
        {
            int n = _stream.Read(_buf, 0, _buf.Length);
            if (n == 0) { _eof = true; break; }
            int nl = _buf.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl >= 0)
            {
                skipped += nl + 1;
                _start = nl + 1;
                _end = n;
                break;
            }
            skipped += n;
        }
        _position += skipped;
        return sample;
    }

    private void Fill(ref int scanFrom)
    {
        if (_start > 0)
        {
            // Slide the partial line to the front so the buffer only grows for lines longer than itself.
            int live = _end - _start;
            System.Buffer.BlockCopy(_buf, _start, _buf, 0, live);
            scanFrom -= _start;
            _end = live;
            _start = 0;
        }
        if (_end == _buf.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buf.Length * 2, MaxLineBytes + 1));
            System.Buffer.BlockCopy(_buf, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }
        int n = _stream.Read(_buf, _end, _buf.Length - _end);
        if (n == 0) _eof = true;
        _end += n;
    }

    /// <summary>The unread rest of the input as a stream: bytes already buffered here, then the underlying stream.</summary>
    public Stream Rest() => new RestStream(_buf.AsMemory(_start, _end - _start).ToArray(), _stream);

    private sealed class RestStream(byte[] buffered, Stream inner) : ForwardStream
    {
        public override bool CanRead => true;
        private int _pos;
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer)
        {
            if (_pos < buffered.Length)
            {
                int n = Math.Min(buffer.Length, buffered.Length - _pos);
                buffered.AsSpan(_pos, n).CopyTo(buffer);
                _pos += n;
                return n;
            }
            return inner.Read(buffer);
        }
    }


    public void Dispose()
    {
        if (_ownsBuffer && _buf.Length > 0) ArrayPool<byte>.Shared.Return(_buf);
        _buf = [];
    }
}

/// <summary>A pass over a line reader's buffered bytes that finds where the next line ends (and may do more on the way).</summary>
public interface ILineScanner
{
    /// <summary>
    /// Scans <paramref name="buffer"/>[<paramref name="start"/>, <paramref name="end"/>) to its first '\n' and returns
    /// that index, or <paramref name="end"/> when there is none. The bytes are the reader's: read them, never keep or
    /// change them. Loads may run past <paramref name="end"/> inside the array; what lies there is not data.
    /// A '\r' before the '\n' belongs to the line's end, not to the line (docs/contracts.md §1).
    /// </summary>
    int ScanLine(byte[] buffer, int start, int end);
}
