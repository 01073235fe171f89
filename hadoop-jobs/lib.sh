# Shared by the hadoop-jobs scripts (sourced, not run). One switch, --local, chooses the runner: the real
# `hadoop jar hadoop-streaming-*.jar` or our local runner, with the identical streaming arguments.
set -euo pipefail

HJ_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HJ_DIR/.." && pwd)
LOCAL=0
DRY_RUN=0
OVERWRITE=0

die() { echo "$(basename "$0"): error: $*" >&2; exit 2; }
log() { echo "$(date -u '+%Y-%m-%d %H:%M:%S') $(basename "$0"): $*" >&2; }

# Quote one word of a -mapper/-reducer string. Hadoop Streaming splits those on spaces and honours ' and "
# quotes, but not backslashes, so plain words stay bare and the rest go in double quotes.
q() {
  case "$1" in
    *'"'*) die "a value may not contain a double quote: $1" ;;
    *[!A-Za-z0-9_.,:/=+-]*|'') printf '"%s"' "$1" ;;
    *) printf '%s' "$1" ;;
  esac
}

setup_runner() {
  if [ "$LOCAL" = 1 ]; then
    ARCHIVE=${STREAMING_ARCHIVE:-$REPO/dist/streaming-linux-x64.tgz}
    RUNNER=${STREAMING_LOCAL_RUNNER:-$REPO/scripts/LocalRunner/bin/Release/net10.0/streaming-local}
    if [ "$DRY_RUN" = 0 ]; then
      [ -e "$ARCHIVE" ] || { log "building $ARCHIVE (scripts/publish.sh)"; bash "$REPO/scripts/publish.sh"; }
      [ -x "$RUNNER" ] || { log "building the local runner"; dotnet build "$REPO/scripts/LocalRunner/LocalRunner.csproj" -c Release -nologo -v quiet >&2; }
    fi
    LOCAL_BIN=$ARCHIVE
    [ -d "$ARCHIVE" ] || LOCAL_BIN=""
  else
    ARCHIVE=${STREAMING_ARCHIVE_URI:-hdfs:///apps/streaming/streaming-linux-x64.tgz}
    STREAMING_JAR=${HADOOP_STREAMING_JAR:-$(ls "${HADOOP_HOME:-/usr/lib/hadoop}"/share/hadoop/tools/lib/hadoop-streaming-*.jar 2>/dev/null | head -1 || true)}
    if [ "$DRY_RUN" = 0 ]; then
      command -v hadoop >/dev/null || { echo "$(basename "$0"): error: 'hadoop' is not on PATH (use --local to run here)" >&2; exit 3; }
      [ -n "$STREAMING_JAR" ] || { echo "$(basename "$0"): error: hadoop-streaming jar not found: set HADOOP_STREAMING_JAR" >&2; exit 3; }
    fi
    STREAMING_JAR=${STREAMING_JAR:-\$HADOOP_HOME/share/hadoop/tools/lib/hadoop-streaming.jar}
  fi
}

# A tool of ours that runs on the submitting machine (plan, manifest): the published binary, or the dev build.
# The trainer is not in the task archive (libtorch is ~480 MB): dist/trainer/ from scripts/publish.sh, or STREAMING_TRAINER.
tool() {
  local name=$1; shift
  if [ "$name" = trainer ]; then
    local t=${STREAMING_TRAINER:-$REPO/dist/trainer/trainer}
    [ -x "$t" ] || die "$t not found: run scripts/publish.sh (or set STREAMING_TRAINER)"
    "$t" "$@"; return
  fi
  if [ -n "${LOCAL_BIN:-}" ]; then "$LOCAL_BIN/$name" "$@"
  elif [ -x "$REPO/dist/bin/$name" ]; then "$REPO/dist/bin/$name" "$@"
  else die "dist/bin/$name not found: run scripts/publish.sh"; fi
}

# File-system verbs on either side.
fs_exists() { if [ "$LOCAL" = 1 ]; then [ -e "$1" ]; else hdfs dfs -test -e "$1"; fi; }
fs_rm() { if [ "$LOCAL" = 1 ]; then rm -rf -- "$1"; else hdfs dfs -rm -r -f -skipTrash "$1" >/dev/null; fi; }
fs_cat() { if [ "$LOCAL" = 1 ]; then cat -- "$@"; else hdfs dfs -cat "$@"; fi; }
fs_put() { if [ "$LOCAL" = 1 ]; then cp -- "$1" "$2"; else hdfs dfs -put -f "$1" "$2"; fi; }
fs_parts() { # the part-* text outputs of a job directory, in order
  if [ "$LOCAL" = 1 ]; then ls -1 "$1"/part-[0-9]* 2>/dev/null | sort
  else hdfs dfs -ls -C "$1/part-[0-9]*" | sort; fi
}
fs_first_input() { # first data file of an input (file, directory or glob)
  if [ "$LOCAL" = 1 ]; then
    local p
    for p in $1; do
      if [ -d "$p" ]; then find "$p" -maxdepth 1 -type f ! -name '_*' ! -name '.*' | sort | head -1; else echo "$p"; fi
      return
    done
  else hdfs dfs -ls -C "$1" | grep -v '/[_.][^/]*$' | head -1; fi
}

# Idempotent re-runs: a step whose output has _SUCCESS is done and skipped (unless --overwrite); an output without
# it is what a failed run left behind, and is removed before the step runs again.
step_needed() {
  local out=$1 marker=${2:-_SUCCESS}
  if [ "$DRY_RUN" = 1 ]; then echo "# skipped when $out/$marker exists; removes an incomplete $out first"; return 0; fi
  if [ "$OVERWRITE" = 1 ]; then fs_rm "$out"; return 0; fi
  if fs_exists "$out/$marker"; then log "$out is complete ($marker present): skipping (use --overwrite to redo)"; return 1; fi
  if fs_exists "$out"; then log "removing incomplete output $out"; fs_rm "$out"; fi
  return 0
}

# Runs one streaming job. Arguments: generic options then streaming options, exactly as hadoop-streaming takes them.
streaming() {
  local cmd
  if [ "$LOCAL" = 1 ]; then cmd=("$RUNNER" "$@" ${COUNTERS_FILE:+-countersFile "$COUNTERS_FILE"})
  else cmd=(hadoop jar "$STREAMING_JAR" "$@"); fi
  if [ "$DRY_RUN" = 1 ]; then printf '%q ' "${cmd[@]}"; echo; return 0; fi
  log "running: ${cmd[*]}"
  "${cmd[@]}" || { local rc=$?; log "job failed (exit $rc)"; exit 1; }
}

# Column names: --columns, else the header line of the first input file.
detect_columns() {
  local input=$1 header_mode=$2
  if [ "$header_mode" = none ]; then die "--header none needs --columns"; fi
  local first
  first=$(fs_first_input "$input") || true
  [ -n "$first" ] || die "no input file under $input"
  if [ "$DRY_RUN" = 1 ] && ! fs_exists "$first" 2>/dev/null; then echo "COLUMNS_FROM_HEADER"; return; fi
  { fs_cat "$first" 2>/dev/null || true; } | head -1 | tr -d '\r'
}
