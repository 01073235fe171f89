#!/usr/bin/python3
"""Reference column statistics computed by pandas, for comparison with the stats job.

usage: pandas_stats.py CSV [--no-header --columns a,b,c] [--missing '|NA|NaN|null|?'] [--categorical a,b]
Prints one JSON object: {column: {count, missing, kind, min, max, mean, std, values (sorted numbers), top {value: count}, distinct}}.
"""
import argparse, json, sys
import pandas as pd

ap = argparse.ArgumentParser()
ap.add_argument("csv")
ap.add_argument("--no-header", action="store_true")
ap.add_argument("--columns")
ap.add_argument("--missing", default="|NA|NaN|null|?")
ap.add_argument("--categorical", default="")
a = ap.parse_args()

names = a.columns.split(",") if a.columns else None
df = pd.read_csv(a.csv, header=None if a.no_header else 0, names=names, dtype=str, keep_default_na=False,
                 na_values=a.missing.split("|"), skipinitialspace=True, skip_blank_lines=True)
forced = set(filter(None, a.categorical.split(",")))
out = {}
for c in df.columns:
    s = df[c]
    present = s.dropna().str.strip()
    r = {"count": int(present.size), "missing": int(s.isna().sum()), "distinct": int(present.nunique()),
         "top": {k: int(v) for k, v in present.value_counts().items()}}
    nums = pd.to_numeric(present, errors="coerce")
    if c not in forced and present.size > 0 and not nums.isna().any():
        r.update(kind="numeric", min=float(nums.min()), max=float(nums.max()), mean=float(nums.mean()),
                 std=float(nums.std(ddof=1)), values=sorted(float(x) for x in nums))
    else:
        r["kind"] = "categorical"
    out[str(c)] = r
json.dump(out, sys.stdout)
