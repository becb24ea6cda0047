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
        case OpKind::Softmax:
        case OpKind::LogSoftmax: softmax(old[i]); break;
        case OpKind::Max:
        case OpKind::Min:
        case OpKind::Sum:
        case OpKind::Mean: variadic(old[i]); break;
        case OpKind::Tile: tile(old[i]); break;
        case OpKind::Pad:
          if (old[i].attr_string("mode", "constant") == "constant")
            g_.nodes.push_back(old[i]);  // one kernel (lower_pad)
          else
            pad_by_slices(old[i]);
          break;
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
    int d = add(OpKind::Sub, {x, m});
    int e = add(OpKind::Exp, {d});
    int s = add(OpKind::ReduceSum, {e}, red);
    if (n.op == OpKind::LogSoftmax)  // x - max - log(sum(exp(x - max)))
      add(OpKind::Sub, {d, add(OpKind::Log, {s})}, {}, n.outputs[0]);
    else
      add(OpKind::Div, {e, s}, {}, n.outputs[0]);
  }

  /// Max / Min / Sum / Mean of k inputs: a chain of k-1 two-input Max / Min /
  /// Add nodes (numpy broadcasting at each), Mean then divided by k; one
  /// input: an Identity.
  void variadic(const Node &n) {
    const size_t k = n.inputs.size();
    const bool mean = n.op == OpKind::Mean;
    if (k == 1) {
      add(OpKind::Identity, {n.inputs[0]}, {}, n.outputs[0]);
      return;
    }
    const OpKind op = n.op == OpKind::Sum || mean ? OpKind::Add : n.op;
    int t = n.inputs[0];
    for (size_t i = 1; i < k; ++i)
      t = add(op, {t, n.inputs[i]}, {}, i + 1 == k && !mean ? n.outputs[0] : -1);
    if (mean) add(OpKind::Div, {t, scalar(static_cast<float>(k))}, {}, n.outputs[0]);
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

  /// Tile: along each axis repeated r > 1 times, a Concat of r copies.
  void tile(const Node &n) {
    const std::vector<int64_t> reps = n.attr_ints("repeats", {});
    int last = -1;
    for (size_t d = 0; d < reps.size(); ++d)
      if (reps[d] != 1) last = static_cast<int>(d);
    if (last < 0) {
      add(OpKind::Identity, {n.inputs[0]}, {}, n.outputs[0]);
      return;
    }
    int cur = n.inputs[0];
    for (size_t d = 0; d < reps.size(); ++d) {
      if (reps[d] == 1) continue;
      std::vector<int> ins(static_cast<size_t>(reps[d]), cur);
      cur = add(OpKind::Concat, ins, {{"axis", static_cast<int64_t>(d)}},
                static_cast<int>(d) == last ? n.outputs[0] : -1);
    }
  }

  int slice(int x, size_t axis, int64_t start, int64_t end, int64_t step) {
    return add(OpKind::Slice, {x},
               {{"starts", std::vector<int64_t>{start}}, {"ends", std::vector<int64_t>{end}},
                {"axes", std::vector<int64_t>{static_cast<int64_t>(axis)}},
                {"steps", std::vector<int64_t>{step}}});
  }

  /// Pad in edge or reflect mode (pads >= 0, shape inference checked): per
  /// padded axis, a Concat of the slices before (edge: the first entry,
  /// repeated; reflect: entries b..1, a step -1 slice), the input, and the
  /// slices after. Each part is an affine copy kernel.
  void pad_by_slices(const Node &n) {
    const int x = n.inputs[0];
    const Shape xs = g_.values[x].shape;
    const size_t r = xs.size();
    const std::vector<int64_t> p = n.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
    const bool edge = n.attr_string("mode", "constant") == "edge";
    int last = -1;
    for (size_t d = 0; d < r; ++d)
      if (p[d] > 0 || p[d + r] > 0) last = static_cast<int>(d);
    if (last < 0) {
      add(OpKind::Identity, {x}, {}, n.outputs[0]);
      return;
    }
    int cur = x;
    for (size_t d = 0; d < r; ++d) {
      const int64_t b = p[d], e = p[d + r], len = xs[d];
      if (b <= 0 && e <= 0) continue;
      std::vector<int> parts;
      if (b > 0) {
        if (edge)
          parts.assign(static_cast<size_t>(b), slice(cur, d, 0, 1, 1));
        else
          parts.push_back(slice(cur, d, b, 0, -1));  // entries b, b-1, .., 1
      }
      parts.push_back(cur);
      if (e > 0) {
        if (edge) {
          const int s = slice(cur, d, len - 1, len, 1);
          parts.insert(parts.end(), static_cast<size_t>(e), s);
        } else {  // entries len-2 down to len-1-e; -(len+1) is "before index 0"
          const int64_t end = len - 2 - e >= 0 ? len - 2 - e : -(len + 1);
          parts.push_back(slice(cur, d, len - 2, end, -1));
        }
      }
      cur = add(OpKind::Concat, parts, {{"axis", static_cast<int64_t>(d)}},
                static_cast<int>(d) == last ? n.outputs[0] : -1);
    }
  }

  Graph g_;
  std::string base_;
  int count_ = 0;
};

}  // namespace

Graph decompose(const Graph &g) { return Decomposer(g).run(); }

}  // namespace swtc::graph
