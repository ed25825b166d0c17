#!/usr/bin/python3
"""Compiles a model at the tightest device budget ds-plan-memory reaches.

usage: tight_budget.py OUT.dsa DS-COMPILE-ARGS...

Asks ds-plan-memory (ds-compile --emit=mlir) for the arena, then for a budget
just above it (its error names the smallest placement found), prints the
plan's figures at that budget ("plan: ..."), then compiles the artifact at
exactly that budget; the compile's report follows on stdout. Exits 1 when a
step fails, so the caller sees the planner and the artifact disagree."""
import re
import subprocess
import sys

out, args = sys.argv[1], sys.argv[2:]


def compile(*extra):
    return subprocess.run(["ds-compile", *args, "--progress=never", *extra],
                          capture_output=True, text=True)


def figures(text):
    m = re.search(r"ds\.memory_plan = \{([^}]*)\}", text)
    return dict(re.findall(r"(\w+) = (\d+) : i64", m.group(1))) if m else None


plain = figures(compile("--emit=mlir", "-o", "-").stdout)
if plain is None:
    sys.exit("no memory plan")
r = compile("--emit=mlir", "-o", "-",
            f"--device-memory-budget={int(plain['arena_bytes']) + 1}")
m = re.search(r"the smallest placement found needs (\d+) device bytes", r.stderr)
if not m:
    sys.exit("ds-plan-memory did not report its smallest placement:\n" + r.stderr)
budget = int(m.group(1))
plan = figures(compile("--emit=mlir", "-o", "-",
                       f"--device-memory-budget={budget}").stdout)
print(f"plan: budget {budget} device_bytes {plan['device_bytes']} "
      f"streamed {plan['streamed_bytes']} staging {plan['staging_slots']} x "
      f"{plan['staging_slot_bytes']}")
r = compile("-o", out, f"--device-memory-budget={budget}")
print(r.stdout + r.stderr)
sys.exit(r.returncode)
