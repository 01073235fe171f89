#!/usr/bin/env bash
# Job 1: column statistics of CSV input (mapper + combiner + reducer), written as <output>/part-* (JSON Lines after
# the column name). See hadoop-jobs/README.md.
#   column-stats.sh --input IN --output OUT [--columns a,b | header] [--categorical a,b] [--reducers N] [--local] [--dry-run]
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/common-args.sh"
parse_args "$@"
setup_runner
[ -n "$COLUMNS" ] || COLUMNS=$(detect_columns "$INPUT" "$HEADER")
check_unique_columns "$COLUMNS"
[ -n "${COLUMNS_PRINTED:-}" ] || dry_columns "$INPUT"
export COLUMNS_PRINTED=1
[ -n "$COLUMNS" ] || die "could not read a header line from $INPUT: pass --columns"
check_names --categorical "$CATEGORICAL" "$COLUMNS"
generic_options "${JOB_NAME:-streaming column-stats $(basename "$INPUT")}"

mapper="bin/mapper stats --columns $(q "$COLUMNS") --header $HEADER --delimiter $(q "$DELIMITER") --max-bad-fraction $MAX_BAD"
[ -n "$CATEGORICAL" ] && mapper+=" --categorical $(q "$CATEGORICAL")"
fp=$(step_fingerprint column-stats "$mapper" "$REDUCERS")
if step_needed "$OUTPUT" _SUCCESS "$fp"; then
  streaming "${GENERIC[@]}" -archives "$ARCHIVE#bin" \
    -input "$INPUT" -output "$OUTPUT" \
    -mapper "$mapper" -combiner "bin/reducer stats" -reducer "bin/reducer stats" -numReduceTasks "$REDUCERS"
  step_started "$OUTPUT" "$fp"
fi
