#!/usr/bin/python3
"""Model quality against gradient boosting, on fixed splits (scripts/bench-quality.sh drives it).

  quality.py split --out DIR [--rows N] [--generated CSV]  fixed train/test CSVs (with a header) + DIR/datasets.json
  quality.py fit --data DIR --dataset NAME --model histgb|xgboost|linear   one baseline: JSON line on stdout
  quality.py score --data DIR --dataset NAME --model-dir M --predictions P --seconds S --rss KB
                                                           ours: metrics of `trainer predict` lines on the test file
  quality.py table RESULTS.jsonl                           the table, with each data set's verdict

Splits (documented in scripts/bench/README.md): Adult is adult.data → adult.test (the test labels' trailing '.'
dropped, fields' leading space dropped); Black Friday, Seattle weather and the generated set are seeded 80/20 splits
(numpy default_rng(20261207) permutation). Baselines see the same files; their categorical columns are declared
(every string column, plus the data set's integer-coded categoricals named in DATASETS); a date column is given to
them as its parts by hand (year, month, day of year, weekday: what a GBDT user does, and what our plan does by
itself), not as a string. Each baseline runs in its own process, so ru_maxrss is its own peak.
"""
import argparse, json, os, resource, sys, time

SEED = 20261207
DATASETS = {
    # name: label, task, integer-coded categoricals a user of a GBDT would declare, columns left out of the baselines
    "adult": dict(label="income", task="binary", int_categorical=[], drop=[]),
    "blackfriday": dict(label="Purchase", task="regression",
                        int_categorical=["User_ID", "Occupation", "Marital_Status", "Product_Category_1",
                                         "Product_Category_2", "Product_Category_3"], drop=[]),
    "seattle-weather": dict(label="weather", task="multiclass", int_categorical=[], drop=[], dates=["date"]),
    "generated": dict(label="Purchase", task="regression",
                      int_categorical=["User_ID", "Occupation", "Marital_Status", "Product_Category_1",
                                       "Product_Category_2", "Product_Category_3"], drop=[]),
}
ADULT_COLUMNS = ["age", "workclass", "fnlwgt", "education", "education-num", "marital-status", "occupation",
                 "relationship", "race", "sex", "capital-gain", "capital-loss", "hours-per-week", "native-country", "income"]


def peak_rss_kb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def split(a):
    import numpy as np
    import pandas as pd
    shared = os.path.join(os.path.dirname(os.path.abspath(__file__)), "../../../../shared/data")
    os.makedirs(a.out, exist_ok=True)

    def write(name, train, test):
        d = os.path.join(a.out, name)
        os.makedirs(d, exist_ok=True)
        train.to_csv(os.path.join(d, "train.csv"), index=False)
        test.to_csv(os.path.join(d, "test.csv"), index=False)
        print(f"{name}: {len(train):,} train / {len(test):,} test rows", file=sys.stderr)

    def seeded(df):
        order = np.random.default_rng(SEED).permutation(len(df))
        cut = int(len(df) * 0.8)
        return df.iloc[order[:cut]], df.iloc[order[cut:]]

    read = dict(header=None, names=ADULT_COLUMNS, skipinitialspace=True, na_values=["?"], keep_default_na=False, dtype=str)
    train = pd.read_csv(os.path.join(shared, "adult.data"), **read).dropna(subset=["income"])
    test = pd.read_csv(os.path.join(shared, "adult.test"), skiprows=1, **read).dropna(subset=["income"])
    test["income"] = test["income"].str.rstrip(".")
    write("adult", train, test)
    write("blackfriday", *seeded(pd.read_csv(os.path.join(shared, "blackfriday_sample.csv"), dtype=str, keep_default_na=False)))
    write("seattle-weather", *seeded(pd.read_csv(os.path.join(shared, "seattle-weather.csv"), dtype=str, keep_default_na=False)))
    if a.generated:
        write("generated", *seeded(pd.read_csv(a.generated, dtype=str, keep_default_na=False)))
    json.dump({k: v for k, v in DATASETS.items() if k != "generated" or a.generated}, open(os.path.join(a.out, "datasets.json"), "w"), indent=1)


def load(a):
    import pandas as pd
    meta = DATASETS[a.dataset]
    d = os.path.join(a.data, a.dataset)
    train = pd.read_csv(os.path.join(d, "train.csv"), na_values=["", "?"], keep_default_na=False)
    test = pd.read_csv(os.path.join(d, "test.csv"), na_values=["", "?"], keep_default_na=False)
    return meta, train, test


def metrics(task, y_true, scores, classes=None):
    """binary: scores = P(positive); multiclass: predicted class labels; regression: values."""
    import numpy as np
    from sklearn.metrics import accuracy_score, f1_score, mean_squared_error, r2_score, roc_auc_score
    if task == "binary":
        return {"accuracy": accuracy_score(y_true, scores >= 0.5), "auc": roc_auc_score(y_true, scores)}
    if task == "multiclass":
        return {"accuracy": accuracy_score(y_true, scores), "macro_f1": f1_score(y_true, scores, average="macro")}
    return {"rmse": float(np.sqrt(mean_squared_error(y_true, scores))), "r2": r2_score(y_true, scores)}


def fit(a):
    import numpy as np
    import pandas as pd
    meta, train, test = load(a)
    label, task = meta["label"], meta["task"]
    for c in meta.get("dates", []):
        for df in (train, test):
            when = pd.to_datetime(df[c].astype(str).str.replace("/", "-"), errors="coerce")
            df[c + "_year"], df[c + "_month"], df[c + "_day_of_year"], df[c + "_weekday"] = when.dt.year, when.dt.month, when.dt.dayofyear, when.dt.weekday
            del df[c]
    features = [c for c in train.columns if c != label and c not in meta["drop"]]
    cats = [c for c in features if train[c].dtype == object or c in meta["int_categorical"]]
    nums = [c for c in features if c not in cats]
    ytr, yte = train[label], test[label]
    positive = None
    if task == "binary":
        positive = sorted(ytr.unique())[-1]
        ytr, yte = (ytr == positive).astype(int), (yte == positive).astype(int)
    elif task == "multiclass":
        classes = sorted(ytr.unique())
        index = {c: i for i, c in enumerate(classes)}
        ytr = ytr.map(index)
    for c in cats:   # one category set from the training data; unseen test values become missing
        dtype = pd.CategoricalDtype(sorted(train[c].dropna().astype(str).unique()))
        train[c], test[c] = train[c].astype(str).where(train[c].notna()).astype(dtype), test[c].astype(str).where(test[c].notna()).astype(dtype)
    start = time.perf_counter()
    if a.model == "histgb":
        from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
        # Categorical codes must be < max_bins (255): the 254 most frequent categories keep their own code, the rest share one.
        def codes(df):
            out = pd.DataFrame(index=df.index)
            for c in nums:
                out[c] = df[c].astype(float)
            for c in cats:
                keep = train[c].value_counts().index[:254]
                code = {v: i for i, v in enumerate(keep)}
                out[c] = df[c].map(lambda v: code.get(v, 254) if pd.notna(v) else np.nan).astype(float)
            return out
        Xtr, Xte = codes(train[features]), codes(test[features])
        mask = [c in cats for c in Xtr.columns]
        m = (HistGradientBoostingRegressor if task == "regression" else HistGradientBoostingClassifier)(categorical_features=mask, random_state=0)
        m.fit(Xtr, ytr)
    elif a.model == "xgboost":
        import xgboost as xgb
        Xtr, Xte = train[features].copy(), test[features].copy()
        kw = dict(tree_method="hist", enable_categorical=True, n_estimators=200, random_state=0, n_jobs=os.cpu_count())
        m = xgb.XGBRegressor(**kw) if task == "regression" else xgb.XGBClassifier(**kw)
        m.fit(Xtr, ytr)
    else:
        from sklearn.compose import ColumnTransformer
        from sklearn.impute import SimpleImputer
        from sklearn.linear_model import LogisticRegression, Ridge
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import OneHotEncoder, StandardScaler
        Xtr, Xte = train[features].copy(), test[features].copy()
        for c in cats:
            Xtr[c], Xte[c] = Xtr[c].astype(object).fillna("(missing)"), Xte[c].astype(object).fillna("(missing)")
        pre = ColumnTransformer([("num", make_pipeline(SimpleImputer(), StandardScaler()), nums),
                                 ("cat", OneHotEncoder(handle_unknown="ignore"), cats)])
        est = Ridge(alpha=1.0) if task == "regression" else LogisticRegression(max_iter=1000, C=1.0)
        m = make_pipeline(pre, est)
        m.fit(Xtr, ytr)
    seconds = time.perf_counter() - start
    if task == "binary":
        result = metrics(task, yte, m.predict_proba(Xte)[:, 1])
    elif task == "multiclass":
        result = metrics(task, yte, np.array(classes, dtype=object)[m.predict(Xte).astype(int)])
    else:
        result = metrics(task, yte, m.predict(Xte))
    print(json.dumps({"dataset": a.dataset, "model": a.model, "task": task, **result, "train_seconds": seconds, "peak_rss_kb": peak_rss_kb(),
                      "train_rows": len(train), "test_rows": len(test)}))


def score(a):
    import numpy as np
    meta, _, test = load(a)
    task, label = meta["task"], meta["label"]
    model = json.load(open(os.path.join(a.model_dir, "model.json")))
    lines = open(a.predictions).read().split("\n")[:-1]
    if len(lines) != len(test):
        raise SystemExit(f"{a.predictions}: {len(lines)} predictions for {len(test)} test rows")
    rejected = sum(l.startswith("rejected:") for l in lines)
    if rejected:
        raise SystemExit(f"{a.predictions}: {rejected} test rows rejected")
    y = test[label]
    if task == "binary":
        positive = model["plan"]["label"]["classes"][1]   # the trainer's score is P(classes[1])
        result = metrics(task, (y == positive).astype(int), np.array([float(l) for l in lines]))
    elif task == "multiclass":
        result = metrics(task, y.astype(str), np.array(lines, dtype=object))
    else:
        result = metrics(task, y.astype(float), np.array([float(l) for l in lines]))
    history = json.load(open(os.path.join(a.model_dir, "metrics.json")))
    train_seconds = sum(e["seconds"] for e in history["epochs"])
    print(json.dumps({"dataset": a.dataset, "model": "ours", "task": task, **result, "train_seconds": train_seconds,
                      "pipeline_seconds": float(a.seconds), "peak_rss_kb": int(a.rss), "epochs": len(history["epochs"]),
                      "best_epoch": history["best_epoch"], "test_rows": len(test)}))


HIGHER = {"accuracy": True, "auc": True, "macro_f1": True, "r2": True, "rmse": False}
METRICS = {"binary": ["accuracy", "auc"], "multiclass": ["accuracy", "macro_f1"], "regression": ["rmse", "r2"]}


def table(a):
    rows = [json.loads(l) for l in open(a.results) if l.strip()]
    order = ["ours", "histgb", "xgboost", "linear"]
    print("| data set | model | metric 1 | metric 2 | train s | peak RSS MB | note |")
    print("|---|---|---|---|---|---|---|")
    verdicts = []
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        group = {r["model"]: r for r in rows if r["dataset"] == ds}
        task = next(iter(group.values()))["task"]
        m1, m2 = METRICS[task]
        for name in order:
            if name not in group:
                continue
            r = group[name]
            note = f"pipeline {r['pipeline_seconds']:.0f} s, {r['epochs']} epochs (kept {r['best_epoch']})" if name == "ours" else ""
            print(f"| {ds} | {name} | {m1} {r[m1]:.4f} | {m2} {r[m2]:.4f} | {r['train_seconds']:.1f} | {r['peak_rss_kb'] / 1024:.0f} | {note} |")
        if "ours" not in group:
            continue
        parts = []
        for metric in (m1, m2):
            gb = [group[g][metric] for g in ("histgb", "xgboost") if g in group]
            if not gb:
                continue
            best = max(gb) if HIGHER[metric] else min(gb)
            ours = group["ours"][metric]
            diff = ours - best if HIGHER[metric] else best - ours   # > 0: ours better
            parts.append(f"{metric} {'≥' if diff >= 0 else '<'} best GBDT by {abs(diff):.4f}" + ("" if HIGHER[metric] else f" ({abs(diff) / best:.1%})"))
        verdicts.append(f"{ds}: " + ("MET" if all("≥" in p for p in parts) else "NOT MET") + " — " + "; ".join(parts))
    print()
    for v in verdicts:
        print("verdict " + v)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("split"); s.add_argument("--out", required=True); s.add_argument("--generated")
    f = sub.add_parser("fit"); f.add_argument("--data", required=True); f.add_argument("--dataset", required=True)
    f.add_argument("--model", required=True, choices=["histgb", "xgboost", "linear"])
    c = sub.add_parser("score"); c.add_argument("--data", required=True); c.add_argument("--dataset", required=True)
    for n in ("--model-dir", "--predictions", "--seconds", "--rss"):
        c.add_argument(n, required=True)
    t = sub.add_parser("table"); t.add_argument("results")
    a = ap.parse_args()
    {"split": split, "fit": fit, "score": score, "table": table}[a.cmd](a)
