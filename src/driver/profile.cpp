#include "driver/profile.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <set>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "common/names.h"
#include "driver/driver.h"
#include "driver/mpi.h"
#include "driver/shell.h"
#include "driver/tuning_log.h"
#include "lower/transpose_rows.h"
#include "perf/chart.h"
#include "perf/model.h"
#include "perf/params.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::driver {

namespace fs = std::filesystem;

namespace {
/// One layer of the profile's JSON (the Sunway and host profiles' shared keys).
nlohmann::ordered_json layer_json(const LayerProfile &l) {
  return {{"name", l.name},
          {"op", l.op},
          {"seconds", l.seconds},
          {"gflops", l.gflops},
          {"peak_fraction", l.peak_fraction},
          {"dma_bytes", l.dma_bytes},
          {"dma_transfers", l.dma_transfers},
          {"ldm_bytes", l.ldm_bytes},
          {"ldm_used_bytes", l.ldm_used_bytes},
          {"flops", l.flops},
          {"vector_flops", l.vector_flops},
          {"compiler_flops", l.compiler_flops},
          {"bound_fraction", l.bound_fraction}};
}

/// A lower bound on the bytes kernel `def` must move between main memory and
/// the CPEs: its output once, and of each input the elements one of its loads
/// touches (the most over its loads). Per dimension an affine index's values
/// inside the tensor are counted: all of its in-range span when its terms,
/// by increasing step, leave no gaps, else that span over the largest step.
/// A load that is not affine in the axes counts nothing.
double compulsory_bytes(const schedule::ComputeDef &def) {
  std::map<std::string, int64_t> extents;
  for (const auto &iv : def.axes) extents[iv.name] = iv.extent;
  struct Loads : tir::IRVisitor {
    std::map<const tir::BufferNode *, std::vector<std::vector<tir::Expr>>> by_buffer;
    void visit_Load(const tir::Expr &e) override {
      by_buffer[e->buffer.get()].push_back(e->args);
      tir::IRVisitor::visit_Load(e);
    }
  } loads;
  for (const tir::Expr &e : {def.init, def.cond, def.value, def.epilogue})
    if (e) loads.visit(e);
  double bytes = double(def.output->bytes());
  for (const auto &in : def.inputs) {
    auto it = loads.by_buffer.find(in.get());
    if (it == loads.by_buffer.end()) continue;
    double most = 0;
    for (const auto &idx : it->second) {
      double elems = 1;
      for (size_t d = 0; d < idx.size() && elems > 0; ++d) {
        const tir::LinearForm f = tir::linear_form(idx[d], extents);
        if (!f.ok || f.sym) {
          elems = 0;
          break;
        }
        int64_t lo = f.constant, hi = f.constant, span = 1, step = 1;
        bool dense = true;
        std::vector<std::pair<int64_t, int64_t>> terms;  // (|coeff|, extent)
        for (const auto &[v, k] : f.coeffs)
          if (k != 0 && extents.at(v) > 1) terms.push_back({k < 0 ? -k : k, extents.at(v)});
        std::sort(terms.begin(), terms.end());
        for (const auto &[k, ext] : terms) {
          dense = dense && k <= span;
          span += k * (ext - 1);
          step = std::max(step, k);
        }
        for (const auto &[v, k] : f.coeffs) (k < 0 ? lo : hi) += k * (extents.at(v) - 1);
        const int64_t in_lo = std::max<int64_t>(lo, 0), in_hi = std::min(hi, in->shape[d] - 1);
        const int64_t inside = in_hi >= in_lo ? in_hi - in_lo + 1 : 0;
        elems *= double(dense ? inside : (inside + step - 1) / step);
      }
      most = std::max(most, elems);
    }
    bytes += most * double(in->elem.bytes);
  }
  return bytes;
}
/// LowerBound of a compiled Sunway module (profile.h).
LowerBound model_lower_bound(const codegen::Module &m, const perf::Params &params) {
  LowerBound b;
  std::set<std::string> seen;
  for (const auto &k : m.kernels) {
    b.flops += double(k.func.flops);
    for (size_t i = 0; i < k.kernel.def.inputs.size(); ++i) {
      const graph::Value &v = m.graph.values[k.kernel.values[i]];
      if (!v.constant) continue;
      // A packed copy (driver: "<name>.packed<block>") counts as its source,
      // whose logical shape is the kernel's input buffer.
      std::string name = v.name;
      if (const size_t at = name.rfind(".packed"); at != std::string::npos) name.resize(at);
      if (seen.insert(name).second) b.weight_bytes += double(k.kernel.def.inputs[i]->bytes());
    }
  }
  b.peak_flops = params.cg_peak_flops();
  b.dma_bytes_per_s = params.dma_bandwidth(double(m.target.scratchpad_bytes));
  b.compute_s = b.flops / b.peak_flops;
  b.weights_s = b.weight_bytes / b.dma_bytes_per_s;
  b.seconds = std::max(b.compute_s, b.weights_s);
  return b;
}

/// The value of `key=` in `text` (up to the next blank), "" if absent.
std::string field(const std::string &text, const std::string &key) {
  size_t at = 0;
  while ((at = text.find(key + "=", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == ' ' || text[at - 1] == '\n') break;
    ++at;
  }
  if (at == std::string::npos) return "";
  const size_t from = at + key.size() + 1;
  return text.substr(from, text.find_first_of(" \n", from) - from);
}

double number(const std::string &text, const std::string &key, const std::string &what) {
  const std::string v = field(text, key);
  char *end = nullptr;
  const double d = v.empty() ? 0 : std::strtod(v.c_str(), &end);
  if (v.empty() || *end != 0) user_error(what, " printed no ", key, "=:\n", text);
  return d;
}

/// The op of kernel `k`: its node's op and its fused epilogues' ("Copy" for a
/// copy, "Transpose" for a MatMul row operand's transpose).
std::string kernel_op(const codegen::Module &m, const codegen::CompiledKernel *k) {
  std::string op =
      k && k->kernel.node >= 0 ? graph::op_name(m.graph.nodes[k->kernel.node].op)
      : k && lower::is_row_transpose(k->kernel) ? "Transpose"
                                                : "Copy";
  if (k)
    for (int n : k->kernel.fused) op += std::string("+") + graph::op_name(m.graph.nodes[n].op);
  return op;
}

/// Where the bar chart goes: --svg, else profile.svg in a build folder that
/// stays (--work-dir, --keep-work-dir); "" (no chart) when the temporary
/// folder is removed at the end.
std::string chart_path(const ProfileOptions &opts, const WorkDir &wd, const std::string &dir) {
  if (!opts.svg.empty()) return opts.svg;
  return wd.remove ? std::string() : (fs::path(dir) / "profile.svg").string();
}

std::string chart_line(const std::string &svg) {
  return svg.empty() ? "chart: none (--svg FILE writes one)\n"
                     : "chart: " + names::terminal_text(svg, 4096) + "\n";
}

/// The peak probe's define for the target's vectors (runtime/peak/fma_peak.c).
const char *peak_define(target::Simd s) {
  switch (s) {
    case target::Simd::Avx512: return " -DSWTC_PEAK_AVX512";
    case target::Simd::Avx2: return " -DSWTC_PEAK_AVX2";
    default: return "";
  }
}

/// The network between nodes (docs/perf-model.md, "Several ranks"):
/// TaihuLight's injection bandwidth per node, 128 Gb/s = 16e9 bytes/s
/// (glennklockwood.com/garden/systems/Sunway-TaihuLight, system overview
/// table). No sourced latency was found, and none for the SW26010-Pro's
/// machine: those are not modelled.
constexpr double kTaihuLightLinkBytesPerS = 16e9;
constexpr const char *kTaihuLightLinkSource =
    "TaihuLight injection bandwidth 128 Gb/s per node (glennklockwood.com/garden/systems/"
    "Sunway-TaihuLight, system overview); latency not modelled (no sourced figure)";

/// The peak probe's folder in the work folder: no model name starts with
/// "swtc" (names::model_name_problem), so it never meets the model's files.
constexpr const char *kProbeDir = "swtc_peak";

/// Measured times (tuning-log lines, e.g. a Sunway runner's --profile
/// FILE) beside the predicted ones, for the kernels they cover: the same
/// signature, candidate and target; the latest line wins.
void print_measured(const codegen::Module &m, const Profile &prof,
                    const std::vector<std::string> &files, std::ostream &out) {
  std::vector<TuningEntry> es;
  for (const auto &f : files) {
    auto more = read_tuning_log(f);
    es.insert(es.end(), more.begin(), more.end());
  }
  const std::string tname = target::tuning_target_name(m.target);
  out << "measured beside predicted (";
  for (size_t i = 0; i < files.size(); ++i) out << (i ? ", " : "") << printable(files[i]);
  out << "; times measured on the emulator are not Sunway times; error = (predicted - measured) "
         "/ measured):\n";
  char line[512];
  std::snprintf(line, sizeof line, "%-34s %11s %11s %-9s %9s\n", "layer", "pred. us", "meas. us",
                "on", "error %");
  out << line;
  size_t shown = 0;
  for (const auto &l : prof.layers) {
    const codegen::CompiledKernel *k = nullptr;
    for (const auto &ck : m.kernels)
      if (ck.func.name == l.name) k = &ck;
    if (!k) continue;
    const TuningEntry *hit = nullptr;
    for (const auto &e : es)
      if (e.source == "measured" && e.target == tname && e.kernel == k->signature &&
          e.candidate == k->candidate)
        hit = &e;
    if (!hit) continue;
    ++shown;
    std::snprintf(line, sizeof line, "%-34s %11.1f %11.1f %-9s %9.1f\n", l.name.c_str(),
                  l.seconds * 1e6, hit->seconds * 1e6, hit->measured_on.c_str(),
                  100 * (l.seconds - hit->seconds) / hit->seconds);
    out << line;
  }
  out << "measured: " << shown << " of " << prof.layers.size() << " layers\n";
}

/// `swtc profile --target host*`: every number measured on this machine.
Profile profile_host(const std::string &model_path, const ProfileOptions &opts, std::ostream &out,
                     std::ostream &log) {
  if (opts.ranks != 1)
    user_error("--ranks ", opts.ranks, ": swtc profile --target ", opts.target,
               " measures one process (time several ranks with swtc run --ranks N)");
  if (opts.repeat < 1) user_error("--repeat ", opts.repeat, ": must be at least 1");
  if (opts.warmup < 0) user_error("--warmup ", opts.warmup, ": must be at least 0");
  if (opts.threads < 0) user_error("--threads ", opts.threads, ": must be at least 0");
  if (!opts.measurements.empty())
    user_error("--measurements: for Sunway targets (swtc profile --target ", opts.target,
               " measures on this machine itself)");
  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.winograd = opts.winograd;
  co.tile_choices = opts.tile_choices;
  co.tuning_report = opts.tuning_report;
  codegen::Module m = compile_graph(import_model(model_path, {}, opts.shapes), co);
  if (!target::runs_here(m.target))
    user_error("target ", m.target.name, " needs the ", target::simd_name(m.target.simd),
               " instructions, which this CPU lacks (--target host picks what it has)");
  m.profile_hooks = true;  // per-kernel timers in the run function

  WorkDir wd(opts.work_dir, "swtc-profile", opts.keep_work_dir);
  const std::string dir = fs::absolute(wd.path).string();
  write_output(m, dir);
  const char *probe_src = nullptr;
  for (const auto &f : codegen::runtime_files())
    if (std::string(f.path) == "peak/fma_peak.c") probe_src = f.content;
  if (!probe_src) internal_error("peak/fma_peak.c is not embedded");
  fs::create_directories(fs::path(dir) / kProbeDir);
  {
    std::ofstream os(fs::path(dir) / kProbeDir / "fma_peak.c", std::ios::binary);
    os << probe_src;
    if (!os) user_error("cannot write the peak probe into '", dir, "/", kProbeDir, "'");
  }

  std::string text;
  log << "building " << m.name << " for " << m.target.name
      << " with per-kernel timers, and the FMA peak probe, in " << dir << "...\n";
  // The runner's serial build: one process, no MPI (nothing to scatter).
  if (run_command("make -C " + shell_quote(dir) + " -s serial" + make_overrides(), text) != 0) {
    wd.remove = false;
    user_error("building the generated code failed (kept in ", dir, "):\n", text);
  }
  if (run_command("cd " + shell_quote(dir + "/" + kProbeDir) +
                      " && cc -std=c99 -O2 -Wall -Wextra -Werror -fopenmp " + m.target.cflags +
                      peak_define(m.target.simd) + " fma_peak.c -o fma_peak",
                  text) != 0) {
    wd.remove = false;
    user_error("building the FMA peak probe failed (kept in ", dir, "/", kProbeDir, "):\n", text);
  }
  const std::string env =
      opts.threads > 0 ? "OMP_NUM_THREADS=" + std::to_string(opts.threads) + " " : "";
  log << "measuring the FMA peak on the same threads...\n";
  if (run_command("cd " + shell_quote(dir) + " && " + env + "./" + kProbeDir + "/fma_peak",
                  text) != 0)
    user_error("the FMA peak probe failed:\n", text);
  const std::string probe_text = text;
  Profile prof;
  prof.measured = true;
  prof.model = m.name;
  prof.target = m.target.name;
  prof.schedule = opts.schedule;
  prof.repeat = opts.repeat;
  prof.warmup = opts.warmup;
  prof.peak_flops = number(probe_text, "gflops", "the FMA peak probe") * 1e9;
  prof.isa = field(probe_text, "isa");
  const int peak_threads = int(number(probe_text, "threads", "the FMA peak probe"));
  const double together = number(probe_text, "together_gflops", "the FMA peak probe") * 1e9;
  if (prof.peak_flops <= 0) user_error("the FMA peak probe measured no rate:\n", probe_text);

  log << "running " << m.name << " " << opts.warmup << " + " << opts.repeat
      << " times (warm-up + timed), timing every kernel...\n";
  if (run_command("cd " + shell_quote(dir) + " && " + env + "./" + m.name + "_serial --repeat " +
                      std::to_string(opts.repeat) + " --warmup " + std::to_string(opts.warmup),
                  text) != 0)
    user_error("the profiled run failed:\n", text);
  const size_t lat = text.find("latency_ms ");
  if (lat == std::string::npos) user_error("the profiled run printed no latency:\n", text);
  prof.run_seconds =
      number(text.substr(lat, text.find('\n', lat) - lat), "median", "the profiled run") * 1e-3;
  prof.threads = int(number(text, "profile_threads", "the profiled run"));
  if (prof.threads != peak_threads)
    log << "warning: the model ran on " << prof.threads << " threads, the peak probe on "
        << peak_threads << "\n";

  std::istringstream lines(text);
  std::string l;
  size_t next = 0;
  while (std::getline(lines, l)) {
    if (l.rfind("kernel_seconds ", 0) != 0) continue;
    const size_t k = size_t(number(l, "k", "the profiled run"));
    if (k != next || k >= m.kernels.size() || field(l, "name") != m.kernels[k].func.name)
      internal_error("the profiled run's kernel lines do not match the kernels: ", l);
    ++next;
    const codegen::CompiledKernel &ck = m.kernels[k];
    LayerProfile lp;
    lp.name = ck.func.name;
    lp.op = kernel_op(m, &ck);
    lp.seconds = number(l, "median", "the profiled run");
    lp.min_seconds = number(l, "min", "the profiled run");
    lp.compiler_flops = lp.flops = double(ck.func.flops);
    lp.gflops = lp.seconds > 0 ? lp.flops / lp.seconds / 1e9 : 0;
    lp.peak_fraction = lp.seconds > 0 ? lp.flops / lp.seconds / prof.peak_flops : 0;
    prof.total_seconds += lp.seconds;
    prof.layers.push_back(lp);
  }
  if (next != m.kernels.size())
    internal_error("the profiled run timed ", next, " of ", m.kernels.size(), " kernels:\n", text);
  prof.core_group_seconds = {prof.total_seconds};

  double model_flops = 0;
  for (const auto &lp : prof.layers) model_flops += lp.flops;
  char line[512];
  out << "MEASURED on this machine (not a model prediction): " << m.name << " on " << m.target.name
      << " (" << prof.isa << " vectors, " << prof.threads << " OpenMP threads); per kernel the "
      << "median of " << opts.repeat << " timed runs of the whole model after " << opts.warmup
      << " warm-up run(s) (omp_get_wtime around each kernel call). GFLOP/s: the compiler's flop "
         "count of the kernel over its measured time. % peak: of the FMA peak measured by swtc's "
         "probe (runtime/peak/fma_peak.c) on this machine just before.\n";
  std::snprintf(line, sizeof line,
                "FMA peak (measured): %.2f GFLOP/s on %d threads (%s, 12 vector accumulators per "
                "thread; the sum of each thread's best trial; all threads together at best: %.2f "
                "GFLOP/s)\n",
                prof.peak_flops / 1e9, peak_threads, prof.isa.c_str(), together / 1e9);
  out << line;
  std::snprintf(line, sizeof line, "%-34s %-22s %11s %9s %7s %10s %7s\n", "layer", "op",
                "meas. us", "GFLOP/s", "% peak", "MFLOP", "% time");
  out << line;
  for (const auto &lp : prof.layers) {
    std::snprintf(line, sizeof line, "%-34s %-22s %11.1f %9.2f %7.2f %10.2f %7.2f\n",
                  lp.name.c_str(), lp.op.c_str(), lp.seconds * 1e6, lp.gflops,
                  lp.peak_fraction * 100, lp.flops / 1e6,
                  prof.total_seconds > 0 ? 100 * lp.seconds / prof.total_seconds : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line,
                "measured total: %.3f ms (sum of the kernels' medians); whole run: %.3f ms median, "
                "%.2f GFLOP/s, %.2f%% of peak (measured)\n",
                prof.total_seconds * 1e3, prof.run_seconds * 1e3,
                prof.run_seconds > 0 ? model_flops / prof.run_seconds / 1e9 : 0.0,
                prof.run_seconds > 0 ? 100 * model_flops / prof.run_seconds / prof.peak_flops
                                     : 0.0);
  out << line;

  std::vector<std::pair<std::string, double>> bars;
  for (const auto &lp : prof.layers)
    bars.push_back({lp.name + " (" + lp.op + ")", lp.seconds * 1e6});
  const std::string svg = chart_path(opts, wd, dir);
  if (!svg.empty()) {
    std::ofstream os(svg);
    os << perf::bar_chart_svg(bars,
                              m.name + " on " + m.target.name + " (" +
                                  std::to_string(prof.threads) + " threads): time per kernel",
                              "us", perf::ChartValues::Measured);
    if (!os) user_error("cannot write '", printable(svg), "'");
  }
  out << chart_line(svg);

  if (!opts.json.empty()) {
    nlohmann::ordered_json j;
    j["model"] = prof.model;
    j["target"] = prof.target;
    j["schedule"] = prof.schedule;
    j["core_groups"] = 1;
    j["ranks"] = 1;
    j["total_seconds"] = prof.total_seconds;
    j["note"] = "measured on this machine, not a model prediction";
    j["core_group_seconds"] = prof.core_group_seconds;
    j["rank_seconds"] = prof.core_group_seconds;
    j["nodes"] = prof.nodes;
    j["scatter_seconds"] = prof.scatter_seconds;
    j["gather_seconds"] = prof.gather_seconds;
    j["network"] = m.target.crts ? std::string("no sourced figure: not predicted (-1)")
                                 : std::string(kTaihuLightLinkSource);
    j["aggregation"] =
        "per layer seconds = median over the timed runs of the kernel's time in one run "
        "(min_seconds: the least); total_seconds = sum of the layers' seconds; run_seconds = "
        "median of whole runs; gflops and peak_fraction from the compiler's flops (flops = "
        "compiler_flops) over seconds, peak_fraction of peak_flops, what the FMA peak probe "
        "measured; dma_*, ldm_*, vector_flops and bound_fraction are Sunway-only (0, -1)";
    j["measured"] = true;
    j["run_seconds"] = prof.run_seconds;
    j["peak_flops"] = prof.peak_flops;
    j["peak_threads"] = peak_threads;
    j["peak_together_flops"] = together;
    j["threads"] = prof.threads;
    j["isa"] = prof.isa;
    j["repeat"] = prof.repeat;
    j["warmup"] = prof.warmup;
    j["layers"] = nlohmann::ordered_json::array();
    for (const auto &lp : prof.layers) {
      nlohmann::ordered_json l = layer_json(lp);
      l["min_seconds"] = lp.min_seconds;
      j["layers"].push_back(std::move(l));
    }
    std::ofstream os(opts.json);
    os << j.dump(2) << "\n";
    if (!os) user_error("cannot write '", opts.json, "'");
  }
  return prof;
}
}  // namespace

Profile profile_model(const std::string &model_path, const ProfileOptions &opts, std::ostream &out,
                      std::ostream &log) {
  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.winograd = opts.winograd;
  co.tile_choices = opts.tile_choices;
  co.tuning_report = opts.tuning_report;
  co.ranks = opts.ranks;
  if (target::get_target(opts.target).kind == target::Kind::Host)
    return profile_host(model_path, opts, out, log);
  codegen::Module m = compile_graph(import_model(model_path, {}, opts.shapes), co);
  const int ncg = m.ranks;  // one core group per rank
  const bool mpi = have_mpi();
  if (!mpi && ncg > 1)
    user_error("--ranks ", ncg, " needs MPI, and mpicc or mpirun is not on PATH: install "
               "OpenMPI (bash scripts/setup.sh; Debian: openmpi-bin libopenmpi-dev)");

  WorkDir wd(opts.work_dir, "swtc-profile", opts.keep_work_dir);
  const std::string dir = fs::absolute(wd.path).string();  // the emulated run starts inside it
  write_output(m, dir);
  std::string out_text;
  log << "building " << m.name << " for " << m.target.name << " with the athread emulator in "
      << dir << "...\n";
  if (run_command("make -C " + shell_quote(dir) + " -s " + (mpi ? "emulate" : "emulate-serial") +
                      make_overrides(),
                  out_text) != 0) {
    wd.remove = false;
    user_error("building the generated code failed (kept in ", dir, "):\n", out_text);
  }
  const std::string report = (fs::path(dir) / "swemu_report.json").string();
  log << "running it once on the emulator"
      << (ncg > 1 ? " (" + std::to_string(ncg) + " ranks, one core group each)" : std::string())
      << ", counting DMA, flops and LDM per CPE...\n";
  const std::string exe = "./" + m.name + (mpi ? "_emu" : "_emu_serial") + " --repeat 1";
  if (const int st = run_command("cd " + shell_quote(dir) + " && SWEMU_REPORT_JSON=" +
                                     shell_quote(report) + " " +
                                     (mpi ? mpi_launch_command(ncg, exe, 0, 0) : exe),
                                 out_text);
      st != 0) {
    wd.remove = false;
    const std::string why = mpi_failure(out_text, mpi ? ncg : 0, st);
    user_error("the emulated run failed", why.empty() ? std::string() : ": " + why,
               " (the build is kept in ", dir, "):\n", out_text);
  }

  // Every input of the model is what the emulator counted (DMA, scalar and
  // vector flops); the compiler's flop count is only reported beside it.
  const perf::Params params = perf::params_for(m.target.name);
  std::map<std::string, const codegen::CompiledKernel *> by_name;
  for (const auto &k : m.kernels) by_name[k.func.name] = &k;
  // Several core groups: one report per core group; per layer the slowest
  // core group's time, counts summed over the core groups.
  const perf::CoreGroupsPrediction cgp =
      perf::predict_core_groups(perf::read_core_group_reports(report, ncg), params);
  const perf::ReportPrediction &pred = cgp.combined;

  Profile prof;
  prof.model = m.name;
  prof.target = m.target.name;
  prof.schedule = opts.schedule;
  prof.core_groups = ncg;
  prof.lower_bound = model_lower_bound(m, params);
  std::vector<double> cg_seconds(cgp.per_cg.size(), 0.0);
  for (size_t li = 0; li < pred.launches.size(); ++li) {
    const perf::KernelPrediction &l = pred.launches[li];
    const codegen::CompiledKernel *k = by_name.count(l.kernel) ? by_name[l.kernel] : nullptr;
    LayerProfile lp;
    lp.name = l.kernel;
    lp.op = kernel_op(m, k);
    // Double-buffered kernels fetch the next reduce step's tiles while
    // computing: DMA and compute overlap. Others wait for every DMA.
    const bool overlap = k && tir::has_double_buffer(k->func);
    lp.seconds = overlap ? l.seconds_overlap : l.seconds_no_overlap;
    for (size_t c = 0; c < cgp.per_cg.size(); ++c) {
      const perf::KernelPrediction &own = cgp.per_cg[c].launches[li];
      cg_seconds[c] += overlap ? own.seconds_overlap : own.seconds_no_overlap;
    }
    // Rates count useful work: the compiler's flops (what the layer needs,
    // per core group, times the core groups), not the counted ones, which
    // include the zeroed padding lanes of SIMD loops (time is from the counted
    // ones: the hardware executes them).
    const double useful = k ? double(k->func.flops) * ncg : l.flops;
    lp.gflops = lp.seconds > 0 ? useful / lp.seconds / 1e9 : 0;
    lp.peak_fraction =
        lp.seconds > 0 ? useful / lp.seconds / (ncg * params.cg_peak_flops()) : 0;
    lp.dma_bytes = l.dma_bytes;
    lp.dma_transfers = l.dma_transfers;
    lp.ldm_bytes = k ? k->ldm_bytes : 0;
    lp.ldm_used_bytes = l.ldm_used_bytes;
    lp.flops = l.flops;
    lp.vector_flops = l.vector_flops;
    lp.compiler_flops = k ? double(k->func.flops) * ncg : 0;
    if (k && useful > 0) {
      const double dma_s =
          compulsory_bytes(k->kernel.def) / params.dma_bandwidth(double(m.target.scratchpad_bytes));
      const double compute_s = double(k->func.flops) / params.cg_peak_flops();
      lp.bound_fraction = compute_s / std::max(compute_s, dma_s);
    }
    prof.layers.push_back(lp);
  }
  // The core groups run independently: the program ends with the slowest one.
  prof.core_group_seconds = cg_seconds;
  for (double t : cg_seconds) prof.total_seconds = std::max(prof.total_seconds, t);
  // Scatter and gather: rank 0 sends each rank its slice of the inputs and
  // receives its slice of the outputs. Ranks fill nodes in order (a node's
  // core groups each); slices for ranks on other nodes cross rank 0's node
  // link one after the other, at its bandwidth (a lower bound: no latency).
  // Ranks on rank 0's node share its memory (not modelled).
  const int per_node = static_cast<int>(params.core_groups.value);
  double in_bytes = 0, out_bytes = 0;
  for (int v : m.graph.inputs)
    in_bytes += double(graph::num_elements(m.graph.values[v].shape)) *
                graph::dtype_bytes(m.graph.values[v].dtype);
  for (int v : m.graph.outputs)
    out_bytes += double(graph::num_elements(m.graph.values[v].shape)) *
                 graph::dtype_bytes(m.graph.values[v].dtype);
  const int remote = std::max(0, ncg - per_node);
  prof.nodes = (ncg + per_node - 1) / per_node;
  if (m.target.crts) {
    prof.scatter_seconds = prof.gather_seconds = -1;  // no sourced figure
  } else {
    prof.scatter_seconds = remote * in_bytes / kTaihuLightLinkBytesPerS;
    prof.gather_seconds = remote * out_bytes / kTaihuLightLinkBytesPerS;
  }

  char line[512];
  out << "MODEL PREDICTION (not a measurement) for " << m.name << " on "
      << (ncg > 1 ? std::to_string(ncg) + " " + m.target.name +
                        " core groups (the batch split over them, one MPI rank each)"
                  : "one " + m.target.name + " core group")
      << ", schedule " << opts.schedule
      << ": performance model of docs/perf-model.md applied to the DMA and the scalar and "
         "vector flops counted by the athread emulator; DMA overlapped with compute in "
         "double-buffered kernels, blocking elsewhere. LDM B: the compiler's figure; LDM used: "
         "what the emulator observed (highest LDM byte written, max over CPEs). % bound: the "
         "roofline, the % of peak no schedule could exceed moving each of the kernel's tensors "
         "once at the model's best DMA bandwidth.";
  if (ncg > 1)
    out << " Core groups: pred. us is the slowest core group's time for the layer; DMA "
           "bytes, DMAs and flops are summed over the "
        << ncg << " core groups; GFLOPS and % peak are of all " << ncg
        << " core groups; LDM is per CPE (max).";
  out << "\n";
  std::snprintf(line, sizeof line, "%-34s %-22s %11s %8s %7s %7s %12s %9s %8s %8s %6s\n",
                "layer", "op", "pred. us", "GFLOPS", "% peak", "% bound", "DMA bytes", "DMAs",
                "LDM B", "LDM used", "% vec");
  out << line;
  for (const auto &l : prof.layers) {
    std::snprintf(line, sizeof line,
                  "%-34s %-22s %11.1f %8.2f %7.2f %7.2f %12lld %9lld %8lld %8lld %6.1f\n",
                  l.name.c_str(), l.op.c_str(), l.seconds * 1e6, l.gflops, l.peak_fraction * 100,
                  l.bound_fraction * 100, static_cast<long long>(l.dma_bytes),
                  static_cast<long long>(l.dma_transfers),
                  static_cast<long long>(l.ldm_bytes), static_cast<long long>(l.ldm_used_bytes),
                  l.flops > 0 ? 100 * l.vector_flops / l.flops : 0.0);
    out << line;
  }
  std::snprintf(line, sizeof line, "predicted total: %.3f ms (model prediction)",
                prof.total_seconds * 1e3);
  out << line;
  if (ncg > 1) {
    out << " on " << ncg << " core groups: the slowest core group's sum (per core group:";
    for (double t : prof.core_group_seconds) {
      std::snprintf(line, sizeof line, " %.3f", t * 1e3);
      out << line;
    }
    out << " ms)";
  }
  out << "\n";
  if (ncg > 1) {
    if (prof.scatter_seconds < 0) {
      out << "scatter/gather: not predicted (no sourced network figure for the "
          << m.target.name << "'s machine)\n";
    } else {
      std::snprintf(line, sizeof line,
                    "predicted scatter %.6f ms + gather %.6f ms (model prediction): %d ranks on %d "
                    "node(s) of %d core groups, %d rank(s) off rank 0's node, over ",
                    prof.scatter_seconds * 1e3, prof.gather_seconds * 1e3, ncg, prof.nodes,
                    per_node, remote);
      out << line << kTaihuLightLinkSource << "\n";
    }
  }
  if (!opts.measurements.empty()) print_measured(m, prof, opts.measurements, out);
  const LowerBound &lb = prof.lower_bound;
  std::snprintf(line, sizeof line,
                "lower bound: %.4g ms per core group (compulsory %.4g flops at %.1f GFLOPS: %.4g ms; "
                "weights %.4g bytes once at %.1f GB/s: %.4g ms); predicted / bound %.2f\n",
                lb.seconds * 1e3, lb.flops, lb.peak_flops / 1e9, lb.compute_s * 1e3,
                lb.weight_bytes, lb.dma_bytes_per_s / 1e9, lb.weights_s * 1e3,
                lb.seconds > 0 ? prof.total_seconds / lb.seconds : 0.0);
  out << line;

  std::vector<std::pair<std::string, double>> bars;
  for (const auto &l : prof.layers) bars.push_back({l.name + " (" + l.op + ")", l.seconds * 1e6});
  const std::string svg = chart_path(opts, wd, dir);
  if (!svg.empty()) {
    std::ofstream os(svg);
    os << perf::bar_chart_svg(
        bars,
        m.name + " on " + (ncg > 1 ? std::to_string(ncg) + " core groups of " : "") +
            m.target.name + ": predicted time per layer",
        "us");
    if (!os) user_error("cannot write '", printable(svg), "'");
  }
  out << chart_line(svg);

  if (!opts.json.empty()) {
    nlohmann::ordered_json j;
    j["model"] = prof.model;
    j["target"] = prof.target;
    j["schedule"] = prof.schedule;
    j["core_groups"] = prof.core_groups;
    j["ranks"] = prof.core_groups;
    j["total_seconds"] = prof.total_seconds;
    j["note"] = "model prediction, not a measurement";
    j["core_group_seconds"] = prof.core_group_seconds;
    j["rank_seconds"] = prof.core_group_seconds;
    j["nodes"] = prof.nodes;
    j["scatter_seconds"] = prof.scatter_seconds;
    j["gather_seconds"] = prof.gather_seconds;
    j["network"] = m.target.crts ? std::string("no sourced figure: not predicted (-1)")
                                 : std::string(kTaihuLightLinkSource);
    j["lower_bound"] = {{"seconds", lb.seconds},
                        {"compute_seconds", lb.compute_s},
                        {"weights_seconds", lb.weights_s},
                        {"flops", lb.flops},
                        {"weight_bytes", lb.weight_bytes},
                        {"peak_flops", lb.peak_flops},
                        {"dma_bytes_per_second", lb.dma_bytes_per_s},
                        {"note", "one core group: max(compulsory flops at the vector peak, the "
                                 "weights read once at the best DMA bandwidth), from the "
                                 "compiled graph"}};
    j["aggregation"] =
        "over the core_groups processes: total_seconds = max of core_group_seconds; per layer "
        "seconds = max over core groups; dma_bytes, dma_transfers, flops, vector_flops, "
        "compiler_flops summed over core groups; peak_fraction of all core groups' peak; "
        "ldm_bytes, ldm_used_bytes per CPE; bound_fraction: the roofline (each tensor of the "
        "kernel moved once at the best DMA bandwidth, vector peak compute), of one core group";
    j["layers"] = nlohmann::ordered_json::array();
    for (const auto &l : prof.layers) j["layers"].push_back(layer_json(l));
    std::ofstream os(opts.json);
    os << j.dump(2) << "\n";
    if (!os) user_error("cannot write '", opts.json, "'");
  }
  return prof;
}

}  // namespace swtc::driver
