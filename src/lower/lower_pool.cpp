// MaxPool, AveragePool, GlobalAveragePool over N, C and any number of
// spatial axes (1-D, 2-D, 3-D pooling: 3-D, 4-D, 5-D inputs).
#include <cfloat>

#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

namespace {
/// "n", "c", then one name per spatial axis ("h", "w" for 2-D as before).
std::vector<std::string> pool_axis_names(size_t nsp) {
  std::vector<std::string> names{"n", "c"};
  static const char *const two[] = {"h", "w"}, *const three[] = {"d", "h", "w"};
  for (size_t a = 0; a < nsp; ++a)
    names.push_back(nsp == 2 ? two[a] : nsp == 3 ? three[a] : "s" + std::to_string(a));
  return names;
}

/// The reduce axis names (ry, rx for 2-D as before).
std::string reduce_name(size_t a, size_t nsp) {
  static const char *const two[] = {"ry", "rx"}, *const three[] = {"rz", "ry", "rx"};
  return nsp == 2 ? two[a] : nsp == 3 ? three[a] : "r" + std::to_string(a);
}
}  // namespace

Kernel lower_pool(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  if (xs.size() < 3) not_supported(g, node_id, "input rank below 3");
  const size_t nsp = xs.size() - 2;
  if (n.outputs.size() > 1 && n.outputs[1] >= 0)
    not_supported(g, node_id, "the Indices output");
  if (n.attr_int("storage_order", 0) != 0)
    not_supported(g, node_id, "storage_order=1");
  auto kshape = n.attr_ints("kernel_shape", {});
  auto strides = n.attr_ints("strides", std::vector<int64_t>(nsp, 1));
  auto dil = n.attr_ints("dilations", std::vector<int64_t>(nsp, 1));
  auto pads = n.attr_ints("pads", std::vector<int64_t>(2 * nsp, 0));
  SWTC_CHECK(kshape.size() == nsp && strides.size() == nsp && dil.size() == nsp &&
                 pads.size() == 2 * nsp,
             g.describe(node_id), ": window attributes not canonicalized");
  const bool is_max = n.op == graph::OpKind::MaxPool;
  Kernel k = start_kernel(g, node_id, pool_axis_names(nsp));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> r(nsp), start(nsp), idx{axis(k, 0), axis(k, 1)};
  for (size_t a = 0; a < nsp; ++a) r[a] = add_reduce(k, reduce_name(a, nsp), kshape[a]);
  Expr cond;
  for (size_t a = 0; a < nsp; ++a) {
    start[a] = axis(k, 2 + a) * strides[a] + int_imm(-pads[a]);
    Expr i = start[a] + r[a] * dil[a];
    cond = logical_and(cond, logical_and(le(int_imm(0), i), lt(i, int_imm(xs[2 + a]))));
    idx.push_back(i);
  }
  k.def.cond = cond;
  k.def.value = load(x, idx);
  k.def.flops_per_point = 1;
  if (is_max) {
    k.def.combiner = schedule::Combiner::Max;
    // Padding never wins: the type's smallest value (integers) or -FLT_MAX.
    const graph::DType t = g.values[n.inputs[0]].dtype;
    k.def.init = graph::is_int(t) ? int_imm(graph::int_min(t)) : float_imm(-FLT_MAX);
    return k;
  }
  for (size_t a = 0; a < nsp; ++a)
    if (dil[a] != 1) not_supported(g, node_id, "dilations in AveragePool");
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  // Window [s, s + k) clipped to the input (count_include_pad=0) or to the
  // padded input (count_include_pad=1), per spatial axis.
  const bool include_pad = n.attr_int("count_include_pad", 0) != 0;
  Expr count;
  for (size_t a = 0; a < nsp; ++a) {
    const Expr &s = start[a];
    Expr c = include_pad ? min(s + kshape[a], int_imm(xs[2 + a] + pads[nsp + a])) - s
                         : min(s + kshape[a], int_imm(xs[2 + a])) - max(s, int_imm(0));
    count = count ? count * c : c;
  }
  k.def.epilogue = binary(BinaryOp::Div, var(schedule::ComputeDef::kAcc), count);
  return k;
}

Kernel lower_global_pool(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  if (xs.size() < 3) not_supported(g, node_id, "input rank below 3");
  const size_t nsp = xs.size() - 2;
  Kernel k = start_kernel(g, node_id, pool_axis_names(nsp));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx{axis(k, 0), axis(k, 1)};
  int64_t count = 1;
  for (size_t a = 0; a < nsp; ++a) {
    idx.push_back(add_reduce(k, reduce_name(a, nsp), xs[2 + a]));
    count *= xs[2 + a];
  }
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  k.def.value = load(x, idx);
  k.def.epilogue =
      binary(BinaryOp::Div, var(schedule::ComputeDef::kAcc), float_imm(double(count)));
  k.def.flops_per_point = 1;
  return k;
}

}  // namespace swtc::lower::detail
