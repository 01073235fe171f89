namespace Streaming.Tests;

/// <summary>Every failure of every executable ends in one line, <c>COMMAND: error: …</c> on stderr, with its exit code; a mistyped option gets a suggestion.</summary>
public class ErrorLineTests
{
    [Test]
    public void ConfigurationErrorsAreOneLineNamingTheCommand()
    {
        var dir = Repo.TempDir("errors");
        var plan = Proc.Run(Repo.Mapper, "plan", "--stats", Path.Combine(dir, "none"), "-o", Path.Combine(dir, "p.json"));
        Assert.That(plan.ExitCode, Is.EqualTo(2));
        Assert.That(plan.Stderr.Trim(), Is.EqualTo($"mapper plan: error: --stats {Path.Combine(dir, "none")}: no such file or directory"));
        var train = Proc.Run(Repo.Trainer, "train", "--data", Path.Combine(dir, "none"), "--model", Path.Combine(dir, "m"), "--lr", "-1");
        Assert.That(train.ExitCode, Is.EqualTo(2));
        Assert.That(train.Stderr.Trim(), Is.EqualTo("trainer train: error: --lr must be positive"));
    }

    [TestCase("mapper", "stats --delimter ;", "mapper stats: error: Unrecognized command or argument '--delimter'; did you mean --delimiter? (see 'mapper stats --help')")]
    [TestCase("trainer", "train --data x --model y --epoch 3", "trainer train: error: Unrecognized command or argument '--epoch'; did you mean --epochs? (see 'trainer train --help')")]
    [TestCase("trainer", "predict --model m --delimitter ;", "trainer predict: error: Unrecognized command or argument '--delimitter'; did you mean --delimiter? (see 'trainer predict --help')")]
    public void AMistypedOptionGetsTheNearestOne(string exe, string args, string line)
    {
        var r = Proc.Run(exe == "mapper" ? Repo.Mapper : Repo.Trainer, args.Split(' '));
        Assert.That(r.ExitCode, Is.EqualTo(2));
        Assert.That(r.Stderr.Trim(), Is.EqualTo(line));
    }
}
