#include "graph/passes/split_batch.h"

#include <algorithm>

#include "common/error.h"
#include "graph/resize.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

namespace {

constexpr const char *kCannot = ", so --ranks cannot split it";

class Splitter {
 public:
  Splitter(const Graph &g, int ranks) : g_(g), ncg_(ranks) {}

  Graph run() {
    check();
    return rewrite();
  }

  /// user_error unless the graph can be split (see split_batch).
  void check() {
    batch_ = find_batch();
    mark_and_check();
    for (int v : g_.outputs)
      if (!batched_[v])
        user_error("graph output '", g_.values[v].name,
                   "' does not depend on the model's inputs (the same for every sample)",
                   kCannot);
  }

 private:
  int64_t find_batch() const {
    if (ncg_ < 1) user_error("--ranks must be at least 1, got ", ncg_);
    if (g_.inputs.empty())
      user_error("the model has no inputs, so --ranks has no batch to split");
    const Value &first = g_.values[g_.inputs[0]];
    if (first.shape.empty())
      user_error("input '", first.name, "' is a scalar: no batch dimension", kCannot);
    const int64_t b = first.shape[0];
    if (b <= 1 || b < ncg_)
      user_error("batch ", b, " (dim 0 of input '", first.name, "') cannot be split over ", ncg_,
                 " ranks");
    if (b % ncg_ != 0)
      user_error("batch ", b, " (dim 0 of input '", first.name, "') is not divisible by ", ncg_,
                 " ranks");
    for (int v : g_.inputs) {
      const Value &in = g_.values[v];
      if (in.shape.empty() || in.shape[0] != b)
        user_error("input '", in.name, "' has shape ", shape_str(in.shape),
                   ": its dim 0 is not the batch ", b, " of input '", first.name, "'", kCannot);
    }
    return b;
  }

  /// Batched values: graph inputs and everything computed from them. Each
  /// node reading one must keep samples independent (check_node), and its
  /// outputs must have dim 0 == the batch.
  void mark_and_check() {
    batched_.assign(g_.values.size(), false);
    for (int v : g_.inputs) batched_[v] = true;
    for (int i = 0; i < static_cast<int>(g_.nodes.size()); ++i) {
      const Node &n = g_.nodes[i];
      const bool any = std::any_of(n.inputs.begin(), n.inputs.end(),
                                   [&](int v) { return v >= 0 && batched_[v]; });
      if (!any) continue;
      check_node(i);
      for (int v : n.outputs) {
        batched_[v] = true;
        const Shape &s = g_.values[v].shape;
        if (s.empty() || s[0] != batch_)
          fail(i, str_cat("its output '", g_.values[v].name, "' has shape ", shape_str(s),
                          ": dim 0 is not the batch ", batch_));
      }
    }
  }

  [[noreturn]] void fail(int node, const std::string &why) const {
    user_error(g_.describe(node), ": ", why, kCannot);
  }

  bool batched(int v) const { return v >= 0 && batched_[v]; }
  int64_t rank(int v) const { return static_cast<int64_t>(g_.values[v].shape.size()); }
  const std::string &name(int v) const { return g_.values[v].name; }

  /// Only input 0 may carry the batch (the others are weights / parameters).
  void only_input0(int i) const {
    const Node &n = g_.nodes[i];
    if (!batched(n.inputs[0]))
      fail(i, str_cat("its input '", name(n.inputs[0]),
                      "' is a constant while another input is batched"));
    for (size_t k = 1; k < n.inputs.size(); ++k)
      if (batched(n.inputs[k]))
        fail(i, str_cat("its parameter input '", name(n.inputs[k]),
                        "' is computed from the batch (only input 0 may be)"));
  }

  /// Broadcasting inputs: a batched input has the output's rank (its dim 0 is
  /// the batch); a constant of the output's rank has dim 0 == 1, the same for
  /// every sample. `min_batched_rank`: batched inputs need at least this rank.
  void broadcast_inputs(int i, int64_t min_batched_rank = 0) const {
    const Node &n = g_.nodes[i];
    const int64_t r = rank(n.outputs[0]);
    for (int v : n.inputs) {
      if (v < 0) continue;
      if (batched(v)) {
        if (rank(v) != r || rank(v) < min_batched_rank)
          fail(i, str_cat("its input '", name(v), "' ", shape_str(g_.values[v].shape),
                          " is broadcast along the batch axis"));
      } else if (rank(v) == r && g_.values[v].shape[0] != 1) {
        fail(i, str_cat("its constant input '", name(v), "' ", shape_str(g_.values[v].shape),
                        " has one entry per sample (dim 0 = ", g_.values[v].shape[0],
                        "): the ranks would need different constants"));
      }
    }
  }

  void axis_not_0(int i, int64_t axis, const char *what) const {
    if (axis == 0) fail(i, str_cat("its ", what, " is 0, the batch axis"));
  }

  /// Pre: some input of node i is batched.
  void check_node(int i) const {
    const Node &n = g_.nodes[i];
    switch (n.op) {
      case OpKind::Relu:
      case OpKind::Clip:
      case OpKind::Sqrt:
      case OpKind::Erf:
      case OpKind::Exp:
      case OpKind::Tanh:
      case OpKind::Sigmoid:
      case OpKind::Neg:
      case OpKind::Ceil:
      case OpKind::Floor:
      case OpKind::Tile:  // repeats / pads of axis 0: its output's dim 0 must stay the batch
      case OpKind::Pad:
#define SWTC_UNARY(kind, ...) case OpKind::kind:
#include "graph/unary_ops.def"
      case OpKind::Identity:
      case OpKind::Dropout:
      case OpKind::Cast:
      case OpKind::Not:
      case OpKind::Conv:
      case OpKind::ConvTranspose:
      case OpKind::BatchNormalization:
      case OpKind::MaxPool:
      case OpKind::AveragePool:
      case OpKind::GlobalAveragePool: only_input0(i); return;
      case OpKind::LayerNormalization:
        only_input0(i);
        axis_not_0(i, n.attr_int("axis", -1), "axis");
        return;
      case OpKind::Add:
      case OpKind::Sub:
      case OpKind::Mul:
      case OpKind::Div:
      case OpKind::Pow:
      case OpKind::Equal:
      case OpKind::Greater:
      case OpKind::Less:
      case OpKind::GreaterOrEqual:
      case OpKind::LessOrEqual:
      case OpKind::And:
      case OpKind::Or:
      case OpKind::Xor:
      case OpKind::Max:
      case OpKind::Min:
      case OpKind::Sum:
      case OpKind::Mean:
      case OpKind::PRelu:
      case OpKind::Where: broadcast_inputs(i); return;
      case OpKind::MatMul: {
        // Rows of A, or the leading (batch) dims of a batched B of rank >= 3.
        const int a = n.inputs[0], b = n.inputs[1];
        if (batched(a) && rank(a) < 2)
          fail(i, str_cat("its 1-D input '", name(a), "' is contracted with the batch"));
        if (batched(b) && rank(b) < 3)
          fail(i, str_cat("its input B '", name(b), "' ", shape_str(g_.values[b].shape),
                          " has the batch in its contracted (row) dimension"));
        broadcast_inputs(i);
        return;
      }
      case OpKind::Gemm: {
        only_input0(i);
        if (n.attr_int("transA", 0) != 0)
          fail(i, "its A is transposed (transA = 1): the batch is the contracted dimension");
        if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
          const Shape &c = g_.values[n.inputs[2]].shape;
          if (c.size() == 2 && c[0] != 1)
            fail(i, str_cat("its C '", name(n.inputs[2]), "' ", shape_str(c),
                            " has one row per sample: the ranks would need different "
                            "constants"));
        }
        return;
      }
      case OpKind::Flatten:
        if (n.attr_int("axis", 1) < 1)
          fail(i, "its axis is 0: it merges the batch with other dims");
        return;
      case OpKind::Reshape:
        if (g_.values[n.outputs[0]].shape.empty() ||
            g_.values[n.outputs[0]].shape[0] != batch_)
          fail(i, "its target shape mixes the batch with other dims");
        return;
      case OpKind::Squeeze:
      case OpKind::Unsqueeze: {
        const auto axes = n.attr_ints("axes", {});
        if (std::find(axes.begin(), axes.end(), 0) != axes.end())
          fail(i, n.op == OpKind::Squeeze ? "it removes axis 0, the batch axis"
                                          : "it inserts a new axis 0 before the batch");
        return;
      }
      case OpKind::Transpose: {
        const auto perm = n.attr_ints("perm", {});
        if (perm.empty() || perm[0] != 0)
          fail(i, str_cat("it moves the batch axis (perm[0] = ",
                          perm.empty() ? int64_t{-1} : perm[0], ")"));
        return;
      }
      case OpKind::Concat:
        axis_not_0(i, n.attr_int("axis", 0), "axis");
        broadcast_inputs(i);
        return;
      case OpKind::Split: axis_not_0(i, n.attr_int("axis", 0), "axis"); return;
      case OpKind::Softmax:
      case OpKind::LogSoftmax: axis_not_0(i, n.attr_int("axis", -1), "axis"); return;
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
      {
        const auto axes = n.attr_ints("axes", {});
        if (axes.empty() || std::find(axes.begin(), axes.end(), 0) != axes.end())
          fail(i, "it reduces over axis 0, the batch axis");
        return;
      }
      case OpKind::Slice: {
        const auto starts = n.attr_ints("starts", {}), steps = n.attr_ints("steps", {});
        if (starts.empty() || starts[0] != 0 || steps.empty() || steps[0] != 1 ||
            g_.values[n.outputs[0]].shape[0] != batch_)
          fail(i, "it slices the batch axis");
        return;
      }
      case OpKind::Expand:
        if (rank(n.inputs[0]) != rank(n.outputs[0]))
          fail(i, "it broadcasts its input along the batch axis");
        return;
      case OpKind::Gather: {
        const int data = n.inputs[0], idx = n.inputs[1];
        const int64_t axis = n.attr_int("axis", 0);
        if (batched(data) && (batched(idx) || axis == 0))
          fail(i, "it gathers along the batch axis");
        if (batched(idx) && axis != 0)
          fail(i, "its batched indices do not come first in the output");
        return;
      }
      case OpKind::Trilu:  // on the last two axes: the batch must be another
        only_input0(i);
        if (rank(n.inputs[0]) < 3) fail(i, "its rows are the batch axis");
        return;
      case OpKind::IsInf:
      case OpKind::IsNaN:
      case OpKind::DepthToSpace:
      case OpKind::SpaceToDepth:
      case OpKind::GlobalMaxPool:
      case OpKind::InstanceNormalization: only_input0(i); return;
      case OpKind::Mod: broadcast_inputs(i); return;
      case OpKind::Hardmax: axis_not_0(i, n.attr_int("axis", -1), "axis"); return;
      case OpKind::Range:
      case OpKind::EyeLike: fail(i, "its value depends on the batch size");
      case OpKind::ScatterND:  // indices address the whole tensor, batch axis included
      case OpKind::ScatterElements:
      case OpKind::Scatter:
        fail(i, "its indices address the batch axis");
      case OpKind::Resize:
      case OpKind::Upsample: {  // canonical: one input; axis 0 must be copied
        only_input0(i);
        const int64_t b = g_.values[n.inputs[0]].shape.at(0);
        const ResizeParams p = resize_params(g_, n, g_.values[n.inputs[0]].shape,
                                             [](size_t) { return std::nullopt; });
        if (!resize_identity(resize_taps(p, 0, b), b)) fail(i, "it resizes the batch axis");
        return;
      }
      case OpKind::GatherElements:  // indices per sample
      case OpKind::NegativeLogLikelihoodLoss:  // the target differs per sample
      case OpKind::SoftmaxCrossEntropyLoss: break;
      case OpKind::ArgMax:
      case OpKind::ArgMin:
        only_input0(i);
        axis_not_0(i, n.attr_int("axis", 0), "axis");
        return;
      case OpKind::Shape:
      case OpKind::Size:
      case OpKind::ConstantOfShape:
      case OpKind::Constant:
        fail(i, "its value depends on the batch size");
    }
    fail(i, "the op is not known to keep samples independent");
  }

  Graph rewrite() const {
    const int64_t slice = batch_ / ncg_;
    Graph out = g_;
    for (int v : out.inputs) out.values[v].shape[0] = slice;
    for (Node &n : out.nodes) {
      if (n.outputs.empty() || !batched(n.outputs[0])) continue;
      auto set0 = [&](const char *attr) {
        auto s = n.attr_ints(attr, {});
        SWTC_CHECK(!s.empty(), n.name, ": no ", attr);
        s[0] = n.op == OpKind::Slice ? std::min(s[0], slice) : slice;
        n.attrs[attr] = s;
      };
      if (n.op == OpKind::Reshape || n.op == OpKind::Expand) set0("shape");
      if (n.op == OpKind::Slice) set0("ends");
      if (n.op == OpKind::Resize && n.has_attr("sizes")) set0("sizes");
    }
    infer_shapes(out);
    for (size_t v = 0; v < out.values.size(); ++v)
      if (batched_[v])
        SWTC_CHECK(!out.values[v].shape.empty() && out.values[v].shape[0] == slice,
                   "split_batch: value '", out.values[v].name, "' has shape ",
                   shape_str(out.values[v].shape), " after the split");
    verify(out);
    return out;
  }

  const Graph &g_;
  const int ncg_;
  int64_t batch_ = 0;
  std::vector<bool> batched_;
};

}  // namespace

Graph split_batch(const Graph &g, int ranks) {
  if (ranks == 1) return g;
  return Splitter(g, ranks).run();
}

std::string samples_independent_problem(const Graph &g) {
  if (g.inputs.empty()) return "the model has no inputs";
  const Value &first = g.values[g.inputs[0]];
  if (!first.shape.empty() && first.shape[0] == 1) {
    // One sample per run: runs over consecutive samples stack along dim 0
    // when every input and output has dim 0 == 1.
    for (const std::vector<int> *ids : {&g.inputs, &g.outputs})
      for (int v : *ids)
        if (g.values[v].shape.empty() || g.values[v].shape[0] != 1)
          return str_cat("'", g.values[v].name, "' has shape ", shape_str(g.values[v].shape),
                         ": its dim 0 is not the batch 1");
    return "";
  }
  try {
    Splitter(g, 1).check();
  } catch (const UserError &e) {
    return e.what();
  }
  return "";
}

}  // namespace swtc::graph
