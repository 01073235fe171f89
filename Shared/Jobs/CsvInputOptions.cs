using System.CommandLine;
using Streaming.Core;
using Streaming.Csv;

namespace Streaming.Jobs;

/// <summary>The CSV input options every map-side command shares, and how they become <see cref="CsvOptions"/>.</summary>
public sealed class CsvInputOptions
{
    public readonly Option<string> Delimiter = new("--delimiter") { Description = "Field delimiter: one character or tab|comma|semicolon|pipe", DefaultValueFactory = _ => "," };
    public readonly Option<string> Quote = new("--quote") { Description = "Quote character", DefaultValueFactory = _ => "\"" };
    public readonly Option<string> Header = new("--header") { Description = "auto|present|none: is the first line of each file a header", DefaultValueFactory = _ => "auto" };
    public readonly Option<string?> Columns = new("--columns") { Description = "Column names a,b,c (required when there is no header or more than one split)" };
    public readonly Option<string> Missing = new("--missing") { Description = "Missing-value tokens separated by '|' (an empty entry means the empty field)", DefaultValueFactory = _ => string.Join('|', CsvOptions.DefaultMissingTokens) };
    public readonly Option<bool> Trim = new("--trim") { Description = "Strip spaces around fields (default: true; --trim false keeps them)", DefaultValueFactory = _ => true };
    public readonly Option<int> MaxLineBytes = new("--max-line-bytes") { Description = "Reject longer lines (bounds task memory)", DefaultValueFactory = _ => 1 << 20 };
    public readonly Option<double> MaxBadFraction = MaxBadFractionOption();

    /// <summary>The one declaration of <c>--max-bad-fraction</c>, for every command that quarantines rows.</summary>
    public static Option<double> MaxBadFractionOption() =>
        new("--max-bad-fraction") { Description = "Fail the task when more than this share of its rows is rejected (0 to 1)", DefaultValueFactory = _ => 0.01 };

    public void AddTo(Command command)
    {
        foreach (var o in new Option[] { Delimiter, Quote, Header, Columns, Missing, Trim, MaxLineBytes, MaxBadFraction }) command.Options.Add(o);
    }

    public CsvOptions Build(ParseResult r)
    {
        var quote = r.GetValue(Quote)!;
        if (quote.Length != 1 || quote[0] > 127) throw new ConfigException($"--quote must be one ASCII character, got '{quote}'");
        var delimiter = CsvOptions.ParseDelimiter(r.GetValue(Delimiter)!);
        if (delimiter == (byte)quote[0]) throw new ConfigException("--delimiter and --quote must differ");
        if (r.GetValue(Columns) is { } rawColumns && rawColumns.Split(',').Any(c => c.Trim().Length == 0))
            throw new ConfigException($"--columns must be non-empty names separated by commas, got '{rawColumns}'");
        var columns = CsvOptions.ParseList(r.GetValue(Columns));
        if (columns is not null && CsvOptions.DuplicateColumn(columns) is { } duplicate)
            throw new ConfigException($"--columns: {duplicate}");
        return new CsvOptions
        {
            Delimiter = delimiter,
            Quote = (byte)quote[0],
            Header = CsvOptions.ParseHeader(r.GetValue(Header)!),
            Columns = columns,
            MissingTokens = r.GetValue(Missing)!.Split('|'),
            Trim = r.GetValue(Trim),
            MaxLineBytes = r.GetValue(MaxLineBytes) is var m and >= 16 ? m : throw new ConfigException("--max-line-bytes must be at least 16"),
        };
    }
}
