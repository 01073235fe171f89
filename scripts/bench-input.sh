#!/usr/bin/env bash
# Trainer input benchmark: the training input pipeline alone (`trainer read`: shards read, CRC-checked, gunzipped,
# decoded, interleaved, shuffled, batched; no model) on --rows generated Black Friday-like rows transformed into
# gzip TFRecord shards by the local pipeline. For --cache on (every row decoded into memory) and --cache off (streamed
# through the default shuffle buffer): examples/s of the second epoch and peak RSS (/usr/bin/time -v), so the memory
# bound of streaming is seen beside the in-memory figure on the same data. Not a test; never in CI.
# --compression none writes the shards uncompressed (`mapper plan --compression none`): then decoding and batching are
# measured without gzip's inflate, which alone caps a core at ~150 MB/s of records.
#   scripts/bench-input.sh [--rows 5000000] [--shards 8] [--compression gzip|none]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=5000000 SHARDS=8 COMPRESSION=gzip
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS=$2; shift 2 ;;
    --shards) SHARDS=$2; shift 2 ;;
    --compression) COMPRESSION=$2; shift 2 ;;
    *) echo "bench-input.sh: error: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$COMPRESSION" in gzip) SUFFIX= ;; none) SUFFIX=-none ;; *) echo "bench-input.sh: error: --compression must be gzip or none" >&2; exit 2 ;; esac
W=scripts/bench/work/input-$ROWS$SUFFIX
mkdir -p "$W"
log() { echo "$(date -u +%H:%M:%S) bench-input: $*" >&2; }
dotnet build scripts/LocalRunner/LocalRunner.csproj -c Release -nologo -v quiet >&2
{ [ -f dist/streaming-linux-x64.tgz ] && [ -x dist/trainer/trainer ]; } || bash scripts/publish.sh
T=${STREAMING_TRAINER:-dist/trainer/trainer} RUNNER=scripts/LocalRunner/bin/Release/net10.0/streaming-local
BF_CAT=User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3
if [ ! -f "$W/out/tfrecords/_manifest.json" ]; then
  log "generating $ROWS rows and their shards"
  $RUNNER generate --rows "$ROWS" --seed 3 --output "$W/all.csv"
  rm -rf "$W/out"
  # About SHARDS map tasks: the local runner splits the input by block size.
  block=$(( $(stat -c %s "$W/all.csv") / SHARDS + 1 ))
  STREAMING_ARCHIVE=$PWD/dist/bin bash hadoop-jobs/pipeline.sh --local --input "$W/all.csv" --output "$W/out" --label Purchase \
    --categorical "$BF_CAT" --compression "$COMPRESSION" --block-size "$block" 2>/dev/null
  rm -f "$W/all.csv"
fi
shards=$(ls "$W/out/tfrecords" | grep -c tfrecord)
results=()
for cache in on off; do
  log "cache $cache"
  out=$(/usr/bin/time -v "$T" read --data "$W/out/tfrecords" --cache "$cache" --epochs 2 2> "$W/time-$cache.txt")
  rate=$(echo "$out" | sed -n 's/^epoch 2: .* s: \([0-9,]*\) examples\/s.*/\1/p' | tr -d ,)
  rss=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$W/time-$cache.txt")
  buffer=$(grep -o 'shuffle buffer [0-9,]* examples ([0-9]* MB)' "$W/time-$cache.txt" || echo "in memory")
  printf 'cache %s: %s examples/s (epoch 2), peak RSS %d MB; %s\n' "$cache" "$rate" $((rss / 1024)) "$buffer"
  results+=("{\"cache\": \"$cache\", \"examples_per_second\": $rate, \"peak_rss_kb\": $rss}")
done
printf '{"rows": %d, "shards": %d, "compression": "%s", "cores": %d, "read": [%s]}\n' "$ROWS" "$shards" "$COMPRESSION" "$(nproc)" "$(IFS=,; echo "${results[*]}")" \
  > "scripts/bench/input-results-$ROWS$SUFFIX.json"
log "results in scripts/bench/input-results-$ROWS$SUFFIX.json"
