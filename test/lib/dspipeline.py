"""Shared pieces of ds's ONNX test drivers: tool lookup, running ds-import and
the reference executor (ds-run --reference) on .npy inputs, and comparing
outputs. Used by test/conformance/run_node_tests.py, test/E2E/run_real_models.py
and test/bench/import_bench.py; one place to change when a tool's command line
changes.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# ctest's "skipped" exit status (SKIP_RETURN_CODE in the CMakeLists).
EXIT_SKIP = 77

# ds-import's option to make every input dim dynamic (ONNX-MLIR's
# IMPORTER_FORCE_DYNAMIC). TODO(issue 4): set it once ds-import has one.
FORCED_DYNAMIC_IMPORT_OPTION = "--force-dynamic"


def default_build_dir():
    return os.environ.get("DS_BUILD_DIR", os.path.join(ROOT, "build"))


class Tools:
    """Paths of the ds tools in a build folder."""

    def __init__(self, build):
        self.build = os.path.abspath(build)
        bindir = os.path.join(self.build, "bin")
        self.ds_import = os.path.join(bindir, "ds-import")
        self.ds_run = os.path.join(bindir, "ds-run")
        self.ds_opt = os.path.join(bindir, "ds-opt")
        self.ds_compile = os.path.join(bindir, "ds-compile")

    def missing(self):
        """Names of the tools that are not built, as a list."""
        return [os.path.basename(t)
                for t in (self.ds_import, self.ds_run, self.ds_opt,
                          self.ds_compile)
                if not os.access(t, os.X_OK)]


class Result:
    """What run() saw of a finished (or killed) child."""

    def __init__(self, rc, out, err, seconds, maxrss_kib, timed_out):
        self.rc, self.out, self.err = rc, out, err
        self.seconds, self.maxrss_kib, self.timed_out = seconds, maxrss_kib, timed_out

    @property
    def ok(self):
        return self.rc == 0 and not self.timed_out

    def why(self, what):
        """One line saying why the command failed."""
        if self.timed_out:
            return f"{what}: timed out after {self.seconds:.1f} s"
        line = (crash_summary(self.err) or first_error_line(self.err)
                or first_error_line(self.out))
        sig = f"killed by signal {-self.rc}" if self.rc < 0 else f"exit {self.rc}"
        return f"{what} ({sig}): {line}" if line else f"{what} ({sig})"


def run(cmd, timeout=None, cwd=None, env=None):
    """Runs cmd, capturing output, with a wall-clock timeout. Reaps the child
    with wait4 so the peak RSS is that command's own (getrusage(CHILDREN)
    would report the largest child so far). Output goes to temporary files, so
    a chatty tool cannot fill a pipe and stall."""
    with tempfile.TemporaryFile() as fo, tempfile.TemporaryFile() as fe:
        start = time.perf_counter()
        try:
            p = subprocess.Popen(cmd, stdout=fo, stderr=fe, cwd=cwd, env=env,
                                 stdin=subprocess.DEVNULL)
        except OSError as e:
            return Result(127, "", f"cannot run {cmd[0]}: {e}", 0.0, 0, False)
        killed = threading.Event()

        def kill():
            killed.set()
            p.kill()

        timer = threading.Timer(timeout, kill) if timeout else None
        if timer:
            timer.start()
        try:
            _, status, usage = os.wait4(p.pid, 0)
        finally:
            if timer:
                timer.cancel()
        seconds = time.perf_counter() - start
        p.returncode = os.waitstatus_to_exitcode(status)
        fo.seek(0)
        fe.seek(0)
        out = fo.read().decode("utf-8", "replace")
        err = fe.read().decode("utf-8", "replace")
    return Result(p.returncode, out, err, seconds, usage.ru_maxrss, killed.is_set())


def crash_summary(text):
    """For an LLVM crash report (a "Stack dump:"), the assertion if there is
    one, else the top three frames with symbols above the signal handler."""
    if "Stack dump:" not in text:
        return ""
    for line in text.splitlines():
        if "Assertion" in line:
            return line.strip()[:300]
    frames = []
    for line in text.splitlines():
        m = re.match(r"\s*#\d+ 0x[0-9a-f]+ (.+?)(?: \(/| [^ ]+\.(?:cpp|o):|$)", line)
        if not m or m.group(1).startswith("("):
            continue
        name = re.sub(r"\(.*", "", m.group(1))  # Drop the parameter list.
        if name.startswith("llvm::sys::") or name.startswith("__libc"):
            continue
        frames.append(name)
    return "crash in " + " <- ".join(frames[:3]) if frames else "crash"


def first_error_line(text):
    """The most telling line of a tool's output: the first one mentioning an
    error, else the first non-empty one."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for l in lines:
        if "error" in l.lower() or "unimplemented" in l.lower():
            return l[:300]
    return lines[0][:300] if lines else ""


def import_onnx(tools, onnx_path, mlir_path, forced_dynamic=False, timeout=None):
    """ds-import ONNX_PATH -o MLIR_PATH. Returns a Result."""
    cmd = [tools.ds_import, onnx_path, "-o", mlir_path]
    if forced_dynamic:
        if FORCED_DYNAMIC_IMPORT_OPTION is None:
            raise NotImplementedError(
                "ds-import has no option to force dynamic dims yet (issue 4)")
        cmd.append(FORCED_DYNAMIC_IMPORT_OPTION)
    return run(cmd, timeout)


def bind_static(tools, mlir_path, out_path, shapes, timeout=None,
                allow_dynamic=False):
    """ds-opt --ds-static-shapes binding argument i's dims to shapes[i]
    (the forced-dynamic run binds every dim back by position). With
    allow_dynamic, dims that depend on input values stay dynamic."""
    binds = [f"{i}[{d}]={n}" for i, shape in enumerate(shapes)
             for d, n in enumerate(shape)]
    opts = (["bind=" + ",".join(binds)] if binds else []) + (
        ["allow-dynamic=true"] if allow_dynamic else [])
    cmd = [tools.ds_opt, mlir_path, "-o", out_path]
    cmd.append("--ds-static-shapes=" + " ".join(opts) if opts
               else "--ds-static-shapes")
    return run(cmd, timeout)


def run_reference(tools, mlir_path, inputs, out_dir, timeout=None, extra=()):
    """ds-run MLIR --reference --input NAME=FILE ... --output-dir OUT_DIR.
    inputs: list of (name, npy path). Returns a Result."""
    cmd = [tools.ds_run, mlir_path, "--reference"]
    for name, path in inputs:
        cmd += ["--input", f"{name}={path}"]
    cmd += ["--output-dir", out_dir, *extra]
    return run(cmd, timeout)


def positional_binds(meta_inputs, spec):
    """--bind values fixing every dim of every input by position (input order
    of ONNX Runtime's meta.json, shapes from models.json)."""
    return [f"{i}[{d}]={n}" for i, t in enumerate(meta_inputs)
            for d, n in enumerate(spec["inputs"][t["name"]]["shape"])]


def host_compiler_env(work):
    """Environment for ds-compile whose host-module compiles go through ccache
    when it is installed (the same kernels compile once for several budgets):
    DS_HOST_CXX names a wrapper script in `work`."""
    env = dict(os.environ)
    ccache = shutil.which("ccache")
    cxx = shutil.which("c++")
    if ccache and cxx:
        os.makedirs(work, exist_ok=True)
        wrapper = os.path.join(work, "ccache-cxx.sh")
        with open(wrapper, "w") as f:
            f.write(f'#!/bin/sh\nexec "{ccache}" "{cxx}" "$@"\n')
        os.chmod(wrapper, 0o755)
        env["DS_HOST_CXX"] = wrapper
        env.setdefault("CCACHE_NOHASHDIR", "1")
    return env


def ds_compile(tools, model, out, binds=(), budget=None, extra=(), timeout=None,
               env=None):
    """ds-compile MODEL -o OUT [--bind ...] [--device-memory-budget B]."""
    cmd = [tools.ds_compile, model, "-o", out, "--progress=never", *extra]
    if binds:
        cmd.append("--bind=" + ",".join(binds))
    if budget is not None:
        cmd.append(f"--device-memory-budget={budget}")
    return run(cmd, timeout, env=env)


MEMORY_PLAN_RE = re.compile(r"ds\.memory_plan = \{([^}]*)\}")


def memory_plan_figures(mlir_text):
    """The integer fields of the first ds.memory_plan attribute in printed IR
    (ds-compile --emit=mlir), as a dict; None when there is none."""
    m = MEMORY_PLAN_RE.search(mlir_text)
    if not m:
        return None
    figures = {k: int(v) for k, v in re.findall(r"(\w+) = (\d+) : i64", m.group(1))}
    figures.update(re.findall(r'(\w+) = "([^"]*)"', m.group(1)))
    return figures


def plan_memory(tools, model, binds=(), budget=None, timeout=None):
    """Runs the pipeline and ds-plan-memory only (--emit=mlir). Returns
    (figures or None, Result)."""
    r = ds_compile(tools, model, "-", binds, budget, ["--emit=mlir"], timeout)
    return (memory_plan_figures(r.out) if r.ok else None), r


def smallest_device_bytes(tools, model, binds, arena, timeout=None):
    """The smallest device footprint ds-plan-memory's tiering reaches for the
    model: it says so when asked for a budget just above the arena."""
    _, r = plan_memory(tools, model, binds, arena + 1, timeout)
    m = re.search(r"the smallest placement found needs (\d+) device bytes", r.err)
    return int(m.group(1)) if m else None


def npy_file_name(name):
    """The file name ds-run --output-dir gives output NAME (ds-run's fileNameFor)."""
    s = name or "output"
    return "".join(c if c.isalnum() or c in "_-." else "_" for c in s) + ".npy"


def find_output(out_dir, name, num_outputs):
    """Path of ds-run's output NAME in out_dir, or None. With a single output
    and a single file, that file is taken whatever its name."""
    path = os.path.join(out_dir, npy_file_name(name))
    if os.path.exists(path):
        return path
    if num_outputs == 1 and os.path.isdir(out_dir):
        files = [f for f in os.listdir(out_dir) if f.endswith(".npy")]
        if len(files) == 1:
            return os.path.join(out_dir, files[0])
    return None


def compare(got, want, rtol, atol):
    """numpy.allclose(got, want, rtol, atol, equal_nan=True), want the reference.
    Returns (ok, reason, stats) with stats max_abs, max_rel, cosine, bad."""
    stats = {"max_abs": float("nan"), "max_rel": float("nan"),
             "cosine": float("nan"), "bad": 0}
    if got.shape != want.shape:
        return False, f"shape {list(got.shape)} != expected {list(want.shape)}", stats
    if got.dtype != want.dtype:
        return False, f"dtype {got.dtype} != expected {want.dtype}", stats
    if want.size == 0:
        return True, "", stats
    g = got.astype(np.float64)
    w = want.astype(np.float64)
    nan_mismatch = np.isnan(g) != np.isnan(w)
    finite = np.isfinite(g) & np.isfinite(w)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        diff = np.where(finite, np.abs(g - w), 0.0)
        close = np.isclose(g, w, rtol=rtol, atol=atol, equal_nan=True)
        stats["max_abs"] = float(diff.max()) if finite.any() else 0.0
        rel = np.where(finite & (w != 0), diff / np.abs(w), 0.0)
        stats["max_rel"] = float(rel.max()) if finite.any() else 0.0
        gf, wf = np.where(finite, g, 0.0).ravel(), np.where(finite, w, 0.0).ravel()
        norm = np.linalg.norm(gf) * np.linalg.norm(wf)
        stats["cosine"] = float(gf @ wf / norm) if norm > 0 else (
            1.0 if not gf.any() and not wf.any() else 0.0)
    bad = int((~close | nan_mismatch).sum())
    stats["bad"] = bad
    if bad:
        idx = np.unravel_index(int(np.argmax(~close | nan_mismatch)), want.shape)
        return False, (f"{bad}/{want.size} values differ (max abs {stats['max_abs']:.3g}, "
                       f"max rel {stats['max_rel']:.3g}; first at {list(idx)}: "
                       f"got {got[idx]!r}, expected {want[idx]!r})"), stats
    return True, "", stats


#===----------------------------------------------------------------------===#
# Real models (test/E2E/models.json) and their ONNX Runtime reference
#===----------------------------------------------------------------------===#

MODELS_JSON = os.path.join(ROOT, "test", "E2E", "models.json")
MODELS_DIR = os.path.join(ROOT, "third_party", "models")
ORT_DIR = os.path.join(ROOT, "third_party", "ort")
ORT_RUN = os.path.join(ROOT, "scripts", "ort_run.js")


def load_models(path=MODELS_JSON):
    with open(path) as f:
        return json.load(f)["models"]


def real_models_unavailable(models_dir=MODELS_DIR, ort_dir=ORT_DIR):
    """Why the real-model tests cannot run here (a message), or None."""
    marker = os.path.join(models_dir, ".unavailable")
    if os.path.exists(marker):
        with open(marker) as f:
            return f"scripts/fetch_models.sh could not fetch the models: {f.read().strip()}"
    if not os.path.isdir(models_dir) or not any(
            f.endswith(".onnx") for f in os.listdir(models_dir)):
        return f"no models in {models_dir} (run scripts/fetch_models.sh)"
    if not os.path.isfile(os.path.join(ort_dir, "node_modules", "onnxruntime-node",
                                       "package.json")):
        return f"ONNX Runtime not installed in {ort_dir} (run scripts/fetch_models.sh)"
    if not shutil.which("node"):
        return "node not found (apt-get install nodejs)"
    return None


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def ort_args(spec, seed=0, runs=10):
    """ort_run.js options for a models.json entry (all but the model and --out)."""
    args = ["--seed", str(seed), "--runs", str(runs)]
    for name, inp in spec["inputs"].items():
        args += ["--shape", f"{name}=" + "x".join(str(d) for d in inp["shape"])]
        if "range" in inp:
            args += ["--range", f"{name}={inp['range'][0]},{inp['range'][1]}"]
    return args


def ort_reference(spec, models_dir, work_dir, runs=10, refresh=False, timeout=600):
    """Runs ONNX Runtime on the model of a models.json entry with seeded inputs,
    into work_dir (input_<i>.npy, output_<i>.npy, meta.json), unless a run with
    the same model bytes and options is already there. Returns (meta, cached);
    raises RuntimeError with the reason when ORT fails."""
    model = os.path.join(models_dir, spec["file"])
    args = ort_args(spec, runs=runs)
    key = {"model_sha256": sha256_file(model), "ort_args": args}
    key_path = os.path.join(work_dir, "key.json")
    meta_path = os.path.join(work_dir, "meta.json")
    if not refresh and os.path.exists(key_path) and os.path.exists(meta_path):
        with open(key_path) as f, open(meta_path) as g:
            old, meta = json.load(f), json.load(g)
        if old == key and all(os.path.exists(os.path.join(work_dir, t["file"]))
                              for t in meta["inputs"] + meta["outputs"]):
            return meta, True
    shutil.rmtree(work_dir, ignore_errors=True)
    os.makedirs(work_dir)
    r = run(["node", ORT_RUN, model, "--out", work_dir, "--ort", ORT_DIR] + args, timeout)
    if not r.ok:
        raise RuntimeError(r.why("ort_run.js"))
    with open(meta_path) as f:
        meta = json.load(f)
    for t in meta["inputs"]:
        if t["name"] not in spec["inputs"]:
            raise RuntimeError(f"models.json lists no input '{t['name']}' for {spec['file']}")
        want = spec["inputs"][t["name"]].get("dtype")
        if want and want != t["dtype"]:
            raise RuntimeError(f"models.json says input {t['name']} is {want}, "
                               f"the model says {t['dtype']}")
    with open(key_path, "w") as f:
        json.dump(key, f)
    return meta, False


#===----------------------------------------------------------------------===#
# ONNX op types and the ones docs/design/ops.md claims (onnx imported lazily:
# the rest of this module needs numpy only)
#===----------------------------------------------------------------------===#

OPS_MD = os.path.join(ROOT, "docs", "design", "ops.md")
# Ops the importer removes (ops.md, last paragraph); not in the tables.
IMPORTER_REMOVED_OPS = {"Identity", "Dropout"}
# Words in ops.md's ONNX column that are ONNX op names but not claims: "Mean"
# is LayerNormalization's Mean output there, not the Mean op.
NOT_CLAIMED = {"Mean"}


def supported_ops():
    """ONNX op types named in the "ONNX" column of ops.md's tables: the
    importer's contract. Words are kept when ONNX knows them as ops."""
    import onnx
    ops = set(IMPORTER_REMOVED_OPS)
    with open(OPS_MD) as f:
        for line in f:
            if not line.startswith("|") or line.startswith("|---"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if cells[0] == "op":
                continue
            # "ReduceSum/Mean/Max" names ReduceSum, ReduceMean and ReduceMax.
            text = re.sub(r"\b([A-Z][a-z]+)([A-Z][A-Za-z]*)((?:/[A-Z][A-Za-z]*)+)",
                          lambda m: " ".join(m.group(1) + w for w in
                                             [m.group(2)] + m.group(3).split("/")[1:]),
                          cells[-1])
            # Gelu is opset 20, newer than the onnx package's schemas may be.
            for word in re.findall(r"\b[A-Z][A-Za-z]+\b", text):
                if (onnx.defs.has(word) or word == "Gelu") and word not in NOT_CLAIMED:
                    ops.add(word)
    return ops


def graph_op_types(graph):
    """Op types of a graph and its subgraphs (If/Loop/Scan bodies)."""
    import onnx
    ops = []
    for node in graph.node:
        ops.append(node.op_type if node.domain in ("", "ai.onnx")
                   else f"{node.domain}.{node.op_type}")
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.GRAPH:
                ops += graph_op_types(attr.g)
            for g in attr.graphs:
                ops += graph_op_types(g)
    return ops
