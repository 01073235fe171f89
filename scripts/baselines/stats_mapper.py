#!/usr/bin/python3
"""Baseline: a column-statistics Hadoop Streaming mapper as such jobs are usually written in Python
(csv module, per-row dict updates, in-mapper combining). Emits column<TAB>json partials like ours.
usage: stats_mapper.py --columns a,b,c [--header]   (stdin → stdout)"""
import csv, json, sys

cols = None
args = sys.argv[1:]
if "--columns" in args:
    cols = args[args.index("--columns") + 1].split(",")
missing = {"", "NA", "NaN", "null", "?"}
stats = {}
reader = csv.reader(sys.stdin, skipinitialspace=True)
first = True
for row in reader:
    if first:
        first = False
        if cols is None or row == cols:
            cols = cols or row
            continue
    if len(row) != len(cols):
        continue
    for name, v in zip(cols, row):
        s = stats.get(name)
        if s is None:
            s = stats[name] = {"count": 0, "missing": 0, "n": 0, "sum": 0.0, "sumsq": 0.0, "min": None, "max": None, "values": {}}
        v = v.strip()
        if v in missing:
            s["missing"] += 1
            continue
        s["count"] += 1
        s["values"][v] = s["values"].get(v, 0) + 1
        try:
            x = float(v)
        except ValueError:
            continue
        s["n"] += 1
        s["sum"] += x
        s["sumsq"] += x * x
        s["min"] = x if s["min"] is None or x < s["min"] else s["min"]
        s["max"] = x if s["max"] is None or x > s["max"] else s["max"]
for name, s in stats.items():
    sys.stdout.write(name + "\t" + json.dumps(s) + "\n")
