#!/usr/bin/env node
// Run an ONNX model with ONNX Runtime (CPU) -- the reference swtc is compared against.
//
//   node scripts/ort_run.js MODEL.onnx [--input NAME=FILE.npy ...] [--output-dir DIR]
//        [--repeat N] [--warmup W] [--threads T] [--seed S] [--save-inputs DIR]
//        [--optimization all|extended|basic|disabled]
//
// Inputs come from .npy files (v1/v2/v3, little-endian, C order; float32, float64,
// int64, int32, uint8, int8, bool). A model input that is not given gets a seeded
// random normal float32 tensor of the model's declared shape (deterministic PRNG,
// seed --seed, default 0; a symbolic dimension counts as 1). --save-inputs writes
// the inputs that were used to DIR/<name>.npy.
// Each output is written to DIR/<name>.npy (characters outside [A-Za-z0-9_.-]
// replaced by '_'). With --repeat N > 1 the first run is a warm-up that is not
// timed; --warmup W runs W untimed runs first and then times all N. --threads T
// sets the session's intra-op threads (inter-op: 1). --optimization sets ORT's
// graph optimization level (default all). Prints one line of JSON:
//   {"latency_ms_median": x, "runs": N, "outputs": {"name": [shape]}}
// Errors: message on stderr, exit 1.
'use strict';

const fs = require('fs');
const path = require('path');

class UsageError extends Error {}

function fail(msg) {
  throw new UsageError(msg);
}

// ------------------------------------------------------------------ npy files

// numpy descr -> [onnxruntime tensor type, TypedArray constructor, item size]
const DTYPES = {
  '<f4': ['float32', Float32Array, 4],
  '<f8': ['float64', Float64Array, 8],
  '<i8': ['int64', BigInt64Array, 8],
  '<i4': ['int32', Int32Array, 4],
  '<i2': ['int16', Int16Array, 2],
  '|i1': ['int8', Int8Array, 1],
  '|u1': ['uint8', Uint8Array, 1],
  '|b1': ['bool', Uint8Array, 1],
  '<u4': ['uint32', Uint32Array, 4],
  '<u8': ['uint64', BigUint64Array, 8],
};
const DESCR_OF = {};
for (const [descr, [type]] of Object.entries(DTYPES)) DESCR_OF[type] = descr;

function readNpy(file) {
  let buf;
  try {
    buf = fs.readFileSync(file);
  } catch (e) {
    fail(`cannot read ${file}: ${e.code || e.message}`);
  }
  const bad = (why) => fail(`${file}: not a valid .npy file (${why})`);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') {
    bad('bad magic');
  }
  const major = buf[6];
  let hlen;
  let hstart;
  if (major === 1) {
    hlen = buf.readUInt16LE(8);
    hstart = 10;
  } else if (major === 2 || major === 3) {
    if (buf.length < 12) bad('truncated header');
    hlen = buf.readUInt32LE(8);
    hstart = 12;
  } else {
    bad(`unsupported version ${major}`);
  }
  if (hstart + hlen > buf.length) bad('truncated header');
  const header = buf.toString(major === 3 ? 'utf8' : 'latin1', hstart, hstart + hlen);
  const descrM = header.match(/'descr'\s*:\s*'([^']*)'/);
  const fortranM = header.match(/'fortran_order'\s*:\s*(True|False)/);
  const shapeM = header.match(/'shape'\s*:\s*\(([^)]*)\)/);
  if (!descrM || !fortranM || !shapeM) bad('bad header');
  let descr = descrM[1];
  if (descr === '<b1') descr = '|b1';
  if (descr === '<u1') descr = '|u1';
  if (descr === '<i1') descr = '|i1';
  if (!(descr in DTYPES)) bad(`unsupported dtype '${descr}'`);
  if (fortranM[1] === 'True') bad('fortran_order arrays are not supported');
  const shape = shapeM[1]
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isInteger(n) || n < 0) bad(`bad shape '${shapeM[1]}'`);
      return n;
    });
  const [type, Ctor, size] = DTYPES[descr];
  const count = shape.reduce((a, b) => a * b, 1);
  const dstart = hstart + hlen;
  if (buf.length - dstart !== count * size) {
    bad(`data size ${buf.length - dstart} != ${count} x ${size} bytes for shape (${shape})`);
  }
  // Copy into a fresh (aligned) ArrayBuffer.
  const ab = new ArrayBuffer(count * size);
  new Uint8Array(ab).set(buf.subarray(dstart));
  return { type, data: new Ctor(ab), dims: shape };
}

function writeNpy(file, type, data, dims) {
  const descr = DESCR_OF[type];
  if (!descr) fail(`cannot write output of type ${type} to .npy`);
  const shapeStr = dims.length === 1 ? `(${dims[0]},)` : `(${dims.join(', ')})`;
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': ${shapeStr}, }`;
  // magic(6) + version(2) + len(2) + header + '\n', padded to a multiple of 64.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header + ' '.repeat(total - 10 - header.length - 1) + '\n';
  const pre = Buffer.alloc(10);
  pre[0] = 0x93;
  pre.write('NUMPY', 1, 'latin1');
  pre[6] = 1;
  pre[7] = 0;
  pre.writeUInt16LE(header.length, 8);
  let bytes;
  if (type === 'bool') {
    bytes = Buffer.from(Uint8Array.from(data, (v) => (v ? 1 : 0)));
  } else {
    bytes = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  }
  fs.writeFileSync(file, Buffer.concat([pre, Buffer.from(header, 'latin1'), bytes]));
}

// ------------------------------------------------- minimal ONNX (protobuf) reader
// Only what is needed to find the graph inputs' names, element types and shapes:
// ModelProto.graph(7) -> GraphProto.input(11), .initializer(5)
// ValueInfoProto.name(1), .type(2) -> TypeProto.tensor_type(1)
// -> Tensor.elem_type(1), .shape(2) -> TensorShapeProto.dim(1)
// -> Dimension.dim_value(1) | .dim_param(2); TensorProto.name(8)

function pbFields(buf, start, end, cb) {
  let p = start;
  const varint = () => {
    let result = 0;
    let mul = 1;
    for (;;) {
      if (p >= end) throw new Error('truncated protobuf');
      const b = buf[p++];
      result += (b & 0x7f) * mul;
      if (!(b & 0x80)) break;
      mul *= 128;
    }
    return result;
  };
  while (p < end) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wire = key & 7;
    if (wire === 0) {
      cb(field, wire, varint());
    } else if (wire === 1) {
      p += 8;
    } else if (wire === 2) {
      const len = varint();
      if (p + len > end) throw new Error('truncated protobuf');
      cb(field, wire, [p, p + len]);
      p += len;
    } else if (wire === 5) {
      p += 4;
    } else {
      throw new Error(`unsupported protobuf wire type ${wire}`);
    }
  }
}

const ONNX_ELEM = {
  1: 'float32', 2: 'uint8', 3: 'int8', 5: 'int16', 6: 'int32', 7: 'int64',
  9: 'bool', 11: 'float64',
};

function readModelInputs(buf) {
  const inputs = [];
  const initNames = new Set();
  const str = ([a, b]) => buf.toString('utf8', a, b);
  pbFields(buf, 0, buf.length, (f, w, v) => {
    if (f !== 7 || w !== 2) return;
    pbFields(buf, v[0], v[1], (gf, gw, gv) => {
      if (gw !== 2) return;
      if (gf === 5) {
        pbFields(buf, gv[0], gv[1], (tf, tw, tv) => {
          if (tf === 8 && tw === 2) initNames.add(str(tv));
        });
      } else if (gf === 11) {
        const info = { name: '', elemType: 0, dims: [] };
        pbFields(buf, gv[0], gv[1], (vf, vw, vv) => {
          if (vf === 1 && vw === 2) info.name = str(vv);
          if (vf !== 2 || vw !== 2) return;
          pbFields(buf, vv[0], vv[1], (tf, tw, tv) => {
            if (tf !== 1 || tw !== 2) return;
            pbFields(buf, tv[0], tv[1], (ef, ew, ev) => {
              if (ef === 1 && ew === 0) info.elemType = ev;
              if (ef !== 2 || ew !== 2) return;
              pbFields(buf, ev[0], ev[1], (sf, sw, sv) => {
                if (sf !== 1 || sw !== 2) return;
                let d = null;
                pbFields(buf, sv[0], sv[1], (df, dw, dv) => {
                  if (df === 1 && dw === 0) d = dv;
                  if (df === 2 && dw === 2) d = str(dv);
                });
                info.dims.push(d);
              });
            });
          });
        });
        inputs.push(info);
      }
    });
  });
  return inputs.filter((i) => !initNames.has(i.name));
}

// ------------------------------------------------------------ random inputs

function hashString(s) {
  // FNV-1a, 32 bit
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomNormal(count, seed) {
  const rand = mulberry32(seed);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    let u1 = rand();
    if (u1 < 1e-12) u1 = 1e-12;
    const u2 = rand();
    const r = Math.sqrt(-2 * Math.log(u1));
    out[i] = r * Math.cos(2 * Math.PI * u2);
    if (i + 1 < count) out[i + 1] = r * Math.sin(2 * Math.PI * u2);
  }
  return out;
}

// ----------------------------------------------------------------- main

function parseArgs(argv) {
  const opts = { model: null, inputs: [], outputDir: null, repeat: 1, warmup: null, threads: 0,
    seed: 0, saveInputs: null };
  const need = (i, flag) => {
    if (i + 1 >= argv.length) fail(`${flag} needs a value`);
    return argv[i + 1];
  };
  const posInt = (s, flag, min) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < min) fail(`${flag}: expected an integer >= ${min}, got '${s}'`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    let m;
    if ((m = a.match(/^(--[a-z-]+)=(.*)$/s))) {
      // --flag=value form
      argv.splice(i, 1, m[1], m[2]);
    }
    const flag = argv[i];
    if (flag === '--input') {
      const v = need(i, flag);
      const eq = v.indexOf('=');
      if (eq <= 0) fail(`--input expects NAME=FILE.npy, got '${v}'`);
      opts.inputs.push([v.slice(0, eq), v.slice(eq + 1)]);
      i++;
    } else if (flag === '--output-dir') {
      opts.outputDir = need(i, flag);
      i++;
    } else if (flag === '--repeat') {
      opts.repeat = posInt(need(i, flag), flag, 1);
      i++;
    } else if (flag === '--warmup') {
      opts.warmup = posInt(need(i, flag), flag, 0);
      i++;
    } else if (flag === '--threads') {
      opts.threads = posInt(need(i, flag), flag, 0);
      i++;
    } else if (flag === '--seed') {
      opts.seed = posInt(need(i, flag), flag, 0);
      i++;
    } else if (flag === '--save-inputs') {
      opts.saveInputs = need(i, flag);
      i++;
    } else if (flag === '--optimization') {
      opts.optimization = need(i, flag);
      if (!['all', 'extended', 'basic', 'disabled'].includes(opts.optimization)) {
        fail(`--optimization must be all, extended, basic or disabled, got '${opts.optimization}'`);
      }
      i++;
    } else if (flag === '-h' || flag === '--help') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('\n').slice(1, 19)
        .map((l) => l.replace(/^\/\/ ?/, '')).join('\n') + '\n');
      process.exit(0);
    } else if (flag.startsWith('--')) {
      fail(`unknown option ${flag}`);
    } else if (opts.model === null) {
      opts.model = flag;
    } else {
      fail(`unexpected argument '${flag}'`);
    }
  }
  if (opts.model === null) fail('usage: ort_run.js MODEL.onnx [--input NAME=FILE.npy ...] '
    + '[--output-dir DIR] [--repeat N] [--threads T] [--seed S] [--save-inputs DIR]');
  return opts;
}

function loadOrt() {
  const dir = path.join(__dirname, '..', 'third_party', 'ort', 'node_modules', 'onnxruntime-node');
  if (!fs.existsSync(dir)) {
    fail(`onnxruntime-node is not installed (${path.normalize(dir)}); run scripts/setup.sh`);
  }
  return require(dir);
}

function safeName(name) {
  return name.replace(/[^A-Za-z0-9_.-]/g, '_');
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  let modelBuf;
  try {
    modelBuf = fs.readFileSync(opts.model);
  } catch (e) {
    fail(`cannot read model ${opts.model}: ${e.code || e.message}`);
  }
  const ort = loadOrt();

  const sessOpts = { executionProviders: ['cpu'], logSeverityLevel: 3,
    graphOptimizationLevel: opts.optimization || 'all' };
  if (opts.threads > 0) {
    sessOpts.intraOpNumThreads = opts.threads;
    sessOpts.interOpNumThreads = 1;
  }
  let session;
  try {
    session = await ort.InferenceSession.create(modelBuf, sessOpts);
  } catch (e) {
    fail(`cannot load model ${opts.model}: ${e.message}`);
  }

  let declared = [];
  try {
    declared = readModelInputs(modelBuf);
  } catch (e) {
    declared = [];
  }
  const declaredByName = new Map(declared.map((d) => [d.name, d]));

  const feeds = {};
  for (const [name, file] of opts.inputs) {
    if (!session.inputNames.includes(name)) {
      fail(`unknown input name '${name}'; model inputs: ${session.inputNames.join(', ')}`);
    }
    const t = readNpy(file);
    feeds[name] = new ort.Tensor(t.type, t.data, t.dims);
  }
  for (const name of session.inputNames) {
    if (name in feeds) continue;
    const d = declaredByName.get(name);
    if (!d) fail(`input '${name}' not given and its declared shape is unknown`);
    if (d.elemType !== 1) {
      fail(`input '${name}' not given and is not float32 (ONNX elem_type ${d.elemType}); `
        + 'pass it with --input');
    }
    const dims = d.dims.map((x) => {
      if (typeof x === 'number' && x > 0) return x;
      process.stderr.write(`ort_run: input '${name}': dimension '${x}' taken as 1\n`);
      return 1;
    });
    const count = dims.reduce((a, b) => a * b, 1);
    const seed = (hashString(name) ^ Math.imul(opts.seed + 1, 0x9e3779b1)) >>> 0;
    feeds[name] = new ort.Tensor('float32', randomNormal(count, seed), dims);
  }
  if (opts.saveInputs) {
    fs.mkdirSync(opts.saveInputs, { recursive: true });
    for (const [name, t] of Object.entries(feeds)) {
      writeNpy(path.join(opts.saveInputs, `${safeName(name)}.npy`), t.type, t.data, t.dims);
    }
  }

  let results;
  const times = [];
  for (let r = 0; r < (opts.warmup || 0); r++) {
    try {
      await session.run(feeds);
    } catch (e) {
      fail(`run failed: ${e.message}`);
    }
  }
  for (let r = 0; r < opts.repeat; r++) {
    const t0 = process.hrtime.bigint();
    try {
      results = await session.run(feeds);
    } catch (e) {
      fail(`run failed: ${e.message}`);
    }
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (opts.repeat === 1 || r > 0 || opts.warmup !== null) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const mid = Math.floor(times.length / 2);
  const median = times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2;

  const outputs = {};
  if (opts.outputDir) fs.mkdirSync(opts.outputDir, { recursive: true });
  for (const name of session.outputNames) {
    const t = results[name];
    outputs[name] = Array.from(t.dims, Number);
    if (opts.outputDir) {
      writeNpy(path.join(opts.outputDir, `${safeName(name)}.npy`), t.type, t.data,
        outputs[name]);
    }
  }
  process.stdout.write(JSON.stringify({
    latency_ms_median: Number(median.toFixed(4)),
    runs: opts.repeat,
    outputs,
  }) + '\n');
}

main().catch((e) => {
  process.stderr.write(`ort_run: error: ${e instanceof UsageError ? e.message : e.stack || e}\n`);
  process.exit(1);
});
