#include "graph/passes/fold_batchnorm.h"

#include <cmath>

#include "common/error.h"

namespace swtc::graph {

namespace {
/// `base`, or `base_2`, `base_3`, ... : the first name no value has.
std::string fresh_name(const Graph &g, const std::string &base) {
  std::string name = base;
  for (int k = 2; g.find_value(name) >= 0; ++k) name = base + "_" + std::to_string(k);
  return name;
}

bool is_f32_constant(const Graph &g, int v) {
  return v >= 0 && g.values[v].constant && g.values[v].constant->dtype == DType::F32;
}
}  // namespace

Graph fold_batchnorm(const Graph &in) {
  Graph g = in;
  std::vector<int> uses(g.values.size(), 0);
  for (const Node &n : g.nodes)
    for (int v : n.inputs)
      if (v >= 0) ++uses[v];
  for (int v : g.outputs) ++uses[v];

  for (size_t bi = 0; bi < g.nodes.size(); ++bi) {
    Node bn = g.nodes[bi];
    if (bn.op != OpKind::BatchNormalization || bn.outputs.size() != 1) continue;
    const int x = bn.inputs[0];
    const int ci = g.values[x].producer;
    if (ci < 0 || g.nodes[ci].op != OpKind::Conv || uses[x] != 1) continue;
    Node conv = g.nodes[ci];
    bool folds = is_f32_constant(g, conv.inputs[1]);
    for (int k = 1; k <= 4; ++k) folds = folds && is_f32_constant(g, bn.inputs[k]);
    const bool has_bias = conv.inputs.size() > 2 && conv.inputs[2] >= 0;
    if (has_bias) folds = folds && is_f32_constant(g, conv.inputs[2]);
    if (!folds) continue;

    const TensorData &w = *g.values[conv.inputs[1]].constant;
    const auto &gamma = g.values[bn.inputs[1]].constant->f32;
    const auto &beta = g.values[bn.inputs[2]].constant->f32;
    const auto &mean = g.values[bn.inputs[3]].constant->f32;
    const auto &var = g.values[bn.inputs[4]].constant->f32;
    const double eps = bn.attr_float("epsilon", 1e-5f);
    const int64_t m = w.shape[0], per = w.size() / m;
    TensorData nw = w, nb;
    nb.dtype = DType::F32;
    nb.shape = {m};
    nb.f32.resize(static_cast<size_t>(m));
    for (int64_t o = 0; o < m; ++o) {
      const double s = gamma[o] / std::sqrt(double(var[o]) + eps);
      for (int64_t k = 0; k < per; ++k) nw.f32[o * per + k] = float(w.f32[o * per + k] * s);
      const double b = has_bias ? g.values[conv.inputs[2]].constant->f32[o] : 0.0;
      nb.f32[o] = float((b - mean[o]) * s + beta[o]);
    }
    Value wv;
    wv.name = fresh_name(g, g.values[conv.inputs[1]].name + "_bnfolded");
    wv.dtype = DType::F32;
    wv.shape = nw.shape;
    wv.has_shape = true;
    wv.constant = std::move(nw);
    Value bv;
    bv.name = fresh_name(g, g.values[bn.outputs[0]].name + "_bias");
    bv.dtype = DType::F32;
    bv.shape = {m};
    bv.has_shape = true;
    bv.constant = std::move(nb);
    const int wid = g.add_value(std::move(wv));
    bv.name = fresh_name(g, bv.name);
    const int bid = g.add_value(std::move(bv));
    Node &c = g.nodes[ci];
    c.inputs.resize(3);
    c.inputs[1] = wid;
    c.inputs[2] = bid;
    Node &b = g.nodes[bi];
    b.op = OpKind::Identity;
    b.inputs = {x};
    b.attrs.clear();
  }
  return g;
}

}  // namespace swtc::graph
