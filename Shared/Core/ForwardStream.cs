namespace Streaming.Core;

/// <summary>
/// Base of the one-way, unseekable streams of this code base (pipes, uploads, CRC pass-throughs): they only read or
/// only write; everything positional is unsupported.
/// </summary>
public abstract class ForwardStream : Stream
{
    public override bool CanSeek => false;
    public override bool CanRead => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
