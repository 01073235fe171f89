using System.Text.RegularExpressions;

namespace Streaming.Tests;

/// <summary>
/// The library's layers, lowest first: a namespace (one folder of <c>Shared/</c>) may use only the namespaces before it.
/// A new dependency upwards, or a cycle, fails here and names the file that made it.
/// </summary>
public partial class ArchitectureTests
{
    /// <summary>
    /// core (bytes, hashing, CRC, line reading, atomic files, errors) → formats (CSV, TFRecord and the Example wire
    /// format) → analysis (statistics) and the transform (the typed plan), validation → storage (one file system:
    /// local, FsShell, WebHDFS; shard sets and manifests) → the training input → the model → Hadoop (task context,
    /// counters, key/value protocol, side-effect files, the map task's CSV input) → jobs (one folder per job).
    /// </summary>
    private static readonly string[] Layers = ["Core", "Csv", "TfRecord", "Stats", "Transform", "Validation", "Storage", "Data", "Model", "Hadoop", "Jobs"];

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/|""(?:\\.|[^""\\])*""", RegexOptions.Singleline)]
    private static partial Regex CommentsAndStrings();

    [GeneratedRegex(@"^namespace Streaming\.(\w+)", RegexOptions.Multiline)]
    private static partial Regex Namespace();

    /// <summary>A <c>using Streaming.X</c>, or a name qualified by a layer (<c>Core.ConfigException</c>).</summary>
    private static Regex References() => new(@"^using (?:static )?Streaming\.(\w+)|(?<![\w.])(?:Streaming\.)?(" + string.Join('|', Layers) + @")\.[A-Z]\w*",
        RegexOptions.Multiline);

    /// <summary>Each file's namespace and the other layers it refers to.</summary>
    private static List<(string File, string Layer, string[] Uses)> Scan()
    {
        var dir = Path.Combine(Repo.Root, "Shared");
        var refs = References();
        var files = new List<(string, string, string[])>();
        foreach (var path in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
        {
            var rel = Path.GetRelativePath(Repo.Root, path);
            if (rel.Contains("/obj/") || rel.Contains("/bin/")) continue;
            var code = CommentsAndStrings().Replace(File.ReadAllText(path), "");
            var ns = Namespace().Match(code);
            Assert.That(ns.Success, $"{rel}: no 'namespace Streaming.<layer>;'");
            var layer = ns.Groups[1].Value;
            var uses = refs.Matches(code).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .Where(u => u != layer).Distinct().ToArray();
            files.Add((rel, layer, uses));
        }
        return files;
    }

    [Test]
    public void EachLayerUsesOnlyTheLayersBelowIt()
    {
        var files = Scan();
        Assert.That(files, Has.Count.GreaterThan(50), "the library's sources were found");
        var unknown = files.Where(f => !Layers.Contains(f.Layer)).Select(f => $"{f.File}: namespace Streaming.{f.Layer} is in no layer").ToList();
        Assert.That(unknown, Is.Empty, "every namespace of Shared/ has its place in Layers");
        var upward = files.SelectMany(f => f.Uses.Where(Layers.Contains)
                .Where(u => Array.IndexOf(Layers, u) > Array.IndexOf(Layers, f.Layer))
                .Select(u => $"{f.File} ({f.Layer}) uses {u}, a higher layer"))
            .ToList();
        Assert.That(upward, Is.Empty);
        // Every layer is used by some higher one or an executable: the order above is not a list of strangers.
        Assert.That(files.SelectMany(f => f.Uses).Distinct(), Is.SupersetOf(Layers[..^1].Where(l => l != "Validation")));
    }

    [Test]
    public void TheScanSeesAnUpwardReference()
    {
        // The check itself: a core file naming the transform (as ShardSet in TfRecord once did) is an upward use.
        var code = CommentsAndStrings().Replace("namespace Streaming.TfRecord;\n// Transform.Ignored in a comment\nclass S { Storage.JobManifest? M; string s = \"Model.X\"; }", "");
        var uses = References().Matches(code).Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value).Distinct();
        Assert.That(uses, Is.EquivalentTo(new[] { "Storage" }));
    }
}
