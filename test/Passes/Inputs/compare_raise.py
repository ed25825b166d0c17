#!/usr/bin/env python3
"""Runs each `// -----` chunk of a test file before and after ds-raise-patterns
on the reference executor (ds-run) with the same random inputs and checks
that the outputs agree within 1e-6 relative (1e-7 absolute)."""
import os
import subprocess
import sys

import numpy as np

src, tmp = sys.argv[1], sys.argv[2]
bindir = os.environ.get("DS_BIN", "")
ds_opt = os.path.join(bindir, "ds-opt") if bindir else "ds-opt"
ds_run = os.path.join(bindir, "ds-run") if bindir else "ds-run"
chunks = open(src).read().split("// -----")
for i, chunk in enumerate(chunks):
    orig = os.path.join(tmp, f"chunk{i}.mlir")
    raised = os.path.join(tmp, f"chunk{i}.raised.mlir")
    open(orig, "w").write(chunk)
    subprocess.run([ds_opt, orig, "--ds-raise-patterns", "-o", raised], check=True)
    outs = []
    for model in (orig, raised):
        d = model + ".out"
        subprocess.run([ds_run, model, "--random-inputs", "3", "--output-dir", d],
                       check=True, stdout=subprocess.DEVNULL)
        outs.append({f: np.load(os.path.join(d, f)) for f in sorted(os.listdir(d))})
    for name in outs[0]:
        a, b = outs[0][name], outs[1][name]
        if not np.allclose(b, a, rtol=1e-6, atol=1e-7):
            sys.exit(f"chunk {i} output {name}: max abs diff {np.abs(a - b).max()}")
print(f"{len(chunks)} chunks agree before and after ds-raise-patterns")
