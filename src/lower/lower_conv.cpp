// Conv (grouped, strided, dilated, padded) with optional bias.
#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

Expr in_range(Expr i, int64_t lowest, int64_t highest, int64_t size) {
  Expr c;
  if (lowest < 0) c = logical_and(c, le(int_imm(0), i));
  if (highest >= size) c = logical_and(c, lt(i, int_imm(size)));
  return c;
}

Kernel lower_conv(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  const auto &ws = g.values[n.inputs[1]].shape;
  if (xs.size() != 4)
    not_supported(g, node_id, "only 2-D convolution (4-D input), got rank ", xs.size());
  auto strides = n.attr_ints("strides", {1, 1});
  auto dil = n.attr_ints("dilations", {1, 1});
  auto pads = n.attr_ints("pads", {0, 0, 0, 0});
  int64_t group = n.attr_int("group", 1);
  Kernel k = start_kernel(g, node_id, {"n", "c", "h", "w"});
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Buffer w = add_input(k, g, n.inputs[1], "wt");
  bool bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
  Buffer b = bias ? add_input(k, g, n.inputs[2], "b") : nullptr;

  const int64_t cg = ws[1], kh = ws[2], kw = ws[3], m = ws[0];
  const int64_t oh = k.def.output->shape[2], ow = k.def.output->shape[3];
  Expr rc = add_reduce(k, "rc", cg), ry = add_reduce(k, "ry", kh), rx = add_reduce(k, "rx", kw);
  Expr nn = axis(k, 0), c = axis(k, 1), h = axis(k, 2), wv = axis(k, 3);
  Expr ic = group == 1 ? rc : floordiv(c, int_imm(m / group)) * int_imm(cg) + rc;
  Expr ih = h * strides[0] + ry * dil[0] + int_imm(-pads[0]);
  Expr iw = wv * strides[1] + rx * dil[1] + int_imm(-pads[1]);
  k.def.cond = logical_and(
      in_range(ih, -pads[0], (oh - 1) * strides[0] + (kh - 1) * dil[0] - pads[0], xs[2]),
      in_range(iw, -pads[1], (ow - 1) * strides[1] + (kw - 1) * dil[1] - pads[1], xs[3]));
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  k.def.value = load(x, {nn, ic, ih, iw}) * load(w, {c, rc, ry, rx});
  if (bias) k.def.epilogue = var(schedule::ComputeDef::kAcc) + load(b, {c});
  k.def.flops_per_point = 2;
  return k;
}

}  // namespace swtc::lower::detail
