#!/usr/bin/python3
"""Baseline: a Python Hadoop Streaming transform mapper: applies _transform.json to CSV rows (csv module) and
writes a GZIP TFRecord shard of tf.train.Example (python3-protobuf + python3-crc32c), printing a manifest line.
usage: transform_mapper.py PLAN PB_DIR SHARD   (stdin CSV)"""
import csv, json, sys
plan_path, pb_dir, shard = sys.argv[1:4]
sys.path.insert(0, pb_dir)
sys.path.insert(0, __import__("os").path.dirname(__file__))
import example_pb2  # noqa: E402
from tfrecord_util import Writer  # noqa: E402

plan = json.load(open(plan_path))
c = plan["csv"]
cols = c["columns"]
missing = set(c["missing"])
feats = plan["features"]
vocab = {f["name"]: {v: i for i, v in enumerate(f.get("vocabulary") or [])} for f in feats}
label = plan.get("label")
w = Writer(shard)
first = True
for row in csv.reader(sys.stdin, skipinitialspace=True):
    if first:
        first = False
        if row == cols:
            continue
    if len(row) != len(cols):
        continue
    row = [x.strip() for x in row]
    ex = example_pb2.Example()
    fm = ex.features.feature
    ok = True
    for f in feats:
        v = row[f["source_index"]]
        miss = v in missing
        if f["type"] == "numeric":
            try:
                x = f["impute_value"] if miss else float(v)
            except ValueError:
                ok = False
                break
            fm[f["name"]].float_list.value.append((x - f["offset"]) * f["factor"])
        elif f["type"] == "missing_indicator":
            fm[f["name"]].float_list.value.append(1.0 if miss else 0.0)
        else:
            vb = vocab[f["name"]]
            n = len(vb)
            idx = n + f.get("oov_buckets", 0) if miss else vb.get(v, n)
            fm[f["name"]].int64_list.value.append(idx)
    if not ok:
        continue
    if label:
        v = row[label["source_index"]]
        if label["task"] == "regression":
            fm[label["name"]].float_list.value.append(float(v))
        else:
            fm[label["name"]].int64_list.value.append(label["classes"].index(v))
    w.write(ex.SerializeToString())
w.close()
print(f"{shard}\t{w.records}")
