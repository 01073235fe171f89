using Streaming.Hadoop;
using Streaming.Jobs;
using System.CommandLine;

// The reduce side (and combiner) of the jobs that have one; each job declares its steps in Shared/Jobs.
var root = new RootCommand("Streaming reducer: the reduce side (and combiner) of the Hadoop Streaming jobs")
{
    StatisticsJob.Reducer(),
    TfRecordsJob.Reducer(),
};
return TaskHost.Run(root, args);
