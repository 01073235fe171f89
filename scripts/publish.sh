#!/usr/bin/env bash
# Builds the self-contained linux-x64 executables (no .NET needed where they run):
#   dist/bin/{mapper,reducer} + dist/streaming-linux-x64.tgz — what YARN tasks need (-archives ...#bin), small: the
#     map-side scorer (`mapper predict`) runs the network without libtorch;
#   dist/trainer/ (trainer + libtorch) + dist/trainer-linux-x64-<cpu|cuda>.tgz — the trainer, for an edge node or a
#     GPU host; dist/trainer-linux-x64-nolibtorch.tgz — the same without libtorch, for a node whose PyTorch brings one
#     (trainer --libtorch DIR). `--torch cuda` builds the CUDA trainer (needs the TorchSharp-cuda-linux package from your NuGet feed).
# EventSource support is trimmed from the task executables: a task starts ~5 ms sooner, and nothing on a cluster
# node could attach dotnet-counters/-trace anyway (they work on the `dotnet build` outputs).
#   scripts/publish.sh [--torch cpu|cuda] [--no-trainer]
set -euo pipefail
cd "$(dirname "$0")/.."
torch=cpu trainer=1
while [ $# -gt 0 ]; do
  case "$1" in
    --torch) torch=${2:-}; shift 2 ;;
    --no-trainer) trainer=0; shift ;;
    *) echo "publish.sh: error: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$torch" in cpu|cuda) ;; *) echo "publish.sh: error: --torch must be cpu or cuda" >&2; exit 2 ;; esac
out=dist/bin
rm -rf "$out" dist/streaming-linux-x64.tgz
mkdir -p "$out"
for p in Mapper Reducer; do
  dotnet publish "$p/$p.csproj" -c Release -r linux-x64 --self-contained -nologo -v quiet \
    -p:PublishSingleFile=true -p:PublishTrimmed=true -p:PublishReadyToRun=true -p:InvariantGlobalization=true \
    -p:DebugType=none -p:GenerateDocumentationFile=false -p:EventSourceSupport=false -o "dist/publish/$p" >&2
  cp "dist/publish/$p/$(echo "$p" | tr 'A-Z' 'a-z')" "$out/"
done
tar -C "$out" -czf dist/streaming-linux-x64.tgz mapper reducer
# The local runner too, self-contained, so scripts/pipeline.sh and hadoop-jobs --local on an edge node need the
# archives only, not the .NET SDK (not trimmed: it is a developer's and operator's tool, start-up is not its cost).
rm -rf dist/runner
dotnet publish scripts/LocalRunner/LocalRunner.csproj -c Release -r linux-x64 --self-contained -nologo -v quiet \
  -p:PublishSingleFile=true -p:InvariantGlobalization=true -p:DebugType=none -p:GenerateDocumentationFile=false -o dist/runner >&2
if [ "$trainer" = 1 ]; then
  # Not trimmed (TorchSharp binds its natives by reflection) nor ReadyToRun (start-up is not what a training run
  # waits for; it would double the publish time); libtorch stays beside the executable. The build's
  # ElfWeakVersionNeed step marks libLibTorchSharp.so's GLIBCXX_3.4.32 requirement weak (see README).
  rm -rf dist/trainer dist/trainer-linux-x64-*.tgz
  dotnet publish Trainer/Trainer.csproj -c Release -r linux-x64 --self-contained -nologo -v quiet -p:TorchBackend="$torch" \
    -p:PublishSingleFile=true -p:InvariantGlobalization=true -p:DebugType=none \
    -p:GenerateDocumentationFile=false -o dist/trainer >&2
  # libtorch's test, Python and mobile back-end libraries are never loaded by TorchSharp.
  rm -f dist/trainer/lib{jitbackend_test,torchbind_test,backend_with_compiler,aoti_custom_ops,nnapi_backend,torch_python,shm}.so
  tar -C dist -czf "dist/trainer-linux-x64-$torch.tgz" trainer
  # The same trainer without libtorch, for nodes that bring their own (a GPU node's PyTorch): run with --libtorch DIR.
  tar -C dist -czf dist/trainer-linux-x64-nolibtorch.tgz --exclude='trainer/libtorch*.so' --exclude='trainer/libc10*.so' \
    --exclude='trainer/libgomp*' --exclude='trainer/build-version' trainer
fi
rm -rf dist/publish
ls -l "$out" dist/runner/streaming-local dist/*.tgz >&2
