#!/usr/bin/env bash
# Batch scoring: a trained model scores raw CSV where it lives, as a map-only streaming job (no libtorch on the
# nodes: `mapper predict` runs the network's forward pass itself). Output: OUT/part-NNNNN, one line per input row,
# `START:N<TAB>prediction` (the split's start offset and the row's index in it; `rejected:Reason` for a row that cannot
# be scored, counted and quarantined as in every job). Columns are matched by name (the input's header, or --columns);
# with --header none the input must have the training column order.
#   score.sh --input IN --output OUT --model MODEL_DIR [--local] [--dry-run] [--overwrite]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
MODEL=""
parse_extra() {
  case "$1" in
    --model) [ $# -ge 2 ] || die "$1 needs a value"; MODEL=$2; CONSUMED=2 ;;
  esac
}
parse_args "$@"
[ -n "$MODEL" ] || die "--model is required (a directory written by 'trainer train')"
[ -f "$MODEL/model.json" ] && [ -f "$MODEL/weights.bin" ] || die "--model $MODEL: no model.json and weights.bin (not a model directory)"
setup_runner
# Rows are matched to the model's columns by name: the header of the first input file (as the other jobs read it).
if [ -z "$COLUMNS" ] && [ "$HEADER" != none ]; then COLUMNS=$(detect_columns "$INPUT" "$HEADER"); fi
[ -z "$COLUMNS" ] || check_unique_columns "$COLUMNS"
generic_options "${JOB_NAME:-streaming score $(basename "$INPUT")}"

fp=$(step_fingerprint score "$(cat "$MODEL/model.json" "$MODEL/weights.bin" | sha256sum)" "$COLUMNS" "$MAX_BAD")
if step_needed "$OUTPUT" _SUCCESS "$fp"; then
  # The model travels as an archive of its two files (the scorer needs neither model.pt nor libtorch).
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  model_tgz=$tmp/model.tgz
  if [ "$DRY_RUN" = 1 ]; then model_tgz=model.tgz; dry tar -C "$MODEL" -czf model.tgz model.json weights.bin
  else tar -C "$MODEL" -czf "$model_tgz" model.json weights.bin; fi
  streaming "${GENERIC[@]}" -archives "$ARCHIVE#bin,$model_tgz#model" \
    -input "$INPUT" -output "$OUTPUT" \
    -mapper "bin/mapper predict --model model --max-bad-fraction $MAX_BAD${COLUMNS:+ --columns $(q "$COLUMNS")}" -numReduceTasks 0
  step_started "$OUTPUT" "$fp"
  [ "$DRY_RUN" = 1 ] || log "$OUTPUT: predictions written"
fi
