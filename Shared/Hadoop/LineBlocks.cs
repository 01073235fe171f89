using System.Buffers;
using Streaming.Core;

namespace Streaming.Hadoop;

/// <summary>
/// Cuts a task's input into blocks of whole lines for worker threads, numbering their lines. A line longer than the
/// limit is handed to <c>tooLong</c> (its first bytes and its line number) and skipped to its end, never held whole.
/// The cut is a function of the bytes and the sizes asked for, so work dealt from it in order gives the same output
/// for any number of threads. Blocks are rented from <see cref="ArrayPool{T}.Shared"/>: the taker returns them.
/// </summary>
public sealed class LineBlocks(Stream input, int maxLineBytes, long lineNumber, Action<ReadOnlySpan<byte>, long> tooLong) : IDisposable
{
    public const int BlockBytes = 4 << 20;
    private byte[]? _block = ArrayPool<byte>.Shared.Rent(BlockBytes);
    private int _carry;

    /// <summary>
    /// The next block: whole lines from about <paramref name="want"/> bytes read (null: as many as the block holds),
    /// its first line's number. False at the end of the input.
    /// </summary>
    public bool TryNext(int? want, out byte[] data, out int length, out long firstLine)
    {
        while (_block is { } block)
        {
            // Fill the block: a pipe returns at most its buffer (1 MiB) per read, and a block per read would
            // multiply the hand-offs and per-block set-up.
            int size = want ?? block.Length;
            if (size <= _carry) size = block.Length;
            int n = input.ReadAtLeast(block.AsSpan(_carry, size - _carry), size - _carry, throwOnEndOfStream: false);
            int total = _carry + n;
            if (n == 0)
            {
                _block = null;
                _carry = 0;
                if (total == 0) { ArrayPool<byte>.Shared.Return(block); break; }
                return Take(block, total, out data, out length, out firstLine);   // the last line, without its '\n'
            }
            int last = block.AsSpan(0, total).LastIndexOf((byte)'\n');
            if (last < 0)
            {
                if (total > maxLineBytes)
                {
                    tooLong(block.AsSpan(0, Math.Min(total, 256)), ++lineNumber);
                    _carry = SkipPastNewline(block);
                    continue;
                }
                _carry = total;
                if (total == block.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(block.Length * 2);
                    block.AsSpan(0, total).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(block);
                    _block = bigger;
                }
                continue;
            }
            var next = ArrayPool<byte>.Shared.Rent(Math.Max(BlockBytes, total - last - 1));
            _carry = total - last - 1;
            block.AsSpan(last + 1, _carry).CopyTo(next);
            _block = next;
            return Take(block, last + 1, out data, out length, out firstLine);
        }
        (data, length, firstLine) = ([], 0, lineNumber + 1);
        return false;
    }

    private bool Take(byte[] block, int total, out byte[] data, out int length, out long firstLine)
    {
        (data, length, firstLine) = (block, total, lineNumber + 1);
        lineNumber += block.AsSpan(0, total).Count((byte)'\n');
        return true;
    }

    /// <summary>Reads until past the next '\n'; moves what follows it to the front of <paramref name="buffer"/>.</summary>
    private int SkipPastNewline(byte[] buffer)
    {
        while (true)
        {
            int n = input.Read(buffer, 0, buffer.Length);
            if (n == 0) return 0;
            int nl = buffer.AsSpan(0, n).IndexOf((byte)'\n');
            if (nl < 0) continue;
            buffer.AsSpan(nl + 1, n - nl - 1).CopyTo(buffer);
            return n - nl - 1;
        }
    }

    public void Dispose()
    {
        if (_block is { } b) ArrayPool<byte>.Shared.Return(b);
        _block = null;
    }
}
