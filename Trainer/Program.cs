using Streaming.Hadoop;
using System.CommandLine;
using Streaming.Trainer.Commands;

var root = new RootCommand("Streaming trainer: trains a tabular neural network on TFRecord shards (local or WebHDFS), evaluates, predicts")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
    ReadCommand.Create(),
    ExportCommand.Create(),
};
return TaskHost.Run(root, args);
