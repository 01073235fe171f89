#!/usr/bin/env bash
# Batch scoring: a trained model scores raw CSV where it lives, as a map-only streaming job (no libtorch on the
# nodes: `mapper predict` runs the network's forward pass itself). Output: OUT/part-NNNNN, one TAB-separated line per
# input row: input_file, split_start, row (which name the row in any directory of inputs), prediction (`rejected:Reason`
# for a row that cannot be scored, counted and quarantined as in every job), then the --id-columns values and, with
# --keep-input, the input line; OUT/_schema.json says so and what the prediction is. Columns are matched by name (the
# input's header, or --columns); with --header none the input must have the training column order.
#   score.sh --input IN --output OUT --model MODEL_DIR [--id-columns a,b] [--keep-input] [--local] [--dry-run] [--overwrite]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
MODEL="" ID_COLUMNS="" KEEP_INPUT=0
parse_extra() {
  case "$1" in
    --model) [ $# -ge 2 ] || die "$1 needs a value"; MODEL=$2; CONSUMED=2 ;;
    --id-columns) [ $# -ge 2 ] || die "$1 needs a value"; ID_COLUMNS=$2; CONSUMED=2 ;;
    --keep-input) KEEP_INPUT=1; CONSUMED=1 ;;
  esac
}
parse_args "$@"
[ -n "$MODEL" ] || die "--model is required (a directory written by 'trainer train')"
[ -f "$MODEL/model.json" ] && [ -f "$MODEL/weights.bin" ] || die "--model $MODEL: no model.json and weights.bin (not a model directory)"
setup_runner
# Rows are matched to the model's columns by name: the header of the first input file (as the other jobs read it).
if [ -z "$COLUMNS" ] && [ "$HEADER" != none ]; then COLUMNS=$(detect_columns "$INPUT" "$HEADER"); fi
[ -z "$COLUMNS" ] || check_unique_columns "$COLUMNS"
check_names --id-columns "$ID_COLUMNS" "$COLUMNS"
out_args="${ID_COLUMNS:+ --id-columns $(q "$ID_COLUMNS")}"
[ "$KEEP_INPUT" = 0 ] || out_args+=" --keep-input"
generic_options "${JOB_NAME:-streaming score $(basename "$INPUT")}"

fp=$(step_fingerprint score "$(cat "$MODEL/model.json" "$MODEL/weights.bin" | sha256sum)" "$COLUMNS" "$MAX_BAD" "$out_args")
if step_needed "$OUTPUT" _SUCCESS "$fp"; then
  # The model travels as an archive of its two files (the scorer needs neither model.pt nor libtorch).
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  model_tgz=$tmp/model.tgz
  if [ "$DRY_RUN" = 1 ]; then model_tgz=model.tgz; dry tar -C "$MODEL" -czf model.tgz model.json weights.bin
  else tar -C "$MODEL" -czf "$model_tgz" model.json weights.bin; fi
  streaming "${GENERIC[@]}" -archives "$ARCHIVE#bin,$model_tgz#model" \
    -input "$INPUT" -output "$OUTPUT" \
    -mapper "bin/mapper predict --model model --max-bad-fraction $MAX_BAD${COLUMNS:+ --columns $(q "$COLUMNS")}$out_args" -numReduceTasks 0
  # The output's schema beside the part files (before the step mark: a complete output always has it).
  if [ "$DRY_RUN" = 1 ]; then
    dry "$(tool_bin mapper)" predict --model "$MODEL" --schema ${ID_COLUMNS:+--id-columns "$ID_COLUMNS"} $([ "$KEEP_INPUT" = 0 ] || echo --keep-input)
    echo "# (its output goes to $OUTPUT/_schema.json)"
  else
    # shellcheck disable=SC2086
    tool mapper predict --model "$MODEL" --schema $out_args > "$tmp/_schema.json" || exit $?
    fs_put "$tmp/_schema.json" "$OUTPUT/_schema.json"
  fi
  step_started "$OUTPUT" "$fp"
  [ "$DRY_RUN" = 1 ] || log "$OUTPUT: predictions written"
fi
