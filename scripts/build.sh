#!/usr/bin/env bash
# Configures and builds ds into ${DS_BUILD_DIR:-build} (Ninja, Release,
# ccache when present).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${DS_BUILD_DIR:-$root/build}"
# ccache: rewrite absolute paths so clones in other folders share the cache.
export CCACHE_BASEDIR="$root"
export CCACHE_NOHASHDIR=1
cmake -G Ninja -S "$root" -B "$build" \
  -DCMAKE_BUILD_TYPE=Release \
  -DMLIR_DIR=/usr/lib/llvm-22/lib/cmake/mlir
cmake --build "$build" -j "$(nproc)"
