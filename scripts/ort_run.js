#!/usr/bin/env node
//===- ort_run.js - run an ONNX model with ONNX Runtime, save .npy ---------===//
//
// The numeric reference for ds's real-model tests: loads MODEL.onnx with
// onnxruntime-node (CPU execution provider), builds seeded random inputs for
// its input signature (or reads them from .npy), runs it, and writes
//
//   OUT/input_<i>.npy, OUT/output_<i>.npy   (positional, as ONNX test data)
//   OUT/meta.json                           names, shapes, dtypes, ORT timing
//
// and prints the ORT time per run (mean over --runs runs after one warm-up).
// The .npy format (v1.0) is written and read by hand: no npm package needed.
//
// Usage:
//   node scripts/ort_run.js MODEL.onnx --out DIR [--dim SYM=N]... [--shape NAME=AxBxC]...
//        [--range NAME=LO,HI]... [--input NAME=FILE.npy]... [--seed S] [--runs N]
//        [--threads N] [--ort DIR]
//
//   --dim SYM=N        value for a symbolic dim (default: 1 for every symbol)
//   --shape NAME=AxB   full shape of input NAME (overrides its symbols; "" = scalar)
//   --range NAME=LO,HI value range of input NAME: floats uniform in [LO, HI),
//                      integers uniform in [LO, HI]; NAME "*" sets the default
//                      (floats [-1, 1), integers [0, 10], bool 0/1)
//   --input NAME=F     read input NAME from F.npy instead
//   --seed S           PRNG seed (default 0); input i uses seed S*1000003+i
//   --runs N           timed runs after one warm-up (default 10)
//   --threads N        ORT intra-op threads (default: ORT's choice)
//   --ort DIR          folder holding node_modules/onnxruntime-node
//                      (default third_party/ort next to this script's repo)
//
//===----------------------------------------------------------------------===//
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');

function die(msg) {
  process.stderr.write(`ort_run: ${msg}\n`);
  process.exit(1);
}

//===----------------------------------------------------------------------===//
// Command line
//===----------------------------------------------------------------------===//

function parseArgs(argv) {
  const o = {
    model: null, out: null, dims: {}, shapes: {}, ranges: {}, inputs: {},
    seed: 0, runs: 10, threads: 0,
    ort: path.join(__dirname, '..', 'third_party', 'ort'),
  };
  const keyValue = (flag, text) => {
    const eq = text.indexOf('=');
    if (eq <= 0) die(`${flag} expects NAME=VALUE, got '${text}'`);
    return [text.slice(0, eq), text.slice(eq + 1)];
  };
  const toInt = (flag, text) => {
    if (!/^-?\d+$/.test(text)) die(`${flag}: '${text}' is not an integer`);
    return parseInt(text, 10);
  };
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) die(`option ${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') o.out = next();
    else if (a === '--dim') {
      const [k, v] = keyValue(a, next());
      o.dims[k] = toInt(a, v);
    } else if (a === '--shape') {
      const [k, v] = keyValue(a, next());
      o.shapes[k] = v === '' ? [] : v.split('x').map((d) => toInt(a, d));
    } else if (a === '--range') {
      const [k, v] = keyValue(a, next());
      const r = v.split(',').map(Number);
      if (r.length !== 2 || r.some((x) => !Number.isFinite(x)) || r[0] > r[1])
        die(`--range ${k}: expected LO,HI with LO <= HI, got '${v}'`);
      o.ranges[k] = r;
    } else if (a === '--input') {
      const [k, v] = keyValue(a, next());
      o.inputs[k] = v;
    } else if (a === '--seed') o.seed = toInt(a, next());
    else if (a === '--runs') o.runs = toInt(a, next());
    else if (a === '--threads') o.threads = toInt(a, next());
    else if (a === '--ort') o.ort = next();
    else if (a === '--help' || a === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n')
        .filter((l) => l.startsWith('//')).slice(2, 28).join('\n') + '\n');
      process.exit(0);
    } else if (a.startsWith('-')) die(`unknown option ${a}`);
    else if (o.model === null) o.model = a;
    else die(`unexpected argument ${a}`);
  }
  if (!o.model) die('no model given (ort_run.js MODEL.onnx --out DIR)');
  if (!o.out) die('--out DIR is required');
  return o;
}

//===----------------------------------------------------------------------===//
// .npy (format v1.0)
//===----------------------------------------------------------------------===//

// ORT tensor type -> [numpy descr, typed array constructor].
const DTYPES = {
  float32: ['<f4', Float32Array],
  float64: ['<f8', Float64Array],
  float16: ['<f2', Uint16Array],
  int64: ['<i8', BigInt64Array],
  uint64: ['<u8', BigUint64Array],
  int32: ['<i4', Int32Array],
  uint32: ['<u4', Uint32Array],
  int16: ['<i2', Int16Array],
  uint16: ['<u2', Uint16Array],
  int8: ['|i1', Int8Array],
  uint8: ['|u1', Uint8Array],
  bool: ['|b1', Uint8Array],
};

function writeNpy(file, type, dims, data) {
  if (!(type in DTYPES)) die(`cannot write ${type} tensor to ${file}`);
  const shape = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${DTYPES[type][0]}', 'fortran_order': False, 'shape': ${shape}, }`;
  // Magic (6) + version (2) + length (2) + header + '\n' is a multiple of 64.
  const pad = 64 - ((10 + header.length + 1) % 64);
  header += ' '.repeat(pad % 64) + '\n';
  const pre = Buffer.alloc(10);
  pre.write('\x93NUMPY', 0, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  const body = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), body]));
}

function readNpy(file) {
  const buf = fs.readFileSync(file);
  if (buf.toString('latin1', 0, 6) !== '\x93NUMPY') die(`${file}: not a .npy file`);
  const major = buf[6];
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = major === 1 ? 10 : 12;
  const header = buf.toString('latin1', start, start + hlen);
  const descr = /'descr':\s*'([^']*)'/.exec(header);
  const fortran = /'fortran_order':\s*(True|False)/.exec(header);
  const shape = /'shape':\s*\(([^)]*)\)/.exec(header);
  if (!descr || !fortran || !shape) die(`${file}: malformed .npy header`);
  if (fortran[1] === 'True') die(`${file}: Fortran-order arrays are not supported`);
  const type = Object.keys(DTYPES).find((t) => DTYPES[t][0] === descr[1] ||
    DTYPES[t][0] === descr[1].replace('|', '<'));
  if (!type) die(`${file}: unsupported dtype ${descr[1]}`);
  const dims = shape[1].split(',').map((s) => s.trim()).filter((s) => s).map(Number);
  const Ctor = DTYPES[type][1];
  const bytes = buf.subarray(start + hlen);
  // Copy into an aligned buffer: typed arrays need element-aligned offsets.
  const aligned = new Uint8Array(bytes.length);
  aligned.set(bytes);
  const n = dims.reduce((a, b) => a * b, 1);
  const data = new Ctor(aligned.buffer, 0, n);
  return { type: type === 'bool' ? 'bool' : type, dims, data };
}

//===----------------------------------------------------------------------===//
// Inputs
//===----------------------------------------------------------------------===//

/// mulberry32: small, seedable, good enough for test inputs.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function resolveShape(meta, o) {
  if (meta.name in o.shapes) return o.shapes[meta.name];
  return (meta.shape || []).map((d) => {
    if (typeof d === 'number' && d >= 0) return d;
    if (typeof d === 'string' && d in o.dims) return o.dims[d];
    return 1; // Unnamed or unlisted symbolic dim: batch-like default.
  });
}

function randomTensor(ort, meta, dims, range, seed) {
  const n = dims.reduce((a, b) => a * b, 1);
  const rand = prng(seed);
  const type = meta.type;
  if (!(type in DTYPES)) die(`input ${meta.name}: cannot generate ${type} values`);
  const Ctor = DTYPES[type][1];
  const data = new Ctor(n);
  const isFloat = type.startsWith('float');
  const isBig = type === 'int64' || type === 'uint64';
  let [lo, hi] = range || (type === 'bool' ? [0, 1] : isFloat ? [-1, 1] : [0, 10]);
  for (let i = 0; i < n; ++i) {
    const u = rand();
    if (type === 'float16') die(`input ${meta.name}: float16 generation not implemented`);
    if (isFloat) data[i] = lo + (hi - lo) * u;
    else {
      const v = Math.min(hi, lo + Math.floor(u * (hi - lo + 1)));
      data[i] = isBig ? BigInt(v) : v;
    }
  }
  return new ort.Tensor(type, data, dims);
}

//===----------------------------------------------------------------------===//
// Main
//===----------------------------------------------------------------------===//

async function main() {
  const o = parseArgs(process.argv.slice(2));
  let ort;
  try {
    ort = require(path.join(path.resolve(o.ort), 'node_modules', 'onnxruntime-node'));
  } catch (e) {
    die(`cannot load onnxruntime-node from ${o.ort} (run scripts/fetch_models.sh): ${e.message}`);
  }
  const opts = { executionProviders: ['cpu'] };
  if (o.threads > 0) opts.intraOpNumThreads = o.threads;
  const session = await ort.InferenceSession.create(o.model, opts);

  fs.mkdirSync(o.out, { recursive: true });
  const feeds = {};
  const meta = {
    model: path.resolve(o.model),
    model_sha256: crypto.createHash('sha256').update(fs.readFileSync(o.model)).digest('hex'),
    ort_version: require(path.join(path.resolve(o.ort), 'node_modules', 'onnxruntime-node',
      'package.json')).version,
    args: process.argv.slice(2),
    inputs: [],
    outputs: [],
  };
  const inputMeta = session.inputMetadata ||
    session.inputNames.map((name) => ({ name, type: 'float32', shape: [] }));
  inputMeta.forEach((m, i) => {
    let t;
    if (m.name in o.inputs) {
      const a = readNpy(o.inputs[m.name]);
      t = new ort.Tensor(a.type, a.data, a.dims);
    } else {
      const range = o.ranges[m.name] || o.ranges['*'];
      t = randomTensor(ort, m, resolveShape(m, o), range, o.seed * 1000003 + i);
    }
    feeds[m.name] = t;
    const file = `input_${i}.npy`;
    writeNpy(path.join(o.out, file), t.type, t.dims, t.data);
    meta.inputs.push({ name: m.name, file, dtype: t.type, shape: Array.from(t.dims) });
  });

  let results = await session.run(feeds); // Warm-up, and the saved outputs.
  const times = [];
  for (let r = 0; r < o.runs; ++r) {
    const t0 = process.hrtime.bigint();
    await session.run(feeds);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  session.outputNames.forEach((name, i) => {
    const t = results[name];
    const file = `output_${i}.npy`;
    writeNpy(path.join(o.out, file), t.type, t.dims, t.data);
    meta.outputs.push({ name, file, dtype: t.type, shape: Array.from(t.dims) });
  });
  const mean = times.length ? times.reduce((a, b) => a + b, 0) / times.length : NaN;
  meta.ort_runs = times.length;
  meta.ort_ms_mean = mean;
  meta.ort_ms_min = times.length ? Math.min(...times) : NaN;
  fs.writeFileSync(path.join(o.out, 'meta.json'), JSON.stringify(meta, null, 2) + '\n');

  const sig = (l) => l.map((x) => `${x.name}: ${x.dtype}[${x.shape.join(',')}]`).join(', ');
  console.log(`ort_run: ${path.basename(o.model)} (onnxruntime-node ${meta.ort_version}, cpu)`);
  console.log(`  inputs:  ${sig(meta.inputs)}`);
  console.log(`  outputs: ${sig(meta.outputs)}`);
  console.log(`  ORT time: mean ${mean.toFixed(3)} ms, min ${meta.ort_ms_min.toFixed(3)} ms over ${times.length} runs`);
}

main().catch((e) => die(e && e.message ? e.message : String(e)));
