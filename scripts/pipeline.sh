#!/usr/bin/env bash
# The README's first command: the whole pipeline on this machine through the local Hadoop Streaming runner —
# column statistics → transform plan → TFRecord shards → training (validation RMSE printed at the end).
# Input: --input FILE; else ../shared/data/blackfriday_sample.csv when it is beside the checkout; else a
# deterministic Black Friday-like data set generated here (--rows N, default 200000).
#   scripts/pipeline.sh [--input CSV] [--rows N] [--output DIR] [--overwrite] [--no-train]
set -euo pipefail
cd "$(dirname "$0")/.."
input="" rows=200000 output=out/pipeline overwrite=() train=1
while [ $# -gt 0 ]; do
  case "$1" in
    --input) input=$2; shift 2 ;;
    --rows) rows=$2; shift 2 ;;
    --output) output=$2; shift 2 ;;
    --overwrite) overwrite=(--overwrite); shift ;;
    --no-train) train=0; shift ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "pipeline.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v dotnet >/dev/null || { echo "pipeline.sh: the .NET SDK (dotnet) is needed to build" >&2; exit 3; }
dotnet build scripts/LocalRunner/LocalRunner.csproj -c Release -nologo -v quiet >&2
{ [ -f dist/streaming-linux-x64.tgz ] && [ -x dist/trainer/trainer ]; } || bash scripts/publish.sh
if [ -z "$input" ]; then
  if [ -f ../shared/data/blackfriday_sample.csv ]; then
    input=$(cd ../shared/data && pwd)/blackfriday_sample.csv
  else
    mkdir -p out/data
    input=$PWD/out/data/blackfriday-$rows.csv
    [ -f "$input" ] || scripts/LocalRunner/bin/Release/net10.0/streaming-local generate --rows "$rows" --output "$input"
  fi
fi
size=$(stat -c %s "$input")
block=$(( size / 4 + 1 ))   # at least 4 map tasks, as on a cluster with several blocks
echo "pipeline: input $input ($size bytes), output $output" >&2
train_args=()
[ "$train" = 1 ] && train_args=(--train "--epochs 8 --batch-size 256 --hidden 128,64 --lr 0.002 --dropout 0.1 --seed 1")
bash hadoop-jobs/pipeline.sh --local "${overwrite[@]}" --input "$input" --output "$output" --block-size "$block" \
  --label Purchase --categorical User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3 \
  --top-k 5000 "${train_args[@]}"
