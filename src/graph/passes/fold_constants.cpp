#include "graph/passes/fold_constants.h"

#include <algorithm>

#include "common/error.h"
#include "graph/passes/dce.h"
#include "graph/shape_inference.h"
#include "interp/interpreter.h"

namespace swtc::graph {

namespace {

/// Evaluates node `i` of `g` (all inputs constant) with the interpreter.
std::vector<TensorData> evaluate(const Graph &g, int i) {
  const Node &n = g.nodes[i];
  if (n.op == OpKind::Shape) {  // needs only the (static) input shape
    const Shape &xs = g.values[n.inputs[0]].shape;
    const Value &out = g.values[n.outputs[0]];
    int64_t r = static_cast<int64_t>(xs.size()), start = n.attr_int("start", 0);
    if (start < 0) start += r;
    start = std::clamp<int64_t>(start, 0, r);
    TensorData t;
    t.dtype = DType::I64;
    t.shape = out.shape;
    t.i64.assign(xs.begin() + start, xs.begin() + start + out.shape.at(0));
    return {t};
  }
  Graph mini;
  mini.name = str_cat(g.name, ".fold");
  mini.opset = g.opset;
  Node m = n;
  for (int &id : m.inputs) {
    if (id < 0) continue;
    Value v = g.values[id];
    v.producer = -1;
    id = mini.add_value(std::move(v));
  }
  for (int &id : m.outputs) {
    Value v = g.values[id];
    v.producer = 0;
    id = mini.add_value(std::move(v));
    mini.outputs.push_back(id);
  }
  mini.nodes.push_back(std::move(m));
  return interp::run(mini, {});
}

}  // namespace

Graph fold_constants(const Graph &g) {
  Graph w = g;
  infer_shapes(w);
  std::vector<bool> is_output(w.values.size(), false);
  for (int id : w.outputs) is_output[id] = true;
  std::vector<Node> kept;
  for (size_t i = 0; i < w.nodes.size(); ++i) {
    const Node &n = w.nodes[i];
    bool foldable = true;
    // A graph output folded to a constant is copied out (driver lower_graph).
    for (int id : n.outputs)
      foldable = foldable && num_elements(w.values[id].shape) <= kMaxFoldElements;
    if (n.op != OpKind::Shape)
      for (int id : n.inputs) foldable = foldable && (id < 0 || w.values[id].constant);
    if (!foldable) {
      kept.push_back(n);
      continue;
    }
    std::vector<TensorData> outs = evaluate(w, static_cast<int>(i));
    SWTC_CHECK(outs.size() == n.outputs.size(), w.describe(static_cast<int>(i)));
    for (size_t k = 0; k < outs.size(); ++k) {
      Value &v = w.values[n.outputs[k]];
      SWTC_CHECK(outs[k].dtype == v.dtype && outs[k].shape == v.shape,
                 w.describe(static_cast<int>(i)), " folded to a different type");
      v.constant = std::move(outs[k]);
      v.producer = -1;
    }
  }
  w.nodes = std::move(kept);
  for (Value &v : w.values) v.producer = -1;
  for (size_t i = 0; i < w.nodes.size(); ++i)
    for (int id : w.nodes[i].outputs) w.values[id].producer = static_cast<int>(i);
  return eliminate_dead_code(w);
}

}  // namespace swtc::graph
