#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job end to end: a real
# ONNX model (the openWakeWord "alexa" head, fetched from npm by
# scripts/fetch_models.sh) is imported, compiled to CUDA kernels (NVRTC CUBIN
# for sm_80/sm_90 + PTX when the toolkit is present, and a host module for the
# CUDA emulation), run on the GPU if there is one, else on the CPU, and
# checked against the reference executor. Without network it falls back to
# the bundled 2-layer MLP (examples/mlp.mlir); the MLP always runs too.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${DS_BUILD_DIR:-$root/build}"
"$root/scripts/install-deps.sh"
"$root/scripts/build.sh"

out="$build/example"
mkdir -p "$out"
python3 "$root/scripts/gen_safetensors.py" "$out/mlp.safetensors" \
  fc1.weight=64x128 fc1.bias=128 fc2.weight=128x10 fc2.bias=10 \
  --seed 0 --npy "$out" x=4x64
echo "== ds-compile examples/mlp.mlir"
"$build/bin/ds-compile" "$root/examples/mlp.mlir" \
  --weights "$out/mlp.safetensors" -o "$out/mlp.dsa" \
  --dump-kernels "$out/kernels"
echo "== kernels (CUDA source of the first one; all in $out/kernels)"
first=$(ls "$out"/kernels/*.cu | head -1)
cat "$first"
echo "== ds-run"
"$build/bin/ds-run" "$out/mlp.dsa" --input x="$out/x.npy" --print --check \
  --output-dir "$out"

"$root/scripts/fetch_models.sh" || true
model="$root/third_party/models/alexa_v0.1.onnx"
if [[ -f "$model" ]]; then
  echo "== ds-compile $(basename "$model") (real ONNX model, imported on the fly)"
  "$build/bin/ds-compile" "$model" -o "$out/alexa.dsa"
  echo "== ds-run $(basename "$model")"
  "$build/bin/ds-run" "$out/alexa.dsa" --random-inputs 1 --print --check
else
  echo "== real models unavailable (no network?): ran the bundled example only"
fi
