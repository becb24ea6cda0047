#include "driver/profile.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "common/error.h"
#include "driver/driver.h"
#include "driver/shell.h"
#include "perf/chart.h"
#include "perf/model.h"
#include "perf/params.h"
#include "tir/analysis.h"
#include "tir/functor.h"

namespace swtc::driver {

namespace fs = std::filesystem;

namespace {
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
}  // namespace

Profile profile_model(const std::string &model_path, const ProfileOptions &opts, std::ostream &out,
                      std::ostream &log) {
  CompileOptions co;
  co.target = opts.target;
  co.name = model_name_from_path(model_path);
  co.schedule = opts.schedule;
  co.core_groups = opts.core_groups;
  if (target::get_target(opts.target).kind != target::Kind::Sunway)
    user_error("swtc profile models Sunway targets only; '", opts.target, "' is not one");
  codegen::Module m = compile_graph(import_model(model_path), co);
  const int ncg = m.core_groups;

  std::string dir = opts.work_dir;
  if (dir.empty()) {
    std::string tmpl = (fs::temp_directory_path() / "swtc-profile-XXXXXX").string();
    if (!mkdtemp(tmpl.data())) user_error("cannot create a temporary folder");
    dir = tmpl;
  }
  dir = fs::absolute(dir).string();  // the emulated run is started from inside it
  write_output(m, dir);
  std::string out_text;
  log << "building " << m.name << " for " << m.target.name << " with the athread emulator in "
      << dir << "...\n";
  if (run_command("make -C " + shell_quote(dir) + " -s emulate", out_text) != 0)
    user_error("building the generated code failed:\n", out_text);
  const std::string report = (fs::path(dir) / "swemu_report.json").string();
  log << "running it once on the emulator"
      << (ncg > 1 ? " (" + std::to_string(ncg) + " core groups, one process each)" : std::string())
      << ", counting DMA, flops and LDM per CPE...\n";
  if (run_command("cd " + shell_quote(dir) + " && SWEMU_REPORT_JSON=" + shell_quote(report) +
                      " ./" + m.name + "_emu --repeat 1",
                  out_text) != 0)
    user_error("the emulated run failed:\n", out_text);

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
  std::vector<double> cg_seconds(cgp.per_cg.size(), 0.0);
  for (size_t li = 0; li < pred.launches.size(); ++li) {
    const perf::KernelPrediction &l = pred.launches[li];
    const codegen::CompiledKernel *k = by_name.count(l.kernel) ? by_name[l.kernel] : nullptr;
    LayerProfile lp;
    lp.name = l.kernel;
    lp.op = k && k->kernel.node >= 0 ? graph::op_name(m.graph.nodes[k->kernel.node].op) : "Copy";
    if (k)
      for (int n : k->kernel.fused) lp.op += std::string("+") + graph::op_name(m.graph.nodes[n].op);
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

  char line[512];
  out << "MODEL PREDICTION (not a measurement) for " << m.name << " on "
      << (ncg > 1 ? std::to_string(ncg) + " " + m.target.name +
                        " core groups (the batch split over them, one process each)"
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

  std::vector<std::pair<std::string, double>> bars;
  for (const auto &l : prof.layers) bars.push_back({l.name + " (" + l.op + ")", l.seconds * 1e6});
  const std::string svg = opts.svg.empty() ? (fs::path(dir) / "profile.svg").string() : opts.svg;
  std::ofstream(svg) << perf::bar_chart_svg(
      bars,
      m.name + " on " + (ncg > 1 ? std::to_string(ncg) + " core groups of " : "") +
          m.target.name + ": predicted time per layer",
      "us");
  out << "chart: " << svg << "\n";

  if (!opts.json.empty()) {
    nlohmann::ordered_json j;
    j["model"] = prof.model;
    j["target"] = prof.target;
    j["schedule"] = prof.schedule;
    j["core_groups"] = prof.core_groups;
    j["total_seconds"] = prof.total_seconds;
    j["note"] = "model prediction, not a measurement";
    j["core_group_seconds"] = prof.core_group_seconds;
    j["aggregation"] =
        "over the core_groups processes: total_seconds = max of core_group_seconds; per layer "
        "seconds = max over core groups; dma_bytes, dma_transfers, flops, vector_flops, "
        "compiler_flops summed over core groups; peak_fraction of all core groups' peak; "
        "ldm_bytes, ldm_used_bytes per CPE; bound_fraction: the roofline (each tensor of the "
        "kernel moved once at the best DMA bandwidth, vector peak compute), of one core group";
    j["layers"] = nlohmann::ordered_json::array();
    for (const auto &l : prof.layers)
      j["layers"].push_back({{"name", l.name},
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
                             {"bound_fraction", l.bound_fraction}});
    std::ofstream os(opts.json);
    os << j.dump(2) << "\n";
    if (!os) user_error("cannot write '", opts.json, "'");
  }
  return prof;
}

}  // namespace swtc::driver
