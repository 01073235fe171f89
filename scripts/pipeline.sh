#!/usr/bin/env bash
# The README's first command: the whole pipeline on this machine through the local Hadoop Streaming runner —
# column statistics → transform plan → TFRecord shards → training (validation RMSE printed at the end).
# Input: --input FILE; else ../shared/data/blackfriday_sample.csv when it is beside the checkout; else a
# deterministic Black Friday-like data set generated here (--rows N, default 200000).
# Your own file: --input CSV --label COLUMN [--categorical a,b] [--numeric a,b] [--header none --columns a,b,c]; other
# columns are typed from their statistics (text categorical; whole numbers with at most 32 distinct values categorical
# codes; other numbers numeric, binned for the trainer, whole numbers that repeat with a categorical twin) and the task
# from the label. Training uses the trainer's defaults; --train-args "--epochs 40 --hidden 512,256" passes others.
# A re-run skips every complete step, training included (same shards and options); --overwrite redoes them.
# Data validation: the first run writes a schema (default OUTPUT.schema.json, kept beside the output so --overwrite
# does not lose it) and every later run is validated against it (and against --baseline STATS, an earlier run's
# OUTPUT/stats); OUTPUT/report.html shows the statistics; anomalies stop the run before the transform (exit 1)
# unless --allow-drift.
#   scripts/pipeline.sh [--input CSV [--label COL] [--categorical a,b] [--numeric a,b]] [--rows N] [--output DIR] [--overwrite]
#                       [--no-train | --train-args "TRAINER OPTIONS"]
#                       [--schema FILE] [--baseline STATS] [--allow-drift]
set -euo pipefail
cd "$(dirname "$0")/.."
input="" rows=200000 output=out/pipeline overwrite=() train=1 train_extra="" label="" categorical="" own=() schema="" validation=()
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --overwrite) overwrite=(--overwrite); shift ;;
    --no-train) train=0; shift ;;
    --train-args) train_extra=$2; shift 2 ;;
    --label) label=$2; shift 2 ;;
    --categorical) categorical=$2; shift 2 ;;
    --header|--columns|--delimiter|--numeric) own+=("$1" "$2"); shift 2 ;;
    --schema) schema=$2; shift 2 ;;
    --baseline) validation+=(--baseline "$2"); shift 2 ;;
    --allow-drift) validation+=(--allow-drift); shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "pipeline.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[[ "$rows" =~ ^[1-9][0-9]*$ ]] || { echo "pipeline.sh: error: --rows must be a positive whole number" >&2; exit 2; }
if [ -n "$input" ]; then
  [ -f "$input" ] || { echo "pipeline.sh: error: --input $input: no such file" >&2; exit 2; }
  [ -n "$label" ] || { echo "pipeline.sh: error: --input needs --label COLUMN (the column to predict)" >&2; exit 2; }
  input=$(cd "$(dirname "$input")" && pwd)/$(basename "$input")
fi
# dist/ is (re)built when missing or older than the sources, so a checkout never runs stale executables; with a
# current dist/ (the archives, the trainer, the runner) nothing here needs the .NET SDK.
if ! { [ -f dist/trainer-linux-x64-cpu.tgz ] && [ -x dist/trainer/trainer ] && [ -x dist/runner/streaming-local ]; } \
   || [ -n "$(find Shared Mapper Reducer Trainer build scripts/LocalRunner -newer dist/trainer-linux-x64-cpu.tgz \( -name '*.cs' -o -name '*.csproj' \) -not -path '*/obj/*' -not -path '*/bin/*' -print -quit)" ]; then
  command -v dotnet >/dev/null || { echo "pipeline.sh: error: dist/ is missing or older than the sources, and building it needs the .NET SDK (dotnet)" >&2; exit 3; }
  bash scripts/publish.sh
fi
if [ -z "$input" ]; then
  if [ -f ../shared/data/blackfriday_sample.csv ]; then
    input=$(cd ../shared/data && pwd)/blackfriday_sample.csv
  else
    mkdir -p out/data
    input=$PWD/out/data/blackfriday-$rows.csv
    [ -f "$input" ] || dist/runner/streaming-local generate --rows "$rows" --output "$input"
  fi
fi
size=$(stat -c %s "$input")
block=$(( size / 4 + 1 ))   # at least 4 map tasks, as on a cluster with several blocks
echo "pipeline: input $input ($size bytes), output $output" >&2
train_args=()
[ "$train" = 1 ] && train_args=(--train "--seed 1${train_extra:+ $train_extra}")
if [ -z "$label" ]; then
  # The Black Friday data (the shared sample or its generated look-alike): its label and ID-like categoricals.
  label=Purchase
  categorical=${categorical:-User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3}
fi
bash hadoop-jobs/pipeline.sh --local "${overwrite[@]}" --input "$input" --output "$output" --block-size "$block" \
  --label "$label" ${categorical:+--categorical "$categorical"} "${own[@]}" --top-k 5000 \
  --schema "${schema:-${output%/}.schema.json}" "${validation[@]}" "${train_args[@]}"
