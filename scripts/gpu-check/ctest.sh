#!/bin/sh
# ctest gpu/check: prepare.py + run.py on this machine when it has a GPU;
# otherwise a skip (exit 77). Usage: ctest.sh BUILD_DIR WORK_DIR
set -e
here=$(dirname "$0")
if ! /usr/bin/python3 -c 'import ctypes; ctypes.CDLL("libcuda.so.1")' 2>/dev/null; then
  echo "gpu/check: no GPU (libcuda.so.1 cannot be loaded): skipped"
  exit 77
fi
rm -rf "$2"
/usr/bin/python3 "$here/prepare.py" --build "$1" --out "$2" --runtime-from-build
exec /usr/bin/python3 "$here/run.py" "$2" "$2/results" --repeat 5 --no-sanitizer
