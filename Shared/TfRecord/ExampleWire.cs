namespace Streaming.TfRecord;

/// <summary>
/// The protobuf wire vocabulary of <c>tf.train.Example</c> (docs/contracts.md §2), written once for the encoder
/// (<see cref="ExampleEncoder"/>) and the decoder (<c>ExampleDecoder</c>): field numbers, wire types and
/// the one-byte tags they make (<c>field &lt;&lt; 3 | wire type</c>; every field here is below 16, so one byte).
/// </summary>
public static class ExampleWire
{
    // Wire types.
    public const int Varint = 0;
    public const int LengthDelimited = 2;
    public const int Fixed32 = 5;

    // Field numbers.
    /// <summary><c>Example.features</c>.</summary>
    public const int Features = 1;
    /// <summary><c>Features.feature</c>, a <c>map&lt;string, Feature&gt;</c>: each entry a message of key and value.</summary>
    public const int FeatureEntry = 1;
    public const int EntryKey = 1;
    public const int EntryValue = 2;
    /// <summary>The <c>Feature.kind</c> oneof.</summary>
    public const int BytesList = 1, FloatList = 2, Int64List = 3;
    /// <summary><c>BytesList/FloatList/Int64List.value</c> (packed for floats and int64s).</summary>
    public const int ListValue = 1;

    // Tags of the length-delimited fields, as they appear on the wire.
    public const byte FeaturesTag = (Features << 3) | LengthDelimited;
    public const byte FeatureEntryTag = (FeatureEntry << 3) | LengthDelimited;
    public const byte EntryKeyTag = (EntryKey << 3) | LengthDelimited;
    public const byte EntryValueTag = (EntryValue << 3) | LengthDelimited;
    public const byte FloatListTag = (FloatList << 3) | LengthDelimited;
    public const byte Int64ListTag = (Int64List << 3) | LengthDelimited;
    public const byte PackedValuesTag = (ListValue << 3) | LengthDelimited;
}
