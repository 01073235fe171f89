# Shared by the hadoop-jobs scripts (sourced, not run). One switch, --local, chooses the runner: the real
# `hadoop jar hadoop-streaming-*.jar` or our local runner, with the identical streaming arguments.
set -Eeuo pipefail   # -E: the ERR trap below also covers functions and subshells
# Exit codes are 0/1/2/3 as README defines, whatever a client command returns: a command that fails unexpectedly
# (an hdfs client's 255, a lost connection) ends the script with 3 (I/O), saying which line.
trap 'rc=$?; if [ "$rc" -gt 3 ]; then echo "$(basename "$0"): error: a file-system or client command failed (exit $rc, line $LINENO)" >&2; exit 3; fi' ERR

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
    # The published runner (scripts/publish.sh: no SDK needed), else the build's.
    RUNNER=${STREAMING_LOCAL_RUNNER:-}
    if [ -z "$RUNNER" ]; then
      RUNNER=$REPO/scripts/LocalRunner/bin/Release/net10.0/streaming-local
      [ -x "$REPO/dist/runner/streaming-local" ] && RUNNER=$REPO/dist/runner/streaming-local
    fi
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
    # --dry-run without Hadoop here: the printed command finds the (versioned) jar when it is replayed.
    if [ -n "$STREAMING_JAR" ]; then JAR_WORD=$(printf %q "$STREAMING_JAR")
    else JAR_WORD='"$(ls "${HADOOP_HOME:-/usr/lib/hadoop}"/share/hadoop/tools/lib/hadoop-streaming-*.jar | head -1)"'; fi
  fi
}

# A tool of ours that runs on the submitting machine (plan, manifest): the published binary, or the dev build.
# The trainer is not in the task archive (libtorch is ~480 MB): dist/trainer/ from scripts/publish.sh, or STREAMING_TRAINER.
tool() {
  local name=$1; shift
  if [ -n "${STREAMING_TOOLS:-}" ] && [ "$name" != trainer ]; then "$STREAMING_TOOLS/$name" "$@"; return; fi
  if [ "$name" = trainer ]; then
    local t=${STREAMING_TRAINER:-$REPO/dist/trainer/trainer}
    [ -x "$t" ] || die "$t not found: run scripts/publish.sh (or set STREAMING_TRAINER)"
    "$t" "$@"; return
  fi
  if [ -n "${LOCAL_BIN:-}" ]; then "$LOCAL_BIN/$name" "$@"
  elif [ -x "$REPO/dist/bin/$name" ]; then "$REPO/dist/bin/$name" "$@"
  else die "dist/bin/$name not found: run scripts/publish.sh"; fi
}

# File-system verbs on either side. Cluster side: only FsShell commands, options and output columns that Hadoop 2.7
# through 3.x share (2.7's -ls has no -C: its long listing is parsed instead; the path is everything after the 7th
# column, so paths with spaces survive).
fs_exists() { if [ "$LOCAL" = 1 ]; then [ -e "$1" ]; else hdfs dfs -test -e "$1"; fi; }
fs_nonempty() { if [ "$LOCAL" = 1 ]; then [ -s "$1" ]; else hdfs dfs -test -s "$1" 2>/dev/null; fi; }
# Removes an output of ours; on a cluster into the trash (never -skipTrash: an operator can still get it back).
fs_rm() { if [ "$LOCAL" = 1 ]; then rm -rf -- "$@"; else hdfs dfs -rm -r -f "$@" >/dev/null; fi; }

# --dry-run prints what to replay, in order, in the current directory, and needs no hdfs client to print it: the
# jobs, and the steps between them as real commands (FsShell's or coreutils'; local files named relative to the
# current directory); notes are '#' comments. Replayed outputs carry no _STREAMING_STEP fingerprint, so a later run
# of these scripts takes them for foreign output and leaves them alone.
dry() { printf '%q ' "$@" | sed 's/COLUMNS_FROM_HEADER/"$COLUMNS"/g'; echo; }
# --delimiter as the character itself (tab|comma|semicolon|pipe are names for them).
delimiter_char() { case "$DELIMITER" in tab) printf '\t' ;; comma) printf ',' ;; semicolon) printf ';' ;; pipe) printf '|' ;; *) printf '%s' "$DELIMITER" ;; esac; }
# With the columns unknown when printing, the replay starts by reading them from the input's first line, as a run does.
dry_columns() { # INPUT
  [ "$DRY_RUN" = 1 ] && [ "$COLUMNS" = COLUMNS_FROM_HEADER ] || return 0
  local i split="" d; i=$(printf %q "${1%/}")
  d=$(delimiter_char)
  [ "$d" = , ] || split=" | awk -v FS=$(printf %q "$d") -v OFS=, '{ \$1 = \$1; print }'"
  if [ "$LOCAL" = 1 ]; then
    echo "COLUMNS=\$( { zcat -f -- $i 2>/dev/null || zcat -f -- $i/[!_.]*; } | head -1 | tr -d '\\r' | sed '1s/^\\xEF\\xBB\\xBF//'$split; true)"
  else
    echo "COLUMNS=\$( { hdfs dfs -text $i 2>/dev/null || hdfs dfs -text $i/[^_.]*; } | head -1 | tr -d '\\r' | sed '1s/^\\xEF\\xBB\\xBF//'$split; true)"
  fi
}
fs_cmd() { # cat | rm | put, as the words that start the command (a glob after it stays unquoted)
  if [ "$LOCAL" = 1 ]; then case $1 in cat) echo "cat --" ;; rm) echo "rm -rf --" ;; put) echo "cp --" ;; esac
  else case $1 in cat) echo "hdfs dfs -cat" ;; rm) echo "hdfs dfs -rm -r" ;; put) echo "hdfs dfs -put -f" ;; esac; fi
}
# The binary tool() runs for NAME.
tool_bin() {
  if [ "$1" = trainer ]; then echo "${STREAMING_TRAINER:-$REPO/dist/trainer/trainer}"
  elif [ -n "${STREAMING_TOOLS:-}" ]; then echo "$STREAMING_TOOLS/$1"
  elif [ -n "${LOCAL_BIN:-}" ]; then echo "$LOCAL_BIN/$1"
  else echo "$REPO/dist/bin/$1"; fi
}
fs_cat() { if [ "$LOCAL" = 1 ]; then cat -- "$@"; else hdfs dfs -cat "$@"; fi; }
fs_text() { if [ "$LOCAL" = 1 ]; then zcat -f -- "$@"; else hdfs dfs -text "$@"; fi; }
# Local copies go through a temporary name (a crash never leaves a half-written file under the real name); FsShell's
# -put already writes NAME._COPYING_ and renames.
fs_put() {
  if [ "$LOCAL" = 1 ]; then cp -- "$1" "$2.tmp-$$" && mv -f -- "$2.tmp-$$" "$2"
  else hdfs dfs -put -f "$1" "$2"; fi
}
# `hdfs dfs -ls` long listing → one line per entry: TYPE<TAB>PATH (TYPE d or -).
# (No interval expressions: Debian's awk is mawk.)
fs_ls_long() {
  hdfs dfs -ls "$@" | awk 'length($1) >= 10 && $1 ~ /^[-d][-rwxsStT]+[+]?$/ { t = substr($0, 1, 1); for (i = 0; i < 7; i++) sub(/^[^ ]+ +/, ""); print t "\t" $0 }'
}
fs_list() { # entries directly under a directory: TYPE<TAB>PATH, sorted by path
  if [ "$LOCAL" = 1 ]; then
    find "$1" -mindepth 1 -maxdepth 1 \( -type d -printf 'd\t%p\n' \) -o \( ! -type d -printf '-\t%p\n' \) | sort -t$'\t' -k2
  else fs_ls_long "$1" | sort -t$'\t' -k2; fi
}
fs_parts() { # the part-* text outputs of a job directory, in order
  fs_list "$1" | awk -F'\t' '$1 == "-" { n = $2; sub(/.*\//, "", n); if (n ~ /^part-[0-9]+$/ || n ~ /^part-[mr]-[0-9]+$/) print $2 }'
}
fs_first_input() { # first data file of an input (file, directory or glob)
  if [ "$LOCAL" = 1 ]; then
    local p
    for p in $1; do
      if [ -d "$p" ]; then find "$p" -maxdepth 1 -type f ! -name '_*' ! -name '.*' | sort | head -1; else echo "$p"; fi
      return
    done
  else fs_ls_long "$1" | awk -F'\t' '$1 == "-" { n = $2; sub(/.*\//, "", n); if (n !~ /^[_.]/) print $2 }' | sort | head -1; fi
}
# What a step's output depends on, as text: the input's listing (paths, sizes, modification times), the options that
# shape the output, and this checkout's version. Two runs with the same text produce the same output.
fs_input_listing() {
  if [ "$LOCAL" = 1 ]; then
    local p
    for p in $1; do find "$p" -type f ! -name '_*' ! -name '.*' -printf '%p %s %T@\n'; done | sort
  else hdfs dfs -ls -R "$1" | awk '/^-/ { print }' | sort; fi
}
step_fingerprint() { # step name, then every option that affects its output
  if [ "$DRY_RUN" = 1 ]; then echo "computed-at-run-time"; return; fi
  {
    echo "step $*"
    echo "streaming $(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)"
    fs_input_listing "$INPUT"
  } | sha256sum | cut -c1-32
}

# Idempotent, safe re-runs. Before a step's job is submitted, its fingerprint goes into a pending mark beside OUT,
# .NAME._STREAMING_PENDING in OUT's parent (Hadoop wants OUT itself not to exist at submission; a dot name, so no
# input format reads it); as soon as the job has succeeded it goes into OUT/_STREAMING_STEP and the pending mark is
# removed; the step's last artifact (MARKER, default _SUCCESS) comes last. So a directory our run started is ours
# from the moment of submission, even if the run dies between the job's _SUCCESS and the step mark. On a re-run:
#  - OUT complete with the same fingerprint: skipped; another fingerprint (input or options changed): exit 2 saying
#    so, unless --overwrite;
#  - OUT of ours but incomplete (a failed or killed run: a step mark without its last artifact, or no step mark but
#    our pending mark beside it): removed (to the trash on a cluster) and redone; with another fingerprint only under
#    --overwrite;
#  - OUT empty, or holding only Hadoop's _temporary: removed and redone;
#  - anything else is not ours: exit 2, nothing touched (--overwrite included).
STEP_MARKER=_STREAMING_STEP
STEP_PENDING=_STREAMING_PENDING
step_pending_path() { local out=${1%/}; echo "$(dirname "$out")/.$(basename "$out").$STEP_PENDING"; }
step_needed() {
  local out=$1 marker=${2:-_SUCCESS} fp=$3
  if [ "$DRY_RUN" = 1 ]; then echo "# skipped when $out/$marker exists with the same fingerprint ($fp)"; return 0; fi
  if ! fs_exists "$out"; then step_pending "$out" "$fp"; return 0; fi
  local had
  if fs_exists "$out/$STEP_MARKER"; then
    had=$(fs_cat "$out/$STEP_MARKER" 2>/dev/null | head -1)
    if [ "$OVERWRITE" = 1 ]; then log "$out: --overwrite: removing the previous run's output"; fs_rm "$out"; step_pending "$out" "$fp"; return 0; fi
    # Hadoop's _SUCCESS is empty by design; our own last artifacts are never empty when complete.
    if { [ "$marker" = _SUCCESS ] && fs_exists "$out/$marker"; } || fs_nonempty "$out/$marker"; then
      [ "$had" = "$fp" ] && { log "$out is complete (fingerprint $fp): skipping (use --overwrite to redo)"; return 1; }
      echo "$(basename "$0"): error: $out was made from other input or options (fingerprint $had, now $fp): use --overwrite to redo it, or another --output" >&2
      exit 2
    fi
    log "removing incomplete output of an earlier run: $out"; fs_rm "$out"; step_pending "$out" "$fp"; return 0
  fi
  local pending
  pending=$(step_pending_path "$out")
  if fs_exists "$pending"; then
    had=$(fs_cat "$pending" 2>/dev/null | head -1)
    if [ "$had" = "$fp" ] || [ "$OVERWRITE" = 1 ]; then
      log "$out: started by an earlier run of these scripts that did not finish (fingerprint $had): removing it and redoing"
      fs_rm "$out"; step_pending "$out" "$fp"; return 0
    fi
    echo "$(basename "$0"): error: $out was started by an earlier run with other input or options that did not finish (fingerprint $had, now $fp): use --overwrite to redo it, or another --output" >&2
    exit 2
  fi
  local entries
  entries=$(fs_list "$out" | awk -F'\t' '{ n = $2; sub(/.*\//, "", n); if (n != "_temporary") print n }')
  if [ -z "$entries" ]; then log "removing empty output directory $out"; fs_rm "$out"; step_pending "$out" "$fp"; return 0; fi
  echo "$(basename "$0"): error: $out exists and was not written by these scripts (no $STEP_MARKER): refusing to touch it; choose another --output" >&2
  exit 2
}
# The pending mark: this run's fingerprint beside OUT, before the job that makes OUT is submitted.
step_pending() {
  local out=$1 tmpf parent
  parent=$(dirname "${out%/}")
  if [ "$LOCAL" = 1 ]; then mkdir -p -- "$parent"; else hdfs dfs -mkdir -p "$parent"; fi
  tmpf=$(mktemp)
  echo "$2" > "$tmpf"
  fs_put "$tmpf" "$(step_pending_path "$out")"
  rm -f "$tmpf"
}
# Records the step's fingerprint in its output once the job succeeded (before any later artifact), then drops the
# pending mark: OUT carries its own from now on.
step_started() {
  [ "$DRY_RUN" = 1 ] && return 0
  local tmpf
  tmpf=$(mktemp)
  echo "$2" > "$tmpf"
  fs_put "$tmpf" "$1/$STEP_MARKER"
  rm -f "$tmpf"
  fs_rm "$(step_pending_path "$1")"
}

# Runs one streaming job. Arguments: generic options then streaming options, exactly as hadoop-streaming takes them.
streaming() {
  local cmd
  if [ "$LOCAL" = 1 ]; then cmd=("$RUNNER" "$@" ${COUNTERS_FILE:+-countersFile "$COUNTERS_FILE"})
  else cmd=(hadoop jar "$STREAMING_JAR" "$@"); fi
  if [ "$DRY_RUN" = 1 ]; then
    if [ "$LOCAL" = 1 ]; then dry "${cmd[@]}"; else printf 'hadoop jar %s ' "$JAR_WORD"; dry "$@"; fi
    return 0
  fi
  log "running: ${cmd[*]}"
  "${cmd[@]}" || { local rc=$?; log "job failed (exit $rc)"; exit 1; }
}

# A name twice in the header (or --columns): which column would it mean? Refused before any job (exit 2).
check_unique_columns() { # "col1,col2,…"
  [ "$1" = COLUMNS_FROM_HEADER ] && return 0
  local dup
  dup=$(tr ',' '\n' <<< "$1" | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | sort | uniq -d | head -1)
  [ -z "$dup" ] || die "column '$dup' is named twice in the input's header (or --columns): every column needs its own name"
}

# Column names: --columns, else the header line of the first input file.
detect_columns() {
  local input=$1 header_mode=$2
  if [ "$header_mode" = none ]; then die "--header none needs --columns"; fi
  local first
  first=$(fs_first_input "$input" 2>/dev/null) || true
  # --dry-run where the input cannot be read (no hdfs client here): the replay reads the header (see dry_columns).
  if [ "$DRY_RUN" = 1 ] && { [ -z "$first" ] || ! fs_exists "$first" 2>/dev/null; }; then echo "COLUMNS_FROM_HEADER"; return; fi
  [ -n "$first" ] || die "no input file under $input"
  # -text / zcat -f: a .gz (or other codec) input gives its first line, not compressed bytes; a BOM is not a name.
  # The names are split on --delimiter and handed on comma-separated, as --columns takes them.
  local d
  d=$(delimiter_char)
  { fs_text "$first" 2>/dev/null || true; } | head -1 | tr -d '\r' | sed '1s/^\xEF\xBB\xBF//' \
    | if [ "$d" = , ]; then cat; else awk -v FS="$d" -v OFS=',' '{ $1 = $1; print }'; fi
}
