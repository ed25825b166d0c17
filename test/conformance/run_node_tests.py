#!/usr/bin/python3
"""ONNX backend node tests through ds: ds-import, then the reference executor.

For every case <data>/node/<case>/ (model.onnx + test_data_set_0/input_N.pb,
output_N.pb, as shipped by Debian's libonnx-testdata): writes the inputs as
.npy, runs `ds-import model.onnx -o model.mlir` and
`ds-run model.mlir --reference --input NAME=FILE ... --output-dir OUT`, and
compares every output with numpy.allclose semantics (rtol 1e-3, atol 1e-5, as
ONNX Runtime's runner; per-case overrides in tolerances.txt).

A case is skipped, with the reason, when it uses an op outside
docs/design/ops.md or a type ds does not have (double, 8/16-bit and unsigned
integers, string, bfloat16, sequence/optional/map). Every other case must pass
or be listed in expected_failures.txt (`case_name  # reason`). An unexpected
failure makes the exit status 1; an expected failure that passes is a warning.

Prints one line per unexpected failure, a per-op table (cases containing the
op: passed/failed/expected failures/skipped), and last, on its own line,
`N passed, N failed, N skipped`. Exits 77 (ctest's skip) when the test data
is not installed (apt-get install libonnx-testdata).

Usage: run_node_tests.py [--build DIR] [-j N] [--filter REGEX] [--list-skips]
                         [--timeout S] [--data DIR] [--keep DIR] [--forced-dynamic]
                         [--write-expected-failures FILE]
"""
import argparse
import collections
import glob
import multiprocessing
import os
import re
import shutil
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
import dspipeline  # noqa: E402

try:
    import numpy as np
    import onnx
    from onnx import numpy_helper
except ImportError as e:  # pragma: no cover - environment problem
    print(f"run_node_tests: {e}; run with Debian's /usr/bin/python3 "
          "(apt-get install python3-onnx python3-numpy)", file=sys.stderr)
    sys.exit(dspipeline.EXIT_SKIP)

EXPECTED_FAILURES = os.path.join(HERE, "expected_failures.txt")
TOLERANCES = os.path.join(HERE, "tolerances.txt")
DEFAULT_RTOL, DEFAULT_ATOL = 1e-3, 1e-5

DATA_CANDIDATES = [
    "/usr/share/libonnx-testdata/data/node",
    "/usr/share/onnx/data/node",
    "/usr/share/*/data/node",
]

# ONNX element types ds has (ops.md: f32, f16, bf16, i64, i32, i1). bf16 is a
# ds type, but numpy has none: its test data could not travel as .npy or be
# compared, so bf16 cases are skipped too.
SUPPORTED_ELEM_TYPES = {
    onnx.TensorProto.FLOAT, onnx.TensorProto.FLOAT16, onnx.TensorProto.INT64,
    onnx.TensorProto.INT32, onnx.TensorProto.BOOL,
}


#===----------------------------------------------------------------------===#
# Checked-in inputs: expected failures, tolerances
#===----------------------------------------------------------------------===#

def read_case_list(path):
    """`case_name  # reason` lines -> {case: reason}."""
    cases = {}
    if not os.path.exists(path):
        return cases
    with open(path) as f:
        for line in f:
            body, _, reason = line.partition("#")
            if body.strip():
                cases[body.split()[0]] = reason.strip()
    return cases


def read_tolerances(path):
    """`case_name  rtol=X atol=Y  # reason` lines -> {case: (rtol, atol)}."""
    tols = {}
    if not os.path.exists(path):
        return tols
    with open(path) as f:
        for n, line in enumerate(f, 1):
            body = line.partition("#")[0].split()
            if not body:
                continue
            rtol, atol = DEFAULT_RTOL, DEFAULT_ATOL
            for item in body[1:]:
                key, _, value = item.partition("=")
                if key == "rtol":
                    rtol = float(value)
                elif key == "atol":
                    atol = float(value)
                else:
                    sys.exit(f"{path}:{n}: expected rtol=X or atol=Y, got '{item}'")
            tols[body[0]] = (rtol, atol)
    return tols


def find_data_dir(explicit):
    if explicit:
        return explicit if os.path.isdir(explicit) else None
    for pattern in DATA_CANDIDATES:
        for d in sorted(glob.glob(pattern)):
            if os.path.isdir(d):
                return d
    try:  # A pip-installed onnx ships the data in the package.
        d = os.path.join(os.path.dirname(onnx.__file__), "backend", "test", "data", "node")
        if os.path.isdir(d):
            return d
    except Exception:
        pass
    return None


#===----------------------------------------------------------------------===#
# One case (runs in a worker process)
#===----------------------------------------------------------------------===#

def type_problem(type_proto, what):
    """Why a value's type is outside ds, or None."""
    kind = type_proto.WhichOneof("value")
    if kind != "tensor_type":
        return f"{kind.replace('_type', '')} type ({what})" if kind else None
    elem = type_proto.tensor_type.elem_type
    if elem and elem not in SUPPORTED_ELEM_TYPES:
        return f"{onnx.TensorProto.DataType.Name(elem).lower()} ({what})"
    return None


def graph_type_problem(graph):
    """First value/attribute of the graph whose type ds does not have."""
    for v in list(graph.input) + list(graph.output) + list(graph.value_info):
        problem = type_problem(v.type, v.name)
        if problem:
            return problem
    for t in graph.initializer:
        if t.data_type not in SUPPORTED_ELEM_TYPES:
            return f"{onnx.TensorProto.DataType.Name(t.data_type).lower()} ({t.name})"
    for node in graph.node:
        for attr in node.attribute:
            if attr.type == onnx.AttributeProto.TENSOR and \
                    attr.t.data_type not in SUPPORTED_ELEM_TYPES:
                return (f"{onnx.TensorProto.DataType.Name(attr.t.data_type).lower()} "
                        f"({node.op_type}.{attr.name})")
            if node.op_type in ("Cast", "CastLike") and attr.name == "to" and \
                    attr.i not in SUPPORTED_ELEM_TYPES:
                return f"{onnx.TensorProto.DataType.Name(attr.i).lower()} (Cast.to)"
            if attr.type == onnx.AttributeProto.GRAPH:
                problem = graph_type_problem(attr.g)
                if problem:
                    return problem
    return None


def read_tensor(path):
    t = onnx.TensorProto()
    with open(path, "rb") as f:
        t.ParseFromString(f.read())
    return t


def run_case(job):
    """Returns (case, ops, status, detail); status in pass/fail/skip."""
    case_dir, opts = job
    case, ops, status, detail = check_case(case_dir, opts)
    # Paths say nothing the case name does not: "model.onnx:1: error: ...".
    detail = re.sub(r"\S*/(model\.(onnx|mlir))", r"\1", detail)
    return case, ops, status, detail


def check_case(case_dir, opts):
    case = os.path.basename(case_dir)
    try:
        model = onnx.load(os.path.join(case_dir, "model.onnx"))
    except Exception as e:
        return case, [], "fail", f"cannot load model.onnx: {e}"
    ops = sorted(set(dspipeline.graph_op_types(model.graph)))
    unsupported = [op for op in ops if op not in opts["supported"]]
    if unsupported:
        return case, ops, "skip", "op outside ops.md: " + ", ".join(unsupported)
    problem = graph_type_problem(model.graph)
    if problem:
        return case, ops, "skip", "type: " + problem
    data = os.path.join(case_dir, "test_data_set_0")
    if not os.path.isdir(data):
        return case, ops, "skip", "no test_data_set_0"

    inits = {t.name for t in model.graph.initializer}
    graph_inputs = [v for v in model.graph.input if v.name not in inits]
    graph_outputs = list(model.graph.output)
    try:
        inputs = [numpy_helper.to_array(read_tensor(os.path.join(data, f"input_{i}.pb")))
                  for i in range(len(graph_inputs))]
        outputs = [numpy_helper.to_array(read_tensor(os.path.join(data, f"output_{i}.pb")))
                   for i in range(len(graph_outputs))]
    except Exception as e:
        return case, ops, "skip", f"test data not readable as tensors: {e}"

    keep = opts["keep"]
    work = os.path.join(keep, case) if keep else tempfile.mkdtemp(prefix=f"ds-{case}-")
    os.makedirs(work, exist_ok=True)
    try:
        bindings = []
        for i, (v, array) in enumerate(zip(graph_inputs, inputs)):
            path = os.path.join(work, f"input_{i}.npy")
            np.save(path, array)
            bindings.append((v.name, path))
        tools = dspipeline.Tools(opts["build"])
        mlir = os.path.join(work, "model.mlir")
        r = dspipeline.import_onnx(tools, os.path.join(case_dir, "model.onnx"), mlir,
                                   forced_dynamic=opts["forced_dynamic"],
                                   timeout=opts["timeout"])
        if not r.ok:
            return case, ops, "fail", r.why("ds-import")
        if opts["forced_dynamic"]:
            # Bind every dim back from the test inputs (ds-static-shapes).
            bound = os.path.join(work, "model.static.mlir")
            shapes = [list(a.shape) for a in inputs]
            r = dspipeline.bind_static(tools, mlir, bound, shapes,
                                       timeout=opts["timeout"])
            data_dependent = False
            if not r.ok and "cannot determine dim" in r.err:
                # Output sizes that depend on input values (Range's limit,
                # Slice's starts) cannot be static; the reference executor
                # runs them with the dims left dynamic.
                data_dependent = True
                r = dspipeline.bind_static(tools, mlir, bound, shapes,
                                           timeout=opts["timeout"],
                                           allow_dynamic=True)
            if not r.ok:
                return case, ops, "fail", r.why("ds-static-shapes")
            mlir = bound
        out_dir = os.path.join(work, "out")
        r = dspipeline.run_reference(tools, mlir, bindings, out_dir,
                                     timeout=opts["timeout"])
        if not r.ok:
            return case, ops, "fail", r.why("ds-run")
        rtol, atol = opts["tolerances"].get(case, (DEFAULT_RTOL, DEFAULT_ATOL))
        for v, want in zip(graph_outputs, outputs):
            path = dspipeline.find_output(out_dir, v.name, len(graph_outputs))
            if path is None:
                return case, ops, "fail", f"ds-run wrote no output '{v.name}'"
            ok, why, _ = dspipeline.compare(np.load(path), want, rtol, atol)
            if not ok:
                return case, ops, "fail", f"output '{v.name}': {why}"
        if opts["forced_dynamic"] and data_dependent:
            return case, ops, "pass", "data-dependent shape"
        return case, ops, "pass", ""
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


#===----------------------------------------------------------------------===#
# Report
#===----------------------------------------------------------------------===#

def skip_kind(detail):
    """"type: double (x)" -> "type: double"; "op outside ops.md: A, B" -> its head."""
    return detail.split(":")[0] if detail.startswith("op outside") else detail.split(" (")[0]


def failure_kind(detail):
    """A failure message without names and numbers, to group similar ones."""
    text = re.sub(r"model\.(onnx|mlir)(:\d+)*: ", "", detail)
    text = re.sub(r"'[^']*'", "'_'", text)
    return re.sub(r"-?\d+(\.\d+)?(e[-+]?\d+)?", "N", text)[:110]


def print_op_table(results, supported):
    table = collections.defaultdict(collections.Counter)
    for case, ops, status, _ in results:
        for op in ops or ["(none)"]:
            table[op][status] += 1
    width = max([len(op) for op in table] + [20])
    print(f"\n{'op':{width}} {'passed':>7} {'failed':>7} {'xfail':>6} {'skipped':>8}")
    for op in sorted(table):
        c = table[op]
        mark = "" if op in supported else "  (outside ops.md)"
        print(f"{op:{width}} {c['pass'] + c['xpass']:7} {c['fail']:7} {c['xfail']:6} "
              f"{c['skip']:8}{mark}")
    print("(a case counts under every op type in its model, expanded cases included)")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=dspipeline.default_build_dir(),
                    help="build folder with bin/ds-import and bin/ds-run")
    ap.add_argument("--data", help="folder of ONNX node test cases (default: "
                    "libonnx-testdata's data/node)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--filter", help="run only cases whose name matches REGEX (re.search)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per tool run")
    ap.add_argument("--list-skips", action="store_true", help="print every skipped case")
    ap.add_argument("--keep", metavar="DIR", help="keep each case's files in DIR/<case>")
    ap.add_argument("--forced-dynamic", action="store_true",
                    help="import with every input dim dynamic (ds-import --force-dynamic) "
                    "and bind them back from the test inputs with ds-static-shapes")
    ap.add_argument("--write-expected-failures", metavar="FILE",
                    help="write the failing cases (expected or not) to FILE, "
                    "in expected_failures.txt's format")
    args = ap.parse_args()

    data = find_data_dir(args.data)
    if not data:
        print("run_node_tests: ONNX node test data not found "
              "(apt-get install libonnx-testdata, or --data DIR); skipping")
        return dspipeline.EXIT_SKIP
    tools = dspipeline.Tools(args.build)
    missing = tools.missing()
    if missing:
        print(f"run_node_tests: {', '.join(missing)} not built in {tools.build}/bin "
              "(--build DIR)", file=sys.stderr)
        return 1

    cases = sorted(d for d in glob.glob(os.path.join(data, "*"))
                   if os.path.isfile(os.path.join(d, "model.onnx")))
    if args.filter:
        rx = re.compile(args.filter)
        cases = [c for c in cases if rx.search(os.path.basename(c))]
    supported = dspipeline.supported_ops()
    expected = read_case_list(EXPECTED_FAILURES)
    opts = {"supported": supported, "build": tools.build, "timeout": args.timeout,
            "tolerances": read_tolerances(TOLERANCES), "forced_dynamic": args.forced_dynamic,
            "keep": os.path.abspath(args.keep) if args.keep else None}
    print(f"run_node_tests: {len(cases)} cases from {data}, {args.jobs} jobs, "
          f"ds tools in {tools.build}/bin", flush=True)

    results = []
    with multiprocessing.Pool(max(1, args.jobs)) as pool:
        for case, ops, status, detail in pool.imap_unordered(
                run_case, [(c, opts) for c in cases], chunksize=1):
            if status == "fail" and case in expected:
                status = "xfail"
            elif status == "pass" and case in expected:
                status = "xpass"
            results.append((case, ops, status, detail))
    results.sort()

    by = collections.defaultdict(list)
    for r in results:
        by[r[2]].append(r)
    for case, ops, _, detail in by["fail"]:
        print(f"FAIL {case} [{' '.join(ops)}]: {detail}")
    for case, _, _, _ in by["xpass"]:
        print(f"warning: {case} unexpectedly passed (remove it from expected_failures.txt)")
    known = {os.path.basename(c) for c in cases}
    if not args.filter:
        for case in sorted(set(expected) - known):
            print(f"warning: expected_failures.txt names {case}, which is not a test case")
    if args.list_skips:
        for case, _, _, detail in by["skip"]:
            print(f"SKIP {case}: {detail}")

    reasons = collections.Counter(skip_kind(d) for _, _, _, d in by["skip"])
    failures = collections.Counter(failure_kind(d) for _, _, _, d in by["fail"] + by["xfail"])

    print_op_table(results, supported)
    if reasons:
        print("\nskip reasons: " + ", ".join(f"{k} {v}" for k, v in reasons.most_common()))
    if failures:
        print("most common failures:")
        for reason, n in failures.most_common(10):
            print(f"  {n:5}  {reason}")
    if args.write_expected_failures:
        with open(args.write_expected_failures, "w") as f:
            # Keep the checked-in file's header comments.
            if os.path.exists(EXPECTED_FAILURES):
                with open(EXPECTED_FAILURES) as src:
                    f.writelines(l for l in src if l.startswith("#"))
            for case, _, _, detail in by["fail"] + by["xfail"]:
                f.write(f"{case}  # {expected.get(case) or detail[:160]}\n")
        print(f"wrote {len(by['fail']) + len(by['xfail'])} cases to {args.write_expected_failures}")

    passed = len(by["pass"]) + len(by["xpass"])
    failed = len(by["fail"]) + len(by["xfail"])
    print(f"\n({failed} failed = {len(by['xfail'])} expected + {len(by['fail'])} unexpected; "
          f"{len(by['xpass'])} unexpectedly passed)")
    print(f"{passed} passed, {failed} failed, {len(by['skip'])} skipped")
    if args.forced_dynamic:
        dependent = [r[0] for r in by["pass"] if r[3] == "data-dependent shape"]
        print(f"forced dynamic: {passed - len(dependent)} fully static after "
              f"binding, {len(dependent)} with data-dependent dims left dynamic"
              + (f" ({', '.join(dependent)})" if dependent else ""))
    return 1 if by["fail"] else 0



if __name__ == "__main__":
    sys.exit(main())
