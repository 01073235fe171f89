#!/usr/bin/env bash
# The whole preprocessing pipeline, as mrjob would run its steps: column statistics → transform plan → TFRecords
# (→ training, with --train). Outputs: OUT/stats/, OUT/tfrecords/ (shards, _transform.json, _manifest.json),
# OUT/model/ (with --train). Every step is skipped when its output is complete, so a re-run after a failure redoes
# only what is missing (--overwrite redoes all). --local runs the identical steps through the local runner.
# Data validation (a cron job's morning question): --schema FILE (a local file; written from this run's statistics when
# it does not exist yet, later runs are checked against it) and/or --baseline STATS (an earlier run's OUT/stats): the
# statistics are validated before the transform, OUT/validation.json and OUT/report.html are written, and the pipeline
# stops with exit 1 on anomalies or drift above a threshold unless --allow-drift. OUT/report.html is written every run.
#   pipeline.sh --input IN --output OUT [--label COL] [plan options] [--schema FILE] [--baseline STATS] [--allow-drift]
#               [--train "trainer options"] [--local] [--dry-run]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
PLAN_ARGS=() SHUFFLE_ARGS=() TRAIN="" TRAIN_SET=0 WEBHDFS="" SCHEMA="" BASELINE="" ALLOW_DRIFT=0
parse_extra() {
  case "$1" in
    --label|--label-missing|--label-alias|--task|--drop|--numeric|--impute|--scale|--encoding|--top-k|--bins|--min-count|--oov-buckets|--missing-indicator|--compression)
      [ $# -ge 2 ] || die "$1 needs a value"; PLAN_ARGS+=("$1" "$2"); CONSUMED=2 ;;
    --shuffle) SHUFFLE_ARGS+=(--shuffle); CONSUMED=1 ;;
    --seed) SHUFFLE_ARGS+=(--seed "$2"); CONSUMED=2 ;;
    --train) TRAIN=$2; TRAIN_SET=1; CONSUMED=2 ;;
    --webhdfs) WEBHDFS=$2; CONSUMED=2 ;;
    --schema) [ $# -ge 2 ] || die "$1 needs a value"; SCHEMA=$2; CONSUMED=2 ;;
    --baseline) [ $# -ge 2 ] || die "$1 needs a value"; BASELINE=$2; CONSUMED=2 ;;
    --allow-drift) ALLOW_DRIFT=1; CONSUMED=1 ;;
  esac
}
parse_args "$@"
setup_runner
if [ -n "$SCHEMA" ] && [ -e "$SCHEMA" ] && [ "$DRY_RUN" = 0 ]; then
  # A given schema must be readable now, not after the statistics job.
  tool mapper validate --stats /dev/null --schema "$SCHEMA" >/dev/null 2>&1 || [ $? -ne 2 ] || die "--schema $SCHEMA is not a schema (mapper schema writes one)"
fi
if [ -n "$BASELINE" ] && [ "$DRY_RUN" = 0 ]; then fs_exists "$BASELINE" || die "--baseline $BASELINE: no such statistics directory"; fi
if [ "$TRAIN_SET" = 1 ] && [ "$LOCAL" = 0 ] && [ -z "$WEBHDFS" ]; then die "--train on a cluster needs --webhdfs nn:9870 (where the trainer reads the shards)"; fi
[ -n "$COLUMNS" ] || COLUMNS=$(detect_columns "$INPUT" "$HEADER")
check_unique_columns "$COLUMNS"
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

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "$DRY_RUN" = 0 ]; then
  mapfile -t parts < <(fs_parts "$OUTPUT/stats")
  fs_cat "${parts[@]}" > "$tmp/stats.jsonl"
fi

log "step 1b: data validation and report → $OUTPUT/report.html"
val_args=() report_args=() validation_failed=0
if [ "$DRY_RUN" = 1 ]; then
  echo "$(fs_cmd cat) $(printf %q "$OUTPUT/stats")/part-* > stats.jsonl"
  [ -n "$BASELINE" ] && echo "$(fs_cmd cat) $(printf %q "$BASELINE")/part-* > baseline.jsonl" && val_args+=(--baseline baseline.jsonl) && report_args+=(--baseline baseline.jsonl)
  if [ -n "$SCHEMA" ] && [ ! -e "$SCHEMA" ]; then dry "$(tool_bin mapper)" schema --stats stats.jsonl -o "$SCHEMA"
  elif [ -n "$SCHEMA" ]; then val_args+=(--schema "$SCHEMA"); fi
  if [ ${#val_args[@]} -gt 0 ]; then dry "$(tool_bin mapper)" validate --stats stats.jsonl "${val_args[@]}" -o validation.json; report_args+=(--validation validation.json); fi
  dry "$(tool_bin mapper)" report --stats stats.jsonl "${report_args[@]}" -o report.html
else
  if [ -n "$SCHEMA" ] && [ ! -e "$SCHEMA" ]; then
    tool mapper schema --stats "$tmp/stats.jsonl" -o "$SCHEMA" || exit $?
    log "schema written to $SCHEMA from this run's statistics: later runs are validated against it (edit it to taste)"
  elif [ -n "$SCHEMA" ]; then val_args+=(--schema "$SCHEMA"); fi
  if [ -n "$BASELINE" ]; then
    mapfile -t bparts < <(fs_parts "$BASELINE")
    [ ${#bparts[@]} -gt 0 ] || die "--baseline $BASELINE: no part-* statistics files in it"
    fs_cat "${bparts[@]}" > "$tmp/baseline.jsonl"
    val_args+=(--baseline "$tmp/baseline.jsonl") report_args+=(--baseline "$tmp/baseline.jsonl")
  fi
  if [ ${#val_args[@]} -gt 0 ]; then
    if tool mapper validate --stats "$tmp/stats.jsonl" "${val_args[@]}" -o "$tmp/validation.json"; then :
    else rc=$?; [ "$rc" = 1 ] || exit "$rc"; validation_failed=1; fi
    fs_put "$tmp/validation.json" "$OUTPUT/validation.json"
    report_args+=(--validation "$tmp/validation.json")
  fi
  for ((i = 0; i < ${#PLAN_ARGS[@]}; i += 2)); do [ "${PLAN_ARGS[i]}" = --label ] && report_args+=(--label "${PLAN_ARGS[i+1]}"); done
  tool mapper report --stats "$tmp/stats.jsonl" "${report_args[@]}" --title "Statistics of $INPUT" -o "$tmp/report.html" || exit $?
  fs_put "$tmp/report.html" "$OUTPUT/report.html"
  if [ "$validation_failed" = 1 ]; then
    if [ "$ALLOW_DRIFT" = 1 ]; then log "validation found anomalies or drift (see $OUTPUT/validation.json): going on, --allow-drift"
    else
      echo "$(basename "$0"): validation failed: anomalies or drift above a threshold (see $OUTPUT/report.html and $OUTPUT/validation.json); nothing transformed. Fix the data, edit the schema, or rerun with --allow-drift" >&2
      exit 1
    fi
  fi
fi

log "step 2/3: transform plan"
plan_cmd=(mapper plan --stats "$tmp/stats.jsonl" --columns "$COLUMNS" --header "$HEADER" --delimiter "$DELIMITER"
  ${CATEGORICAL:+--categorical "$CATEGORICAL"} "${PLAN_ARGS[@]}" -o "$tmp/_transform.json")
plan_file=$tmp/_transform.json
if [ "$DRY_RUN" = 1 ]; then
  # Replayable: the statistics are in ./stats.jsonl (above), the plan into ./_transform.json, job 2 ships it.
  plan_cmd=(mapper plan --stats stats.jsonl --columns "$COLUMNS" --header "$HEADER" --delimiter "$DELIMITER"
    ${CATEGORICAL:+--categorical "$CATEGORICAL"} "${PLAN_ARGS[@]}" -o _transform.json)
  dry "$(tool_bin mapper)" "${plan_cmd[@]:1}"
  plan_file=_transform.json
else
  tool "${plan_cmd[@]}" || exit $?
fi

log "step 3/3: TFRecords → $OUTPUT/tfrecords"
tf_reducers=()
[ ${#SHUFFLE_ARGS[@]} -gt 0 ] && tf_reducers=(--reducers "$REDUCERS")
bash "$HJ_DIR/to-tfrecords.sh" "${common[@]}" --output "$OUTPUT/tfrecords" --plan "$plan_file" \
  "${SHUFFLE_ARGS[@]}" "${tf_reducers[@]}" "${pass[@]}"

if [ "$TRAIN_SET" = 1 ]; then
  # shellcheck disable=SC2086
  train_cmd=(trainer train --data "$data" --model "$model" $TRAIN)
  if [ "$DRY_RUN" = 1 ]; then
    log "step 4: training on $data → $model"
    dry "$(tool_bin trainer)" "${train_cmd[@]:1}"
  else
    # Skipped like the jobs when the model was trained from these very shards with these options: the shards' own
    # step fingerprint (input listing, plan and job options) and the trainer's options and version make its mark,
    # written into the model directory after the trainer swapped it in whole (a model without it is retrained).
    train_fp=$( { echo "train $TRAIN"; echo "data $data"; fs_cat "$OUTPUT/tfrecords/$STEP_MARKER" 2>/dev/null
      echo "streaming $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"; } | sha256sum | cut -c1-32)
    if [ "$OVERWRITE" = 0 ] && [ -f "$model/model.json" ] && [ "$(head -1 "$model/$STEP_MARKER" 2>/dev/null)" = "$train_fp" ]; then
      log "$model is complete (fingerprint $train_fp): skipping training (use --overwrite to redo)"
    else
      log "step 4: training on $data → $model"
      tool "${train_cmd[@]}" || exit $?
      echo "$train_fp" > "$model/$STEP_MARKER.tmp" && mv "$model/$STEP_MARKER.tmp" "$model/$STEP_MARKER"
    fi
  fi
fi
log "done: $OUTPUT"
