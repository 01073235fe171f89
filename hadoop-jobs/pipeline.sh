#!/usr/bin/env bash
# The whole preprocessing pipeline, as mrjob would run its steps: column statistics → transform plan → TFRecords
# (→ training, with --train). Outputs: OUT/stats/, OUT/tfrecords/ (shards, _transform.json, _manifest.json),
# OUT/model/ (with --train). Every step is skipped when its output is complete, so a re-run after a failure redoes
# only what is missing (--overwrite redoes all). --local runs the identical steps through the local runner.
#   pipeline.sh --input IN --output OUT [--label COL] [plan options] [--train "trainer options"] [--local] [--dry-run]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
PLAN_ARGS=() SHUFFLE_ARGS=() TRAIN="" TRAIN_SET=0 WEBHDFS=""
parse_extra() {
  case "$1" in
    --label|--label-missing|--label-alias|--task|--drop|--impute|--scale|--encoding|--top-k|--min-count|--oov-buckets|--missing-indicator|--compression)
      [ $# -ge 2 ] || die "$1 needs a value"; PLAN_ARGS+=("$1" "$2"); CONSUMED=2 ;;
    --shuffle) SHUFFLE_ARGS+=(--shuffle); CONSUMED=1 ;;
    --seed) SHUFFLE_ARGS+=(--seed "$2"); CONSUMED=2 ;;
    --train) TRAIN=$2; TRAIN_SET=1; CONSUMED=2 ;;
    --webhdfs) WEBHDFS=$2; CONSUMED=2 ;;
  esac
}
parse_args "$@"
setup_runner
if [ "$TRAIN_SET" = 1 ] && [ "$LOCAL" = 0 ] && [ -z "$WEBHDFS" ]; then die "--train on a cluster needs --webhdfs nn:9870 (where the trainer reads the shards)"; fi
[ -n "$COLUMNS" ] || COLUMNS=$(detect_columns "$INPUT" "$HEADER")
[ -n "${COLUMNS_PRINTED:-}" ] || dry_columns "$INPUT"
export COLUMNS_PRINTED=1
[ -n "$COLUMNS" ] || die "could not read a header line from $INPUT: pass --columns"
# Names are checked against the header before the first job is submitted (a typo must not cost a cluster job).
check_names --categorical "$CATEGORICAL" "$COLUMNS"
for ((i = 0; i < ${#PLAN_ARGS[@]}; i += 2)); do
  case "${PLAN_ARGS[i]}" in --label|--drop) check_names "${PLAN_ARGS[i]}" "${PLAN_ARGS[i+1]}" "$COLUMNS" ;; esac
done

pass=()
[ "$LOCAL" = 1 ] && pass+=(--local)
[ "$DRY_RUN" = 1 ] && pass+=(--dry-run)
[ "$OVERWRITE" = 1 ] && pass+=(--overwrite)
common=(--input "$INPUT" --columns "$COLUMNS" --header "$HEADER" --delimiter "$DELIMITER" --max-bad-fraction "$MAX_BAD")
[ -n "$MAPS" ] && common+=(--maps "$MAPS")
[ -n "$BLOCK_SIZE" ] && common+=(--block-size "$BLOCK_SIZE")
[ -n "$QUEUE" ] && common+=(--queue "$QUEUE")
for ((i = 0; i < ${#EXTRA[@]}; i += 2)); do common+=(-D "${EXTRA[i+1]}"); done

# Where the trainer reads and writes: on a cluster it runs here, reads the shards over WebHDFS, writes a local model.
data="$OUTPUT/tfrecords" model="$OUTPUT/model"
if [ "$LOCAL" = 0 ]; then p=${OUTPUT#hdfs://*/}; data="webhdfs://$WEBHDFS/${p#/}/tfrecords"; model="./model-$(basename "$OUTPUT")"; fi
if [ "$TRAIN_SET" = 1 ] && [ "$DRY_RUN" = 0 ]; then
  # Bad trainer options must fail now, not after both jobs.
  # shellcheck disable=SC2086
  tool trainer train --data "$data" --model "$model" $TRAIN --check || exit $?
fi

log "step 1/3: column statistics → $OUTPUT/stats"
COUNTERS_FILE= bash "$HJ_DIR/column-stats.sh" "${common[@]}" --output "$OUTPUT/stats" --reducers "$REDUCERS" \
  ${CATEGORICAL:+--categorical "$CATEGORICAL"} "${pass[@]}"

log "step 2/3: transform plan"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plan_cmd=(mapper plan --stats "$tmp/stats.jsonl" --columns "$COLUMNS" --header "$HEADER" --delimiter "$DELIMITER"
  ${CATEGORICAL:+--categorical "$CATEGORICAL"} "${PLAN_ARGS[@]}" -o "$tmp/_transform.json")
plan_file=$tmp/_transform.json
if [ "$DRY_RUN" = 1 ]; then
  # Replayable: the statistics into ./stats.jsonl, the plan into ./_transform.json, job 2 ships ./_transform.json.
  echo "$(fs_cmd cat) $(printf %q "$OUTPUT/stats")/part-* > stats.jsonl"
  plan_cmd=(mapper plan --stats stats.jsonl --columns "$COLUMNS" --header "$HEADER" --delimiter "$DELIMITER"
    ${CATEGORICAL:+--categorical "$CATEGORICAL"} "${PLAN_ARGS[@]}" -o _transform.json)
  dry "$(tool_bin mapper)" "${plan_cmd[@]:1}"
  plan_file=_transform.json
else
  mapfile -t parts < <(fs_parts "$OUTPUT/stats")
  fs_cat "${parts[@]}" > "$tmp/stats.jsonl"
  tool "${plan_cmd[@]}" || exit $?
fi

log "step 3/3: TFRecords → $OUTPUT/tfrecords"
tf_reducers=()
[ ${#SHUFFLE_ARGS[@]} -gt 0 ] && tf_reducers=(--reducers "$REDUCERS")
bash "$HJ_DIR/to-tfrecords.sh" "${common[@]}" --output "$OUTPUT/tfrecords" --plan "$plan_file" \
  "${SHUFFLE_ARGS[@]}" "${tf_reducers[@]}" "${pass[@]}"

if [ "$TRAIN_SET" = 1 ]; then
  # shellcheck disable=SC2086
  log "step 4: training on $data → $model"
  train_cmd=(trainer train --data "$data" --model "$model" $TRAIN)
  if [ "$DRY_RUN" = 1 ]; then dry "$(tool_bin trainer)" "${train_cmd[@]:1}"; else tool "${train_cmd[@]}"; fi
fi
log "done: $OUTPUT"
