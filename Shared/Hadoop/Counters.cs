using Streaming.Core;
namespace Streaming.Hadoop;

/// <summary>The counter group and names our tasks report; a small fixed set an operator can look up.</summary>
public static class Counters
{
    public const string Group = "Streaming";
    public const string RowsRead = "RowsRead";
    public const string RowsOk = "RowsOk";
    public const string HeaderLines = "HeaderLines";
    public const string MalformedRows = "MalformedRows";
    public const string RecordsWritten = "RecordsWritten";
    public const string RowsScored = "RowsScored";
    public const string BytesWritten = "BytesWritten";
    public const string PartialsMerged = "PartialsMerged";
    public const string MissingValues = "MissingValues";
    public const string DroppedMissingLabel = "DroppedMissingLabel";

    /// <summary>Per-reason counter name: <c>Malformed.FieldCount</c> etc.</summary>
    public static string Malformed(RejectReason reason) => "Malformed." + reason;
}
