#include "graph/passes/decompose.h"

#include "common/error.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

namespace {

class Decomposer {
 public:
  explicit Decomposer(const Graph &g) : g_(g) {}

  Graph run() {
    std::vector<Node> old = std::move(g_.nodes);
    g_.nodes.clear();
    for (size_t i = 0; i < old.size(); ++i) {
      base_ = old[i].name;
      switch (old[i].op) {
        case OpKind::Softmax: softmax(old[i]); break;
        case OpKind::LayerNormalization: layernorm(old[i]); break;
        default: g_.nodes.push_back(old[i]); break;
      }
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      for (int v : g_.nodes[i].outputs) g_.values[v].producer = static_cast<int>(i);
    infer_shapes(g_);
    verify(g_);
    return g_;
  }

 private:
  /// Adds node `op(inputs)`; its output is `out` if given, else a new value.
  int add(OpKind op, std::vector<int> inputs, std::map<std::string, AttrValue> attrs = {},
          int out = -1) {
    Node n;
    n.name = base_ + "/" + op_name(op) + "_" + std::to_string(count_++);
    n.op = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    if (out < 0) {
      Value v;
      v.name = n.name + "_output";
      v.dtype = DType::F32;
      out = g_.add_value(std::move(v));
    }
    n.outputs = {out};
    g_.nodes.push_back(std::move(n));
    return out;
  }

  int scalar(float x) {
    Value v;
    v.name = base_ + "/const_" + std::to_string(count_++);
    v.dtype = DType::F32;
    v.has_shape = true;
    TensorData t;
    t.dtype = DType::F32;
    t.f32 = {x};
    v.constant = t;
    return g_.add_value(std::move(v));
  }

  std::vector<int64_t> axes_from(int64_t axis, size_t rank, bool all_after) {
    std::vector<int64_t> axes;
    for (int64_t d = axis; d < static_cast<int64_t>(rank); ++d)
      if (d == axis || all_after) axes.push_back(d);
    return axes;
  }

  void softmax(const Node &n) {
    const int x = n.inputs[0];
    const size_t rank = g_.values[x].shape.size();
    const auto axes = axes_from(n.attr_int("axis", -1), rank, n.attr_int("coerce_2d", 0) != 0);
    std::map<std::string, AttrValue> red = {{"axes", axes}, {"keepdims", int64_t{1}}};
    int m = add(OpKind::ReduceMax, {x}, red);
    int e = add(OpKind::Exp, {add(OpKind::Sub, {x, m})});
    int s = add(OpKind::ReduceSum, {e}, red);
    add(OpKind::Div, {e, s}, {}, n.outputs[0]);
  }

  void layernorm(const Node &n) {
    const int x = n.inputs[0];
    const size_t rank = g_.values[x].shape.size();
    const auto axes = axes_from(n.attr_int("axis", -1), rank, true);
    std::map<std::string, AttrValue> red = {{"axes", axes}, {"keepdims", int64_t{1}}};
    int mean = add(OpKind::ReduceMean, {x}, red);
    int d = add(OpKind::Sub, {x, mean});
    int var = add(OpKind::ReduceMean, {add(OpKind::Mul, {d, d})}, red);
    int sd = add(OpKind::Sqrt, {add(OpKind::Add, {var, scalar(n.attr_float("epsilon", 1e-5f))})});
    int norm = add(OpKind::Div, {d, sd});
    const bool bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
    int scaled = add(OpKind::Mul, {norm, n.inputs[1]}, {}, bias ? -1 : n.outputs[0]);
    if (bias) add(OpKind::Add, {scaled, n.inputs[2]}, {}, n.outputs[0]);
  }

  Graph g_;
  std::string base_;
  int count_ = 0;
};

}  // namespace

Graph decompose(const Graph &g) { return Decomposer(g).run(); }

}  // namespace swtc::graph
