#include "graph/passes/canonicalize.h"

#include <algorithm>

#include "common/error.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

namespace {

class Canonicalizer {
 public:
  explicit Canonicalizer(const Graph &g) : g_(g) {}

  Graph run() {
    infer_shapes(g_);
    repl_.assign(g_.values.size(), -1);
    is_output_.assign(g_.values.size(), false);
    for (int id : g_.outputs) is_output_[id] = true;
    std::vector<bool> drop(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      Node &n = g_.nodes[i];
      switch (n.op) {
        case OpKind::Constant: {
          Value &v = g_.values[n.outputs[0]];
          v.constant = constant_node_data(g_, static_cast<int>(i));
          v.producer = -1;
          drop[i] = true;
          break;
        }
        case OpKind::Identity: drop[i] = remove_identity(n); break;
        case OpKind::Conv:
        case OpKind::MaxPool:
        case OpKind::AveragePool: explicit_window(static_cast<int>(i)); break;
        case OpKind::Gemm:
          n.attrs["alpha"] = n.attr_float("alpha", 1.0f);
          n.attrs["beta"] = n.attr_float("beta", 1.0f);
          n.attrs["transA"] = n.attr_int("transA", 0);
          n.attrs["transB"] = n.attr_int("transB", 0);
          break;
        case OpKind::BatchNormalization:
          n.attrs["epsilon"] = n.attr_float("epsilon", 1e-5f);
          n.attrs.erase("momentum");
          n.attrs.erase("training_mode");
          break;
        case OpKind::Flatten: {
          int64_t r = static_cast<int64_t>(g_.values[n.inputs[0]].shape.size());
          int64_t axis = n.attr_int("axis", 1);
          n.attrs["axis"] = axis < 0 ? axis + r : axis;
          break;
        }
        case OpKind::Reshape:
          n.attrs["shape"] = g_.values[n.outputs[0]].shape;
          n.attrs.erase("allowzero");
          n.inputs.resize(1);
          break;
        case OpKind::Relu:
        case OpKind::GlobalAveragePool:
        case OpKind::Add: break;
      }
    }
    // Rewire every use (and, for renamed Identity sources, the definition).
    for (Node &n : g_.nodes) {
      for (int &id : n.inputs)
        if (id >= 0) id = resolve(id);
      for (int &id : n.outputs) id = resolve(id);
    }
    for (int &id : g_.outputs) id = resolve(id);
    return rebuild(drop);
  }

 private:
  int resolve(int id) const {
    while (repl_[id] >= 0) id = repl_[id];
    return id;
  }

  /// Returns true if the Identity node can be dropped.
  bool remove_identity(const Node &n) {
    int src = resolve(n.inputs[0]);
    int out = n.outputs[0];
    if (!is_output_[out]) {
      repl_[out] = src;
      return true;
    }
    const Value &s = g_.values[src];
    bool src_is_interface = s.producer < 0 || is_output_[src] ||
                            std::find(g_.inputs.begin(), g_.inputs.end(), src) != g_.inputs.end();
    if (src_is_interface) return false;  // keep: the graph output needs its own name
    // The producer of `src` now defines the graph output directly.
    repl_[src] = out;
    g_.values[out].producer = s.producer;
    return true;
  }

  void explicit_window(int i) {
    Window w = resolve_window(g_, i);
    Node &n = g_.nodes[i];
    n.attrs.erase("auto_pad");
    n.attrs["kernel_shape"] = w.kernel;
    n.attrs["strides"] = w.strides;
    n.attrs["pads"] = w.pads;
    n.attrs["dilations"] = w.dilations;
    if (n.op == OpKind::Conv) n.attrs["group"] = w.group;
    if (n.op != OpKind::Conv) n.attrs["ceil_mode"] = int64_t{w.ceil_mode ? 1 : 0};
    if (n.op == OpKind::AveragePool)
      n.attrs["count_include_pad"] = int64_t{w.count_include_pad ? 1 : 0};
  }

  Graph rebuild(const std::vector<bool> &drop) const {
    size_t nv = g_.values.size();
    std::vector<bool> keep(nv, false);
    for (int id : g_.inputs) keep[id] = true;
    for (int id : g_.outputs) keep[id] = true;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (drop[i]) continue;
      for (int id : g_.nodes[i].inputs)
        if (id >= 0) keep[id] = true;
      for (int id : g_.nodes[i].outputs) keep[id] = true;
    }
    Graph ng;
    ng.name = g_.name;
    ng.opset = g_.opset;
    std::vector<int> remap(nv, -1);
    for (size_t v = 0; v < nv; ++v) {
      if (!keep[v]) continue;
      Value val = g_.values[v];
      val.producer = -1;
      remap[v] = ng.add_value(std::move(val));
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (drop[i]) continue;
      Node n = g_.nodes[i];
      for (int &id : n.inputs)
        if (id >= 0) id = remap[id];
      for (int &id : n.outputs) {
        id = remap[id];
        ng.values[id].producer = static_cast<int>(ng.nodes.size());
      }
      ng.nodes.push_back(std::move(n));
    }
    for (int id : g_.inputs) ng.inputs.push_back(remap[id]);
    for (int id : g_.outputs) ng.outputs.push_back(remap[id]);
    infer_shapes(ng);
    verify(ng);
    return ng;
  }

  Graph g_;  // a working copy
  std::vector<int> repl_;
  std::vector<bool> is_output_;
};

}  // namespace

Graph canonicalize(const Graph &g) { return Canonicalizer(g).run(); }

}  // namespace swtc::graph
