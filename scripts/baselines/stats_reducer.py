#!/usr/bin/python3
"""Baseline: the matching reducer (merges partials per column, sorted input). Quantiles from the merged value counts."""
import json, math, sys

def flush(name, s):
    if name is None:
        return
    out = {"count": s["count"], "missing": s["missing"], "distinct": len(s["values"])}
    if s["n"] and s["n"] == s["count"]:
        mean = s["sum"] / s["n"]
        var = (s["sumsq"] - s["n"] * mean * mean) / (s["n"] - 1) if s["n"] > 1 else 0.0
        items = sorted((float(k), c) for k, c in s["values"].items())
        qs, acc, i = {}, 0, 0
        for q in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99):
            while acc < q * s["n"] and i < len(items):
                acc += items[i][1]; i += 1
            qs[str(q)] = items[max(0, i - 1)][0]
        out.update(min=s["min"], max=s["max"], mean=mean, std=math.sqrt(max(var, 0.0)), quantiles=qs)
    out["top"] = sorted(s["values"].items(), key=lambda kv: -kv[1])[:100]
    sys.stdout.write(name + "\t" + json.dumps(out) + "\n")

cur, acc = None, None
for line in sys.stdin:
    key, _, val = line.rstrip("\n").partition("\t")
    p = json.loads(val)
    if key != cur:
        flush(cur, acc)
        cur, acc = key, p
        continue
    for k in ("count", "missing", "n", "sum", "sumsq"):
        acc[k] += p[k]
    for k, f in (("min", min), ("max", max)):
        if p[k] is not None:
            acc[k] = p[k] if acc[k] is None else f(acc[k], p[k])
    for v, c in p["values"].items():
        acc["values"][v] = acc["values"].get(v, 0) + c
flush(cur, acc)
