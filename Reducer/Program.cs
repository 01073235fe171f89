using System.CommandLine;
using Streaming.Reducer;
using Streaming.Contract;

var root = new RootCommand("Streaming reducer: the reduce side (and combiner) of the Hadoop Streaming jobs")
{
    StatsCommand.Create(),
    TransformCommand.Create(),
};
return TaskHost.Run(root, args);
