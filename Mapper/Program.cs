using System.CommandLine;
using Streaming.Mapper;
using Streaming.Streaming;

var root = new RootCommand("Streaming mapper: the map side of the Hadoop Streaming jobs (reads stdin, writes key\\tvalue to stdout)")
{
    StatsCommand.Create(),
};
return TaskHost.Run(root, args);
