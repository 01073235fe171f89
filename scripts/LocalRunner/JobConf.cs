using Streaming.Core;
using Streaming.Storage;

namespace Streaming.LocalRunner;

/// <summary>A streaming job as hadoop-streaming.jar's command line describes it.</summary>
public sealed class JobConf
{
    public List<string> Inputs { get; } = [];
    public string Output { get; set; } = "";
    public string Mapper { get; set; } = "";
    public string? Combiner { get; set; }
    public string? Reducer { get; set; }
    public int? NumReduceTasks { get; set; }
    public List<(string Path, string Name)> Files { get; } = [];
    public List<(string Path, string Name)> Archives { get; } = [];
    public Dictionary<string, string> CmdEnv { get; } = new();
    /// <summary>-D properties, in order (later wins).</summary>
    public Dictionary<string, string> Properties { get; } = new();
    /// <summary>Where to write the job's counters as JSON (ours; Hadoop prints them only).</summary>
    public string? CountersFile { get; set; }

    public string Get(string key, string fallback) => Properties.TryGetValue(key, out var v) ? v : fallback;

    public long GetLong(string key, long fallback)
    {
        if (!Properties.TryGetValue(key, out var v)) return fallback;
        return long.TryParse(v, out var n) ? n : throw new ConfigException($"-D {key}={v}: not an integer");
    }

    public int Reduces => NumReduceTasks ?? (int)GetLong("mapreduce.job.reduces", 1);

    public static readonly string Usage = """
        Usage: streaming-local [generic options] [streaming options]
        Generic options (first):
          -D property=value        mapreduce.job.maps, mapreduce.job.reduces, mapreduce.input.fileinputformat.split.minsize,
                                   fs.local.block.size, mapreduce.map.maxattempts, mapreduce.reduce.maxattempts,
                                   mapreduce.local.map.tasks.maximum, mapreduce.job.name, any other (passed to tasks);
                                   streaming.local.hdfs.root=DIR: DIR stands for HDFS's /, an hdfs: -output stays
                                   hdfs: for the tasks (their side-effect files go through FsShell or WebHDFS)
          -files a[#name],b        files symlinked into each task's working directory
          -archives x.tgz[#dir]    archives unpacked and symlinked into each task's working directory
        Streaming options:
          -input PATH              file, directory or glob; repeatable, comma-separated lists allowed
          -output DIR|hdfs://…     must not exist
          -mapper CMD              -combiner CMD      -reducer CMD
          -numReduceTasks N        0 = map-only job
          -file PATH               (deprecated) same as -files PATH
          -cmdenv NAME=VALUE       environment variable for the tasks
          -countersFile PATH       also write the job counters as JSON (not in Hadoop)
        """;

    public static JobConf Parse(IReadOnlyList<string> args)
    {
        var c = new JobConf();
        for (int i = 0; i < args.Count; i++)
        {
            string a = args[i];
            string Next() => i + 1 < args.Count ? args[++i] : throw new ConfigException($"{a} needs a value");
            switch (a)
            {
                case "-D":
                    AddProperty(c, Next());
                    break;
                case var d when d.StartsWith("-D", StringComparison.Ordinal) && d.Contains('='):
                    AddProperty(c, d[2..]);
                    break;
                case "-input": c.Inputs.AddRange(Next().Split(',', StringSplitOptions.RemoveEmptyEntries)); break;
                case "-output": c.Output = Next(); break;
                case "-mapper": c.Mapper = Next(); break;
                case "-combiner": c.Combiner = Next(); break;
                case "-reducer": c.Reducer = Next(); break;
                case "-numReduceTasks":
                    c.NumReduceTasks = int.TryParse(Next(), out var n) && n >= 0 ? n : throw new ConfigException("-numReduceTasks must be a non-negative integer");
                    break;
                case "-files":
                case "-file":
                    foreach (var f in Next().Split(',', StringSplitOptions.RemoveEmptyEntries)) c.Files.Add(SplitFragment(f));
                    break;
                case "-archives":
                    foreach (var f in Next().Split(',', StringSplitOptions.RemoveEmptyEntries)) c.Archives.Add(SplitFragment(f));
                    break;
                case "-cmdenv":
                    var kv = Next();
                    int eq = kv.IndexOf('=');
                    if (eq <= 0) throw new ConfigException($"-cmdenv {kv}: expected NAME=VALUE");
                    c.CmdEnv[kv[..eq]] = kv[(eq + 1)..];
                    break;
                case "-countersFile": c.CountersFile = Next(); break;
                case "-verbose": break;
                default: throw new ConfigException($"unknown option {a}");
            }
        }
        if (c.Inputs.Count == 0) throw new ConfigException("-input is required");
        if (c.Output.Length == 0) throw new ConfigException("-output is required");
        if (c.Mapper.Length == 0) throw new ConfigException("-mapper is required");
        if (c.Reduces < 0) throw new ConfigException("mapreduce.job.reduces must be >= 0");
        return c;
    }

    private static void AddProperty(JobConf c, string kv)
    {
        int eq = kv.IndexOf('=');
        if (eq <= 0) throw new ConfigException($"-D {kv}: expected property=value");
        c.Properties[kv[..eq]] = kv[(eq + 1)..];
    }

    private static (string Path, string Name) SplitFragment(string spec)
    {
        int hash = spec.LastIndexOf('#');
        string path = hash >= 0 ? spec[..hash] : spec;
        string name = hash >= 0 ? spec[(hash + 1)..] : System.IO.Path.GetFileName(path.TrimEnd('/'));
        path = FileSystems.TryLocalPath(path) ?? throw new ConfigException($"{spec}: only local paths and file: URIs can be localized by the local runner");
        if (!File.Exists(path) && !Directory.Exists(path)) throw new ConfigException($"{spec}: {path} does not exist");
        return (System.IO.Path.GetFullPath(path), name);
    }
}
