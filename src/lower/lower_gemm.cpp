// Gemm: y = alpha * op(A) op(B) + beta * C.
#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

Kernel lower_gemm(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
  const float alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
  const auto &as = g.values[n.inputs[0]].shape;
  Kernel k = start_kernel(g, node_id, {"i", "j"});
  Buffer a = add_input(k, g, n.inputs[0], "a");
  Buffer b = add_input(k, g, n.inputs[1], "bm");
  const int64_t kdim = ta ? as[0] : as[1];
  Expr i = axis(k, 0), j = axis(k, 1), r = add_reduce(k, "rk", kdim);
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  k.def.value = load(a, ta ? std::vector<Expr>{r, i} : std::vector<Expr>{i, r}) *
                load(b, tb ? std::vector<Expr>{j, r} : std::vector<Expr>{r, j});
  k.def.flops_per_point = 2;
  Expr acc = var(schedule::ComputeDef::kAcc);
  Expr epi = alpha == 1.0f ? acc : float_imm(alpha) * acc;
  if (n.inputs.size() > 2 && n.inputs[2] >= 0 && beta != 0.0f) {
    Buffer c = add_input(k, g, n.inputs[2], "c");
    Expr cv = load(c, broadcast_index(k, c->shape));
    epi = epi + (beta == 1.0f ? cv : float_imm(beta) * cv);
  }
  if (epi != acc) k.def.epilogue = epi;
  return k;
}

}  // namespace swtc::lower::detail
