#!/usr/bin/env bash
# Model quality against gradient boosting (issue #28's table). On fixed splits (scripts/bench/quality/quality.py's
# docstring; bench README) — Adult (adult.data → adult.test), Black Friday (seeded 80/20 of the shared sample), Seattle
# weather (multiclass, seeded 80/20) and a generated Black Friday-like set (--rows, default 2,000,000, seeded 80/20) —
# trains ours with its defaults exactly as the README's first command does (scripts/pipeline.sh --input TRAIN --label
# L, nothing else), scores the test file with `trainer predict`, and in the same run fits scikit-learn's
# HistGradientBoosting (defaults, categorical columns declared), XGBoost 1.7 (tree_method=hist, 200 rounds, native
# categoricals) and linear/logistic regression on one-hot columns. One table: accuracy + ROC AUC (binary), accuracy +
# macro-F1 (multiclass), RMSE + R² (regression), training seconds and peak RSS; then each data set's verdict (ours
# against the better of HistGB and XGBoost on each metric). A benchmark, never a test: nothing here is in CI.
#   scripts/bench-quality.sh [--rows N] [--only adult,blackfriday,seattle-weather,generated]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=2000000 ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --only) ONLY=$2; shift 2 ;;
    *) echo "bench-quality.sh: error: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$ROWS" =~ ^[1-9][0-9]*$ ]] || { echo "bench-quality.sh: error: --rows must be a positive whole number" >&2; exit 2; }
[ -f ../shared/data/adult.data ] || { echo "bench-quality.sh: error: ../shared/data (Adult, Black Friday, Seattle weather) is not beside the checkout" >&2; exit 2; }
PY=/usr/bin/python3 Q=scripts/bench/quality/quality.py W=scripts/bench/work/quality
log() { echo "$(date -u +%H:%M:%S) bench-quality: $*" >&2; }
bash scripts/setup.sh --bench
dotnet build scripts/LocalRunner/LocalRunner.csproj -c Release -nologo -v quiet >&2
RUNNER=scripts/LocalRunner/bin/Release/net10.0/streaming-local
mkdir -p "$W"
wanted() { [ -z "$ONLY" ] || [[ ",$ONLY," == *",$1,"* ]]; }
gen=()
if wanted generated; then
  [ -f "$W/generated-$ROWS.csv" ] || $RUNNER generate --rows "$ROWS" --seed 7 --output "$W/generated-$ROWS.csv"
  gen=(--generated "$W/generated-$ROWS.csv")
fi
$PY $Q split --out "$W/data" "${gen[@]}"
results=$W/results.jsonl
: > "$results"
for ds in adult blackfriday seattle-weather generated; do
  wanted "$ds" && [ -f "$W/data/$ds/train.csv" ] || continue
  label=$($PY -c "import json,sys; print(json.load(open('$W/data/datasets.json'))['$ds']['label'])")
  log "$ds: ours (scripts/pipeline.sh --input train.csv --label $label)"
  out=$W/ours/$ds
  rm -rf "$out" "$out.schema.json"
  /usr/bin/time -f '%e %M' -o "$W/time" bash scripts/pipeline.sh --input "$W/data/$ds/train.csv" --label "$label" --output "$out" > "$W/$ds.log" 2>&1 \
    || { tail -20 "$W/$ds.log" >&2; exit 1; }
  read -r seconds rss < "$W/time"
  dist/trainer/trainer predict --model "$out/model" --input "$W/data/$ds/test.csv" --output "$W/$ds.predictions" 2>/dev/null
  $PY $Q score --data "$W/data" --dataset "$ds" --model-dir "$out/model" --predictions "$W/$ds.predictions" --seconds "$seconds" --rss "$rss" >> "$results"
  for m in histgb xgboost linear; do
    log "$ds: $m"
    $PY $Q fit --data "$W/data" --dataset "$ds" --model "$m" >> "$results"
  done
done
echo "bench-quality: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- Shared Trainer Mapper scripts hadoop-jobs || echo '+changes'), $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GB", $2 / 1048576 }' /proc/meminfo), $(date -u +%F)"
$PY $Q table "$results"
