#!/usr/bin/env bash
# Trainer benchmark: our TorchSharp trainer against PyTorch (Debian python3-torch 1.13) on the same model
# (embeddings + --hidden 256,128), batch 512, epochs, learning rate, data and thread count, at 1 and 2 threads.
# PyTorch runs with OpenBLAS (libopenblas0-pthread; the reference BLAS Debian falls back to would be a crippled
# anchor): the script selects it and prints the BLAS library PyTorch actually loaded. Both sides: the shards decoded
# into memory before the clock starts, training samples/s over all epochs (validation excluded), --runs runs each
# after one warm-up run, ours and PyTorch's taken in turn; the verdict is the median of the runs' paired ratios
# (this machine's speed drifts by tens of percent over a minute: a pair shares the drift). Validation RMSE is printed
# beside them. Ours runs with its defaults (no --deterministic: see README). Also: the trainer
# archive's size and the trainer's start time (process start + libtorch initialisation). Not a test; never in CI.
#   scripts/bench-trainer.sh [--rows 200000] [--epochs 3] [--runs 5]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=200000 EPOCHS=3 RUNS=5
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --epochs) EPOCHS=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    *) echo "bench-trainer.sh: error: unknown option $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
W=scripts/bench/work/trainer
mkdir -p "$W"
log() { echo "$(date -u +%H:%M:%S) bench-trainer: $*" >&2; }

bash scripts/setup.sh --bench
. scripts/bench/torch-blas.sh
select_openblas
dotnet build scripts/LocalRunner/LocalRunner.csproj -c Release -nologo -v quiet >&2
{ [ -f dist/streaming-linux-x64.tgz ] && [ -x dist/trainer/trainer ]; } || bash scripts/publish.sh
T=${STREAMING_TRAINER:-dist/trainer/trainer} RUNNER=scripts/LocalRunner/bin/Release/net10.0/streaming-local
mkdir -p "$W/pb" && protoc -I tests/Support/Protos --python_out="$W/pb" tests/Support/Protos/feature.proto tests/Support/Protos/example.proto
log "PyTorch $TORCH_VERSION loaded BLAS: $TORCH_BLAS"

BF_CAT=User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3
if [ ! -f "$W/tv/_manifest.json" ]; then
  log "generating $ROWS rows and their shards"
  $RUNNER generate --rows "$ROWS" --seed 3 --output "$W/all.csv"
  awk 'NR == 1 { print > "'"$W"'/t.csv"; print > "'"$W"'/v.csv"; next } NR % 10 == 0 { print > "'"$W"'/v.csv"; next } { print > "'"$W"'/t.csv" }' "$W/all.csv"
  rm -rf "$W/tr" "$W/tv"
  STREAMING_ARCHIVE=$PWD/dist/bin bash hadoop-jobs/pipeline.sh --local --input "$W/t.csv" --output "$W/tr" --label Purchase --categorical "$BF_CAT" 2>/dev/null
  STREAMING_ARCHIVE=$PWD/dist/bin bash hadoop-jobs/to-tfrecords.sh --local --input "$W/v.csv" --output "$W/tv" --plan "$W/tr/tfrecords/_transform.json" 2>/dev/null
fi

ARGS="--epochs $EPOCHS --batch-size 512 --hidden 256,128 --lr 0.001"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
results=()
for threads in 1 2; do
  ours_sps=() theirs_sps=() ratios=()
  for ((i = 0; i <= RUNS; i++)); do
    log "threads $threads, run $i"
    rm -rf "$W/model"
    out=$($T train --data "$W/tr/tfrecords" --validation-data "$W/tv" --model "$W/model" $ARGS --patience 0 --threads "$threads" --device cpu 2>/dev/null)
    # Measured as the baseline measures itself: all epochs' samples over all epochs' training seconds (every epoch has
    # the same samples, so that is the harmonic mean of the per-epoch rates), validation excluded on both sides.
    sps=$(echo "$out" | grep -o '[0-9,]* samples/s' | tr -d ', samples/' | awk '{ s += 1 / $1; n++ } END { printf "%d", n / s }')
    rmse=$(echo "$out" | sed -n 's/^validation rmse: //p')
    # OpenBLAS keeps its own thread pool (all cores unless told): held to the same thread count as everything else.
    theirs=$(OPENBLAS_NUM_THREADS=$threads $PY scripts/baselines/torch_train.py "$W/pb" "$W/tr/tfrecords" "$W/tv" $ARGS --threads "$threads")
    [ "$i" -gt 0 ] || continue
    ours_sps+=("$sps")
    theirs_sps+=("$($PY -c 'import json,sys; print(round(json.loads(sys.argv[1])["samples_per_second"]))' "$theirs")")
    ratios+=("$($PY -c "print(f'{$sps / ${theirs_sps[-1]}:.3f}')")")
    echo "threads $threads run $i: ours $sps samples/s (val RMSE $rmse); PyTorch $theirs" >&2
  done
  o=$(printf '%s\n' "${ours_sps[@]}" | median) p=$(printf '%s\n' "${theirs_sps[@]}" | median)
  ratio=$(printf '%s\n' "${ratios[@]}" | median)
  verdict=$($PY -c "print('PASS' if $ratio >= 1.0 else 'FAIL')")
  results+=("{\"threads\": $threads, \"ours_samples_per_second\": $o, \"pytorch_samples_per_second\": $p, \"paired_ratios\": [$(IFS=,; echo "${ratios[*]}")], \"ratio\": $ratio, \"target\": 1.0, \"verdict\": \"$verdict\"}")
  printf 'training, %d thread(s): ours %s samples/s, PyTorch+OpenBLAS %s samples/s (medians); paired ratios %s: median %s (target >= 1.0) %s\n' \
    "$threads" "$o" "$p" "${ratios[*]}" "$ratio" "$verdict"
done

size=$(stat -c %s dist/trainer-linux-x64-cpu.tgz 2>/dev/null || echo 0)
printf 'x\n' > "$W/one.csv"
starts=()
for i in 1 2 3 4 5; do
  t0=$EPOCHREALTIME; $T evaluate --model "$W/model" --data "$W/tv" --device cpu >/dev/null 2>&1; t1=$EPOCHREALTIME
  starts+=($(( (10#${t1/./} - 10#${t0/./}) / 1000 )))
done
start_ms=$(printf '%s\n' "${starts[@]}" | median)
printf 'trainer archive: %d bytes (%.0f MB); trainer evaluate of %s validation records, start to exit: %s ms\n' "$size" "$($PY -c "print($size/1e6)")" \
  "$(grep -m1 '"records"' "$W/tv/_manifest.json" | tr -dc 0-9)" "$start_ms"
printf '{"pytorch_blas": "%s", "rows": %d, "train": [%s], "trainer_archive_bytes": %d, "trainer_evaluate_ms": %s}\n' \
  "$TORCH_BLAS" "$ROWS" "$(IFS=,; echo "${results[*]}")" "$size" "$start_ms" > scripts/bench/trainer-results.json
log "results in scripts/bench/trainer-results.json"
