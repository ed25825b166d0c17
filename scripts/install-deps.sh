#!/usr/bin/env bash
# Installs the Debian 12 packages ds needs to build and test, skipping those
# already present. Idempotent; needs root (or sudo) only when something is
# missing. The CUDA toolkit is not installed here: it comes with the machine
# image (nvcc/NVRTC under /usr/local/cuda); without it ds builds CPU-only.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache git
  llvm-22-dev llvm-22-tools libmlir-22-dev mlir-22-tools
  googletest libgtest-dev nlohmann-json3-dev zlib1g-dev
  python3 python3-numpy libopenblas-dev
  libonnx-dev libprotobuf-dev protobuf-compiler python3-onnx libonnx-testdata
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
SUDO=""
if [[ $(id -u) -ne 0 ]]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
# Node.js/npm (for fetching real models and ONNX Runtime, scripts/fetch_models.sh)
# come with the machine image; without them those tests skip.
command -v npm >/dev/null || echo "install-deps: note: npm not found; real-model tests will skip"
