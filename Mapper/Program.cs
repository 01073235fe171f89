using Streaming.Validation;
using Streaming.Hadoop;
using Streaming.Jobs;
using System.CommandLine;

// The map side of every job (and the steps run on the submitting machine); each job declares its steps in Shared/Jobs.
var root = new RootCommand("Streaming mapper: the map side of the Hadoop Streaming jobs (reads stdin, writes key\\tvalue to stdout)")
{
    StatisticsJob.Mapper(),
    PlanJob.Plan(),
    TfRecordsJob.Mapper(),
    TfRecordsJob.Manifest(),
    ScoringJob.Mapper(),
    ValidationJob.InferSchema(),
    ValidationJob.Validate(),
    ValidationJob.Report(),
};
return TaskHost.Run(root, args);
