#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test (lit + GoogleTest
# through ctest). GPU tests skip cleanly without a device.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${DS_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"
cd "$build"
ctest --output-on-failure -j "$(nproc)" --timeout 600
