namespace Streaming.Tests;

/// <summary>
/// Runs hadoop-jobs/pipeline.sh --local as an operator would. The archive the job ships (-archives …#bin) is a
/// directory holding this build's mapper and reducer, and the trainer is this build's, so the tests need no publish step.
/// </summary>
public static class Pipeline
{
    private static readonly Lazy<string> Bin = new(() =>
    {
        var dir = Repo.TempDir("devbin");
        foreach (var project in new[] { "Mapper", "Reducer" })
        {
            var src = Path.GetDirectoryName(project == "Mapper" ? Repo.Mapper : Repo.Reducer)!;
            foreach (var f in Directory.GetFiles(src, "*", SearchOption.AllDirectories))
            {
                var dst = Path.Combine(dir, Path.GetRelativePath(src, f));
                Directory.CreateDirectory(Path.GetDirectoryName(dst)!);
                File.Copy(f, dst, overwrite: true);
            }
        }
        return dir;
    });

    public static string BinDir => Bin.Value;

    public static ProcResult Run(params string[] args) => Script("pipeline.sh", args);

    public static ProcResult Script(string script, params string[] args) =>
        Proc.Run("/bin/bash", new[] { Path.Combine(Repo.Root, "hadoop-jobs", script), "--local" }.Concat(args), null,
            new Dictionary<string, string> { ["STREAMING_ARCHIVE"] = BinDir, ["STREAMING_LOCAL_RUNNER"] = Repo.Runner, ["STREAMING_TRAINER"] = Repo.Trainer });

    /// <summary>
    /// The Black Friday sample through the whole local pipeline (6 gzip shards: --block-size 150000), made once per
    /// test run for the trainer's tests.
    /// </summary>
    public static readonly Lazy<string> BlackFridayShards = new(() =>
    {
        var outDir = Path.Combine(Repo.TempDir("trainer-bf"), "out");
        var r = Run("--output", outDir, "--input", Repo.Data("blackfriday_sample.csv"), "--block-size", "150000", "--label", "Purchase",
            "--categorical", "User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3");
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return Path.Combine(outDir, "tfrecords");
    });

    /// <summary>Compiles the two .proto files with protoc for the Python reader (once per test run).</summary>
    public static readonly Lazy<string> PythonProtos = new(() =>
    {
        var dir = Repo.TempDir("pb");
        var protos = Path.Combine(Repo.Root, "tests", "Support", "Protos");
        var r = Proc.Run("protoc", "-I", protos, "--python_out=" + dir, Path.Combine(protos, "feature.proto"), Path.Combine(protos, "example.proto"),
            Path.Combine(protos, "event.proto"));
        Assert.That(r.ExitCode, Is.EqualTo(0), r.Stderr);
        return dir;
    });
}
