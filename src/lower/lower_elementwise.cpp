// BatchNormalization (inference form) as one elementwise kernel.
#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

namespace {
std::vector<std::string> axis_names(const graph::Graph &g, int node_id) {
  size_t rank = g.values[g.nodes[node_id].outputs[0]].shape.size();
  std::vector<std::string> names;
  for (size_t d = 0; d < rank; ++d) names.push_back("i" + std::to_string(d));
  return names;
}
}  // namespace

Kernel lower_batchnorm(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  if (n.attr_int("training_mode", 0) != 0)
    not_supported(g, node_id, "training_mode=1");
  const auto &xs = g.values[n.inputs[0]].shape;
  if (xs.size() < 2) not_supported(g, node_id, "input rank below 2");
  Kernel k = start_kernel(g, node_id, axis_names(g, node_id));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Buffer scale = add_input(k, g, n.inputs[1], "scale");
  Buffer bias = add_input(k, g, n.inputs[2], "bias");
  Buffer mean = add_input(k, g, n.inputs[3], "mean");
  Buffer var_ = add_input(k, g, n.inputs[4], "var");
  const float eps = n.attr_float("epsilon", 1e-5f);
  std::vector<Expr> idx;
  for (size_t d = 0; d < xs.size(); ++d) idx.push_back(axis(k, d));
  Expr c = axis(k, 1);
  Expr norm = binary(BinaryOp::Div, load(x, idx) - load(mean, {c}),
                     call("sqrtf", {load(var_, {c}) + float_imm(eps)}));
  k.def.value = norm * load(scale, {c}) + load(bias, {c});
  k.def.flops_per_point = 4;
  return k;
}

}  // namespace swtc::lower::detail
