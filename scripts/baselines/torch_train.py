#!/usr/bin/python3
"""Baseline: the same tabular MLP in PyTorch (Debian python3-torch), trained on the same TFRecords with the same
batch size, epochs, learning rate and thread count; prints JSON with training samples/s and validation RMSE.
usage: torch_train.py PB_DIR TRAIN_DIR VAL_DIR --epochs E --batch-size B --hidden 128,64 --lr LR --threads T"""
import argparse, glob, json, os, sys, time
import numpy as np
import torch

ap = argparse.ArgumentParser()
ap.add_argument("pb"); ap.add_argument("train"); ap.add_argument("val")
ap.add_argument("--epochs", type=int, default=5); ap.add_argument("--batch-size", type=int, default=256)
ap.add_argument("--hidden", default="128,64"); ap.add_argument("--lr", type=float, default=1e-3)
ap.add_argument("--threads", type=int, default=2); ap.add_argument("--seed", type=int, default=1)
a = ap.parse_args()
sys.path.insert(0, a.pb)
sys.path.insert(0, os.path.dirname(__file__))
import example_pb2  # noqa: E402
from tfrecord_util import read  # noqa: E402

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)
plan = json.load(open(os.path.join(a.train, "_transform.json")))
floats = [f for f in plan["features"] if not (f["type"] == "categorical" and f.get("encoding", "index") == "index")]
cats = [f for f in plan["features"] if f["type"] == "categorical" and f.get("encoding", "index") == "index"]
label = plan["label"]["name"]

def card(f):
    return len(f.get("vocabulary") or []) + f.get("oov_buckets", 0) + 1

def load(d):
    X, C, Y = [], [], []
    for p in sorted(glob.glob(os.path.join(d, "*.tfrecord*"))):
        for rec in read(p):
            ex = example_pb2.Example(); ex.ParseFromString(rec)
            fm = ex.features.feature
            X.append([v for f in floats for v in fm[f["name"]].float_list.value])
            C.append([fm[f["name"]].int64_list.value[0] for f in cats])
            Y.append(fm[label].float_list.value[0])
    return torch.tensor(X, dtype=torch.float32), torch.tensor(C, dtype=torch.long), torch.tensor(Y, dtype=torch.float32)

t0 = time.time()
Xt, Ct, Yt = load(a.train)
Xv, Cv, Yv = load(a.val)
load_s = time.time() - t0
mu, sd = Yt.mean(), Yt.std()

class Mlp(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.emb = torch.nn.ModuleList(torch.nn.Embedding(card(f), max(2, min(50, round(1.6 * card(f) ** 0.56)))) for f in cats)
        width = Xt.shape[1] + sum(e.embedding_dim for e in self.emb)
        layers = []
        for h in map(int, a.hidden.split(",")):
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        layers.append(torch.nn.Linear(width, 1))
        self.mlp = torch.nn.Sequential(*layers)

    def forward(self, x, c):
        return self.mlp(torch.cat([x] + [e(c[:, i]) for i, e in enumerate(self.emb)], dim=1)).squeeze(1)

model = Mlp()
opt = torch.optim.Adam(model.parameters(), lr=a.lr)
n = len(Yt)
train_s = 0.0
for epoch in range(a.epochs):
    perm = torch.randperm(n)
    t = time.time()
    model.train()
    for s in range(0, n, a.batch_size):
        idx = perm[s:s + a.batch_size]
        opt.zero_grad()
        loss = torch.nn.functional.mse_loss(model(Xt[idx], Ct[idx]), (Yt[idx] - mu) / sd)
        loss.backward()
        opt.step()
    train_s += time.time() - t
model.eval()
with torch.no_grad():
    pred = model(Xv, Cv) * sd + mu
    rmse = float(torch.sqrt(torch.mean((pred - Yv) ** 2)))
print(json.dumps({"samples_per_second": n * a.epochs / train_s, "val_rmse": rmse, "train_examples": n, "val_examples": len(Yv), "load_seconds": load_s}))
