#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit + GoogleTest
# through ctest). GPU tests skip cleanly without a device.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${DS_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
# Real models and ONNX Runtime for the E2E tests (idempotent; without
# network those tests skip).
"$root/scripts/fetch_models.sh" || echo "test: fetching real models failed; their tests skip"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
