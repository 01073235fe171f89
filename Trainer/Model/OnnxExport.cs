using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Streaming.Data;
using Streaming.Model;
using Streaming.Transform;

namespace Streaming.Trainer.Model;

/// <summary>
/// The trained network as a standard ONNX graph (IR version 8, opset 13, the default domain only), for ONNX Runtime,
/// Triton or any ONNX server. Its inputs are the plan's features by name, as the transform writes them into each
/// Example — a float feature <c>float32 [batch, length]</c>, an index feature <c>int64 [batch, 1]</c> — so a
/// <c>tf.train.Example</c> from our shards, or a row put through the plan, is what it scores. The graph: the float
/// inputs concatenated in plan order; the piecewise-linear bins (Gather, Sub, Mul, Clip); one Gather per embedding
/// table (then Flatten); Concat; Gemm + Relu per hidden layer; a Gemm head; then the task's output —
/// <c>prediction</c> [batch, 1] in the label's units (regression: Mul, Add), <c>probability</c> [batch, 1] of the
/// second class (binary: Sigmoid), <c>probabilities</c> [batch, classes] (multiclass: Softmax). The same arithmetic as
/// <see cref="MlpScorer"/> and <see cref="TabularNet"/>, from weights.bin, with no libtorch. Metadata: the task, label
/// and classes. Written with Google.Protobuf's coded stream and onnx.proto's field numbers (<see cref="Onnx"/>).
/// </summary>
public static class OnnxExport
{
    public const int IrVersion = 8, Opset = 13;

    public static string OutputName(TaskKind task) => task switch
    {
        TaskKind.Regression => "prediction",
        TaskKind.Binary => "probability",
        _ => "probabilities",
    };

    public static byte[] Build(ModelFile meta, IReadOnlyDictionary<string, NamedTensor> weights)
    {
        var spec = meta.Spec;
        var layout = new FeatureLayout(meta.Plan);
        var nodes = new List<byte[]>();
        var initializers = new List<byte[]>();
        var inputs = new List<byte[]>();
        int counter = 0;
        string Node(string op, string[] ins, params byte[][] attributes)
        {
            string output = $"{op.ToLowerInvariant()}_{counter++}";
            nodes.Add(Onnx.Node(op, ins, [output], attributes));
            return output;
        }
        string Constant(string name, float[] values, params long[] dims) { initializers.Add(Onnx.FloatTensor(name, values, dims)); return name; }

        var floats = layout.FloatSlots.Select(s => { inputs.Add(Onnx.Input(s.Name, Onnx.Float, s.Length)); return s.Name; }).ToArray();
        var indices = layout.IndexSlots.Select(s => { inputs.Add(Onnx.Input(s.Name, Onnx.Int64, 1)); return s.Name; }).ToArray();
        var parts = new List<string>();
        string? numeric = floats.Length switch { 0 => null, 1 => floats[0], _ => Node("Concat", floats, Onnx.Int("axis", 1)) };
        if (numeric is not null) parts.Add(numeric);
        var (columns, low, inverse) = spec.PiecewiseBins();
        if (columns.Length > 0)
        {
            initializers.Add(Onnx.Int64Tensor("piecewise.columns", columns.Select(c => (long)c).ToArray(), columns.Length));
            var gathered = Node("Gather", [numeric!, "piecewise.columns"], Onnx.Int("axis", 1));
            var shifted = Node("Sub", [gathered, Constant("piecewise.low", low, low.Length)]);
            var scaled = Node("Mul", [shifted, Constant("piecewise.inverse_width", inverse, inverse.Length)]);
            parts.Add(Node("Clip", [scaled, Constant("zero", [0f]), Constant("one", [1f])]));
        }
        for (int e = 0; e < spec.Embeddings.Count; e++)
        {
            var table = weights[ModelSpec.EmbeddingWeight(e)];
            Constant(table.Name, table.Data, table.Shape.Select(d => (long)d).ToArray());
            parts.Add(Node("Flatten", [Node("Gather", [table.Name, indices[e]], Onnx.Int("axis", 0))], Onnx.Int("axis", 1)));
        }
        string x = parts.Count == 1 ? parts[0] : Node("Concat", [.. parts], Onnx.Int("axis", 1));
        for (int l = 0; l <= spec.Hidden.Length; l++)
        {
            bool head = l == spec.Hidden.Length;
            var w = weights[head ? ModelSpec.HeadWeight : ModelSpec.HiddenWeight(l)];
            var b = weights[head ? ModelSpec.HeadBias : ModelSpec.HiddenBias(l)];
            Constant(w.Name, w.Data, w.Shape.Select(d => (long)d).ToArray());
            Constant(b.Name, b.Data, b.Shape.Select(d => (long)d).ToArray());
            x = Node("Gemm", [x, w.Name, b.Name], Onnx.Int("transB", 1));   // y = x·Wᵀ + b, W as torch keeps it [out, in]
            if (!head) x = Node("Relu", [x]);
        }
        string result = OutputName(spec.Task);
        string last = spec.Task switch
        {
            TaskKind.Regression => Node("Add", [Node("Mul", [x, Constant("label.std", [(float)spec.LabelStd])]), Constant("label.mean", [(float)spec.LabelMean])]),
            TaskKind.Binary => Node("Sigmoid", [x]),
            _ => Node("Softmax", [x], Onnx.Int("axis", 1)),
        };
        nodes.Add(Onnx.Node("Identity", [last], [result], []));
        var graph = Onnx.Graph("streaming_tabular_net", nodes, initializers, inputs, [Onnx.Input(result, Onnx.Float, spec.ScoreWidth)],
            $"Streaming's tabular network for '{meta.Plan.Label?.Name}' ({spec.Task.Name()}): inputs are the plan's features as the transform writes them.");
        var metadata = new Dictionary<string, string>
        {
            ["task"] = spec.Task.Name(),
            ["label"] = meta.Plan.Label?.Name ?? "",
            ["output"] = result,
        };
        if (meta.Plan.Label?.Classes is { } classes) metadata["classes"] = JsonSerializer.Serialize(classes);
        return Onnx.Model(graph, metadata);
    }

    /// <summary>Writes <c>model.onnx</c>-style bytes for a model directory (weights.bin, no libtorch) to <paramref name="path"/>.</summary>
    public static void Export(string modelDir, string path)
    {
        var meta = ModelFile.LoadMeta(modelDir);
        var bytes = Build(meta, ModelFile.LoadWeights(modelDir, meta));
        Core.AtomicFile.WriteAllBytes(path, bytes);
    }
}

/// <summary>onnx.proto's messages as this exporter writes them: field numbers and wire types in one place.</summary>
internal static class Onnx
{
    public const int Float = 1, Int64 = 7;   // TensorProto.DataType
    private const int AttributeInt = 2;      // AttributeProto.AttributeType.INT

    private static byte[] Message(Action<CodedOutputStream> write)
    {
        using var ms = new MemoryStream();
        using (var o = new CodedOutputStream(ms, leaveOpen: true)) write(o);
        return ms.ToArray();
    }

    private static void Bytes(CodedOutputStream o, int field, byte[] message)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteBytes(ByteString.CopyFrom(message));
    }

    private static void String(CodedOutputStream o, int field, string value)
    {
        o.WriteTag(field, WireFormat.WireType.LengthDelimited);
        o.WriteString(value);
    }

    private static void Int(CodedOutputStream o, int field, long value)
    {
        o.WriteTag(field, WireFormat.WireType.Varint);
        o.WriteInt64(value);
    }

    /// <summary>AttributeProto { name = 1, i = 3, type = 20 }.</summary>
    public static byte[] Int(string name, long value) => Message(o => { String(o, 1, name); Int(o, 3, value); Int(o, 20, AttributeInt); });

    /// <summary>NodeProto { input = 1, output = 2, name = 3, op_type = 4, attribute = 5 }.</summary>
    public static byte[] Node(string op, string[] inputs, string[] outputs, byte[][] attributes) => Message(o =>
    {
        foreach (var i in inputs) String(o, 1, i);
        foreach (var i in outputs) String(o, 2, i);
        String(o, 3, outputs[0] + "_node");
        String(o, 4, op);
        foreach (var a in attributes) Bytes(o, 5, a);
    });

    /// <summary>TensorProto { dims = 1, data_type = 2, name = 8, raw_data = 9 (little-endian) }.</summary>
    private static byte[] Tensor(string name, int type, long[] dims, ReadOnlySpan<byte> raw)
    {
        var data = raw.ToArray();
        return Message(o =>
        {
            foreach (var d in dims) Int(o, 1, d);
            Int(o, 2, type);
            String(o, 8, name);
            o.WriteTag(9, WireFormat.WireType.LengthDelimited);
            o.WriteBytes(ByteString.CopyFrom(data));
        });
    }

    public static byte[] FloatTensor(string name, float[] values, params long[] dims) =>
        Tensor(name, Float, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    public static byte[] Int64Tensor(string name, long[] values, params long[] dims) =>
        Tensor(name, Int64, dims, MemoryMarshal.AsBytes(values.AsSpan()));

    /// <summary>ValueInfoProto { name = 1, type = 2 { tensor_type = 1 { elem_type = 1, shape = 2 { dim = 1 [batch, width] } } } }.</summary>
    public static byte[] Input(string name, int type, int width) => Message(o =>
    {
        String(o, 1, name);
        var batch = Message(d => String(d, 2, "batch"));          // Dimension.dim_param
        var fixedWidth = Message(d => Int(d, 1, width));         // Dimension.dim_value
        var shape = Message(s => { Bytes(s, 1, batch); Bytes(s, 1, fixedWidth); });
        var tensor = Message(t => { Int(t, 1, type); Bytes(t, 2, shape); });
        Bytes(o, 2, Message(t => Bytes(t, 1, tensor)));
    });

    /// <summary>GraphProto { node = 1, name = 2, initializer = 5, doc_string = 10, input = 11, output = 12 }.</summary>
    public static byte[] Graph(string name, List<byte[]> nodes, List<byte[]> initializers, List<byte[]> inputs, List<byte[]> outputs, string doc) => Message(o =>
    {
        foreach (var n in nodes) Bytes(o, 1, n);
        String(o, 2, name);
        foreach (var t in initializers) Bytes(o, 5, t);
        String(o, 10, doc);
        foreach (var i in inputs) Bytes(o, 11, i);
        foreach (var i in outputs) Bytes(o, 12, i);
    });

    /// <summary>ModelProto { ir_version = 1, producer_name = 2, graph = 7, opset_import = 8 { domain = 1, version = 2 }, metadata_props = 14 { key = 1, value = 2 } }.</summary>
    public static byte[] Model(byte[] graph, Dictionary<string, string> metadata) => Message(o =>
    {
        Int(o, 1, OnnxExport.IrVersion);
        String(o, 2, "streaming-trainer");
        Bytes(o, 7, graph);
        Bytes(o, 8, Message(s => { String(s, 1, ""); Int(s, 2, OnnxExport.Opset); }));
        foreach (var (k, v) in metadata) Bytes(o, 14, Message(e => { String(e, 1, k); String(e, 2, v); }));
    });
}
