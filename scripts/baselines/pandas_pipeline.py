#!/usr/bin/python3
"""Baseline: the one-machine way — pandas + scikit-learn: read_csv, describe/quantiles, SimpleImputer, MinMaxScaler,
category codes, then the same tf.train.Example records serialized to a GZIP TFRecord file.
usage: pandas_pipeline.py CSV PB_DIR OUT.tfrecord.gz --label COL --categorical a,b"""
import argparse, os, sys
import numpy as np
import pandas as pd
from sklearn.impute import SimpleImputer
from sklearn.preprocessing import MinMaxScaler

ap = argparse.ArgumentParser()
ap.add_argument("csv"); ap.add_argument("pb"); ap.add_argument("out")
ap.add_argument("--label", required=True); ap.add_argument("--categorical", default="")
a = ap.parse_args()
sys.path.insert(0, a.pb)
sys.path.insert(0, os.path.dirname(__file__))
import example_pb2  # noqa: E402
from tfrecord_util import Writer  # noqa: E402

cat_cols = set(filter(None, a.categorical.split(",")))
df = pd.read_csv(a.csv, na_values=["", "NA", "NaN", "null", "?"], keep_default_na=False, skipinitialspace=True)
stats = df.describe(include="all")
quantiles = df.select_dtypes("number").quantile([0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99])
num_cols = [c for c in df.columns if c != a.label and c not in cat_cols and pd.api.types.is_numeric_dtype(df[c])]
cat_cols = [c for c in df.columns if c != a.label and c not in num_cols]
X_num = MinMaxScaler().fit_transform(SimpleImputer(strategy="mean").fit_transform(df[num_cols])) if num_cols else np.zeros((len(df), 0))
codes = {c: df[c].astype("category").cat.codes.to_numpy() for c in cat_cols}
y = df[a.label].to_numpy(dtype=np.float64)
w = Writer(a.out)
for i in range(len(df)):
    ex = example_pb2.Example()
    fm = ex.features.feature
    for j, c in enumerate(num_cols):
        fm[c].float_list.value.append(X_num[i, j])
    for c in cat_cols:
        fm[c].int64_list.value.append(int(codes[c][i]))
    fm[a.label].float_list.value.append(y[i])
    w.write(ex.SerializeToString())
w.close()
print(f"{w.records} records, {len(stats.columns)} columns described, {len(quantiles.columns)} with quantiles")
