using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text;
using CsvHelper;
using Streaming.Contract;

namespace Streaming.Csv;

/// <summary>
/// Splits one input line into fields. Lines without a quote character (nearly all) take a span-only fast path with
/// no allocation; lines with quotes go through CsvHelper's RFC 4180 parser, which also tells us about broken quoting.
/// Fields are exposed as spans valid until the next <see cref="Parse"/>.
/// </summary>
public sealed class CsvLineParser
{
    private readonly CsvOptions _options;
    private (int Start, int Length)[] _fields = new (int, int)[64];
    // Fields point into _line (unquoted lines) or into _decoded (quoted lines, unescaped by CsvHelper).
    private byte[] _source = [];
    private byte[] _decoded = [];
    private byte[] _line = new byte[1024];
    private int _lineLength;
    private CsvReaderOptions? _quotedOptions;

    public CsvLineParser(CsvOptions options) => _options = options;

    public int FieldCount { get; private set; }

    /// <summary>The line as it was read (for quarantine), valid until the next <see cref="Parse"/>.</summary>
    public ReadOnlySpan<byte> RawLine => _line.AsSpan(0, _lineLength);

    public ReadOnlySpan<byte> this[int i]
    {
        get
        {
            var (s, l) = _fields[i];
            return _source.AsSpan(s, l);
        }
    }

    /// <summary>Parses <paramref name="line"/>; returns null on success or the reason the line is malformed.</summary>
    public RejectReason? Parse(ReadOnlySpan<byte> line)
    {
        FieldCount = 0;
        if (_line.Length < line.Length) _line = new byte[Math.Max(line.Length, _line.Length * 2)];
        line.CopyTo(_line);
        _lineLength = line.Length;
        if (line.IndexOf(_options.Quote) < 0) return ParseUnquoted(line);
        return ParseQuoted(line);
    }

    private RejectReason? ParseUnquoted(ReadOnlySpan<byte> line)
    {
        _source = _line;
        byte d = _options.Delimiter;
        int start = 0, i = 0;
        // One vector compare finds every delimiter in 32 bytes (a typical row is two or three loads), instead of one
        // IndexOf call per short field.
        if (Vector256.IsHardwareAccelerated)
        {
            var delim = Vector256.Create(d);
            ref byte b = ref MemoryMarshal.GetReference(line);
            for (; i + 32 <= line.Length; i += 32)
            {
                uint mask = Vector256.Equals(Vector256.LoadUnsafe(ref b, (nuint)i), delim).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    int at = i + BitOperations.TrailingZeroCount(mask);
                    AddField(start, at - start);
                    start = at + 1;
                    mask &= mask - 1;
                }
            }
        }
        for (; i < line.Length; i++)
        {
            if (line[i] != d) continue;
            AddField(start, i - start);
            start = i + 1;
        }
        AddField(start, line.Length - start);
        return null;
    }

    private void AddField(int start, int length)
    {
        if (_options.Trim)
        {
            while (length > 0 && _source[start] == (byte)' ') { start++; length--; }
            while (length > 0 && _source[start + length - 1] == (byte)' ') length--;
        }
        if (FieldCount == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
        _fields[FieldCount++] = (start, length);
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
                if (FieldCount == _fields.Length) Array.Resize(ref _fields, _fields.Length * 2);
                _fields[FieldCount++] = (pos, f.Length);
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
