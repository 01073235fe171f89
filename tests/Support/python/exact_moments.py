"""Independent reference for the statistics' mean and std: exact rational arithmetic (fractions.Fraction), then
one rounding to the nearest double. float(Fraction) is correctly rounded; the square root is taken in decimal at
120 significant digits and converted once (a double rounding at that precision would need ~100 equal digits).

usage: exact_moments.py FILE.csv  -> one JSON line per column that is all-numeric: {"column", "mean", "std"}
(std is null below two values; values are Python's repr, the shortest string that round-trips)."""
import csv, json, sys
from decimal import Decimal, getcontext
from fractions import Fraction

getcontext().prec = 120
getcontext().Emax = 10**6
getcontext().Emin = -10**6

with open(sys.argv[1], newline="") as f:
    rows = list(csv.reader(f))
header, rows = rows[0], rows[1:]
for i, name in enumerate(header):
    try:
        xs = [Fraction(float(r[i])) for r in rows if r[i] != ""]
    except ValueError:
        continue
    n = len(xs)
    if n == 0:
        continue
    s = sum(xs)
    mean = float(s / n)
    std = None
    if n > 1:
        var = (n * sum(x * x for x in xs) - s * s) / (n * (n - 1))
        root = (Decimal(var.numerator) / Decimal(var.denominator)).sqrt()
        std = float(root)
    print(json.dumps({"column": name, "mean": repr(mean), "std": None if std is None else repr(std)}))
