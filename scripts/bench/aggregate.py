#!/usr/bin/python3
"""Medians, ratios and targets of a bench.sh run → a table on stdout and results.json."""
import json, statistics, sys, time, platform, os

raw, train, start, out = sys.argv[1:5]
read = sys.argv[5] if len(sys.argv) > 5 else None          # trainer read: examples/s per epoch, then "rss KB"
start_empty = sys.argv[6] if len(sys.argv) > 6 else None   # start times of the empty published program
ceilings_file = sys.argv[7] if len(sys.argv) > 7 else None  # JSON lines: one-thread ceilings measured on the slice
runs = {}
for line in open(raw):
    name, b, r, secs, rss = line.rstrip("\n").split("\t")
    runs.setdefault(name, []).append((int(b), int(r), float(secs), int(rss or 0)))
res = {}
for name, rs in runs.items():
    secs = statistics.median(x[2] for x in rs)
    b, r = rs[0][0], rs[0][1]
    res[name] = {"input_bytes": b, "rows": r, "seconds_median": round(secs, 3), "runs": len(rs),
                 "mb_per_s": round(b / 1e6 / secs, 2), "rows_per_s": round(r / secs) if r else None,
                 "peak_rss_mb": round(max(x[3] for x in rs) / 1024, 1) or None}
tr = [l.rstrip("\n").split("\t") for l in open(train)] if os.path.exists(train) else []
ours_sps = statistics.median(float(t[1]) for t in tr) if tr else None
ours_rmse = statistics.median(float(t[2]) for t in tr) if tr else None
torch = [json.loads(t[3]) for t in tr]
torch_sps = statistics.median(t["samples_per_second"] for t in torch) if torch else None
torch_rmse = statistics.median(t["val_rmse"] for t in torch) if torch else None
res["ours: trainer"] = {"samples_per_s": ours_sps, "val_rmse": ours_rmse, "runs": len(tr)}
res["pytorch"] = {"samples_per_s": torch_sps, "val_rmse": torch_rmse, "runs": len(tr)}
if read and os.path.exists(read):
    lines = [l.split() for l in open(read) if l.strip()]
    rates = [float(l[0]) for l in lines if l[0] != "rss"]
    rss_kb = [int(l[1]) for l in lines if l[0] == "rss"]
    res["ours: trainer input pipeline (streamed)"] = {
        "examples_per_s": round(statistics.median(rates)) if rates else None, "epochs": len(rates),
        "peak_rss_mb": round(rss_kb[0] / 1024, 1) if rss_kb else None}
res["pytorch"]["blas"] = os.environ.get("TORCH_BLAS")
res["pytorch"]["version"] = os.environ.get("TORCH_VERSION")
st = [int(x) / 1000 for x in open(start)]
res["ours: mapper process start"] = {"ms_median": round(statistics.median(st), 1), "runs": len(st)}
if start_empty and os.path.exists(start_empty):
    se = [int(x) / 1000 for x in open(start_empty)]
    res["empty .NET program start (floor)"] = {"ms_median": round(statistics.median(se), 1), "runs": len(se)}

def g(n, k="mb_per_s"):
    return res.get(n, {}).get(k)
def ratio(a, b):
    return round(a / b, 2) if a and b else None

ratios = {
    "stats vs python mapper": ratio(g("ours: mapper stats"), g("python: stats mapper")),
    "stats vs cat": ratio(g("ours: mapper stats"), g("cat")),
    "stats vs duckdb summarize": ratio(g("ours: mapper stats < file (2 threads)"), g("duckdb: SUMMARIZE (2 threads)")),
    "stats --threads 1 vs python mapper": ratio(g("ours: mapper stats --threads 1"), g("python: stats mapper")),
    "stats --threads 1 vs cat": ratio(g("ours: mapper stats --threads 1"), g("cat")),
    "transform vs python mapper": ratio(g("ours: mapper transform --threads 1"), g("python: transform mapper")),
    "transform --threads 2 vs cat": ratio(g("ours: mapper transform --threads 2"), g("cat (transform pair)")),
    "pipeline vs pandas+sklearn": ratio(g("ours: local pipeline (2 maps)"), g("pandas+sklearn")),
    "trainer vs pytorch (samples/s)": ratio(ours_sps, torch_sps),
    "trainer rmse vs pytorch": ratio(ours_rmse, torch_rmse),
    "webhdfs read vs curl": ratio(g("ours: WebHDFS OPEN"), g("curl: WebHDFS OPEN")),
}
rss = [g(n, "peak_rss_mb") for n in ("ours: mapper stats", "ours: mapper stats < file (2 threads)", "ours: mapper stats --threads 1", "ours: mapper stats (adult)",
                                     "ours: mapper transform --threads 1", "ours: mapper transform --threads 2") if g(n, "peak_rss_mb")]
STATS_VS_CAT = "mapper stats (2 threads) >= 60% of cat through a pipe"
TRANSFORM2_VS_CAT = "mapper transform --threads 2 >= 50% of cat through a pipe"
TRANSFORM1 = "mapper transform --threads 1 >= 200 MB/s"
targets = [
    ("mapper stats >= 30x python streaming mapper", ratios["stats vs python mapper"], lambda v: v >= 30),
    (STATS_VS_CAT, ratios["stats vs cat"], lambda v: v >= 0.6),
    ("mapper stats >= 5x DuckDB SUMMARIZE (2 threads each)", ratios["stats vs duckdb summarize"], lambda v: v >= 5),
    ("mapper transform >= 20x python transform mapper", ratios["transform vs python mapper"], lambda v: v >= 20),
    (TRANSFORM2_VS_CAT, ratios["transform --threads 2 vs cat"], lambda v: v >= 0.5),
    (TRANSFORM1, g("ours: mapper transform --threads 1"), lambda v: v >= 200),
    ("local pipeline >= 8x pandas+sklearn", ratios["pipeline vs pandas+sklearn"], lambda v: v >= 8),
    ("map task peak RSS <= 256 MB", max(rss) if rss else None, lambda v: v <= 256),
    ("trainer >= 1.0x PyTorch on OpenBLAS (samples/s, 2 threads)", ratios["trainer vs pytorch (samples/s)"], lambda v: v >= 1.0),
    ("trainer val RMSE within 1% of pytorch (or better)", ratios["trainer rmse vs pytorch"], lambda v: v <= 1.01),
    ("webhdfs read >= 95% of curl", ratios["webhdfs read vs curl"], lambda v: v >= 0.95),
    ("mapper process start <= 40 ms", res["ours: mapper process start"]["ms_median"], lambda v: v <= 40),
]
verdicts = [{"target": t, "value": v, "result": ("PASS" if v is not None and ok(v) else "FAIL")} for t, v, ok in targets]

# What each throughput target asks of one thread (MB/s of CSV), beside the ceiling that one step alone sets for it:
# a target above its ceiling cannot be met on this machine by any change to the other steps.
ceilings = {}
if ceilings_file and os.path.exists(ceilings_file):
    c = {}
    for line in open(ceilings_file):
        if line.strip():
            c.update(json.loads(line))
    res["ceilings (one thread, CPU time)"] = c
    cat_pair, cat = g("cat (transform pair)"), g("cat")
    threads = 2
    def ceiling(target, needed, limit, step):
        if needed and limit:
            ceilings[target] = {"needs_per_thread_mb_per_s": round(needed, 1), "ceiling_mb_per_s": limit, "ceiling_step": step,
                                "needs_x_ceiling": round(needed / limit, 2)}
    ceiling(TRANSFORM1, 200, c.get("ceiling_csv_mb_per_s"), "the shards' compression alone")
    ceiling(TRANSFORM2_VS_CAT, cat_pair and cat_pair * 0.5 / threads, c.get("ceiling_csv_mb_per_s"), "the shards' compression alone")
    ceiling(STATS_VS_CAT, cat and cat * 0.6 / threads, c.get("split_mb_per_s"), "the CSV line and field split alone")
doc = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": f"{platform.machine()}, {os.cpu_count()} cores",
       "results": res, "ratios": ratios, "targets": verdicts, "ceilings": ceilings}
json.dump(doc, open(out, "w"), indent=2)

print(f"{'contestant':38} {'MB/s':>9} {'rows/s':>11} {'median s':>9} {'peak RSS MB':>11}")
for n, r in res.items():
    if "mb_per_s" in r:
        print(f"{n:38} {r['mb_per_s']:>9} {str(r['rows_per_s'] or ''):>11} {r['seconds_median']:>9} {str(r['peak_rss_mb'] or ''):>11}")
print(f"trainer samples/s {ours_sps} (val RMSE {ours_rmse}) vs pytorch {torch_sps} (val RMSE {torch_rmse}; BLAS {res['pytorch']['blas']})")
if "ours: trainer input pipeline (streamed)" in res:
    r = res["ours: trainer input pipeline (streamed)"]
    print(f"trainer input pipeline (streamed): {r['examples_per_s']} examples/s, peak RSS {r['peak_rss_mb']} MB")
print(f"mapper process start: {res['ours: mapper process start']['ms_median']} ms"
      + (f" (an empty .NET program published alike: {res['empty .NET program start (floor)']['ms_median']} ms)" if "empty .NET program start (floor)" in res else ""))
print()
for v in verdicts:
    print(f"{v['result']}  {v['target']}: {v['value']}")
for t, c in ceilings.items():
    print(f"ceiling  {t}: needs {c['needs_per_thread_mb_per_s']} MB/s of CSV per thread; {c['ceiling_step']} "
          f"runs at {c['ceiling_mb_per_s']} MB/s ({c['needs_x_ceiling']}x the ceiling)")
