#!/usr/bin/env bash
# Installs what the tests need on a fresh Debian machine (idempotent, quick when done): the independent TFRecord
# readers (npm @roboflow/tfrecords; protoc + python3-protobuf + python3-crc32c), pandas (reference statistics) and
# PyTorch with OpenBLAS (loads the trainer's state_dict), binutils (readelf: the libtorch load patch), scipy (drift
# distances checked independently), python3-onnx (ONNX's checker on the exported model), chromium (the statistics report rendered by a real browser), and MIT Kerberos
# (krb5-kdc, krb5-admin-server, krb5-user: the tests start a throw-away realm for WebHDFS's SPNEGO; libgssapi-krb5-2 is
# what .NET's Negotiate support loads).
# --bench adds the benchmark baselines' scikit-learn, XGBoost and PyTorch, and DuckDB (npm @duckdb/node-api). The .NET SDK is expected on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(protobuf-compiler python3-protobuf python3-crc32c python3-pandas python3-scipy python3-torch python3-onnx libopenblas0-pthread binutils time curl chromium
  krb5-kdc krb5-admin-server krb5-user libgssapi-krb5-2)
[ "${1:-}" = --bench ] && pkgs+=(python3-sklearn python3-xgboost bc)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Another apt (unattended upgrades, a second session) may hold the lock: wait for it rather than fail.
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2
  apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=600 update -qq >&2 && apt-get -o DPkg::Lock::Timeout=600 install -y -qq nodejs npm >&2
fi
if [ -f tests/Support/js/package.json ] && [ ! -d tests/Support/js/node_modules/@roboflow/tfrecords ]; then
  (cd tests/Support/js && npm install --no-audit --no-fund --loglevel=error >&2)
fi
if [ "${1:-}" = --bench ] && [ ! -d scripts/bench/duckdb/node_modules/@duckdb/node-api ]; then
  (cd scripts/bench/duckdb && npm install --no-audit --no-fund --loglevel=error >&2)   # DuckDB's SUMMARIZE, the statistics anchor
fi
