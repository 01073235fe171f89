using System.CommandLine;
using Microsoft.Extensions.Logging;
using Streaming.Core;
using Streaming.Hadoop;
using Streaming.Trainer.Model;

namespace Streaming.Trainer.Commands;

/// <summary><c>trainer export --format onnx</c>: a model directory → a standard ONNX file (see <see cref="OnnxExport"/>); no libtorch needed.</summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "Model directory (trainer train's output)", Required = true };
        var format = new Option<string>("--format") { Description = "onnx (ONNX IR 8, opset 13: ONNX Runtime, Triton, any ONNX server)", DefaultValueFactory = _ => "onnx" };
        var output = new Option<string?>("--output", "-o") { Description = "Where to write it (default: MODEL/model.onnx)" };
        var cmd = new Command("export", "Write the model in a serving format (ONNX) whose inputs are the plan's features by name");
        foreach (var o in new Option[] { model, format, output }) cmd.Options.Add(o);
        cmd.SetAction(r => TaskHost.Execute("trainer.export", (logs, _) =>
        {
            if (r.GetValue(format) != "onnx") throw new ConfigException($"--format must be onnx, got '{r.GetValue(format)}'");
            var dir = r.GetValue(model)!;
            if (!File.Exists(Path.Combine(dir, Streaming.Model.ModelFile.MetaName))) throw new ConfigException($"--model {dir}: not a model directory (no {Streaming.Model.ModelFile.MetaName})");
            var path = r.GetValue(output) ?? Path.Combine(dir, "model.onnx");
            OnnxExport.Export(dir, path);
            logs.CreateLogger("trainer").LogInformation("ONNX model (IR {Ir}, opset {Opset}) written to {Path}", OnnxExport.IrVersion, OnnxExport.Opset, path);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
