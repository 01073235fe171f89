using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using System.Text.Unicode;
using CsvHelper;
using Streaming.Core;

namespace Streaming.Csv;

/// <summary>
/// Splits one input line into fields. Lines without a quote character (nearly all) take a span-only fast path with
/// no allocation; lines with quotes go through CsvHelper's RFC 4180 parser, which also tells us about broken quoting.
/// Fields are exposed as spans valid until the next <see cref="Parse"/>.
/// </summary>
public sealed class CsvLineParser : ILineScanner
{
    private readonly CsvOptions _options;
    private (int Start, int Length)[] _fields = new (int, int)[64];
    // Fields point into _line (unquoted lines) or into _decoded (quoted lines, unescaped by CsvHelper).
    private byte[] _source = [];
    private byte[] _decoded = [];
    private byte[] _line = new byte[1024];
    private CsvReaderOptions? _quotedOptions;

    public CsvLineParser(CsvOptions options) => _options = options;

    public int FieldCount { get; private set; }

    // The line as it was read: in the caller's buffer (parsed in place) or in _line (a copy).
    private byte[] _raw = [];
    private int _rawStart, _rawLength;

    /// <summary>The line as it was read (for quarantine), valid until the next <see cref="Parse(ReadOnlySpan{byte})"/>.</summary>
    public ReadOnlySpan<byte> RawLine => _raw.AsSpan(_rawStart, _rawLength);

    /// <summary>Field <paramref name="i"/> without bounds checks: for loops that already hold i below <see cref="FieldCount"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ReadOnlySpan<byte> FieldUnchecked(int i)
    {
        Debug.Assert((uint)i < (uint)FieldCount, "the caller holds i below FieldCount");
        var (s, l) = Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_fields), i);
        Debug.Assert(s >= 0 && l >= 0 && s + l <= _source.Length, "a field lies inside the source buffer");
        return MemoryMarshal.CreateReadOnlySpan(ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_source), s), l);
    }

    public ReadOnlySpan<byte> this[int i]
    {
        get
        {
            var (s, l) = _fields[i];
            return _source.AsSpan(s, l);
        }
    }

    /// <summary>Parses a copy of <paramref name="line"/>; returns null on success or the reason the line is malformed.</summary>
    public RejectReason? Parse(ReadOnlySpan<byte> line)
    {
        if (_line.Length < line.Length) _line = new byte[Math.Max(line.Length, _line.Length * 2)];
        line.CopyTo(_line);
        return Parse(_line, 0, line.Length);
    }

    /// <summary>
    /// Parses <paramref name="buffer"/>[start, start+length) in place: the fields point into the buffer, so they are
    /// valid while it is unchanged. Returns null on success or the reason the line is malformed (invalid UTF-8, broken
    /// quoting). A line holds no '\n' (a <see cref="LineReader"/> splits on it): the fields end at the first one.
    /// </summary>
    public RejectReason? Parse(byte[] buffer, int start, int length)
    {
        Begin(buffer, start, length);
        return Finish(buffer, start, length, Split(buffer, start, start + length));
    }

    /// <summary>
    /// Finds and parses the next line of <paramref name="lines"/> in one pass, when the reader holds it whole in its
    /// buffer and within its line limit: the same vector loads find the '\n' and the delimiters. Otherwise returns
    /// false and leaves the reader as it was (its <see cref="LineReader.TryReadLine"/> then reads on).
    /// </summary>
    public bool TryParseNext(LineReader lines, out ReadOnlySpan<byte> line, out RejectReason? bad)
    {
        if (!lines.TryScanLine(this, out line))
        {
            bad = null;
            return false;
        }
        Debug.Assert(line.Length == _rawLength, "the reader took the line this parser scanned");
        bad = Finish(_raw, _rawStart, _rawLength, _scan);
        return true;
    }

    private Scan _scan;

    /// <summary>The line reader's scan (see <see cref="TryParseNext"/>): splits the fields on the way to the '\n'.</summary>
    int ILineScanner.ScanLine(byte[] buffer, int start, int end)
    {
        Begin(buffer, start, 0);
        _scan = Split(buffer, start, end);
        int length = _scan.LineEnd - start;
        // CRLF input: the '\r' ends the line (as the reader drops it), so it leaves the last field.
        if (length > 0 && buffer[_scan.LineEnd - 1] == (byte)'\r' && _scan.LineEnd < end)
        {
            _fields[FieldCount - 1].Length--;
            length--;
        }
        _rawLength = length;
        return _scan.LineEnd;
    }

    private void Begin(byte[] buffer, int start, int length)
    {
        FieldCount = 0;
        (_raw, _rawStart, _rawLength) = (buffer, start, length);
        _source = buffer;
    }

    private RejectReason? Finish(byte[] buffer, int start, int length, Scan scan)
    {
        // Trimming only where there is a space to trim (never, in most files).
        if (scan.Spaces && _options.Trim)
            for (int f = 0; f < FieldCount; f++) _fields[f] = Trimmed(_fields[f].Start, _fields[f].Length);
        if (!scan.Quoted && !scan.NonAscii) return null;
        var line = buffer.AsSpan(start, length);
        if (scan.NonAscii && !Utf8.IsValid(line)) return RejectReason.InvalidUtf8;
        if (!scan.Quoted) return null;
        FieldCount = 0;
        return ParseQuoted(line);
    }

    /// <summary>What one pass over a line saw: where it ends (its '\n', or the end of the bytes given) and whether it
    /// has a quote (then it is re-parsed by the RFC 4180 path), a non-ASCII byte (then it is UTF-8-validated) or a space.</summary>
    private readonly record struct Scan(int LineEnd, bool Quoted, bool NonAscii, bool Spaces);

    /// <summary>
    /// One pass from <paramref name="start"/> to the first '\n' or <paramref name="end"/>: every delimiter ends a field,
    /// and the same vector loads look for the quote, non-ASCII bytes and spaces. Most lines have none of these, so
    /// they are read exactly once. Loads may run past the line's end inside the buffer; the bits beyond it are masked off.
    /// </summary>
    /// <remarks>
    /// Compiled fully optimized at its first call. ReadyToRun cannot precompile a method that asks whether 256-bit
    /// vectors are accelerated, so without this the published tasks ran it as unoptimized tier-0 code (with its vectors
    /// spilled to the stack) until the tiered JIT replaced it — some hundred milliseconds into a map task, ~7 % of the
    /// samples of a 268 MB statistics run.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Scan Split(byte[] buffer, int start, int end)
    {
        byte d = _options.Delimiter, q = _options.Quote;
        int fieldStart = start, i = start, lineEnd = -1;
        bool quoted = false, nonAscii = false, spaces = false;
        if (Vector256.IsHardwareAccelerated)
        {
            var delim = Vector256.Create(d);
            var quote = Vector256.Create(q);
            var space = Vector256.Create((byte)' ');
            var newline = Vector256.Create((byte)'\n');
            ref byte b = ref MemoryMarshal.GetArrayDataReference(buffer);
            int count = FieldCount;
            for (; i < end && i + 32 <= buffer.Length; i += 32)
            {
                var v = Vector256.LoadUnsafe(ref b, (nuint)i);
                int valid = end - i;
                uint keep = valid >= 32 ? uint.MaxValue : (1u << valid) - 1;
                uint nl = Vector256.Equals(v, newline).ExtractMostSignificantBits() & keep;
                if (nl != 0)
                {
                    lineEnd = i + BitOperations.TrailingZeroCount(nl);
                    keep = (nl & (0u - nl)) - 1;   // the bytes before the first '\n'
                }
                uint mask = Vector256.Equals(v, delim).ExtractMostSignificantBits() & keep;
                quoted |= (Vector256.Equals(v, quote).ExtractMostSignificantBits() & keep) != 0;
                spaces |= (Vector256.Equals(v, space).ExtractMostSignificantBits() & keep) != 0;
                nonAscii |= (v.ExtractMostSignificantBits() & keep) != 0;
                // A chunk ends at most 32 fields: room for them once, then unchecked stores.
                if (count + 32 > _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
                ref var field = ref MemoryMarshal.GetArrayDataReference(_fields);
                Debug.Assert(count + BitOperations.PopCount(mask) <= _fields.Length, "the unchecked stores stay inside _fields");
                while (mask != 0)
                {
                    int at = i + BitOperations.TrailingZeroCount(mask);
                    Unsafe.Add(ref field, count++) = (fieldStart, at - fieldStart);
                    fieldStart = at + 1;
                    mask &= mask - 1;
                }
                if (lineEnd >= 0) break;
            }
            FieldCount = count;
        }
        if (lineEnd < 0)
        {
            for (; i < end; i++)
            {
                byte c = buffer[i];
                if (c == d)
                {
                    AddField(fieldStart, i - fieldStart);
                    fieldStart = i + 1;
                }
                else if (c == (byte)'\n') { lineEnd = i; break; }
                else if (c == q) quoted = true;
                else if (c == (byte)' ') spaces = true;
                else if (c >= 0x80) nonAscii = true;
            }
            if (lineEnd < 0) lineEnd = end;
        }
        AddField(fieldStart, lineEnd - fieldStart);
        return new Scan(lineEnd, quoted, nonAscii, spaces);
    }

    private void AddField(int start, int length)
    {
        if (FieldCount == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        _fields[FieldCount++] = (start, length);
    }

    private (int Start, int Length) Trimmed(int start, int length)
    {
        while (length > 0 && _source[start] == (byte)' ') { start++; length--; }
        while (length > 0 && _source[start + length - 1] == (byte)' ') length--;
        return (start, length);
    }

    private void EnsureSource(int length)
    {
        if (_decoded.Length < length) _decoded = new byte[Math.Max(length, _decoded.Length * 2)];
        _source = _decoded;
    }

    private RejectReason? ParseQuoted(ReadOnlySpan<byte> line)
    {
        // Rare path: let CsvHelper's RFC 4180 reader unquote, and report broken quoting instead of recovering.
        bool malformed = false;
        _quotedOptions ??= new CsvReaderOptions
        {
            Separator = (char)_options.Delimiter,
            Quote = (char)_options.Quote,
            HasHeader = false,
            Mode = CsvMode.Rfc4180,
            AllowLineBreaksInQuotes = false,
            SkipEmptyLines = false,
            TrimWhitespace = _options.Trim,
            MalformedData = CsvMalformedDataHandling.Recover,
        };
        var options = _quotedOptions with { OnMalformedRecord = _ => malformed = true };
        var bytes = line.ToArray();
        try
        {
            using var reader = CsvReader.Create(bytes, options);
            if (!reader.Read() || malformed) return RejectReason.BadQuotes;
            int count = reader.FieldCount;
            int total = 0;
            for (int i = 0; i < count; i++) total += reader.GetSpan(i).Length;
            EnsureSource(total);
            int pos = 0;
            for (int i = 0; i < count; i++)
            {
                var f = reader.GetSpan(i);
                f.CopyTo(_source.AsSpan(pos));
                AddField(pos, f.Length);
                pos += f.Length;
            }
            if (reader.Read() || malformed) return RejectReason.BadQuotes;
        }
        catch (Exception e) when (e is CsvFormatException or FormatException or InvalidDataException)
        {
            return RejectReason.BadQuotes;
        }
        return null;
    }

    /// <summary>The fields of the last parsed line as strings (for headers and diagnostics, not hot paths).</summary>
    public string[] FieldsAsStrings()
    {
        var r = new string[FieldCount];
        for (int i = 0; i < FieldCount; i++) r[i] = Encoding.UTF8.GetString(this[i]);
        return r;
    }
}
