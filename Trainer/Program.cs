using System.CommandLine;
using Streaming.Streaming;

var root = new RootCommand("Streaming trainer: trains a tabular neural network on TFRecord shards (local or WebHDFS)");
return TaskHost.Run(root, args);
