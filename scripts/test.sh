#!/usr/bin/env bash
# The test command (README): set-up, Release build, the whole NUnit suite, and one closing line "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build Streaming.sln -c Release -nologo -v quiet; then
  echo "build failed"; echo "0 passed, 1 failed"; exit 1
fi
results=out/test-results
rm -rf "$results"
dotnet test tests/Tests.csproj -c Release --no-build -nologo --logger "trx;LogFileName=tests.trx" --logger "console;verbosity=normal" --results-directory "$results" "$@"
rc=$?
trx="$results/tests.trx"
if [ -f "$trx" ]; then
  passed=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'passed="[0-9]*"' | grep -o '[0-9]*')
  failed=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'failed="[0-9]*"' | grep -o '[0-9]*')
  notrun=$(grep -o '<Counters [^>]*' "$trx" | grep -o 'notExecuted="[0-9]*"' | grep -o '[0-9]*')
  echo "${passed:-0} passed, $(( ${failed:-0} + ${notrun:-0} )) failed"
else
  echo "0 passed, 1 failed"
  [ $rc -eq 0 ] && rc=1
fi
exit $rc
