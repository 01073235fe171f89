#!/usr/bin/python3
"""Independent check of the transform job's output, sharing no code with the C# side.

Reads every shard of a directory with Python's protobuf runtime (messages compiled by protoc from the repository's
example.proto/feature.proto) and the crc32c module, checks both CRCs of every record, and compares every feature
with the transform recomputed here from the raw CSV and _transform.json.

usage: verify_tfrecords.py --pb DIR --dir SHARDS_DIR --csv FILE [--csv FILE ...] [--unordered]
Prints one JSON object: records, rows, crc_errors, mismatches, first_mismatches, per-shard counts.
"""
import argparse, csv, datetime, glob, gzip, json, math, os, re, struct, sys, zlib

ap = argparse.ArgumentParser()
ap.add_argument("--pb", required=True)
ap.add_argument("--dir", required=True)
ap.add_argument("--csv", action="append", required=True)
ap.add_argument("--unordered", action="store_true")
a = ap.parse_args()
sys.path.insert(0, a.pb)
import example_pb2  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tfrecord_frames import frames  # noqa: E402

def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]

def records(path):
    raw = open(path, "rb").read()
    if path.endswith(".gz"):
        raw = gzip.decompress(raw)
    elif path.endswith(".zlib"):
        raw = zlib.decompress(raw)
    out = []
    for pos, data, ok in frames(raw):
        if not ok:
            raise SystemExit(json.dumps({"crc_errors": 1, "shard": path, "offset": pos}))
        out.append(data)
    return out

plan = json.load(open(os.path.join(a.dir, "_transform.json")))
c = plan["csv"]
cols = c["columns"]
missing = set(c["missing"])

# The date texts of DatePartFeature (yyyy-mm-dd or yyyy/mm/dd, optionally a time and a zone), written afresh here.
DATE = re.compile(r"(\d{4})([-/])(\d{2})\2(\d{2})(?:[T ](\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})?)?")

def fnv1a(b):
    h = 0xcbf29ce484222325
    for x in b:
        h ^= x
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h

def expected(row):
    e = {}
    for f in plan["features"]:
        v = row[f["source_index"]]
        miss = v in missing
        if f["type"] == "numeric":
            x = f["impute_value"] if miss else float(v)
            e[f["name"]] = ("float", [f32((x - f["offset"]) * f["factor"])])
        elif f["type"] == "missing_indicator":
            e[f["name"]] = ("float", [1.0 if miss else 0.0])
        elif f["type"] == "date_part":
            part = f["part"]
            m = None if miss else DATE.fullmatch(v)
            if not miss and not m:
                return None
            if m:
                d = datetime.date(int(m[1]), int(m[3]), int(m[4]))
            if part == "month":
                e[f["name"]] = ("int64", [12 if miss else d.month - 1])
            elif part == "weekday":
                e[f["name"]] = ("int64", [7 if miss else d.weekday()])
            elif part == "hour":
                e[f["name"]] = ("int64", [24 if miss or not m[5] else int(m[5])])
            elif part == "year":
                e[f["name"]] = ("float", [0.5 if miss else f32((d.year - f["offset"]) * f["factor"])])
            else:
                e[f["name"]] = ("float", [0.5 if miss else f32((d.timetuple().tm_yday - 1) / 365)])
        else:
            vocab = f["vocabulary"]
            oov = f.get("oov_buckets", 0)
            card = len(vocab) + oov + 1
            if miss:
                idx = len(vocab) + oov
            elif v in vocab:
                idx = vocab.index(v)
            else:
                idx = len(vocab) + fnv1a(v.encode()) % oov if oov else len(vocab) + oov
            if f.get("encoding") == "onehot":
                e[f["name"]] = ("float", [1.0 if i == idx else 0.0 for i in range(card)])
            else:
                e[f["name"]] = ("int64", [idx])
    lab = plan.get("label")
    if lab:
        v = row[lab["source_index"]]
        if v in missing:
            return None
        if lab["task"] == "regression":
            e[lab["name"]] = ("float", [f32(float(v))])
        else:
            v = (lab.get("aliases") or {}).get(v, v)
            if v not in lab["classes"]:
                return None
            e[lab["name"]] = ("int64", [lab["classes"].index(v)])
    return e

rows = []
for path in a.csv:
    with open(path, newline="") as fh:
        first = True
        for rec in csv.reader(fh, delimiter=c["delimiter"], quotechar=c["quote"], skipinitialspace=c["trim"]):
            rec = [x.strip(" ") for x in rec] if c["trim"] else rec
            if first:
                first = False
                if rec == cols:
                    continue
            if len(rec) != len(cols):
                continue
            exp = expected(rec)
            if exp is not None:
                rows.append(exp)

def actual(data):
    ex = example_pb2.Example()
    ex.ParseFromString(data)
    out = {}
    for name, feat in ex.features.feature.items():
        kind = feat.WhichOneof("kind")
        if kind == "float_list":
            out[name] = ("float", list(feat.float_list.value))
        elif kind == "int64_list":
            out[name] = ("int64", list(feat.int64_list.value))
        else:
            out[name] = (kind, [])
    return out

shards = sorted(p for p in glob.glob(os.path.join(a.dir, "*.tfrecord*")))
got, per_shard = [], {}
for s in shards:
    rs = records(s)
    per_shard[os.path.basename(s)] = len(rs)
    got.extend(actual(r) for r in rs)

def key(d):
    return json.dumps(sorted(d.items()))

mism = []
if a.unordered:
    from collections import Counter
    diff = Counter(map(key, rows)) - Counter(map(key, got))
    mism = [k for k in diff.elements()][:3]
    n_mism = sum(diff.values()) + sum((Counter(map(key, got)) - Counter(map(key, rows))).values())
else:
    n_mism = 0
    for i, (e, g) in enumerate(zip(rows, got)):
        if e != g:
            n_mism += 1
            if len(mism) < 3:
                mism.append({"record": i, "expected": e, "actual": g})
json.dump({"records": len(got), "rows": len(rows), "crc_errors": 0, "mismatches": n_mism, "first_mismatches": mism,
           "shards": per_shard}, sys.stdout, default=str)
