#include "driver/driver.h"

#include <algorithm>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <iomanip>
#include <set>
#include <sstream>

#include "common/error.h"
#include "common/names.h"
#include "common/npy.h"
#include "codegen/c_printer.h"
#include "frontend/onnx/onnx_import.h"
#include "graph/passes/canonicalize.h"
#include "graph/passes/dce.h"
#include "graph/passes/decompose.h"
#include "graph/passes/fold_batchnorm.h"
#include "graph/passes/fold_constants.h"
#include "graph/passes/split_batch.h"
#include "lower/concat_in_place.h"
#include "lower/fuse.h"
#include "lower/inline_producers.h"
#include "lower/transpose_rows.h"
#include "lower/winograd.h"
#include "perf/params.h"
#include "graph/printer.h"
#include "graph/verifier.h"
#include "target/target.h"
#include "tir/analysis.h"
#include "tir/pack_layout.h"
#include "tir/printer.h"

namespace swtc::driver {

namespace fs = std::filesystem;

const std::vector<std::string> &dump_points() {
  static const std::vector<std::string> points = {
      "import", "fold_constants", "canonicalize", "split_batch", "fold_batchnorm",
      "decompose", "dce", "lower", "fuse", "schedule"};
  return points;
}

std::string model_name_from_path(const std::string &path) {
  return names::model_name_from(fs::path(path).stem().string());
}

graph::Graph import_model(const std::string &path,
                          const std::vector<std::pair<std::string, std::string>> &bind,
                          const InputShapes &shapes) {
  if (bind.empty()) return frontend::import_onnx_file(path, {}, shapes);
  return frontend::import_onnx_file(
      path, [&](graph::Graph &g) { g = bind_inputs(g, bind); }, shapes);
}

InputShapes parse_shapes(const std::vector<std::string> &specs) {
  InputShapes out;
  for (const std::string &spec : specs) {
    const size_t eq = spec.find('=');
    if (eq == std::string::npos || eq == 0)
      user_error("--shape wants NAME=D0,D1,... (non-negative integers), got '", spec, "'");
    std::vector<int64_t> dims;
    const std::string list = spec.substr(eq + 1);
    size_t pos = 0;
    while (pos < list.size()) {
      size_t end = list.find(',', pos);
      if (end == std::string::npos) end = list.size();
      const std::string d = list.substr(pos, end - pos);
      if (d.empty() || d.size() > 18 || d.find_first_not_of("0123456789") != std::string::npos)
        user_error("--shape ", spec, ": '", d, "' is not a dimension (a non-negative integer)");
      dims.push_back(std::stoll(d));
      pos = end + 1;
      if (end + 1 == list.size()) user_error("--shape ", spec, ": a trailing ','");
    }
    out.push_back({spec.substr(0, eq), dims});
  }
  return out;
}

graph::TensorData tensor_from_npy(const npy::Array &a, graph::DType want, const std::string &what) {
  if (a.dtype != graph::dtype_npy(want))
    user_error(what, ": dtype ", a.dtype, " but the model wants ", graph::dtype_name(want), " (",
               graph::dtype_npy(want), ")");
  graph::TensorData t;
  t.dtype = want;
  t.shape = a.shape;
  const size_t n = static_cast<size_t>(graph::num_elements(a.shape));
  SWTC_CHECK(a.data.size() == n * static_cast<size_t>(graph::dtype_bytes(want)), what, ": size");
  if (want == graph::DType::F32) {
    t.f32.resize(n);
    if (n) std::memcpy(t.f32.data(), a.data.data(), n * 4);  // no null pointers for an empty tensor
    return t;
  }
  const size_t eb = static_cast<size_t>(graph::dtype_bytes(want));
  t.i64.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t raw = 0;
    std::memcpy(&raw, a.data.data() + i * eb, eb);  // little-endian host
    t.i64[i] = graph::wrap_int(want, static_cast<int64_t>(raw));  // sign-extends signed types
  }
  return t;
}

npy::Array npy_from_tensor(const graph::TensorData &t) {
  npy::Array a;
  a.dtype = graph::dtype_npy(t.dtype);
  a.shape = t.shape;
  const size_t eb = static_cast<size_t>(graph::dtype_bytes(t.dtype));
  const size_t n = static_cast<size_t>(graph::num_elements(t.shape));
  a.data.resize(n * eb);
  if (t.dtype == graph::DType::F32) {
    if (!a.data.empty()) std::memcpy(a.data.data(), t.f32.data(), a.data.size());
  } else {
    for (size_t i = 0; i < n; ++i) std::memcpy(a.data.data() + i * eb, &t.i64[i], eb);
  }
  return a;
}

graph::Graph bind_inputs(graph::Graph g,
                         const std::vector<std::pair<std::string, std::string>> &bindings) {
  for (const auto &[name, path] : bindings) {
    auto it = std::find_if(g.inputs.begin(), g.inputs.end(),
                           [&, &name = name](int v) { return g.values[v].name == name; });
    if (it == g.inputs.end()) user_error("--bind: the model has no input named '", name, "'");
    graph::Value &v = g.values[*it];
    npy::Array a = npy::load(path);
    if (a.dtype != graph::dtype_npy(v.dtype))
      user_error("--bind ", name, "=", path, ": dtype ", a.dtype, " but the input is ",
                 graph::dtype_name(v.dtype));
    if (a.shape != v.shape)
      user_error("--bind ", name, "=", path, ": shape ", graph::shape_str(a.shape),
                 " but the input is ", graph::shape_str(v.shape));
    v.constant = tensor_from_npy(a, v.dtype, "--bind " + name);
    g.inputs.erase(it);
  }
  return g;
}

void check_ranks(int ranks) {
  if (ranks < 1) user_error("--ranks ", ranks, ": must be at least 1");
  if (ranks > kMaxRanks) user_error("--ranks ", ranks, ": at most ", kMaxRanks);
}

namespace {

void dump(const CompileOptions &o, const std::string &point, const std::string &text) {
  if (o.dump && o.dump_after == point) *o.dump << "// IR after " << point << "\n" << text;
}

/// Tensors with a zero-sized dimension (checked after constant folding, which
/// evaluates those of constant subgraphs): only views (Reshape, Flatten, ...) of
/// them and empty constants as inputs (parameters: a Reduce's `axes` = [],
/// Resize's unused `roi` / `scales`) are supported, which need no kernel
/// (nothing to compute or copy);
/// any other node that reads or writes one is refused up front with the
/// named error.
void check_no_empty_tensors(const graph::Graph &g) {
  auto empty = [&](int v) {
    return v >= 0 && g.values[v].has_shape && graph::num_elements(g.values[v].shape) == 0;
  };
  auto constant = [&](int v) {
    return g.values[v].constant ||
           (g.values[v].producer >= 0 &&
            g.nodes[static_cast<size_t>(g.values[v].producer)].op == graph::OpKind::Constant);
  };
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const graph::Node &n = g.nodes[i];
    if (lower::is_view(n.op)) continue;
    for (int v : n.outputs)
      if (empty(v) && !(n.op == graph::OpKind::Constant &&
                        std::find(g.outputs.begin(), g.outputs.end(), v) == g.outputs.end()))
        user_error("node '", printable(n.name), "' (", graph::op_name(n.op), ", opset ", g.opset,
                   "): not supported: output '", printable(g.values[v].name),
                   "' has no elements (shape ",
                   graph::shape_str(g.values[v].shape), ")");
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      const int v = n.inputs[k];
      if (v < 0) continue;
      // An empty int64 constant (a parameter: a Reduce's `axes` = []), or
      // Resize's unused roi / scales, needs no buffer: canonicalize makes
      // it an attribute.
      const bool resize = n.op == graph::OpKind::Resize || n.op == graph::OpKind::Upsample;
      const bool param = g.values[v].dtype == graph::DType::I64 || (resize && k > 0);
      if (empty(v) && !(constant(v) && param))
        user_error("node '", printable(n.name), "' (", graph::op_name(n.op), ", opset ", g.opset,
                   "): not supported: input '", printable(g.values[v].name),
                   "' has no elements (shape ",
                   graph::shape_str(g.values[v].shape), ")");
    }
  }
}

/// Kernels in graph order, with views turned into aliases and copies added
/// where a graph output must own its buffer.
std::vector<lower::Kernel> lower_graph(graph::Graph &g, std::vector<int> &alias_of,
                                       const std::function<int(int)> &winograd) {
  alias_of.assign(g.values.size(), -1);
  std::vector<lower::Kernel> kernels;
  for (int i = 0; i < static_cast<int>(g.nodes.size()); ++i) {
    const graph::Node &n = g.nodes[i];
    if (lower::is_view(n.op)) {
      alias_of[n.outputs[0]] = n.inputs[0];
      continue;
    }
    if (const int m = lower::winograd_applicable(g, i) ? winograd(i) : 0) {
      for (lower::Kernel &k : lower::lower_conv_winograd(g, i, m, alias_of))
        kernels.push_back(std::move(k));
      continue;
    }
    for (lower::Kernel &k : lower::lower_node_outputs(g, i)) kernels.push_back(std::move(k));
  }
  // A graph output must live in the caller's output buffer: copy views and
  // constants that are outputs. Copy kernels are named after their output,
  // made distinct (two output names may give the same C identifier).
  std::set<std::string> copy_names;
  for (int out : g.outputs) {
    int src = alias_of[out];
    if (src < 0 && g.values[out].producer < 0) {
      if (!g.values[out].constant)
        user_error("graph output '", printable(g.values[out].name),
                   "' is also a graph input: not supported (nothing to compute)");
      graph::Value c = g.values[out];
      c.name += "_constant";
      g.values[out].constant.reset();
      src = g.add_value(std::move(c));
      alias_of.push_back(-1);
    }
    if (src < 0) continue;
    alias_of[out] = -1;
    // Kernels that read the output read its source instead: the copy into
    // the output buffer runs last (e.g. a log_prob output that a loss also
    // consumes).
    for (lower::Kernel &k : kernels)
      for (size_t i = 0; i + 1 < k.values.size(); ++i)
        if (k.values[i] == out) k.values[i] = src;
    if (graph::num_elements(g.values[out].shape) == 0) continue;  // nothing to copy
    const std::string base = "k_copy_" + names::c_identifier(g.values[out].name, 48);
    std::string name = base;
    for (int k = 2; !copy_names.insert(name).second; ++k) name = base + "_" + std::to_string(k);
    kernels.push_back(lower::lower_copy(g, src, out, name));
  }
  return kernels;
}

}  // namespace

namespace {
/// A new constant value holding value `v`'s data in the blocked layout of
/// tir::pack_layout (padding zero).
int pack_constant(graph::Graph &g, int v, size_t dim, int64_t block) {
  graph::Value pv = g.values[v];
  SWTC_CHECK(pv.constant && pv.dtype == graph::DType::F32, "packing a non-float constant ", pv.name);
  const std::vector<int64_t> src = tir::pack_source_index(pv.shape, dim, block);
  graph::TensorData t = *pv.constant;
  t.shape = tir::packed_shape(pv.shape, dim, block);
  t.f32.assign(src.size(), 0.0f);
  for (size_t i = 0; i < src.size(); ++i)
    if (src[i] >= 0) t.f32[i] = pv.constant->f32[static_cast<size_t>(src[i])];
  pv.name += ".packed" + std::to_string(block);
  pv.shape = t.shape;
  pv.constant = std::move(t);
  pv.producer = -1;
  g.values.push_back(std::move(pv));
  return static_cast<int>(g.values.size()) - 1;
}
}  // namespace

codegen::Module compile_graph(const graph::Graph &imported, const CompileOptions &opts) {
  check_ranks(opts.ranks);
  codegen::Module m;
  m.target = target::get_target(opts.target);
  m.ranks = opts.ranks;
  m.name = opts.name.empty() ? names::model_name_from(imported.name) : opts.name;
  if (const std::string why = names::model_name_problem(m.name); !why.empty())
    user_error("model name '", m.name, "' (--name) cannot be used: ", why);
  m.schedule = opts.schedule;
  dump(opts, "import", graph::to_text(imported));

  // 1. Graph passes (each verified; `--dump-after NAME` shows the result).
  auto pass = [&](const std::string &name, graph::Graph g) {
    graph::verify(g);
    dump(opts, name, graph::to_text(g));
    return g;
  };
  m.graph = pass("fold_constants", graph::fold_constants(imported));
  // After folding: an empty tensor computed only from constants (Swin-T's
  // shifted-window mask slices a [0] range) is folded away with no kernel.
  check_no_empty_tensors(m.graph);
  m.graph = pass("canonicalize", graph::canonicalize(m.graph));
  // One rank's share of the batch (after the shape subgraphs are folded into
  // static parameters, which the split rewrites), and whether runs over
  // chunks of samples stack (the runner's throughput mode).
  m.graph = pass("split_batch", graph::split_batch(m.graph, opts.ranks));
  m.samples_independent = graph::samples_independent_problem(m.graph).empty();
  if (opts.fold_batchnorm)
    m.graph = pass("fold_batchnorm", graph::canonicalize(graph::fold_batchnorm(m.graph)));
  m.graph = pass("decompose", graph::decompose(m.graph));
  m.graph = pass("dce", graph::eliminate_dead_code(m.graph));

  // 2. Lowering to loop definitions, then epilogue fusion.
  std::vector<int> alias_of;
  const target::ScheduleMode mode = target::schedule_mode(opts.schedule);
  size_t tuned_algorithms = 0, algorithm_convs = 0;
  // Winograd is a host choice (its output transform's staged reads are not
  // affine, which a Sunway stage needs): other targets keep direct Convs.
  // With --winograd auto, a tuning log's algorithm choice for the node
  // (target::conv_algorithm_signature of its direct kernel) overrides the
  // target's rule.
  auto winograd = [&](int node) {
    if (m.target.kind != target::Kind::Host) return 0;
    const graph::Node &n = m.graph.nodes[static_cast<size_t>(node)];
    const auto &ys = m.graph.values[n.outputs[0]].shape;
    const int64_t c = m.graph.values[n.inputs[0]].shape[1];
    int t = opts.winograd >= 0 ? opts.winograd
                               : target::winograd_tile(m.target, c, ys[1], ys[2], ys[3]);
    if (opts.winograd < 0 && (opts.tile_choices || opts.conv_algorithms)) {
      const std::string what = m.graph.describe(node);
      std::vector<lower::Kernel> direct = lower::lower_node_outputs(m.graph, node);
      SWTC_CHECK(direct.size() == 1, what, ": a direct Conv is one kernel");
      std::set<std::string> constants;
      for (size_t i = 0; i < direct[0].def.inputs.size(); ++i)
        if (m.graph.values[direct[0].values[i]].constant)
          constants.insert(direct[0].def.inputs[i]->name);
      KernelChoice kc{direct[0].def.name, what,
                      target::conv_algorithm_signature(direct[0].def, m.target, mode, constants),
                      target::kernel_shape_text(direct[0].def, constants), "", {}, node};
      ++algorithm_convs;
      if (opts.tile_choices)
        if (auto it = opts.tile_choices->find(kc.signature); it != opts.tile_choices->end()) {
          kc.candidate = it->second;
          try {
            t = target::conv_algorithm_tile(kc.candidate, t);
          } catch (const UserError &e) {
            user_error(what, ": ", e.what());
          }
          ++tuned_algorithms;
          if (opts.tuning_report)
            *opts.tuning_report << "tuning log: conv algorithm (" << kc.what << ", "
                                << kc.signature << ", " << kc.shape << "): " << kc.candidate << "\n";
        }
      if (opts.conv_algorithms) {
        if (opts.list_candidates)
          kc.candidates = target::conv_algorithm_candidates(
              m.target, mode,
              target::winograd_tile(m.target, c, ys[1], ys[2], ys[3]), opts.list_candidates);
        opts.conv_algorithms->push_back(std::move(kc));
      }
    }
    if (t)
      m.winograd_convs.push_back(
          {node, m.graph.describe(node), t, 2 * 9 * c * graph::num_elements(ys)});
    return t;
  };
  if (opts.conv_algorithms) opts.conv_algorithms->clear();
  std::vector<lower::Kernel> kernels = lower_graph(m.graph, alias_of, winograd);
  auto kernel_text = [](const std::vector<lower::Kernel> &ks) {
    std::string t;
    for (const auto &k : ks) t += tir::to_text(schedule::Schedule(k.def).lower());
    return t;
  };
  if (opts.dump_after == "lower") dump(opts, "lower", kernel_text(kernels));
  if (opts.fuse) {
    kernels = lower::fuse_epilogues(m.graph, std::move(kernels), alias_of);
    kernels = lower::inline_producers(m.graph, std::move(kernels), alias_of,
                                      m.target.kind == target::Kind::Sunway);
  }
  if (opts.dump_after == "fuse") dump(opts, "fuse", kernel_text(kernels));
  std::vector<int64_t> alias_offset;
  kernels = lower::place_concats(m.graph, std::move(kernels), alias_of, alias_offset,
                                 &m.concats_in_place);

  // 3. Scheduling for the target, then lowering to tensor IR.
  // sw26010, default schedule: the row operand of large weight MatMuls is
  // transposed once by a kernel of its own, so a reduce step's rows of all
  // output rows are one run the CPEs share by broadcast
  // (lower/transpose_rows.h, target::sunway_default_schedule); an
  // elementwise kernel read only by such a transpose (BERT's GELU, a
  // LayerNorm's last kernel) is then computed by it (inline_producers.h).
  if (m.target.kind == target::Kind::Sunway && !m.target.crts && m.target.workers == 64 &&
      mode == target::ScheduleMode::Default) {
    kernels = lower::transpose_matmul_rows(m.graph, std::move(kernels), 64, 256, 256);
    if (opts.fuse) kernels = lower::inline_producers(m.graph, std::move(kernels), alias_of);
  }
  std::string scheduled;
  size_t tuned = 0;
  if (opts.kernel_choices) opts.kernel_choices->clear();
  for (size_t i = 0; i < kernels.size(); ++i) {
    lower::Kernel &k = kernels[i];
    const std::string what =
        k.node >= 0 ? m.graph.describe(k.node) : "kernel '" + k.def.name + "'";
    if (opts.log)
      *opts.log << "[" << i + 1 << "/" << kernels.size() << "] scheduling " << what << "\n";
    std::string signature, chosen;
    schedule::Schedule s = [&] {
      try {
        std::set<std::string> constants;
        for (size_t i = 0; i < k.def.inputs.size(); ++i)
          if (m.graph.values[k.values[i]].constant) constants.insert(k.def.inputs[i]->name);
        schedule::Schedule s =
            target::choose_schedule(k.def, m.target, mode, constants, opts.tile_choices, &chosen);
        signature = target::kernel_signature(k.def, m.target, mode, constants);
        if (opts.kernel_choices || (opts.tuning_report && !chosen.empty())) {
          KernelChoice kc{k.def.name, what, signature, target::kernel_shape_text(k.def, constants),
                          chosen, {}, k.node};
          if (opts.list_candidates)
            kc.candidates =
                target::tile_candidates(k.def, m.target, mode, constants, opts.list_candidates);
          if (opts.tuning_report && !chosen.empty()) {
            ++tuned;
            *opts.tuning_report << "tuning log: kernel " << kc.name << " (" << kc.what << ", "
                                << kc.signature << ", " << kc.shape << "): " << chosen << "\n";
          }
          if (opts.kernel_choices) opts.kernel_choices->push_back(std::move(kc));
        }
        return s;
      } catch (const UserError &e) {
        user_error(what, ": ", e.what());
      }
    }();
    codegen::CompiledKernel ck{k, s.lower(), s.trace(), 0, signature,
                               chosen.empty() ? target::kDefaultCandidate : chosen};
    // Constants the schedule wants in a packed layout get a packed copy.
    for (const auto &pk : s.packs()) {
      size_t i = 0;
      while (k.def.inputs[i]->name != pk.buffer) ++i;
      ck.kernel.values[i] = pack_constant(m.graph, k.values[i], pk.dim, pk.block);
    }
    tir::verify(ck.func);
    ck.ldm_bytes = m.target.scratchpad_bytes ? tir::local_bytes(ck.func) : 0;
    target::check_ldm(ck.func, m.target, what);
    scheduled += tir::to_text(ck.func);
    m.kernels.push_back(std::move(ck));
  }
  dump(opts, "schedule", scheduled);
  if (opts.tuning_report && opts.tile_choices)
    *opts.tuning_report << "tuning log: " << tuned << " of " << kernels.size()
                        << " kernels scheduled by the log (" << opts.tile_choices->size()
                        << " kernel signatures in it for " << target::tuning_target_name(m.target)
                        << "; the others: default tiles)"
                        << (algorithm_convs ? "; " + std::to_string(tuned_algorithms) + " of " +
                                                  std::to_string(algorithm_convs) +
                                                  " Winograd-able Convs' algorithms chosen by it"
                                            : std::string())
                        << "\n";

  // 4. Static memory plan.
  std::vector<graph::Step> steps;
  for (const auto &k : m.kernels) {
    graph::Step st;
    st.reads.assign(k.kernel.values.begin(), k.kernel.values.end() - 1);
    st.write = k.kernel.values.back();
    steps.push_back(st);
  }
  alias_of.resize(m.graph.values.size(), -1);  // packed constants alias nothing
  alias_offset.resize(m.graph.values.size(), 0);
  m.plan = graph::plan_memory(m.graph, steps, alias_of, alias_offset);
  return m;
}

std::string compile_report(const graph::Graph &imported, const codegen::Module &m) {
  std::ostringstream os;
  os << "model " << m.name << " for " << m.target.name << "\n";
  os << "nodes: " << imported.nodes.size() << " imported, " << m.graph.nodes.size()
     << " after graph passes\n";
  int fused = 0;
  for (const auto &k : m.kernels) fused += k.kernel.fused.empty() ? 0 : 1;
  os << "kernels: " << m.kernels.size() << " (" << fused
     << " with fused nodes: epilogues, inlined producers)\n";
  for (const auto &k : m.kernels) {
    if (k.kernel.fused.empty()) continue;
    // A kernel of no graph node: a MatMul's row transpose (transpose_rows.h).
    os << "  " << k.func.name << ": "
       << (k.kernel.node >= 0 ? m.graph.describe(k.kernel.node) : std::string("(no graph node)"));
    for (int n : k.kernel.fused) os << " + " << m.graph.describe(n);
    os << "\n";
  }
  if (!m.concats_in_place.empty()) {
    os << "concats computed in place (their inputs written into their parts, no copy): "
       << m.concats_in_place.size() << "\n";
    for (const auto &name : m.concats_in_place) os << "  " << name << "\n";
  }
  const double saved = m.plan.intermediate_bytes
                           ? 100.0 * (1.0 - double(m.plan.workspace_bytes) / m.plan.intermediate_bytes)
                           : 0.0;
  os << "workspace: " << m.plan.workspace_bytes << " bytes, planned by liveness, for "
     << m.plan.intermediate_bytes << " bytes of intermediate tensors (" << std::fixed
     << std::setprecision(1) << saved << "% saved)\n";
  os << "weights: " << m.plan.weights_bytes << " bytes\n";
  int64_t flops = 0;
  for (const auto &k : m.kernels) flops += k.func.flops;
  os << "flops: " << flops << " (the compiler's count over the kernels, one run"
     << (m.ranks > 1 ? ", one rank" : "") << ")\n";
  if (!m.winograd_convs.empty()) {
    os << "convs by Winograd (transforms and a batched product instead of the direct sum): "
       << m.winograd_convs.size() << "\n";
    std::set<int> nodes;
    int64_t direct = 0;
    for (const auto &w : m.winograd_convs) {
      os << "  " << w.what << ": F(" << w.m << "x" << w.m << ", 3x3)\n";
      nodes.insert(w.node);
      direct += w.direct_flops;
    }
    for (const auto &k : m.kernels)
      if (!nodes.count(k.kernel.node)) direct += k.func.flops;
    os << "direct flops: " << direct
       << " (the same count with each Winograd Conv counted as the direct convolution, "
          "2 x 9 x input channels per output: the base of effective GFLOP/s)\n";
  }
  if (m.target.scratchpad_bytes) {
    os << "per kernel (sw26010, busiest CPE, estimated from the staged boxes; schedule "
       << m.schedule << "):\n";
    for (const auto &k : m.kernels) {
      const tir::DmaEstimate e = tir::dma_estimate(k.func, m.target.workers);
      os << "  " << k.func.name << ": LDM " << k.ldm_bytes << " bytes, DMA " << int64_t(e.transfers)
         << " transfers, " << int64_t(e.bytes) << " bytes\n";
    }
    int64_t most = 0;
    for (const auto &k : m.kernels) most = std::max(most, k.ldm_bytes);
    os << "LDM: largest kernel uses " << most << " of " << m.target.ldm_budget()
       << " bytes per CPE\n";
  }
  return os.str();
}

std::vector<std::string> write_output(const codegen::Module &m, const std::string &dir) {
  std::vector<std::string> written;
  for (const auto &f : codegen::emit_module(m)) {
    fs::path p = fs::path(dir) / f.path;
    std::error_code ec;
    fs::create_directories(p.parent_path(), ec);
    if (ec) user_error("cannot create folder '", p.parent_path().string(), "': ", ec.message());
    std::ofstream os(p, std::ios::binary);
    os.write(f.content.data(), static_cast<std::streamsize>(f.content.size()));
    if (!os) user_error("cannot write '", p.string(), "'");
    written.push_back(p.string());
  }
  return written;
}

}  // namespace swtc::driver
