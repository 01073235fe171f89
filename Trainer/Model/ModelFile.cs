using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.TfRecord;
using Streaming.Trainer.Compute;
using Streaming.Transform;

namespace Streaming.Trainer.Model;

/// <summary>
/// The saved model: a directory with <c>model.json</c> (architecture, the transform plan it was trained with, the
/// feature layout, final metrics) and <c>weights.bin</c> (little-endian float32 tensors, each named, CRC-32C at the
/// end). Documented in README.md. Written atomically (temporary names, then renames).
/// </summary>
public sealed class ModelFile
{
    public int Version { get; set; } = 1;
    public required ModelSpec Spec { get; set; }
    public required TransformPlan Plan { get; set; }
    public Dictionary<string, double> Metrics { get; set; } = new();
    public int Epochs { get; set; }
    public int Seed { get; set; }

    private static readonly byte[] Magic = "STRMWGT1"u8.ToArray();

    public static void Save(string dir, ModelFile meta, TabularMlp model)
    {
        Directory.CreateDirectory(dir);
        var tmpW = Path.Combine(dir, ".weights.bin.tmp");
        using (var fs = File.Create(tmpW))
        using (var w = new BinaryWriter(fs))
        {
            w.Write(Magic);
            w.Write(model.Parameters.Count);
            uint crc = 0;
            foreach (var p in model.Parameters)
            {
                w.Write(p.Name);
                w.Write(p.Length);
                var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.AsSpan());
                w.Write(bytes);
                crc = Crc32C.Append(crc, bytes);
            }
            w.Write(crc);
        }
        File.Move(tmpW, Path.Combine(dir, "weights.bin"), true);
        Contract.AtomicFile.WriteAllText(Path.Combine(dir, "model.json"), JsonSerializer.Serialize(meta, ModelJsonContext.Default.ModelFile));
    }

    public static (ModelFile Meta, TabularMlp Model) Load(string dir, IComputeBackend backend)
    {
        var json = Path.Combine(dir, "model.json");
        if (!File.Exists(json)) throw new Contract.ConfigException($"{dir}: no model.json (not a model directory)");
        var meta = JsonSerializer.Deserialize(File.ReadAllText(json), ModelJsonContext.Default.ModelFile)
            ?? throw new Contract.ConfigException($"{json}: empty");
        var model = new TabularMlp(meta.Spec, backend, meta.Seed);
        using var fs = File.OpenRead(Path.Combine(dir, "weights.bin"));
        using var r = new BinaryReader(fs);
        if (!r.ReadBytes(Magic.Length).AsSpan().SequenceEqual(Magic)) throw new IOException($"{dir}/weights.bin: not a weights file");
        int count = r.ReadInt32();
        if (count != model.Parameters.Count) throw new IOException($"{dir}/weights.bin: {count} tensors, the architecture has {model.Parameters.Count}");
        uint crc = 0;
        foreach (var p in model.Parameters)
        {
            var name = r.ReadString();
            int len = r.ReadInt32();
            if (name != p.Name || len != p.Length) throw new IOException($"{dir}/weights.bin: tensor {name}[{len}] where {p.Name}[{p.Length}] was expected");
            var bytes = System.Runtime.InteropServices.MemoryMarshal.AsBytes(p.Value.AsSpan());
            if (r.Read(bytes) != bytes.Length) throw new IOException($"{dir}/weights.bin: truncated in {name}");
            crc = Crc32C.Append(crc, bytes);
        }
        if (r.ReadUInt32() != crc) throw new IOException($"{dir}/weights.bin: CRC-32C mismatch (damaged file)");
        return (meta, model);
    }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ModelFile))]
internal sealed partial class ModelJsonContext : JsonSerializerContext;
