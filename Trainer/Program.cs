using System.CommandLine;
using Streaming.Contract;
using Streaming.Trainer.Commands;
using Streaming.Trainer.Training;

TorchDevice.PrepareNativeEnvironment();

var root = new RootCommand("Streaming trainer: trains a tabular neural network on TFRecord shards (local or WebHDFS), evaluates, predicts")
{
    TrainCommand.Create(),
    EvaluateCommand.Create(),
    PredictCommand.Create(),
};
return TaskHost.Run(root, args);
