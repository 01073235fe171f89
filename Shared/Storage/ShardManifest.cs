using System.Text.Json;
using System.Text.Json.Serialization;
using Streaming.Core;

namespace Streaming.Storage;

/// <summary>What one task wrote: the manifest line it prints to stdout (key = shard name, value = this as JSON).</summary>
public sealed class ShardInfo
{
    public required string Shard { get; set; }
    public long Records { get; set; }
    /// <summary>Size of the shard as stored.</summary>
    public long Bytes { get; set; }
    /// <summary>CRC-32C of the shard as stored (unmasked), for whole-shard verification.</summary>
    public uint Crc32c { get; set; }
    public long RowsRead { get; set; }
    public long Rejected { get; set; }
    public long DroppedMissingLabel { get; set; }
    public string? Input { get; set; }
    public long? Start { get; set; }
    /// <summary>The <see cref="Transform.TransformPlan.Hash"/> of the plan that wrote the shard (absent in manifests of before it was recorded).</summary>
    public string? PlanHash { get; set; }

    // One line: it travels as the value of a streaming output record.
    private static readonly ManifestJsonContext Compact = new(new JsonSerializerOptions
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    });

    public string ToJson() => JsonSerializer.Serialize(this, Compact.ShardInfo);
    public static ShardInfo FromJson(string json) => JsonSerializer.Deserialize(json, ManifestJsonContext.Default.ShardInfo)
        ?? throw new JsonException("empty manifest line");
}

/// <summary><c>_manifest.json</c>: every shard of the output with its record count and checksum, and the totals.</summary>
public sealed class JobManifest
{
    public int Version { get; set; } = 1;
    public string Plan { get; set; } = "_transform.json";
    /// <summary>The hash of <see cref="Plan"/> that wrote every shard.</summary>
    public string? PlanHash { get; set; }
    public required string Compression { get; set; }
    public long Records { get; set; }
    public long RowsRead { get; set; }
    public long RejectedRows { get; set; }
    public long DroppedMissingLabel { get; set; }
    public required List<ShardInfo> Shards { get; set; }

    /// <param name="planHash">The hash of the plan the job ran with (<c>mapper manifest --plan</c>); every shard must carry it.</param>
    public static JobManifest FromShards(IEnumerable<ShardInfo> shards, string compression, string? planHash = null)
    {
        var list = shards.OrderBy(s => s.Shard, StringComparer.Ordinal).ToList();
        var dup = list.GroupBy(s => s.Shard).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new DataException($"shard {dup.Key} is listed {dup.Count()} times: the output holds more than one job's manifests");
        // One job, one plan: shards of different plans (or of another plan than the job's) never make one manifest.
        var hashes = list.Select(s => s.PlanHash).Distinct().ToList();
        if (hashes.Count > 1)
            throw new DataException($"the shards were written by {hashes.Count} different plans ({string.Join(", ", list.GroupBy(s => s.PlanHash).Select(g => $"{g.First().Shard}: {g.Key ?? "none"}"))}): the output holds more than one job's shards");
        var written = hashes.FirstOrDefault();
        if (planHash is not null && written is not null && written != planHash)
            throw new DataException($"the shards were written by plan {written}, not by the --plan given ({planHash})");
        return new JobManifest
        {
            PlanHash = written ?? planHash,
            Compression = compression,
            Shards = list,
            Records = list.Sum(s => s.Records),
            RowsRead = list.Sum(s => s.RowsRead),
            RejectedRows = list.Sum(s => s.Rejected),
            DroppedMissingLabel = list.Sum(s => s.DroppedMissingLabel),
        };
    }

    public string ToJson() => JsonSerializer.Serialize(this, ManifestJsonContext.Default.JobManifest);

    public static JobManifest FromJson(string json) => JsonSerializer.Deserialize(json, ManifestJsonContext.Default.JobManifest)
        ?? throw new JsonException("empty manifest");
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, WriteIndented = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ShardInfo))]
[JsonSerializable(typeof(JobManifest))]
internal sealed partial class ManifestJsonContext : JsonSerializerContext;
