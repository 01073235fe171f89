using System.Text.Json;
using System.Text.Json.Serialization;

namespace Streaming.Transform;

/// <summary>
/// An enum of the plan as its JSON string: <c>names[i]</c> spells value i (the enums are 0..n−1). A value outside
/// the list is refused naming the allowed ones, so a hand-edited plan fails when read, not in the middle of a job.
/// </summary>
public abstract class PlanEnumConverter<T>(params string[] names) : JsonConverter<T> where T : struct, Enum
{
    public string Name(T value) => names[(int)(object)value];

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        string? s = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        int i = Array.IndexOf(names, s);
        if (i < 0) throw new JsonException($"'{s ?? reader.TokenType.ToString()}' is not one of {string.Join('|', names)}");
        return (T)(object)i;
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteStringValue(Name(value));
}

public sealed class ScaleKindJson() : PlanEnumConverter<ScaleKind>("minmax", "zscore", "none");
public sealed class CategoricalEncodingJson() : PlanEnumConverter<CategoricalEncoding>("index", "onehot");
public sealed class TaskKindJson() : PlanEnumConverter<TaskKind>("regression", "binary", "multiclass");
public sealed class LabelMissingPolicyJson() : PlanEnumConverter<LabelMissingPolicy>("error", "drop");

/// <summary>The plan's enums as the plan spells them (for logs and summaries).</summary>
public static class PlanNames
{
    private static readonly ScaleKindJson Scale = new();
    private static readonly CategoricalEncodingJson Encoding = new();
    private static readonly TaskKindJson Task = new();

    public static string Name(this ScaleKind v) => Scale.Name(v);
    public static string Name(this CategoricalEncoding v) => Encoding.Name(v);
    public static string Name(this TaskKind v) => Task.Name(v);
}
