using System.Buffers;
using System.Text;

namespace Streaming.Hadoop;

/// <summary>
/// Buffered writer of <c>key\tvalue\n</c> records to stdout (the streaming data channel). Keys and values must
/// not contain '\n'; keys must not contain '\t' (Hadoop would split the key there).
/// </summary>
public sealed class KeyValueWriter : IDisposable
{
    private readonly Stream _out;
    private readonly ArrayBufferWriter<byte> _buf = new(1 << 16);

    public KeyValueWriter(Stream output) => _out = output;

    public void Write(string key, string value)
    {
        Append(key);
        _buf.GetSpan(1)[0] = (byte)'\t';
        _buf.Advance(1);
        Append(value);
        EndRecord();
    }

    public void Write(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        _buf.Write(key);
        _buf.GetSpan(1)[0] = (byte)'\t';
        _buf.Advance(1);
        _buf.Write(value);
        EndRecord();
    }

    private void Append(string s)
    {
        int max = Encoding.UTF8.GetMaxByteCount(s.Length);
        int n = Encoding.UTF8.GetBytes(s, _buf.GetSpan(max));
        _buf.Advance(n);
    }

    private void EndRecord()
    {
        _buf.GetSpan(1)[0] = (byte)'\n';
        _buf.Advance(1);
        if (_buf.WrittenCount >= 1 << 16) Flush();
    }

    public void Flush()
    {
        if (_buf.WrittenCount > 0)
        {
            _out.Write(_buf.WrittenSpan);
            _buf.Clear();
        }
        _out.Flush();
    }

    public void Dispose() => Flush();
}
