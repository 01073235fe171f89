using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using Streaming.Model;

namespace Streaming.Trainer.Model;

/// <summary>
/// The tabular network of <see cref="ModelSpec"/> as a torch module with one forward signature:
/// (numeric [B×F] float32, embedding gather positions [B×W] int64) → outputs [B×Outputs]; the positions are the
/// batch's category indices mapped by <see cref="PackedEmbeddings"/> on the input pipeline's thread. The field names
/// are the state_dict's prefixes (embeddings.i, hidden.k, head), shared with <see cref="MlpScorer"/> and the README's
/// Python module (whose forward takes the category indices themselves: the same arithmetic).
/// </summary>
public sealed class TabularNet : nn.Module<Tensor, Tensor, Tensor>
{
    // Names matter: RegisterComponents names submodules after these fields.
    private readonly ModuleList<Embedding> embeddings;
    private readonly Sequential hidden;
    private readonly Linear head;
    /// <summary>Builds the network with seeded initial weights (torch's global generator, seeded by the caller).</summary>
    public TabularNet(ModelSpec spec) : base(nameof(TabularNet))
    {
        Spec = spec;
        embeddings = nn.ModuleList(spec.Embeddings.Select(e => nn.Embedding(e.Cardinality, e.Dim)).ToArray());
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = spec.InputWidth;
        for (int l = 0; l < spec.Hidden.Length; l++)
        {
            layers.Add(($"{3 * l}", nn.Linear(width, spec.Hidden[l])));
            layers.Add(($"{3 * l + 1}", nn.ReLU()));
            // Without dropout the layer is left out (it has no weights: the state_dict names stay the same).
            if (spec.Dropout > 0) layers.Add(($"{3 * l + 2}", nn.Dropout(spec.Dropout)));
            width = spec.Hidden[l];
        }
        hidden = nn.Sequential(layers);
        head = nn.Linear(width, spec.Outputs);
        Packing = new PackedEmbeddings(spec);
        var (columns, low, inverse) = spec.PiecewiseBins();
        // Constants of the spec, not state: kept out of the state_dict (model.pt is what the README's module loads).
        _bins = columns.Length == 0 ? null : new PiecewiseConstants(torch.tensor(columns.Select(c => (long)c).ToArray()), torch.tensor(low), torch.tensor(inverse));
        RegisterComponents();
        using var _ = torch.no_grad();
        // He initialisation for the ReLU layers, zero biases, small embeddings (as the model had before TorchSharp).
        foreach (var (name, p) in named_parameters())
        {
            if (name.StartsWith("embeddings.")) nn.init.normal_(p, 0, 0.05);
            else if (name.EndsWith(".weight")) nn.init.kaiming_normal_(p, mode: nn.init.FanInOut.FanIn, nonlinearity: nn.init.NonlinearityType.ReLU);
            else nn.init.zeros_(p);
        }
    }

    public ModelSpec Spec { get; }

    /// <summary>Where a batch's embedding gather positions come from (<see cref="forward"/>'s second input).</summary>
    public PackedEmbeddings Packing { get; }

    /// <param name="numeric">[B×F] float32.</param>
    /// <param name="positions">[B×<see cref="PackedEmbeddings.Width"/>] int64 from <see cref="Packing"/>.</param>
    public override Tensor forward(Tensor numeric, Tensor positions)
    {
        var parts = new List<Tensor>(3) { numeric };
        if (_bins is { } b)
        {
            // [B×K]: every bin of every encoded column in one gather and two elementwise ops (see ModelSpec.PiecewiseBins).
            var (columns, low, inverse) = b.On(numeric.device);
            parts.Add(numeric.index_select(1, columns).sub_(low).mul_(inverse).clamp_(0, 1));
        }
        if (embeddings.Count > 0) parts.Add(Embed(positions));
        return head.call(hidden.call(parts.Count == 1 ? numeric : torch.cat(parts, 1)));
    }

    private readonly PiecewiseConstants? _bins;

    /// <summary>The piecewise encoding's constants, moved to the input's device once (a holder, so no field registers them as buffers).</summary>
    private sealed class PiecewiseConstants(Tensor columns, Tensor low, Tensor inverse)
    {
        private (Tensor, Tensor, Tensor) _current = (columns, low, inverse);

        public (Tensor Columns, Tensor Low, Tensor InverseWidth) On(Device device)
        {
            if (_current.Item1.device_type != device.type || _current.Item1.device_index != device.index)
                _current = (_current.Item1.to(device).DetachFromDisposeScope(), _current.Item2.to(device).DetachFromDisposeScope(), _current.Item3.to(device).DetachFromDisposeScope());
            return _current;
        }
    }

    /// <summary>
    /// All embeddings of a batch, concatenated in feature order, in one gather from the tables packed into one vector
    /// (a copy of the small tables, not of the batch). Calling the Embedding modules one by one is the same
    /// arithmetic, but libtorch's embedding backward adds each looked-up row with its own kernel launch (512 × 11 per
    /// step on Black Friday, ~2 ms of a ~9 ms step at one thread); the backward of a 1-D index_select is one
    /// scatter-add loop. The modules stay: they own the weights and their state_dict names.
    /// </summary>
    private Tensor Embed(Tensor positions)
    {
        var table = torch.cat(embeddings.Select(e => e.weight!.view(-1)).ToArray(), 0);
        return table.index_select(0, positions.view(-1)).view(positions.shape[0], positions.shape[1]);
    }

    /// <summary>The weights in <see cref="ModelSpec.Tensors"/> order, on the CPU, for weights.bin and the scorer.</summary>
    public List<NamedTensor> Weights()
    {
        var state = state_dict();
        var result = new List<NamedTensor>();
        foreach (var (name, shape) in Spec.Tensors())
        {
            if (!state.TryGetValue(name, out var t)) throw new InvalidOperationException($"the module has no tensor {name}");
            if (!t.shape.Select(d => (int)d).SequenceEqual(shape)) throw new InvalidOperationException($"{name}: shape [{string.Join(",", t.shape)}], spec says [{string.Join(",", shape)}]");
            using var cpu = t.detach().cpu().contiguous();
            result.Add(new NamedTensor(name, shape, cpu.data<float>().ToArray()));
        }
        return result;
    }

    /// <summary>Loads weights.bin's tensors (the libtorch-free format) into this module.</summary>
    public void Load(IReadOnlyDictionary<string, NamedTensor> weights)
    {
        using var _ = torch.no_grad();
        foreach (var (name, p) in named_parameters())
        {
            var w = weights[name];
            using var src = torch.tensor(w.Data, w.Shape.Select(d => (long)d).ToArray());
            p.copy_(src);
        }
    }
}
