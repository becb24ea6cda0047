// `swtc run`: compile, build with the system compiler (or the emulator), run,
// compare with the reference interpreter.
#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <thread>

#include "common/error.h"
#include "common/names.h"
#include "common/npy.h"
#include "driver/driver.h"
#include "driver/mpi.h"
#include "driver/shell.h"
#include "graph/passes/split_batch.h"
#include "interp/interpreter.h"

namespace swtc::driver {

namespace fs = std::filesystem;

namespace {

graph::TensorData to_tensor(const npy::Array &a, const graph::Value &v, const std::string &path) {
  if (a.shape != v.shape)
    user_error("input '", printable(v.name), "' from ", printable(path), ": shape ",
               graph::shape_str(a.shape),
               " but the model wants ", graph::shape_str(v.shape));
  return tensor_from_npy(a, v.dtype, "input '" + printable(v.name) + "' from " + printable(path));
}

/// A .npy of `samples` samples (dim 0) for input `v`, whose other dims are
/// v's: the runner's throughput mode (checked against the model once it is
/// compiled). Any other shape is to_tensor's error.
graph::TensorData to_tensor_samples(const npy::Array &a, const graph::Value &v,
                                    const std::string &path, int64_t &samples) {
  const bool other_batch = !v.shape.empty() && a.shape.size() == v.shape.size() &&
                           a.shape[0] >= 1 && a.shape[0] != v.shape[0] &&
                           std::equal(a.shape.begin() + 1, a.shape.end(), v.shape.begin() + 1);
  if (!other_batch) return to_tensor(a, v, path);
  if (samples != 0 && samples != a.shape[0])
    user_error("input '", v.name, "' from ", path, " holds ", a.shape[0],
               " samples and another input ", samples);
  samples = a.shape[0];
  return tensor_from_npy(a, v.dtype, "input '" + v.name + "' from " + path);
}

/// Rows [from, from + n) of t (dim 0), rows past its end copies of its last row.
graph::TensorData rows(const graph::TensorData &t, int64_t from, int64_t n) {
  graph::TensorData r;
  r.dtype = t.dtype;
  r.shape = t.shape;
  r.shape[0] = n;
  const int64_t row = t.shape[0] > 0 ? t.size() / t.shape[0] : 0;
  for (int64_t k = 0; k < n; ++k) {
    const int64_t src = std::min(from + k, t.shape[0] - 1) * row;
    if (t.dtype == graph::DType::F32)
      r.f32.insert(r.f32.end(), t.f32.begin() + src, t.f32.begin() + src + row);
    else
      r.i64.insert(r.i64.end(), t.i64.begin() + src, t.i64.begin() + src + row);
  }
  return r;
}

/// Appends the first n rows of `part` to `all` (dim 0).
void append_rows(graph::TensorData &all, const graph::TensorData &part, int64_t n) {
  const int64_t row = part.shape[0] > 0 ? part.size() / part.shape[0] : 0;
  if (all.shape.empty()) {
    all.dtype = part.dtype;
    all.shape = part.shape;
    all.shape[0] = 0;
  }
  all.shape[0] += n;
  if (part.dtype == graph::DType::F32)
    all.f32.insert(all.f32.end(), part.f32.begin(), part.f32.begin() + n * row);
  else
    all.i64.insert(all.i64.end(), part.i64.begin(), part.i64.begin() + n * row);
}

/// Element k as a double.
double at(const graph::TensorData &t, size_t k) {
  return t.dtype == graph::DType::F32 ? double(t.f32[k]) : double(t.i64[k]);
}

}  // namespace

namespace {

/// Removes a temporary work folder when the run is over, unless kept.
}  // namespace

void check_writable_dir(const std::string &dir, const char *what) {
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
    user_error(what, " '", dir, "' exists and is not a folder");
  fs::create_directories(dir, ec);
  if (ec) user_error(what, " '", dir, "': cannot create the folder: ", ec.message());
  const fs::path probe = fs::path(dir) / ".swtc-write-test";
  std::FILE *f = std::fopen(probe.c_str(), "wb");
  if (!f) user_error(what, " '", dir, "': cannot write into the folder: ", std::strerror(errno));
  std::fclose(f);
  fs::remove(probe, ec);
}


OutputCheck compare_output(const std::string &name, const graph::TensorData &got,
                           const graph::TensorData &expect, double tolerance) {
  OutputCheck c;
  c.name = name;
  double diff2 = 0, ref2 = 0;
  const size_t n = static_cast<size_t>(got.size());
  SWTC_CHECK(static_cast<size_t>(expect.size()) == n, "comparing '", name, "': sizes differ");
  for (size_t k = 0; k < n; ++k) {
    const double a = at(got, k), e = at(expect, k);
    // numpy.testing.assert_allclose(equal_nan=True): NaN agrees with NaN, an
    // infinity with the same infinity; any other non-finite pair differs.
    if (!std::isfinite(a) || !std::isfinite(e)) {
      const bool same = (std::isnan(a) && std::isnan(e)) || a == e;
      if (!same) ++c.nonfinite_mismatches;
      continue;
    }
    const double d = a - e;
    diff2 += d * d;
    ref2 += e * e;
    c.max_abs = std::max(c.max_abs, std::fabs(d));
  }
  c.rel_l2 = std::sqrt(diff2) / std::max(std::sqrt(ref2), 1e-30);
  c.ok = c.nonfinite_mismatches == 0 && c.rel_l2 <= tolerance;
  return c;
}

RunResult run_model(const std::string &model_path, const RunOptions &opts, std::ostream &log) {
  RunResult res;
  if (!(opts.tolerance >= 0) || !std::isfinite(opts.tolerance))
    user_error("--tolerance ", opts.tolerance, ": must be a finite number >= 0");
  if (opts.repeat < 1) user_error("--repeat ", opts.repeat, ": must be at least 1");
  check_ranks(opts.ranks);
  if (!(opts.timeout >= 0) || !std::isfinite(opts.timeout))
    user_error("--timeout ", opts.timeout, ": must be a number of seconds >= 0");
  // The runner is an MPI program; without MPI only its serial build (one rank).
  const bool mpi = have_mpi();
  if (!mpi && opts.ranks > 1)
    user_error("--ranks ", opts.ranks, " needs MPI, and mpicc or mpirun is not on PATH: install "
               "OpenMPI (bash scripts/setup.sh; Debian: openmpi-bin libopenmpi-dev)");
  for (size_t i = 0; i < opts.inputs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (opts.inputs[i].first == opts.inputs[j].first)
        user_error("--input '", opts.inputs[i].first, "' is given twice");
  // Where results go must be writable before minutes of compiling and building.
  if (!opts.output_dir.empty()) check_writable_dir(opts.output_dir, "--output-dir");
  if (!opts.work_dir.empty()) check_writable_dir(opts.work_dir, "--work-dir");

  graph::Graph g = import_model(model_path, opts.bind, opts.shapes);
  for (const auto &[name, p] : opts.inputs) {
    bool known = false;
    for (int id : g.inputs) known = known || g.values[id].name == name;
    if (!known) user_error("the model has no input named '", name, "'");
  }
  // Given inputs are read (and checked) before compiling.
  std::vector<graph::TensorData> inputs;
  std::vector<std::string> input_paths;
  int64_t samples = 0;  // dim 0 of inputs given with another batch (throughput mode), or 0
  for (int id : g.inputs) {
    const graph::Value &v = g.values[id];
    std::string path;
    for (const auto &[name, p] : opts.inputs)
      if (name == v.name) path = p;
    if (!path.empty()) inputs.push_back(to_tensor_samples(npy::load(path), v, path, samples));
    else inputs.emplace_back();
    input_paths.push_back(path);
  }

  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.winograd = opts.winograd;
  co.ranks = opts.ranks;
  co.tile_choices = opts.tile_choices;
  co.tuning_report = opts.tile_choices ? &log : nullptr;
  codegen::Module m = compile_graph(g, co);
  if (samples != 0) {
    // Inputs of another batch: runs over chunks of samples must stack.
    const std::string why = graph::samples_independent_problem(m.graph);
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const graph::Value &v = g.values[g.inputs[i]];
      if (!inputs[i].shape.empty() && !v.shape.empty() && inputs[i].shape[0] != v.shape[0] &&
          !why.empty())
        user_error("input '", v.name, "' from ", input_paths[i], ": shape ",
                   graph::shape_str(inputs[i].shape), " but the model wants ",
                   graph::shape_str(v.shape), " (another number of samples needs a model that "
                   "keeps samples independent, and ", why, ")");
    }
  }
  if (!target::runs_here(m.target))
    user_error("target ", m.target.name, " needs the ", target::simd_name(m.target.simd),
               " instructions, which this CPU lacks (--target host picks what it has)");

  WorkDir wd(opts.work_dir, "swtc-run", opts.keep_work_dir);
  res.work_dir = wd.path;
  res.work_dir_kept = !wd.remove;
  write_output(m, res.work_dir);
  log << "compiled " << m.kernels.size() << " kernels for " << m.target.name
      << (m.ranks > 1 ? " (" + std::to_string(m.ranks) + " ranks, one slice of the batch each)"
                      : std::string())
      << " into " << res.work_dir << "\n";

  const bool sunway = m.target.kind == target::Kind::Sunway;
  std::string out;
  log << "building with " << (sunway ? "gcc and the athread emulator" : "the system C compiler")
      << (mpi ? ", the runner with mpicc" : " (no MPI on this machine: the runner's serial build)")
      << "...\n";
  const std::string rule = sunway ? (mpi ? "emulate" : "emulate-serial") : (mpi ? "all" : "serial");
  if (run_command("make -C " + shell_quote(res.work_dir) + " -s " + rule + make_overrides(), out) !=
      0) {
    wd.remove = false;  // kept to look at
    user_error("building the generated code failed (the sources are kept in ", res.work_dir,
               "):\n", out);
  }

  // Inputs: the given files, or seeded random values in [-1, 1) (never zeros),
  // passed to the runner in order (positional: no name has to survive a
  // command line).
  fs::create_directories(fs::path(res.work_dir) / "inputs");
  std::string args;
  std::mt19937_64 rng(opts.seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  std::vector<std::string> in_names;
  for (int id : g.inputs) in_names.push_back(g.values[id].name);
  const std::vector<std::string> in_stems = names::unique_stems(in_names);
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const graph::Value &v = g.values[g.inputs[i]];
    std::string path = input_paths[i];
    if (path.empty()) {
      graph::TensorData &t = inputs[i];
      t.dtype = v.dtype;
      t.shape = v.shape;
      if (samples != 0) t.shape[0] = samples;
      const size_t n = static_cast<size_t>(graph::num_elements(v.shape));
      if (v.dtype == graph::DType::F32) {
        t.f32.resize(n);
        for (auto &x : t.f32) x = dist(rng);
      } else if (v.dtype == graph::DType::Bool) {  // both values
        t.i64.resize(n);
        for (auto &x : t.i64) x = static_cast<int64_t>(rng() % 2);
      } else {  // integers: non-zero, small enough for every type (1..9)
        t.i64.resize(n);
        for (auto &x : t.i64) x = 1 + static_cast<int64_t>(rng() % 9);
      }
      path = (fs::path(res.work_dir) / "inputs" / (in_stems[i] + ".npy")).string();
      npy::save(path, npy_from_tensor(t));
    }
    args += " " + shell_quote(fs::absolute(path).string());
  }

  const std::string out_dir = opts.output_dir.empty()
                                  ? (fs::path(res.work_dir) / "outputs").string()
                                  : opts.output_dir;
  fs::create_directories(out_dir);
  const std::string exe = "./" + m.name + (sunway ? "_emu" : "") + (mpi ? "" : "_serial");
  const std::string exe_args = exe + args + " --output-dir " +
                               shell_quote(fs::absolute(out_dir).string()) + " --repeat " +
                               std::to_string(opts.repeat);
  // Host ranks share the cores: each gets its part of them as OpenMP threads
  // (unless OMP_NUM_THREADS says otherwise).
  const int cores = std::max(1, static_cast<int>(std::thread::hardware_concurrency()));
  const int omp = !sunway && opts.ranks > 1 && !std::getenv("OMP_NUM_THREADS")
                      ? std::max(1, cores / opts.ranks)
                      : 0;
  std::string cmd;
  if (mpi) {
    cmd = mpi_launch_command(opts.ranks, exe_args, omp, opts.timeout);
  } else {
    char t[64];
    std::snprintf(t, sizeof t, "%.3f", opts.timeout);
    cmd = (opts.timeout > 0 ? "timeout -k 5 " + std::string(t) + " " : std::string()) + exe_args;
  }
  log << "running " << exe << " on " << opts.ranks << " rank" << (opts.ranks > 1 ? "s" : "")
      << (!mpi                ? std::string(" (no MPI)")
          : opts.ranks == 1 ? std::string(" (MPI singleton: no mpirun)")
                            : " (" + cmd.substr(0, cmd.find(" ./")) + ")")
      << ", "
      << opts.repeat << " runs...\n";
  int st = run_command("cd " + shell_quote(res.work_dir) + " && " + cmd, out);
  res.run_output = out;
  if (st != 0) {
    wd.remove = false;
    if (opts.timeout > 0 && mpi_timed_out(out, st))
      user_error("the compiled model did not finish within --timeout ", opts.timeout,
                 " s: the job was stopped on all ranks (the build is kept in ", res.work_dir,
                 "):\n", out);
    const std::string why = mpi_failure(out, mpi ? opts.ranks : 0, st);
    user_error("the compiled model failed", why.empty() ? std::string() : ": " + why, " (exit ",
               st, "; the build is kept in ", res.work_dir, "):\n", out);
  }
  if (auto pos = out.find("latency_ms median="); pos != std::string::npos)
    res.latency_ms_median = std::stod(out.substr(pos + 18));
  if (auto pos = out.find("images_per_s="); pos != std::string::npos)
    res.images_per_s = std::stod(out.substr(pos + 13));
  res.output_files = codegen::output_file_stems(m);
  for (auto &f : res.output_files) f += ".npy";

  if (!opts.check) return res;
  log << "running the reference interpreter...\n";
  std::vector<graph::TensorData> expect;
  if (samples == 0) {
    expect = interp::run(g, inputs);
  } else {
    // Throughput mode: the model's batch at a time, the last chunk padded.
    const int64_t b = g.values[g.inputs[0]].shape[0];
    expect.resize(g.outputs.size());
    for (int64_t from = 0; from < samples; from += b) {
      std::vector<graph::TensorData> part;
      for (const auto &t : inputs) part.push_back(rows(t, from, b));
      const std::vector<graph::TensorData> outs = interp::run(g, part);
      for (size_t i = 0; i < outs.size(); ++i)
        append_rows(expect[i], outs[i], std::min(b, samples - from));
    }
  }
  SWTC_CHECK(g.outputs.size() == m.graph.outputs.size(), "outputs of the compiled graph");
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const graph::Value &v = g.values[g.outputs[i]];
    std::string path = (fs::path(out_dir) / res.output_files[i]).string();
    graph::Value want = v;
    want.shape = expect[i].shape;  // [samples, ...] in throughput mode
    graph::TensorData got = to_tensor(npy::load(path), want, path);
    OutputCheck c = compare_output(v.name, got, expect[i], opts.tolerance);
    res.ok = res.ok && c.ok;
    res.checks.push_back(c);
  }
  return res;
}

}  // namespace swtc::driver
