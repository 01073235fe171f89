#!/usr/bin/env bash
# Job 2: CSV → tf.train.Example TFRecord shards, exactly once, beside _transform.json and _manifest.json.
#   to-tfrecords.sh --input IN --output OUT --plan _transform.json [--shuffle --reducers N --seed S] [--local] [--dry-run]
# The plan comes from `mapper plan` (pipeline.sh builds it from the statistics).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
PLAN="" SHUFFLE=0 SEED=1
REDUCERS=0
parse_extra() {
  case "$1" in
    --plan) PLAN=$2; CONSUMED=2 ;;
    --shuffle) SHUFFLE=1; CONSUMED=1 ;;
    --seed) SEED=$2; CONSUMED=2 ;;
  esac
}
parse_args "$@"
[ -f "$PLAN" ] || [ "$DRY_RUN" = 1 ] || die "--plan $PLAN: no such file (build it with 'mapper plan')"
# A truncated plan fails here, not in every map task.
[ "$DRY_RUN" = 1 ] || { [ "$(tr -d ' \n\r\t' < "$PLAN" | tail -c 1)" = "}" ] && grep -q '"features"' "$PLAN" ; } || die "--plan $PLAN: not a complete transform plan (empty or truncated)"
setup_runner
generic_options "${JOB_NAME:-streaming to-tfrecords $(basename "$INPUT")}"

fp=$(step_fingerprint to-tfrecords "$(sha256sum < "$PLAN")" "$SHUFFLE" "$SEED" "$REDUCERS" "$MAX_BAD")
if step_needed "$OUTPUT" _manifest.json "$fp"; then
  if [ "$SHUFFLE" = 1 ]; then
    [ "$REDUCERS" -gt 0 ] || REDUCERS=4
    streaming "${GENERIC[@]}" -files "$PLAN#_transform.json" -archives "$ARCHIVE#bin" \
      -input "$INPUT" -output "$OUTPUT" \
      -mapper "bin/mapper transform --shuffle --seed $SEED --max-bad-fraction $MAX_BAD" -reducer "bin/reducer transform" -numReduceTasks "$REDUCERS"
  else
    streaming "${GENERIC[@]}" -files "$PLAN#_transform.json" -archives "$ARCHIVE#bin" \
      -input "$INPUT" -output "$OUTPUT" \
      -mapper "bin/mapper transform --max-bad-fraction $MAX_BAD" -numReduceTasks 0
  fi
  if [ "$DRY_RUN" = 1 ]; then
    # The text part files (part-0*) hold the manifest lines; the shards are part-m-*/part-r-*.
    out=$(printf %q "$OUTPUT")
    echo "$(fs_cmd cat) $out/part-0* | $(printf %q "$(tool_bin mapper)") manifest --plan $(printf %q "$PLAN") -o _manifest.json"
    echo "$(fs_cmd rm) $out/part-0*"
    echo "$(fs_cmd put) $(printf %q "$PLAN") $out/_transform.json"
    echo "$(fs_cmd put) _manifest.json $out/_manifest.json"
    exit 0
  fi
  step_started "$OUTPUT" "$fp"
  # The manifest goes in last: its presence marks the output complete for idempotent re-runs.
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  mapfile -t parts < <(fs_parts "$OUTPUT")
  fs_cat "${parts[@]}" | tool mapper manifest --plan "$PLAN" -o "$tmp/_manifest.json"
  # The manifest now holds what the text part files said: the directory keeps only shards and their JSON side files
  # (a part-* glob in TensorFlow would pick up text otherwise).
  fs_rm "${parts[@]}"
  fs_put "$PLAN" "$OUTPUT/_transform.json"
  fs_put "$tmp/_manifest.json" "$OUTPUT/_manifest.json"
  log "$OUTPUT: $(grep -m1 '"records"' "$tmp/_manifest.json" | tr -dc '0-9') records in ${#parts[@]} shards"
fi
