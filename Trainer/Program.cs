using System.CommandLine;
using Streaming.Contract;

var root = new RootCommand("Streaming trainer: trains a tabular neural network on TFRecord shards (local or WebHDFS)");
return TaskHost.Run(root, args);
