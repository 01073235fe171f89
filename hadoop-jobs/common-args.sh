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
    -h|--help) script_help; exit 0 ;;
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
  check_options
}

# The script's header comment (after the shebang) is its help.
script_help() { awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; }

# Every option's form, before anything runs (exit 2 with one line): nothing fails later inside a task.
check_options() {
  local v
  for v in "REDUCERS=$REDUCERS" "MAPS=$MAPS" "BLOCK_SIZE=$BLOCK_SIZE" "SPLIT_MIN=$SPLIT_MIN" "MAP_MEMORY_MB=$MAP_MEMORY_MB" "REDUCE_MEMORY_MB=$REDUCE_MEMORY_MB"; do
    local name=${v%%=*} value=${v#*=}
    [ -z "$value" ] || [[ "$value" =~ ^[0-9]+$ ]] || die "--$(echo "$name" | tr 'A-Z_' 'a-z-') must be a whole number, got '$value'"
  done
  [ -z "$BLOCK_SIZE" ] || [ "$BLOCK_SIZE" -gt 0 ] || die "--block-size must be positive"
  awk -v v="$MAX_BAD" 'BEGIN { exit !(v ~ /^[0-9.]+([eE][-+]?[0-9]+)?$/ && v + 0 >= 0 && v + 0 <= 1) }' || die "--max-bad-fraction must be a number in [0, 1], got '$MAX_BAD'"
  case "$DELIMITER" in tab|comma|semicolon|pipe|?) ;; *) die "--delimiter must be one character or tab|comma|semicolon|pipe, got '$DELIMITER'" ;; esac
  case "$HEADER" in auto|present|none) ;; *) die "--header must be auto|present|none, got '$HEADER'" ;; esac
}

# Column names given to an option must be columns of the input (checked against the header before any job).
check_names() { # OPTION "a,b" "col1,col2,…"
  local option=$1 names=$2 columns=",$3," n
  [ -n "$names" ] || return 0
  [ "$columns" = ",COLUMNS_FROM_HEADER," ] && return 0
  IFS=, read -ra list <<< "$names"
  for n in "${list[@]}"; do
    n=${n#"${n%%[![:space:]]*}"}; n=${n%"${n##*[![:space:]]}"}
    case "$columns" in *",$n,"*) ;; *) die "$option: '$n' is not a column of the input (columns: $3)" ;; esac
  done
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
