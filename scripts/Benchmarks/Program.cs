using BenchmarkDotNet.Running;
using Streaming.Benchmarks;

// Benchmarks micro [BenchmarkDotNet args] | webhdfs-serve FILE | webhdfs-read URI [TIMES] | phases FILE | deflate SHARD CSV_BYTES
return args.FirstOrDefault() switch
{
    "webhdfs-serve" => WebHdfsBench.Serve(args[1]),
    "webhdfs-read" => WebHdfsBench.Read(args[1], args.Length > 2 ? int.Parse(args[2]) : 1),
    "phases" => Phases.Run(args[1]),
    "deflate" => DeflateCeiling.Run(args[1], long.Parse(args[2])),
    _ => Run(args.SkipWhile(a => a == "micro").ToArray()),
};

static int Run(string[] args)
{
    BenchmarkSwitcher.FromAssembly(typeof(HotPaths).Assembly).Run(args.Length == 0 ? ["--filter", "*"] : args);
    return 0;
}
