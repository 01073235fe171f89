namespace Streaming.Core;

/// <summary>Why a row was rejected. The set is fixed so counters stay few and searchable.</summary>
public enum RejectReason
{
    EmptyLine,
    FieldCount,
    BadQuotes,
    InvalidUtf8,
    LineTooLong,
    BadValue,
    BadRecord,
    /// <summary>The label is not a number (regression) or not one of the classes.</summary>
    BadLabel,
}
