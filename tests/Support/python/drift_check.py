"""Independent drift distances for a validation report (numpy, scipy, pandas): for each column the report measured,
the exact distance from the raw CSV values — Jensen-Shannon divergence (base 2) of the exact bin masses over the
report's own bin edges, L-infinity of the exact value shares.

usage: drift_check.py REPORT.json TODAY.csv BASELINE.csv [--no-header COLUMNS] [--skip-first-today]
prints one JSON line per column: {"column", "metric", "exact"}"""
import json, sys
import numpy as np
import pandas as pd
from scipy.spatial.distance import jensenshannon

report, today_path, base_path = sys.argv[1:4]
rest = sys.argv[4:]
names = rest[rest.index("--no-header") + 1].split(",") if "--no-header" in rest else None
skip_today = "--skip-first-today" in rest
missing = ["", "NA", "NaN", "null", "?"]

def load(path, skip):
    return pd.read_csv(path, header=None if names else 0, names=names, skiprows=1 if skip else 0, dtype=str,
                       keep_default_na=False, na_values=missing, skipinitialspace=True)

today, base = load(today_path, skip_today), load(base_path, False)
for col in json.load(open(report))["columns"]:
    drift = col.get("drift")
    if not drift:
        continue
    name = col["column"]
    a, b = today[name].dropna(), base[name].dropna()
    if drift["metric"] == "jensen_shannon":
        edges = np.array(drift["bin_edges"], dtype=float)
        def masses(values):
            v = np.sort(values.astype(float).to_numpy())
            below = np.searchsorted(v, edges, side="right") / len(v)   # fraction <= each edge
            return np.diff(np.concatenate([[0.0], below, [1.0]]))
        exact = float(jensenshannon(masses(a), masses(b), base=2) ** 2)
    else:
        p, q = a.value_counts(normalize=True), b.value_counts(normalize=True)
        exact = float(p.subtract(q, fill_value=0).abs().max())
    print(json.dumps({"column": name, "metric": drift["metric"], "exact": exact}))
