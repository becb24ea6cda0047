// `swtc run`: compile, build with the system compiler (or the emulator), run,
// compare with the reference interpreter.
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/error.h"
#include "common/names.h"
#include "common/npy.h"
#include "driver/driver.h"
#include "driver/shell.h"
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
  for (size_t i = 0; i < opts.inputs.size(); ++i)
    for (size_t j = 0; j < i; ++j)
      if (opts.inputs[i].first == opts.inputs[j].first)
        user_error("--input '", opts.inputs[i].first, "' is given twice");
  // Where results go must be writable before minutes of compiling and building.
  if (!opts.output_dir.empty()) check_writable_dir(opts.output_dir, "--output-dir");
  if (!opts.work_dir.empty()) check_writable_dir(opts.work_dir, "--work-dir");

  graph::Graph g = import_model(model_path, opts.bind);
  for (const auto &[name, p] : opts.inputs) {
    bool known = false;
    for (int id : g.inputs) known = known || g.values[id].name == name;
    if (!known) user_error("the model has no input named '", name, "'");
  }
  // Given inputs are read (and checked) before compiling.
  std::vector<graph::TensorData> inputs;
  std::vector<std::string> input_paths;
  for (int id : g.inputs) {
    const graph::Value &v = g.values[id];
    std::string path;
    for (const auto &[name, p] : opts.inputs)
      if (name == v.name) path = p;
    if (!path.empty()) inputs.push_back(to_tensor(npy::load(path), v, path));
    else inputs.emplace_back();
    input_paths.push_back(path);
  }

  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.core_groups = opts.core_groups;
  codegen::Module m = compile_graph(g, co);
  if (!target::runs_here(m.target))
    user_error("target ", m.target.name, " needs the ", target::simd_name(m.target.simd),
               " instructions, which this CPU lacks (--target host picks what it has)");

  WorkDir wd(opts.work_dir, "swtc-run", opts.keep_work_dir);
  res.work_dir = wd.path;
  res.work_dir_kept = !wd.remove;
  write_output(m, res.work_dir);
  log << "compiled " << m.kernels.size() << " kernels for " << m.target.name
      << (m.core_groups > 1 ? " (" + std::to_string(m.core_groups) + " core groups, one slice of "
                                  "the batch each)"
                            : std::string())
      << " into " << res.work_dir << "\n";

  const bool sunway = m.target.kind == target::Kind::Sunway;
  std::string out;
  log << "building with " << (sunway ? "gcc and the athread emulator" : "the system C compiler")
      << "...\n";
  if (run_command("make -C " + shell_quote(res.work_dir) + " -s " + (sunway ? "emulate" : "all") +
                      make_overrides(),
                  out) != 0) {
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
      const size_t n = static_cast<size_t>(graph::num_elements(v.shape));
      if (v.dtype == graph::DType::F32) {
        t.f32.resize(n);
        for (auto &x : t.f32) x = dist(rng);
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
  const std::string exe = "./" + m.name + (sunway ? "_emu" : "");
  log << "running " << exe << " (" << opts.repeat << " runs)...\n";
  int st = run_command("cd " + shell_quote(res.work_dir) + " && " + exe + args + " --output-dir " +
                           shell_quote(fs::absolute(out_dir).string()) + " --repeat " +
                           std::to_string(opts.repeat),
                       out);
  if (st != 0) {
    wd.remove = false;
    user_error("the compiled model failed (exit ", st, "; the build is kept in ", res.work_dir,
               "):\n", out);
  }
  if (auto pos = out.find("latency_ms median="); pos != std::string::npos)
    res.latency_ms_median = std::stod(out.substr(pos + 18));
  res.output_files = codegen::output_file_stems(m);
  for (auto &f : res.output_files) f += ".npy";

  if (!opts.check) return res;
  log << "running the reference interpreter...\n";
  std::vector<graph::TensorData> expect = interp::run(g, inputs);
  SWTC_CHECK(g.outputs.size() == m.graph.outputs.size(), "outputs of the compiled graph");
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const graph::Value &v = g.values[g.outputs[i]];
    std::string path = (fs::path(out_dir) / res.output_files[i]).string();
    graph::TensorData got = to_tensor(npy::load(path), v, path);
    OutputCheck c = compare_output(v.name, got, expect[i], opts.tolerance);
    res.ok = res.ok && c.ok;
    res.checks.push_back(c);
  }
  return res;
}

}  // namespace swtc::driver
