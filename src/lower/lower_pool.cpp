// MaxPool, AveragePool, GlobalAveragePool (2-D, NCHW).
#include <cfloat>

#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

Kernel lower_pool(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  if (xs.size() != 4)
    not_supported(g, node_id, "only 2-D pooling (4-D input)");
  if (n.outputs.size() > 1 && n.outputs[1] >= 0)
    not_supported(g, node_id, "the Indices output");
  if (n.attr_int("storage_order", 0) != 0)
    not_supported(g, node_id, "storage_order=1");
  auto kshape = n.attr_ints("kernel_shape", {});
  auto strides = n.attr_ints("strides", {1, 1});
  auto dil = n.attr_ints("dilations", {1, 1});
  auto pads = n.attr_ints("pads", {0, 0, 0, 0});
  const bool is_max = n.op == graph::OpKind::MaxPool;
  Kernel k = start_kernel(g, node_id, {"n", "c", "h", "w"});
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Expr ry = add_reduce(k, "ry", kshape[0]), rx = add_reduce(k, "rx", kshape[1]);
  Expr h = axis(k, 2), w = axis(k, 3);
  Expr hs = h * strides[0] + int_imm(-pads[0]), ws = w * strides[1] + int_imm(-pads[1]);
  Expr ih = hs + ry * dil[0], iw = ws + rx * dil[1];
  k.def.cond = logical_and(logical_and(le(int_imm(0), ih), lt(ih, int_imm(xs[2]))),
                           logical_and(le(int_imm(0), iw), lt(iw, int_imm(xs[3]))));
  k.def.value = load(x, {axis(k, 0), axis(k, 1), ih, iw});
  k.def.flops_per_point = 1;
  if (is_max) {
    k.def.combiner = schedule::Combiner::Max;
    k.def.init = float_imm(-FLT_MAX);
    return k;
  }
  if (dil[0] != 1 || dil[1] != 1)
    not_supported(g, node_id, "dilations in AveragePool");
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  // Window [hs, hs + k) clipped to the input (count_include_pad=0) or to the
  // padded input (count_include_pad=1).
  Expr cnt_h, cnt_w;
  if (n.attr_int("count_include_pad", 0)) {
    cnt_h = min(hs + kshape[0], int_imm(xs[2] + pads[2])) - hs;
    cnt_w = min(ws + kshape[1], int_imm(xs[3] + pads[3])) - ws;
  } else {
    cnt_h = min(hs + kshape[0], int_imm(xs[2])) - max(hs, int_imm(0));
    cnt_w = min(ws + kshape[1], int_imm(xs[3])) - max(ws, int_imm(0));
  }
  k.def.epilogue = binary(BinaryOp::Div, var(schedule::ComputeDef::kAcc), cnt_h * cnt_w);
  return k;
}

Kernel lower_global_pool(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  if (xs.size() != 4)
    not_supported(g, node_id, "only 4-D input");
  Kernel k = start_kernel(g, node_id, {"n", "c", "h", "w"});
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Expr ry = add_reduce(k, "ry", xs[2]), rx = add_reduce(k, "rx", xs[3]);
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  k.def.value = load(x, {axis(k, 0), axis(k, 1), ry, rx});
  k.def.epilogue =
      binary(BinaryOp::Div, var(schedule::ComputeDef::kAcc), float_imm(double(xs[2] * xs[3])));
  k.def.flops_per_point = 1;
  return k;
}

}  // namespace swtc::lower::detail
