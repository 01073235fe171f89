namespace Streaming.Trainer.Model;

/// <summary>A trainable buffer with its gradient and Adam moments.</summary>
public sealed class Parameter(string name, int length, bool decay)
{
    public string Name { get; } = name;
    public float[] Value { get; } = new float[length];
    public float[] Grad { get; } = new float[length];
    public float[] M { get; } = new float[length];
    public float[] V { get; } = new float[length];
    /// <summary>Whether weight decay applies (weights yes; biases no).</summary>
    public bool Decay { get; } = decay;
    public int Length => Value.Length;

    public void ZeroGrad() => Array.Clear(Grad);
}
