using System.Text;
using System.Text.Unicode;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Csv;

namespace Streaming.Hadoop;

/// <summary>
/// The CSV input of a map task: lines from stdin, the header recognised (only a split at offset 0 of its file can
/// see it, docs/contracts.md §1) and never counted as data, malformed rows handed to <see cref="RejectedRows"/>.
/// <see cref="TryRead"/> returns only well-formed rows, with exactly <see cref="Columns"/>.Count fields.
/// </summary>
public sealed class CsvRowReader
{
    private readonly LineReader _lines;
    private readonly CsvOptions _options;
    private readonly RejectedRows _rejects;
    private readonly Reporter _reporter;
    private readonly bool _atFileStart;
    private readonly CsvLineParser _parser;
    private IReadOnlyList<string>? _columns;
    private bool _first;

    public CsvRowReader(LineReader lines, CsvOptions options, bool atFileStart, RejectedRows rejects, Reporter reporter)
    {
        _first = atFileStart;
        _lines = lines;
        _options = options;
        _atFileStart = atFileStart;
        _rejects = rejects;
        _reporter = reporter;
        _parser = new CsvLineParser(options);
        _columns = options.Columns;
        if (atFileStart) lines.SkipByteOrderMark();
        if (_columns is null && !atFileStart && options.Header != HeaderMode.None)
            throw new ConfigException(
                "column names are unknown in a split that does not start at offset 0 of its file (the header is not in it): pass --columns (hadoop-jobs scripts read the header for you)");
    }

    /// <summary>Column names; known after the first line when they come from the header.</summary>
    public IReadOnlyList<string> Columns => _columns ?? throw new InvalidOperationException("no row read yet");
    public bool HasColumns => _columns is not null;

    /// <summary>The raw text of the row just returned.</summary>
    public ReadOnlySpan<byte> RawLine => _parser.RawLine;

    /// <summary>Data rows read (well-formed or rejected), header excluded.</summary>
    public long RowsRead { get; private set; }
    public long RowsOk { get; private set; }
    /// <summary>1-based line number in this task's input of the row just returned.</summary>
    public long LineNumber { get; private set; }

    /// <summary>Line number before the first line this reader sees (a block of a larger input).</summary>
    public long LineNumberBase { init => LineNumber = value; }

    /// <summary>Told what looks wrong with the input's shape (a header that is one column holding another delimiter).</summary>
    public ILogger? Log { get; init; }

    /// <summary>Stop after consuming this many lines (the rest stays in the <see cref="LineReader"/>).</summary>
    public long LineLimit { get; init; } = long.MaxValue;
    private long _consumed;

    public bool TryRead(out CsvLineParser row)
    {
        row = _parser;
        while (_consumed < LineLimit)
        {
            ReadOnlySpan<byte> line;
            RejectReason? reason;
            string? detail = null;
            // Past the first line, a line the reader holds whole is found and split in one pass over its bytes.
            if (!_first && _parser.TryParseNext(_lines, out line, out var bad))
            {
                _consumed++;
                LineNumber++;
                reason = line.IsEmpty ? RejectReason.EmptyLine : bad ?? CheckShape(out detail);
            }
            else
            {
                if (!_lines.TryReadLine(out line, out bool tooLong)) return false;
                _consumed++;
                LineNumber++;
                if (_first)
                {
                    _first = false;
                    if (!tooLong && HandleFirstLine(line)) continue;
                }
                reason = Check(line, tooLong, out detail);
            }
            RowsRead++;
            if (reason is { } r)
            {
                _rejects.Reject(r, line, LineNumber, detail);
                continue;
            }
            RowsOk++;
            return true;
        }
        return false;
    }

    private RejectReason? Check(ReadOnlySpan<byte> line, bool tooLong, out string? detail)
    {
        detail = null;
        if (tooLong) { detail = $"longer than {_lines.MaxLineBytes} bytes"; return RejectReason.LineTooLong; }
        if (line.IsEmpty) return RejectReason.EmptyLine;
        // A copy: only the first line and lines across a buffer refill come this way (the rest are scanned in place).
        // The parser validates UTF-8 where a line has non-ASCII bytes.
        if (_parser.Parse(line) is { } bad) return bad;
        return CheckShape(out detail);
    }

    /// <summary>A parsed line has the columns' number of fields (the first row fixes it when there are no names).</summary>
    private RejectReason? CheckShape(out string? detail)
    {
        detail = null;
        if (_columns is null) _columns = Enumerable.Range(0, _parser.FieldCount).Select(i => "c" + i).ToArray();
        if (_parser.FieldCount != _columns.Count)
        {
            detail = $"{_parser.FieldCount} fields, expected {_columns.Count}";
            return RejectReason.FieldCount;
        }
        return null;
    }

    /// <summary>True when the first line of the task's input is a header (consumed, not data).</summary>
    private bool HandleFirstLine(ReadOnlySpan<byte> line)
    {
        if (!_atFileStart || _options.Header == HeaderMode.None || line.IsEmpty || !Utf8.IsValid(line)) return false;
        if (_parser.Parse(line) is not null) return false;
        var fields = _parser.FieldsAsStrings();
        bool isHeader = _options.Header == HeaderMode.Present
            || (_columns is not null ? fields.SequenceEqual(_columns) : LooksLikeHeader(fields));
        if (!isHeader) return false;
        if (_columns is null)
        {
            if (CsvOptions.DuplicateColumn(fields) is { } duplicate)
                throw new ConfigException($"header line: {duplicate} (--header none if the first line is data): {Bytes.Escape(line, 200)}");
            if (fields.Any(string.IsNullOrEmpty))
                throw new ConfigException($"header line has an empty column name: {Bytes.Escape(line, 200)}");
            if (fields.Length == 1 && fields[0].IndexOfAny([';', '\t', '|', ',']) is >= 0 and var at)
                Log?.LogWarning("the header is one column '{Header}', which contains '{Char}': is that the delimiter? (--delimiter)",
                    Bytes.Escape(line, 120), fields[0][at] == '\t' ? "\\t" : fields[0][at].ToString());
            _columns = fields;
        }
        else if (!fields.SequenceEqual(_columns))
        {
            throw new ConfigException(
                $"header line does not match --columns: header [{string.Join(",", fields)}], --columns [{string.Join(",", _columns)}]");
        }
        _reporter.Increment(Counters.Group, Counters.HeaderLines);
        return true;
    }

    /// <summary>
    /// --header auto without --columns: a header has no empty or numeric field. (A repeated name does not make it
    /// data: it is refused as a header, so a repeat is never silently read as a row, nor one column as another.)
    /// </summary>
    private static bool LooksLikeHeader(string[] fields) =>
        fields.All(f => f.Length > 0 && !double.TryParse(f, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _));
}
