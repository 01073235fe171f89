#!/usr/bin/env bash
# Benchmarks: our executables against the tools a user would otherwise use, measured side by side in one run on this
# machine. Median of --runs runs after one warm-up; wall time and peak RSS; a table and scripts/bench/results.json
# with MB/s, rows/s, peak RSS and ratios to the baselines, PASS/FAIL per target. Not a test; never run by CI.
#   scripts/bench.sh [--size-mb 1024] [--python-mb 32] [--runs 3] [--train-rows 100000] [--micro]
set -euo pipefail
cd "$(dirname "$0")/.."
SIZE_MB=1024 PY_MB=32 RUNS=3 TRAIN_ROWS=100000 MICRO=0
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) SIZE_MB=$2; shift 2 ;;
    --python-mb) PY_MB=$2; shift 2 ;;
    --runs) RUNS=$2; shift 2 ;;
    --train-rows) TRAIN_ROWS=$2; shift 2 ;;
    --micro) MICRO=1; shift ;;
    *) echo "bench.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
PY=/usr/bin/python3
W=scripts/bench/work
RAW=$W/raw.tsv
mkdir -p "$W"
: > "$RAW"
rm -f "$W/train.tsv" "$W/start.txt" "$W/start-empty.txt" "$W/read.txt" "$W/ceilings.json" scripts/bench/results.json
log() { echo "$(date -u +%H:%M:%S) bench: $*" >&2; }

log "building (Release), publishing, installing baselines' packages"
bash scripts/setup.sh --bench
dotnet build Streaming.sln -c Release -nologo -v quiet >&2
bash scripts/publish.sh   # always: a stale dist/ would measure old code
. scripts/bench/torch-blas.sh
select_openblas   # PyTorch on OpenBLAS, not Debian's reference BLAS
log "PyTorch $TORCH_VERSION loaded BLAS: $TORCH_BLAS"
RUNNER=scripts/LocalRunner/bin/Release/net10.0/streaming-local
BENCH=scripts/Benchmarks/bin/Release/net10.0/Benchmarks
M=dist/bin/mapper T=dist/trainer/trainer
mkdir -p "$W/pb" && protoc -I tests/Support/Protos --python_out="$W/pb" tests/Support/Protos/feature.proto tests/Support/Protos/example.proto

# ---- inputs: the real data enlarged (IDs varied per repetition), deterministic
BF_COLS=User_ID,Product_ID,Gender,Age,Occupation,City_Category,Stay_In_Current_City_Years,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3,Purchase
BF_CAT=User_ID,Product_ID,Occupation,Marital_Status,Product_Category_1,Product_Category_2,Product_Category_3
AD_COLS=age,workclass,fnlwgt,education,education-num,marital-status,occupation,relationship,race,sex,capital-gain,capital-loss,hours-per-week,native-country,income
BF=$W/blackfriday-${SIZE_MB}mb.csv AD=$W/adult-${SIZE_MB}mb.csv
if [ ! -f "$BF" ]; then
  if [ -f ../shared/data/blackfriday_sample.csv ]; then $RUNNER enlarge --input ../shared/data/blackfriday_sample.csv --output "$BF" --size-mb "$SIZE_MB" --vary 0,1
  else $RUNNER generate --rows $((SIZE_MB * 21500)) --output "$BF"; fi
fi
if [ ! -f "$AD" ] && [ -f ../shared/data/adult.data ]; then
  $RUNNER enlarge --input ../shared/data/adult.data --output "$AD" --size-mb "$SIZE_MB" --no-header --vary 2
fi
head -c $((PY_MB << 20)) "$BF" | sed '$d' > "$W/bf-slice.csv"
bytes() { stat -c %s "$1"; }
rows() { wc -l < "$1"; }

# once NAME INPUT_BYTES ROWS CMD RUN: one timed run (wall time; CMD may write the peak RSS (KB) of its main process to
# $RSS via /usr/bin/time -o); run 0 is the warm-up and is not recorded. The file named by $WARM is read first, untimed:
# this VM's memory manager (DAMON reclaim) evicts page cache within seconds, and every contestant is meant to read
# its input from memory (cat shows the I/O ceiling of a pipe, not of the disk).
once() {
  local name=$1 in_bytes=$2 nrows=$3 cmd=$4 i=$5 t0 t1 rss=0
  export RSS=$W/rss.txt; rm -f "$RSS"
  [ -n "${WARM:-}" ] && cat "$WARM" > /dev/null
  t0=$EPOCHREALTIME
  bash -c "$cmd" > /dev/null
  t1=$EPOCHREALTIME
  [ -f "$RSS" ] && rss=$(tail -1 "$RSS")
  [ "$i" -gt 0 ] && printf '%s\t%s\t%s\t%s\t%s\n' "$name" "$in_bytes" "$nrows" "$(echo "$t1 - $t0" | bc)" "$rss" >> "$RAW"
  return 0
}
# measure NAME INPUT_BYTES ROWS CMD [NAME INPUT_BYTES ROWS CMD]: median wall time over RUNS after a warm-up. Given a
# second contestant, the two alternate run by run, so that a ratio between them is not skewed by the load of this
# shared machine drifting between one contestant's runs and the other's.
measure() {
  local i
  log "$1${5:+ / $5}"
  for ((i = 0; i <= RUNS; i++)); do
    once "$1" "$2" "$3" "$4" "$i"
    [ $# -gt 4 ] && once "$5" "$6" "$7" "$8" "$i"
  done
  return 0
}
TIME="/usr/bin/time -f %M -o \$RSS"

BFB=$(bytes "$BF") BFR=$(rows "$BF") SLB=$(bytes "$W/bf-slice.csv") SLR=$(rows "$W/bf-slice.csv")
WARM=$BF measure "cat" "$BFB" "$BFR" "cat $BF | cat" \
  "ours: mapper stats" "$BFB" "$BFR" "cat $BF | $TIME $M stats --columns $BF_COLS --categorical $BF_CAT"
# DuckDB's SUMMARIZE of the same file with the same two threads: a columnar engine's statistics, the fair anchor.
# Paired run by run with ours reading the same file (stdin redirected from it, no pipe, as DuckDB reads it itself):
# this VM's speed drifts by up to 2x within minutes, and a ratio of runs minutes apart would measure the drift.
WARM=$BF measure "duckdb: SUMMARIZE (2 threads)" "$BFB" "$BFR" "$TIME node scripts/bench/duckdb/summarize.mjs $BF 2" \
  "ours: mapper stats < file (2 threads)" "$BFB" "$BFR" "$TIME $M stats --threads 2 --columns $BF_COLS --categorical $BF_CAT < $BF"
WARM=$BF measure "ours: mapper stats --threads 1" "$BFB" "$BFR" "cat $BF | $TIME $M stats --threads 1 --columns $BF_COLS --categorical $BF_CAT"
if [ -f "$AD" ]; then
  WARM=$AD measure "cat (adult)" "$(bytes "$AD")" "$(rows "$AD")" "cat $AD | cat" \
    "ours: mapper stats (adult)" "$(bytes "$AD")" "$(rows "$AD")" "cat $AD | $TIME $M stats --header none --columns $AD_COLS"
fi
WARM=$W/bf-slice.csv measure "python: stats mapper" "$SLB" "$SLR" "cat $W/bf-slice.csv | $TIME $PY scripts/baselines/stats_mapper.py --columns $BF_COLS"
WARM=$W/bf-slice.csv measure "python: stats mapper|sort|reducer" "$SLB" "$SLR" "cat $W/bf-slice.csv | $PY scripts/baselines/stats_mapper.py --columns $BF_COLS | LC_ALL=C sort | $PY scripts/baselines/stats_reducer.py"

# The plan both transforms use: statistics of the whole input through our job.
rm -rf "$W/stats" && $RUNNER -D fs.local.block.size=$((BFB / 2 + 1)) -input "$BF" -output "$W/stats" -mapper "$M stats --columns $BF_COLS --categorical $BF_CAT" \
  -combiner "dist/bin/reducer stats" -reducer "dist/bin/reducer stats" -numReduceTasks 2 2>/dev/null
$M plan --stats "$W/stats" --label Purchase --categorical "$BF_CAT" --top-k 10000 -o "$W/_transform.json" 2>/dev/null
WARM=$BF measure "cat (transform pair)" "$BFB" "$BFR" "cat $BF | cat" \
  "ours: mapper transform --threads 2" "$BFB" "$BFR" "rm -rf $W/tf && cat $BF | $TIME $M transform --threads 2 --plan $W/_transform.json --output-dir $W/tf"
WARM=$BF measure "ours: mapper transform --threads 1" "$BFB" "$BFR" "rm -rf $W/tf && cat $BF | $TIME $M transform --threads 1 --plan $W/_transform.json --output-dir $W/tf"
# ---- ceilings, on the slice: rates that no change to our other steps could exceed on this machine (CPU time, one
# thread, best of three; the aggregate compares the throughput targets with them).
#  - transform: a gzip shard's compression step alone (deflate + gzip CRC, the shards' level, the transform's 64 KiB
#    runs) over the slice's framed Examples, uncompressed, per CSV byte they came from;
#  - statistics: the CSV line and field split alone (no statistic), the first step of every row.
sed 's/"compression": *"gzip"/"compression": "none"/' "$W/_transform.json" > "$W/_transform-none.json"
rm -rf "$W/tfn" && $M transform --threads 1 --plan "$W/_transform-none.json" --output-dir "$W/tfn" < "$W/bf-slice.csv" > /dev/null 2>&1
$BENCH deflate "$W/tfn/part-m-00000.tfrecord" "$SLB" > "$W/ceilings.json"
rm -rf "$W/tfn"
split_s=$(PHASES=parse $BENCH phases "$W/bf-slice.csv" | awk '{ print $2 }')
echo "{\"split_mb_per_s\": $(echo "scale=1; $SLB / 1000000 / $split_s" | bc)}" >> "$W/ceilings.json"
WARM=$W/bf-slice.csv measure "python: transform mapper" "$SLB" "$SLR" "cat $W/bf-slice.csv | $TIME $PY scripts/baselines/transform_mapper.py $W/_transform.json $W/pb $W/py.tfrecord.gz"
WARM=$W/bf-slice.csv measure "pandas+sklearn" "$SLB" "$SLR" "$TIME $PY scripts/baselines/pandas_pipeline.py $W/bf-slice.csv $W/pb $W/pd.tfrecord.gz --label Purchase --categorical $BF_CAT"
WARM=$BF measure "ours: local pipeline (2 maps)" "$BFB" "$BFR" "rm -rf $W/pl && STREAMING_ARCHIVE=\$PWD/dist/bin bash hadoop-jobs/pipeline.sh --local --input $BF --output $W/pl --block-size $((BFB / 2 + 1)) -D mapreduce.local.map.tasks.maximum=2 --label Purchase --categorical $BF_CAT --top-k 10000 2>/dev/null"

# ---- the trainer's input pipeline alone (`trainer read`: shards read, CRC-checked, gunzipped, decoded, interleaved,
# shuffled through the default streaming buffer, batched; no model) over the local pipeline's shards of the whole
# input: examples/s of each epoch after the first (median), and peak RSS.
log "trainer input pipeline"
/usr/bin/time -f %M -o "$W/read-rss.txt" $T read --data "$W/pl/tfrecords" --cache off --epochs $((RUNS + 1)) 2>/dev/null \
  | sed -n 's/^epoch \([0-9]*\): .* s: \([0-9,]*\) examples\/s.*/\1\t\2/p' | tr -d , | awk -F'\t' '$1 > 1 { print $2 }' > "$W/read.txt"
echo "rss $(tail -1 "$W/read-rss.txt")" >> "$W/read.txt"

# ---- training: the same MLP, batch, epochs, threads, data (train/validation shards made by our transform)
$RUNNER generate --rows "$TRAIN_ROWS" --seed 3 --output "$W/train-all.csv"
awk 'NR == 1 { print > "'"$W"'/t.csv"; print > "'"$W"'/v.csv"; next } NR % 10 == 0 { print > "'"$W"'/v.csv"; next } { print > "'"$W"'/t.csv" }' "$W/train-all.csv"
rm -rf "$W/tr" && STREAMING_ARCHIVE=$PWD/dist/bin bash hadoop-jobs/pipeline.sh --local --input "$W/t.csv" --output "$W/tr" --label Purchase --categorical "$BF_CAT" 2>/dev/null
rm -rf "$W/tv" && STREAMING_ARCHIVE=$PWD/dist/bin bash hadoop-jobs/to-tfrecords.sh --local --input "$W/v.csv" --output "$W/tv" --plan "$W/tr/tfrecords/_transform.json" 2>/dev/null
TRARGS="--epochs 4 --batch-size 256 --hidden 128,64 --lr 0.001"
for ((i = 0; i <= RUNS; i++)); do
  log "trainer vs pytorch, run $i"
  rm -rf "$W/model"
  ours=$($T train --data "$W/tr/tfrecords" --validation-data "$W/tv" --model "$W/model" $TRARGS --patience 0 --threads 2 2>/dev/null)
  sps=$(echo "$ours" | grep -o '[0-9,]* samples/s' | tr -d ', samples/' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  rmse=$(echo "$ours" | sed -n 's/^validation rmse: //p')
  # OpenBLAS keeps its own thread pool (every core unless told): held to the run's two threads.
  theirs=$(OPENBLAS_NUM_THREADS=2 $PY scripts/baselines/torch_train.py "$W/pb" "$W/tr/tfrecords" "$W/tv" $TRARGS --threads 2)
  [ "$i" -gt 0 ] && printf 'train\t%s\t%s\t%s\n' "$sps" "$rmse" "$theirs" >> "$W/train.tsv"
done

# ---- WebHDFS read vs curl, same file, same server
# The whole input, read 4 times over by one process each (curl: 4 URLs in one invocation), as a trainer reads many
# shards: a transfer of ~4 GB, so that process start (ours: a JIT-compiled process, ~0.15 s) is not what is compared.
coproc SERVER { $BENCH webhdfs-serve "$BF"; }
read -r NN <&"${SERVER[0]}"
REPEAT=4
WB=$((BFB * REPEAT))
URL="http://$NN/webhdfs/v1/bench/data?op=OPEN&user.name=bench"
CURL_ARGS=$(for ((i = 0; i < REPEAT; i++)); do printf " '%s' -o /dev/null" "$URL"; done)
measure "curl: WebHDFS OPEN" "$WB" 0 "curl -sfL $CURL_ARGS" \
  "ours: WebHDFS OPEN" "$WB" 0 "$BENCH webhdfs-read webhdfs://$NN/bench/data $REPEAT"
exec {SERVER[1]}>&-
wait "$SERVER_PID" 2>/dev/null || true

# ---- process start of the published mapper, beside the floor: a .NET program that does nothing, published alike
log "process start"
dotnet publish scripts/bench/empty-program/EmptyProgram.csproj -c Release -r linux-x64 --self-contained -nologo -v quiet \
  -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:InvariantGlobalization=true \
  -p:DebugType=none -p:EventSourceSupport=false -o "$W/empty-program" >&2
# Timed with bash's own clock ($EPOCHREALTIME): no `date` process is started inside the measured interval. The two
# alternate, so that both see the same load.
for i in $(seq 1 21); do
  t0=$EPOCHREALTIME; $M stats < /dev/null > /dev/null 2>&1; t1=$EPOCHREALTIME
  echo $(( 10#${t1/./} - 10#${t0/./} )) >> "$W/start.txt"
  t0=$EPOCHREALTIME; "$W/empty-program/empty-program" < /dev/null > /dev/null 2>&1; t1=$EPOCHREALTIME
  echo $(( 10#${t1/./} - 10#${t0/./} )) >> "$W/start-empty.txt"
done

$PY scripts/bench/aggregate.py "$RAW" "$W/train.tsv" "$W/start.txt" scripts/bench/results.json "$W/read.txt" "$W/start-empty.txt" "$W/ceilings.json"
if [ "$MICRO" = 1 ]; then
  log "BenchmarkDotNet micro-benchmarks"
  (cd "$W" && ../../../$BENCH micro --filter '*' --job short --exporters json)
fi
