using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Core;
using Streaming.Transform;

namespace Streaming.Model;

/// <summary>A named float32 tensor, row-major, as in a PyTorch state_dict.</summary>
public sealed record NamedTensor(string Name, int[] Shape, float[] Data);

/// <summary>
/// The saved model: a directory with <c>model.json</c> (architecture, the transform plan it was trained with, final
/// metrics, how it was trained) and <c>weights.bin</c> (the state_dict's tensors: little-endian float32, each named
/// and shaped, CRC-32C at the end; it starts with the <see cref="Fingerprint"/> of the model.json it belongs to), read without libtorch by <see cref="MlpScorer"/>. The trainer also writes
/// <c>model.pt</c>, the same tensors as a PyTorch state_dict. Documented in README.md. Each file is written under a
/// temporary name and renamed; model.json last, so a directory with model.json is complete.
/// </summary>
public sealed class ModelFile
{
    public const int CurrentVersion = 2;
    public int Version { get; set; } = CurrentVersion;
    public required ModelSpec Spec { get; set; }
    public required TransformPlan Plan { get; set; }
    public Dictionary<string, double> Metrics { get; set; } = new();
    public int Epochs { get; set; }
    public int BestEpoch { get; set; }
    public int Seed { get; set; }
    /// <summary>Unique per save: part of the weights' fingerprint, so weights of two saves never pass for one model.</summary>
    public string SaveId { get; set; } = Guid.NewGuid().ToString("N");
    /// <summary>Where it was trained, e.g. "cpu (2 threads), libtorch 2.10.0"; informational.</summary>
    public string? TrainedOn { get; set; }

    private static readonly byte[] Magic = "STRMWGT2"u8.ToArray();
    public const string WeightsName = "weights.bin", MetaName = "model.json";

    /// <summary>
    /// Hash of the save's id, the architecture and the plan: weights.bin carries it, so weights are never read with the model.json
    /// of another model (a directory assembled from two saves is an error, not a silently wrong model).
    /// </summary>
    public static ulong Fingerprint(ModelFile meta) =>
        Hash64.Of(System.Text.Encoding.UTF8.GetBytes(meta.SaveId + "\n" + JsonSerializer.Serialize(meta.Spec, ModelJsonContext.Default.ModelSpec) + "\n" + meta.Plan.ToJson()));

    public static void Save(string dir, ModelFile meta, IReadOnlyList<NamedTensor> weights)
    {
        Directory.CreateDirectory(dir);
        var tmp = Path.Combine(dir, "." + WeightsName + ".tmp");
        using (var fs = File.Create(tmp))
        using (var w = new BinaryWriter(fs))
        {
            w.Write(Magic);
            w.Write(Fingerprint(meta));
            w.Write(weights.Count);
            uint crc = 0;
            foreach (var t in weights)
            {
                w.Write(t.Name);
                w.Write(t.Shape.Length);
                foreach (var d in t.Shape) w.Write(d);
                var bytes = MemoryMarshal.AsBytes(t.Data.AsSpan());
                w.Write(bytes);
                crc = Crc32C.Append(crc, bytes);
            }
            w.Write(crc);
        }
        File.Move(tmp, Path.Combine(dir, WeightsName), true);
        AtomicFile.WriteAllText(Path.Combine(dir, MetaName), JsonSerializer.Serialize(meta, ModelJsonContext.Default.ModelFile));
    }

    /// <summary>Reads model.json; a missing, truncated or foreign file is a configuration error (exit 2).</summary>
    public static ModelFile LoadMeta(string dir)
    {
        var json = Path.Combine(dir, MetaName);
        if (!File.Exists(json)) throw new ConfigException($"{dir}: no {MetaName} (not a model directory)");
        ModelFile? meta;
        try { meta = JsonSerializer.Deserialize(File.ReadAllText(json), ModelJsonContext.Default.ModelFile); }
        catch (JsonException e) { throw new ConfigException($"{json}: not a valid model file ({e.Message})"); }
        if (meta is null) throw new ConfigException($"{json}: empty");
        if (meta.Version != CurrentVersion)
            throw new ConfigException($"{json}: model format version {meta.Version}, this trainer reads version {CurrentVersion}: retrain the model");
        return meta;
    }

    /// <summary>Reads weights.bin and checks every tensor against the architecture (names, shapes, CRC).</summary>
    public static Dictionary<string, NamedTensor> LoadWeights(string dir, ModelFile meta)
    {
        var spec = meta.Spec;
        var path = Path.Combine(dir, WeightsName);
        if (!File.Exists(path)) throw new ConfigException($"{dir}: no {WeightsName}");
        using var fs = File.OpenRead(path);
        using var r = new BinaryReader(fs);
        var result = new Dictionary<string, NamedTensor>();
        try
        {
            if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new ConfigException($"{path}: not a weights file of this format");
            if (r.ReadUInt64() != Fingerprint(meta))
                throw new ConfigException($"{path} belongs to another model than {MetaName} (an interrupted or mixed copy): retrain or copy the model directory whole");
            int count = r.ReadInt32();
            var expected = spec.Tensors().ToList();
            if (count != expected.Count) throw new ConfigException($"{path}: {count} tensors, the architecture has {expected.Count}");
            uint crc = 0;
            foreach (var (name, shape) in expected)
            {
                var got = r.ReadString();
                var dims = new int[r.ReadInt32()];
                if (dims.Length > 8) throw new ConfigException($"{path}: tensor {got} has rank {dims.Length}");
                for (int i = 0; i < dims.Length; i++) dims[i] = r.ReadInt32();
                if (got != name || !dims.SequenceEqual(shape))
                    throw new ConfigException($"{path}: tensor {got}[{string.Join(",", dims)}] where {name}[{string.Join(",", shape)}] was expected");
                var data = new float[shape.Aggregate(1L, (a, b) => a * b)];
                var bytes = MemoryMarshal.AsBytes(data.AsSpan());
                if (r.Read(bytes) != bytes.Length) throw new ConfigException($"{path}: truncated in {name}");
                crc = Crc32C.Append(crc, bytes);
                result[name] = new NamedTensor(name, dims, data);
            }
            if (r.ReadUInt32() != crc) throw new ConfigException($"{path}: CRC-32C mismatch (damaged file)");
        }
        catch (EndOfStreamException) { throw new ConfigException($"{path}: truncated"); }
        return result;
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelFile))]
[JsonSerializable(typeof(ModelSpec))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
