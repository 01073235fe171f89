#!/usr/bin/python3
"""PyTorch reads the trainer's checkpoint: the README's nn.Module (taken from README.md itself, so the snippet users
copy is the one tested), torch.load(model.pt) + load_state_dict(strict=True), then predictions for every record of a
TFRecord set (read here with protobuf, in the trainer's deterministic interleave order) compared with the
trainer's own predictions for the same records.

usage: torch_roundtrip.py --pb DIR --readme README.md --model DIR --data SHARDS_DIR --expected PREDICTIONS
Prints one JSON object: rows, max_abs_diff, max_rel_diff, mismatched_classes, blas.
"""
import argparse, gzip, json, os, re, struct, sys, zlib

ap = argparse.ArgumentParser()
for name in ("--pb", "--readme", "--model", "--data", "--expected"):
    ap.add_argument(name, required=True)
a = ap.parse_args()
sys.path.insert(0, a.pb)
import example_pb2  # noqa: E402
import torch  # noqa: E402

readme = open(a.readme).read()
snippet = re.search(r"<!-- torch-module -->\s*```python\n(.*?)```", readme, re.S)
if not snippet:
    raise SystemExit("README.md has no <!-- torch-module --> python block")
model_json = os.path.join(a.model, "model.json")
scope = {}
exec(snippet.group(1).replace('"model/', f'"{a.model}/'), scope)
net, spec = scope["net"], scope["spec"]

def records(path):
    raw = open(path, "rb").read()
    raw = gzip.decompress(raw) if path.endswith(".gz") else zlib.decompress(raw) if path.endswith(".zlib") else raw
    pos = 0
    while pos < len(raw):
        (n,) = struct.unpack("<Q", raw[pos:pos + 8])
        yield raw[pos + 12:pos + 12 + n]
        pos += 16 + n

# The trainer's deterministic interleave: round-robin over 4 open shards, a finished one replaced by the next.
manifest = json.load(open(os.path.join(a.data, "_manifest.json")))
pending = [records(os.path.join(a.data, s["shard"])) for s in manifest["shards"]]
active, ordered, turn = [], [], 0
while len(active) < 4 and pending:
    active.append(pending.pop(0))
while active:
    turn %= len(active)
    rec = next(active[turn], None)
    if rec is None:
        del active[turn]
        if pending:
            active.append(pending.pop(0))
        continue
    ordered.append(rec)
    turn += 1

plan = json.load(open(os.path.join(a.data, "_transform.json")))
label = plan["label"]["name"]
numeric, categorical = [], []
for rec in ordered:
    ex = example_pb2.Example.FromString(rec).features.feature
    row_f, row_i = [], []
    for f in plan["features"]:
        v = ex[f["name"]]
        if v.HasField("int64_list"):
            row_i.append(v.int64_list.value[0])
        else:
            row_f.extend(v.float_list.value)
    numeric.append(row_f)
    categorical.append(row_i)
with torch.no_grad():
    out = net(torch.tensor(numeric, dtype=torch.float32).reshape(len(ordered), spec["numeric_width"]),
              torch.tensor(categorical, dtype=torch.int64).reshape(len(ordered), len(spec["embeddings"])))
task = spec["task"]
if task == "regression":
    ours = (out[:, 0].double() * spec["label_std"] + spec["label_mean"]).tolist()
elif task == "binary":
    ours = torch.sigmoid(out[:, 0].double()).tolist()
else:
    classes = plan["label"]["classes"]
    ours = [classes[i] for i in out.argmax(1).tolist()]
expected = open(a.expected).read().split("\n")[:len(ordered)]
abs_diff = rel_diff = 0.0
mismatched = 0
for o, e in zip(ours, expected):
    if task == "multiclass":
        mismatched += o != e
        continue
    d = abs(o - float(e))
    abs_diff = max(abs_diff, d)
    rel_diff = max(rel_diff, d / max(1.0, abs(float(e))))
print(json.dumps({"rows": len(ordered), "expected_rows": len(expected), "max_abs_diff": abs_diff, "max_rel_diff": rel_diff,
                  "mismatched_classes": mismatched, "blas": torch.__config__.show().split("BLAS_INFO=")[1].split(",")[0]}))
