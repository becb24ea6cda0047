// `swtc run`: compile, build with the system compiler (or the emulator), run,
// compare with the reference interpreter.
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>

#include "common/error.h"
#include "common/npy.h"
#include "driver/driver.h"
#include "driver/shell.h"
#include "interp/interpreter.h"

namespace swtc::driver {

namespace fs = std::filesystem;

namespace {

graph::TensorData to_tensor(const npy::Array &a, const graph::Value &v, const std::string &path) {
  if (a.shape != v.shape)
    user_error("input '", v.name, "' from ", path, ": shape ", graph::shape_str(a.shape),
               " but the model wants ", graph::shape_str(v.shape));
  return tensor_from_npy(a, v.dtype, "input '" + v.name + "' from " + path);
}

/// Element k as a double.
double at(const graph::TensorData &t, size_t k) {
  return t.dtype == graph::DType::F32 ? double(t.f32[k]) : double(t.i64[k]);
}

}  // namespace

RunResult run_model(const std::string &model_path, const RunOptions &opts, std::ostream &log) {
  RunResult res;
  graph::Graph g = import_model(model_path, opts.bind);
  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.core_groups = opts.core_groups;
  codegen::Module m = compile_graph(g, co);
  if (!target::runs_here(m.target))
    user_error("target ", m.target.name, " needs the ", target::simd_name(m.target.simd),
               " instructions, which this CPU lacks (--target host picks what it has)");

  res.work_dir = opts.work_dir;
  if (res.work_dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "swtc-run-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) user_error("cannot create a temporary folder");
    res.work_dir = tmpl;
  }
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
  if (run_command("make -C " + shell_quote(res.work_dir) + " -s " + (sunway ? "emulate" : "all"),
                  out) != 0)
    user_error("building the generated code failed:\n", out);

  // Inputs: the given files, or seeded random values in [-1, 1) (never zeros).
  fs::create_directories(fs::path(res.work_dir) / "inputs");
  std::vector<graph::TensorData> inputs;
  std::string args;
  std::mt19937_64 rng(opts.seed);
  std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
  for (int id : g.inputs) {
    const graph::Value &v = g.values[id];
    std::string path;
    for (const auto &[name, p] : opts.inputs)
      if (name == v.name) path = p;
    if (!path.empty()) {
      inputs.push_back(to_tensor(npy::load(path), v, path));
    } else {
      graph::TensorData t;
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
      inputs.push_back(t);
      path = (fs::path(res.work_dir) / "inputs" / (npy::sanitize_name(v.name) + ".npy")).string();
      npy::save(path, npy_from_tensor(t));
    }
    args += " --input " + shell_quote(v.name + "=" + fs::absolute(path).string());
  }
  for (const auto &[name, p] : opts.inputs) {
    bool known = false;
    for (int id : g.inputs) known = known || g.values[id].name == name;
    if (!known) user_error("the model has no input named '", name, "'");
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
  if (st != 0) user_error("the compiled model failed (exit ", st, "):\n", out);
  if (auto pos = out.find("latency_ms median="); pos != std::string::npos)
    res.latency_ms_median = std::stod(out.substr(pos + 18));

  if (!opts.check) return res;
  log << "running the reference interpreter...\n";
  std::vector<graph::TensorData> expect = interp::run(g, inputs);
  for (size_t i = 0; i < g.outputs.size(); ++i) {
    const graph::Value &v = g.values[g.outputs[i]];
    std::string path = (fs::path(out_dir) / (npy::sanitize_name(v.name) + ".npy")).string();
    graph::TensorData got = to_tensor(npy::load(path), v, path);
    double diff2 = 0, ref2 = 0, max_abs = 0;
    const size_t n = static_cast<size_t>(got.size());
    for (size_t k = 0; k < n; ++k) {
      const double a = at(got, k), e = at(expect[i], k);
      double d = a - e;
      diff2 += d * d;
      ref2 += e * e;
      max_abs = std::max(max_abs, std::fabs(d));
      if (std::isnan(a)) max_abs = diff2 = INFINITY;
    }
    OutputCheck c{v.name, max_abs, std::sqrt(diff2) / std::max(std::sqrt(ref2), 1e-30)};
    res.ok = res.ok && c.rel_l2 <= opts.tolerance;
    res.checks.push_back(c);
  }
  return res;
}

}  // namespace swtc::driver
