namespace Streaming.Hadoop;

/// <summary>
/// The task's identity as Hadoop Streaming passes it: job properties in the environment, with every
/// character outside [A-Za-z0-9] replaced by '_' (docs/contracts.md §1). Outside a job (a plain pipe) every
/// field falls back to a single-task default so the executables can be used with cat | mapper | sort | reducer.
/// </summary>
public sealed record TaskContext(
    string JobId,
    string TaskId,
    string AttemptId,
    bool IsMap,
    int Partition,
    string? InputFile,
    long InputStart,
    long InputLength,
    string? OutputDir,
    string? TaskOutputDir,
    bool UnderHadoop = false,
    int Vcores = 1)
{
    /// <summary>
    /// Worker threads a task should use: under Hadoop the vcores YARN granted the container
    /// (<c>mapreduce.{map,reduce}.cpu.vcores</c>, 1 by default), so a task never takes more CPU than it was scheduled
    /// for; in a plain pipe, every core this process may use (cgroup limits included).
    /// </summary>
    public int DefaultThreads => UnderHadoop ? Vcores : Environment.ProcessorCount;

    /// <summary>True when the split starts at offset 0 of its file: the only split that sees a header line.</summary>
    public bool AtFileStart => InputStart == 0;

    public static TaskContext FromEnvironment() => FromVariables(Environment.GetEnvironmentVariable);

    public static TaskContext FromVariables(Func<string, string?> env)
    {
        string? Get(params string[] names)
        {
            foreach (var n in names)
            {
                var v = env(n);
                if (!string.IsNullOrEmpty(v)) return v;
            }
            return null;
        }

        long GetLong(long fallback, params string[] names) =>
            long.TryParse(Get(names), out var v) ? v : fallback;

        var ismap = Get("mapreduce_task_ismap", "mapred_task_is_map");
        bool isMap = ismap is null || ismap.Equals("true", StringComparison.OrdinalIgnoreCase);
        return new TaskContext(
            JobId: Get("mapreduce_job_id", "mapred_job_id") ?? "job_local_0001",
            TaskId: Get("mapreduce_task_id", "mapred_tip_id") ?? "task_local_0001_m_000000",
            AttemptId: Get("mapreduce_task_attempt_id", "mapred_task_id") ?? "attempt_local_0001_m_000000_0",
            IsMap: isMap,
            Partition: (int)GetLong(0, "mapreduce_task_partition", "mapred_task_partition"),
            InputFile: Get("mapreduce_map_input_file", "map_input_file"),
            InputStart: GetLong(0, "mapreduce_map_input_start", "map_input_start"),
            InputLength: GetLong(-1, "mapreduce_map_input_length", "map_input_length"),
            OutputDir: Get("mapreduce_output_fileoutputformat_outputdir", "mapred_output_dir"),
            TaskOutputDir: Get("mapreduce_task_output_dir", "mapred_work_output_dir"),
            UnderHadoop: Get("mapreduce_task_id", "mapred_tip_id") is not null,
            Vcores: (int)Math.Clamp(GetLong(1, isMap ? "mapreduce_map_cpu_vcores" : "mapreduce_reduce_cpu_vcores"), 1, 256));
    }
}
