// Data movement and contractions over tensors: MatMul (batched, broadcast),
// Transpose, Concat, Slice, Split, the Reduce ops (ReduceLogSumExp is
// decomposed), ArgMax / ArgMin.
#include <cfloat>
#include <cmath>

#include "lower/lower_internal.h"

namespace swtc::lower::detail {

using namespace tir;

namespace {
std::vector<std::string> names_for(size_t rank) {
  std::vector<std::string> names;
  for (size_t d = 0; d < rank; ++d) names.push_back("i" + std::to_string(d));
  return names;
}
size_t out_rank(const graph::Graph &g, int node_id) {
  return g.values[g.nodes[node_id].outputs[0]].shape.size();
}
int64_t norm_axis(int64_t a, size_t rank) { return a < 0 ? a + static_cast<int64_t>(rank) : a; }
}  // namespace

Kernel lower_matmul(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &as = g.values[n.inputs[0]].shape, &bs = g.values[n.inputs[1]].shape;
  const size_t R = out_rank(g, node_id);
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer a = add_input(k, g, n.inputs[0], "a");
  Buffer b = add_input(k, g, n.inputs[1], "bm");
  const int64_t kd = as.back();
  Expr r = add_reduce(k, "rk", kd);
  // Output axes: [batch..., m (if A is not 1-D), n (if B is not 1-D)].
  const bool a1 = as.size() == 1, b1 = bs.size() == 1;
  const size_t nb = R - (a1 ? 0 : 1) - (b1 ? 0 : 1);  // batch dims of the output
  auto batch_index = [&](const std::vector<int64_t> &s, size_t own_batch) {
    std::vector<Expr> idx;
    for (size_t d = 0; d < own_batch; ++d) {
      size_t od = nb - own_batch + d;
      idx.push_back(s[d] == 1 ? int_imm(0) : axis(k, od));
    }
    return idx;
  };
  std::vector<Expr> ai, bi;
  if (a1) {
    ai = {r};
  } else {
    ai = batch_index(as, as.size() - 2);
    ai.push_back(axis(k, nb));
    ai.push_back(r);
  }
  if (b1) {
    bi = {r};
  } else {
    bi = batch_index(bs, bs.size() - 2);
    bi.push_back(r);
    bi.push_back(axis(k, R - 1));
  }
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = float_imm(0);
  k.def.value = load(a, ai) * load(b, bi);
  k.def.flops_per_point = 2;
  return k;
}

Kernel lower_transpose(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const size_t R = out_rank(g, node_id);
  std::vector<int64_t> perm = n.attr_ints("perm", {});
  if (perm.empty())
    for (size_t d = 0; d < R; ++d) perm.push_back(static_cast<int64_t>(R - 1 - d));
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx(R);
  for (size_t d = 0; d < R; ++d) idx[static_cast<size_t>(perm[d])] = axis(k, d);
  k.def.value = load(x, idx);
  k.def.flops_per_point = 0;
  return k;
}

Kernel lower_concat(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const size_t R = out_rank(g, node_id);
  const int64_t ax = norm_axis(n.attr_int("axis", 0), R);
  Kernel k = start_kernel(g, node_id, names_for(R));
  // out[.., j, ..] = input t at j - offset_t, for the t whose range holds j.
  std::vector<std::pair<int64_t, Expr>> parts;
  int64_t off = 0;
  for (size_t t = 0; t < n.inputs.size(); ++t) {
    Buffer b = add_input(k, g, n.inputs[t], "x" + std::to_string(t));
    std::vector<Expr> idx;
    for (size_t d = 0; d < R; ++d)
      idx.push_back(static_cast<int64_t>(d) == ax ? axis(k, d) + int_imm(-off) : axis(k, d));
    off += b->shape[static_cast<size_t>(ax)];
    parts.push_back({off, load(b, idx)});
  }
  Expr v = parts.back().second;
  for (size_t t = parts.size() - 1; t-- > 0;)
    v = select(lt(axis(k, static_cast<size_t>(ax)), int_imm(parts[t].first)), parts[t].second, v);
  k.def.value = v;
  k.def.flops_per_point = 0;
  return k;
}

Kernel lower_slice(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const size_t R = out_rank(g, node_id);
  const auto starts = n.attr_ints("starts", {}), axes_a = n.attr_ints("axes", {}),
             steps = n.attr_ints("steps", {});
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx;
  for (size_t d = 0; d < R; ++d) idx.push_back(axis(k, d));
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t d = axes_a.empty() ? i : static_cast<size_t>(norm_axis(axes_a[i], R));
    int64_t step = steps.empty() ? 1 : steps[i];
    idx[d] = axis(k, d) * int_imm(step) + int_imm(starts[i]);
  }
  k.def.value = load(x, idx);
  k.def.flops_per_point = 0;
  return k;
}

Kernel lower_split(const graph::Graph &g, int node_id, size_t output) {
  const graph::Node &n = g.nodes[node_id];
  const size_t R = g.values[n.inputs[0]].shape.size();
  const int64_t ax = norm_axis(n.attr_int("axis", 0), R);
  const std::vector<int64_t> sizes = n.attr_ints("split", {});
  SWTC_CHECK(sizes.size() == n.outputs.size(), "Split not canonicalized: ", g.describe(node_id));
  int64_t off = 0;
  for (size_t t = 0; t < output; ++t) off += sizes[t];
  Kernel k = start_kernel(g, node_id, names_for(R), output);
  k.def.name += "_" + std::to_string(output);
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx;
  for (size_t d = 0; d < R; ++d)
    idx.push_back(static_cast<int64_t>(d) == ax && off ? axis(k, d) + int_imm(off) : axis(k, d));
  k.def.value = load(x, idx);
  k.def.flops_per_point = 0;
  return k;
}

/// Pad in constant mode (canonicalized: `pads` for every axis, `value`): a
/// select between the constant and the input at o - begin (a negative pad
/// crops). Edge and reflect are decomposed into slices and Concat
/// (graph/passes/decompose.cpp): their folded indices are not affine, which
/// the Sunway staging needs.
Kernel lower_pad(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape;
  const size_t R = xs.size();
  const std::vector<int64_t> p = n.attr_ints("pads", std::vector<int64_t>(2 * R, 0));
  if (n.attr_string("mode", "constant") != "constant")
    internal_error(g.describe(node_id), ": edge / reflect Pad not decomposed");
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx;
  Expr inside;  // every padded axis in range
  for (size_t d = 0; d < R; ++d) {
    const Expr o = axis(k, d);
    const int64_t b = p[d], e = p[d + R], len = xs[d];
    if (b > 0) inside = logical_and(inside, le(int_imm(b), o));
    if (e > 0) inside = logical_and(inside, lt(o, int_imm(b + len)));
    idx.push_back(o + int_imm(-b));
  }
  k.def.value = load(x, idx);
  if (inside) {
    // An integer tensor pads with the value rounded to an integer.
    const float v = n.attr_float("value", 0.0f);
    const bool ints = graph::is_int(g.values[n.outputs[0]].dtype);
    k.def.value = select(inside, k.def.value, ints ? int_imm(std::llround(v)) : float_imm(v));
  }
  k.def.flops_per_point = 0;
  return k;
}

Kernel lower_reduce(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  SWTC_CHECK(graph::is_reduction(n.op) && n.op != graph::OpKind::ReduceLogSumExp,
             "lower_reduce on ", g.describe(node_id), ": ReduceLogSumExp is decomposed first");
  const auto &xs = g.values[n.inputs[0]].shape;
  const size_t R = out_rank(g, node_id);
  std::vector<int64_t> axes_a = n.attr_ints("axes", {});
  if (axes_a.empty())
    for (size_t d = 0; d < xs.size(); ++d) axes_a.push_back(static_cast<int64_t>(d));
  for (auto &a : axes_a) a = norm_axis(a, xs.size());
  const bool keep = n.attr_int("keepdims", 1) != 0;
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx;
  size_t od = 0;
  int64_t count = 1;
  for (size_t d = 0; d < xs.size(); ++d) {
    bool reduced = false;
    for (int64_t a : axes_a) reduced = reduced || a == static_cast<int64_t>(d);
    if (reduced) {
      idx.push_back(add_reduce(k, "r" + std::to_string(d), xs[d]));
      count *= xs[d];
      if (keep) ++od;
    } else {
      idx.push_back(axis(k, od++));
    }
  }
  const Expr v = load(x, idx), acc = var(schedule::ComputeDef::kAcc);
  k.def.value = v;
  k.def.flops_per_point = 1;
  switch (n.op) {
    case graph::OpKind::ReduceMax:
      k.def.combiner = schedule::Combiner::Max;
      k.def.init = float_imm(-FLT_MAX);
      break;
    case graph::OpKind::ReduceMin:
      k.def.combiner = schedule::Combiner::Min;
      k.def.init = float_imm(FLT_MAX);
      break;
    case graph::OpKind::ReduceProd:
      k.def.combiner = schedule::Combiner::Prod;
      k.def.init = float_imm(1);
      break;
    default:
      k.def.combiner = schedule::Combiner::Sum;
      k.def.init = float_imm(0);
      break;
  }
  switch (n.op) {
    case graph::OpKind::ReduceMean:
      k.def.epilogue = binary(BinaryOp::Div, acc, float_imm(double(count)));
      break;
    case graph::OpKind::ReduceL1: k.def.value = call("fabsf", {v}); break;
    case graph::OpKind::ReduceSumSquare: k.def.value = v * v; break;
    case graph::OpKind::ReduceL2:
      k.def.value = v * v;
      k.def.epilogue = call("sqrtf", {acc});
      break;
    case graph::OpKind::ReduceLogSum: k.def.epilogue = call("logf", {acc}); break;
    default: break;
  }
  return k;
}

namespace {
/// The value of an index `i` into an axis of `dim` entries, negative ones
/// counted from the end.
Expr wrapped_index(const Expr &i, int64_t dim) {
  return select(lt(i, int_imm(0)), i + int_imm(dim), i);
}
/// Zero of the output's type.
Expr zero_of(const graph::Graph &g, int node_id) {
  return graph::is_int(g.values[g.nodes[node_id].outputs[0]].dtype) ? int_imm(0) : float_imm(0);
}
}  // namespace

/// Gather and GatherElements without data-dependent addresses (the Sunway
/// staging needs affine indices): a sum over the gathered axis r of the data
/// entry at r where the index equals r, else 0 (exact: one term is not 0).
/// Gather: y[a.., i.., b..] = x[a.., idx[i..], b..]; GatherElements:
/// y[i..] = x[i.. with axis replaced by idx[i..]]. An index out of range
/// (possible only for run-time indices) gives 0.
Kernel lower_gather(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const auto &xs = g.values[n.inputs[0]].shape, &is = g.values[n.inputs[1]].shape;
  const size_t R = out_rank(g, node_id);
  const int64_t ax = norm_axis(n.attr_int("axis", 0), xs.size());
  const int64_t dim = xs[static_cast<size_t>(ax)];
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Buffer idx = add_input(k, g, n.inputs[1], "idx");
  const Expr r = add_reduce(k, "r", dim);
  std::vector<Expr> xi, ii;
  if (n.op == graph::OpKind::GatherElements) {
    for (size_t d = 0; d < R; ++d) {
      ii.push_back(axis(k, d));
      xi.push_back(static_cast<int64_t>(d) == ax ? r : axis(k, d));
    }
  } else {
    const size_t na = static_cast<size_t>(ax), ni = is.size();
    for (size_t d = 0; d < na; ++d) xi.push_back(axis(k, d));
    xi.push_back(r);
    for (size_t d = 0; d < ni; ++d) ii.push_back(axis(k, na + d));
    for (size_t d = na + 1; d < xs.size(); ++d) xi.push_back(axis(k, d - 1 + ni));
  }
  const Expr at = wrapped_index(load(idx, ii), dim);
  k.def.combiner = schedule::Combiner::Sum;
  k.def.init = zero_of(g, node_id);
  k.def.value = select(binary(BinaryOp::EQ, at, r), load(x, xi), zero_of(g, node_id));
  k.def.flops_per_point = 0;
  return k;
}

/// Trilu (canonicalized: `k`, `upper`): x where column - row >= k (upper) or
/// <= k (lower) on the last two axes, else 0.
Kernel lower_trilu(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  const size_t R = out_rank(g, node_id);
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  std::vector<Expr> idx;
  for (size_t d = 0; d < R; ++d) idx.push_back(axis(k, d));
  const Expr i = axis(k, R - 2), j = axis(k, R - 1), kk = int_imm(n.attr_int("k", 0));
  const Expr keep = n.attr_int("upper", 1) != 0 ? le(i + kk, j) : le(j, i + kk);
  k.def.value = select(keep, load(x, idx), zero_of(g, node_id));
  k.def.flops_per_point = 0;
  return k;
}

/// ArgMax / ArgMin (decomposed: input 1 is the ReduceMax / ReduceMin of x
/// over the axis, kept): the first index j along the axis with x[j] == that
/// extreme (a Min over j of select(x == m, j, dim)), or with
/// select_last_index the last (a Max over j of select(x == m, j, -1)).
Kernel lower_argreduce(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  if (n.inputs.size() != 2) internal_error(g.describe(node_id), ": not decomposed");
  const auto &xs = g.values[n.inputs[0]].shape;
  const size_t R = out_rank(g, node_id);
  const int64_t ax = norm_axis(n.attr_int("axis", 0), xs.size());
  const bool keep = n.attr_int("keepdims", 1) != 0, last = n.attr_int("select_last_index", 0) != 0;
  Kernel k = start_kernel(g, node_id, names_for(R));
  Buffer x = add_input(k, g, n.inputs[0], "x");
  Buffer m = add_input(k, g, n.inputs[1], "m");
  std::vector<Expr> xi, mi;
  size_t od = 0;
  Expr r;
  for (size_t d = 0; d < xs.size(); ++d) {
    if (static_cast<int64_t>(d) == ax) {
      r = add_reduce(k, "r" + std::to_string(d), xs[d]);
      xi.push_back(r);
      mi.push_back(int_imm(0));
      if (keep) ++od;
    } else {
      xi.push_back(axis(k, od));
      mi.push_back(axis(k, od));
      ++od;
    }
  }
  const int64_t none = last ? -1 : xs[static_cast<size_t>(ax)];
  k.def.combiner = last ? schedule::Combiner::Max : schedule::Combiner::Min;
  k.def.init = int_imm(none);
  k.def.value = select(binary(BinaryOp::EQ, load(x, xi), load(m, mi)), r, int_imm(none));
  k.def.flops_per_point = 1;
  return k;
}

}  // namespace swtc::lower::detail
