using System.CommandLine;
using Streaming.Mapper;
using Streaming.Contract;

var root = new RootCommand("Streaming mapper: the map side of the Hadoop Streaming jobs (reads stdin, writes key\\tvalue to stdout)")
{
    StatsCommand.Create(),
    PlanCommand.Create(),
    TransformCommand.Create(),
    ManifestCommand.Create(),
    PredictCommand.Create(),
    SchemaCommand.Create(),
    ValidateCommand.Create(),
    ReportCommand.Create(),
};
return TaskHost.Run(root, args);
