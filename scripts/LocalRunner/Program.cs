using Streaming.Core;
using Streaming.Hadoop;
using Streaming.LocalRunner;

if (args.Length == 0 || args[0] is "-h" or "--help" or "-help")
{
    Console.Error.WriteLine(JobConf.Usage);
    return args.Length == 0 ? ExitCodes.Usage : ExitCodes.Ok;
}
if (args[0] == "generate") return DataGenerator.Run(args[1..]);
if (args[0] == "enlarge") return DataEnlarger.Run(args[1..]);

using var logs = StreamingLog.Create();
var log = logs.CreateLogger("streaming-local");
try
{
    var conf = JobConf.Parse(args);
    return await new JobRunner(conf, log).RunAsync();
}
catch (ConfigException e)
{
    Console.Error.WriteLine($"ERROR streaming.StreamJob: {e.Message}");
    return ExitCodes.Usage;
}
