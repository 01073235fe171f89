# Option parsing shared by the job scripts (sourced after lib.sh). Sets the variables below from the command line.
INPUT="" OUTPUT="" COLUMNS="" HEADER=auto DELIMITER="," CATEGORICAL="" REDUCERS=2 MAPS="" BLOCK_SIZE="" SPLIT_MIN=""
MAX_BAD=0.01 QUEUE="" JOB_NAME="" MAP_MEMORY_MB=${MAP_MEMORY_MB:-1024} REDUCE_MEMORY_MB=${REDUCE_MEMORY_MB:-1024}
EXTRA=()

parse_common() { # returns the number of words it consumed in CONSUMED
  CONSUMED=2
  case "$1" in
    --input) INPUT=$2 ;;
    --output) OUTPUT=$2 ;;
    --columns) COLUMNS=$2 ;;
    --header) HEADER=$2 ;;
    --delimiter) DELIMITER=$2 ;;
    --categorical) CATEGORICAL=$2 ;;
    --reducers) REDUCERS=$2 ;;
    --maps) MAPS=$2 ;;
    --block-size) BLOCK_SIZE=$2 ;;
    --split-minsize) SPLIT_MIN=$2 ;;
    --max-bad-fraction) MAX_BAD=$2 ;;
    --queue) QUEUE=$2 ;;
    --name) JOB_NAME=$2 ;;
    -D) EXTRA+=(-D "$2") ;;
    --local) LOCAL=1; CONSUMED=1 ;;
    --dry-run) DRY_RUN=1; CONSUMED=1 ;;
    --overwrite) OVERWRITE=1; CONSUMED=1 ;;
    *) CONSUMED=0 ;;
  esac
  if [ "$CONSUMED" = 2 ] && [ $# -lt 2 ]; then die "$1 needs a value"; fi
}

# Parses the whole command line: each script may define parse_extra (setting CONSUMED) for its own options.
parse_args() {
  while [ $# -gt 0 ]; do
    CONSUMED=0
    if declare -F parse_extra >/dev/null; then parse_extra "$@"; fi
    [ "$CONSUMED" = 0 ] && parse_common "$@"
    [ "$CONSUMED" = 0 ] && die "unknown option $1 (see the header of $0)"
    shift "$CONSUMED"
  done
  [ -n "$INPUT" ] || die "--input is required"
  [ -n "$OUTPUT" ] || die "--output is required"
}

# Generic options every job gets (they must come before the streaming options).
generic_options() {
  GENERIC=(-D "mapreduce.job.name=$1" -D stream.non.zero.exit.is.failure=true
    -D "mapreduce.map.memory.mb=$MAP_MEMORY_MB" -D "mapreduce.reduce.memory.mb=$REDUCE_MEMORY_MB")
  [ -n "$MAPS" ] && GENERIC+=(-D "mapreduce.job.maps=$MAPS")
  [ -n "$BLOCK_SIZE" ] && GENERIC+=(-D "fs.local.block.size=$BLOCK_SIZE" -D "dfs.blocksize=$BLOCK_SIZE")
  [ -n "$SPLIT_MIN" ] && GENERIC+=(-D "mapreduce.input.fileinputformat.split.minsize=$SPLIT_MIN")
  [ -n "$QUEUE" ] && GENERIC+=(-D "mapreduce.job.queuename=$QUEUE")
  GENERIC+=("${EXTRA[@]}")
}
