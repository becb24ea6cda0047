#include "lower/winograd.h"

#include "common/error.h"
#include "lower/lower_internal.h"

namespace swtc::lower {

using namespace tir;
using detail::add_input;
using detail::add_reduce;
using detail::axis;
using detail::in_range;

namespace {

/// The matrices of F(m x m, 3 x 3) (Lavin & Gray): B^T (a x a), G (a x 3),
/// A^T (m x a), a = m + 2, row-major. m = 2: interpolation points 0, 1, -1
/// (and infinity); m = 4: 0, 1, -1, 2, -2.
struct Matrices {
  int m = 0, a = 0;
  std::vector<double> bt, g, at;
};

Matrices matrices(int m) {
  if (m == 2)
    return {2, 4,
            {1, 0, -1, 0, /**/ 0, 1, 1, 0, /**/ 0, -1, 1, 0, /**/ 0, 1, 0, -1},
            {1, 0, 0, /**/ 0.5, 0.5, 0.5, /**/ 0.5, -0.5, 0.5, /**/ 0, 0, 1},
            {1, 1, 1, 0, /**/ 0, 1, -1, -1}};
  SWTC_CHECK(m == 4, "Winograd F(", m, "x", m, ", 3x3): only m = 2 and 4");
  return {4, 6,
          {4, 0, -5, 0, 1, 0,   /**/ 0, -4, -4, 1, 1, 0, /**/ 0, 4, -4, -1, 1, 0,
           0, -2, -1, 2, 1, 0,  /**/ 0, 2, -1, -2, 1, 0, /**/ 0, 4, 0, -5, 0, 1},
          {1.0 / 4, 0, 0,                  /**/ -1.0 / 6, -1.0 / 6, -1.0 / 6,
           -1.0 / 6, 1.0 / 6, -1.0 / 6,    /**/ 1.0 / 24, 1.0 / 12, 1.0 / 6,
           1.0 / 24, -1.0 / 12, 1.0 / 6,   /**/ 0, 0, 1},
          {1, 1, 1, 1, 1, 0, /**/ 0, 1, -1, 2, -2, 0, /**/ 0, 1, 1, 4, 4, 0, /**/ 0, 1, -1, 8, -8, 1}};
}

int add_constant(graph::Graph &g, const std::string &name, std::vector<int64_t> shape,
                 std::vector<float> data, std::vector<int> &alias_of) {
  graph::Value v;
  v.name = name;
  v.shape = shape;
  v.has_shape = true;
  graph::TensorData t;
  t.shape = std::move(shape);
  t.f32 = std::move(data);
  v.constant = std::move(t);
  alias_of.push_back(-1);
  return g.add_value(std::move(v));
}

int add_tensor(graph::Graph &g, const std::string &name, std::vector<int64_t> shape, int producer,
               std::vector<int> &alias_of, int view_of = -1) {
  graph::Value v;
  v.name = name;
  v.shape = std::move(shape);
  v.has_shape = true;
  v.producer = producer;
  alias_of.push_back(view_of);
  return g.add_value(std::move(v));
}

Kernel kernel_for(const graph::Graph &g, int node_id, const std::string &suffix, int output,
                  const std::vector<std::string> &axis_names) {
  Kernel k;
  k.node = node_id;
  k.def.name = kernel_name(g, node_id) + suffix;
  const auto &shape = g.values[output].shape;
  k.def.output = make_buffer("y", shape, Scope::Global, detail::elem_of(graph::DType::F32));
  for (size_t d = 0; d < shape.size(); ++d) k.def.axes.push_back({axis_names[d], shape[d], false});
  return k;
}

}  // namespace

bool winograd_applicable(const graph::Graph &g, int node_id) {
  const graph::Node &n = g.nodes[node_id];
  if (n.op != graph::OpKind::Conv || n.inputs.size() < 2) return false;
  const graph::Value &x = g.values[n.inputs[0]], &w = g.values[n.inputs[1]];
  const graph::Value &y = g.values[n.outputs[0]];
  if (x.dtype != graph::DType::F32 || y.dtype != graph::DType::F32 || !w.constant ||
      w.dtype != graph::DType::F32 || x.shape.size() != 4 || w.shape.size() != 4)
    return false;
  if (w.shape[2] != 3 || w.shape[3] != 3 || n.attr_int("group", 1) != 1) return false;
  for (int64_t s : n.attr_ints("strides", {1, 1}))
    if (s != 1) return false;
  for (int64_t d : n.attr_ints("dilations", {1, 1}))
    if (d != 1) return false;
  return n.inputs.size() < 3 || n.inputs[2] < 0 || g.values[n.inputs[2]].constant ||
         g.values[n.inputs[2]].dtype == graph::DType::F32;
}

std::vector<Kernel> lower_conv_winograd(graph::Graph &g, int node_id, int m,
                                        std::vector<int> &alias_of) {
  SWTC_CHECK(winograd_applicable(g, node_id), "Winograd lowering of ", g.describe(node_id));
  const Matrices mx = matrices(m);
  const int a = mx.a, a2 = a * a;
  const graph::Node n = g.nodes[node_id];  // a copy: values are added below
  const std::vector<int64_t> xs = g.values[n.inputs[0]].shape, ys = g.values[n.outputs[0]].shape;
  const int64_t N = xs[0], C = xs[1], Hi = xs[2], Wi = xs[3];
  const int64_t K = ys[1], H = ys[2], W = ys[3];
  const int64_t TH = (H + m - 1) / m, TW = (W + m - 1) / m;
  const auto pads = n.attr_ints("pads", {0, 0, 0, 0});
  const std::string base = n.name + "/winograd" + std::to_string(m);

  // Constants: U = G g G^T per (k, c), laid out [e][c][k]; BB[e][i][j] =
  // B^T[e / a][i] B^T[e % a][j]; AA[p][q][e] = A^T[p][e / a] A^T[q][e % a].
  const std::vector<float> &wt = g.values[n.inputs[1]].constant->f32;
  std::vector<float> u(static_cast<size_t>(a2 * K * C));
  for (int64_t k = 0; k < K; ++k)
    for (int64_t c = 0; c < C; ++c) {
      const float *w = &wt[static_cast<size_t>((k * C + c) * 9)];
      for (int e1 = 0; e1 < a; ++e1)
        for (int e2 = 0; e2 < a; ++e2) {
          double s = 0;
          for (int i = 0; i < 3; ++i)
            for (int j = 0; j < 3; ++j) s += mx.g[e1 * 3 + i] * double(w[i * 3 + j]) * mx.g[e2 * 3 + j];
          u[static_cast<size_t>(((e1 * a + e2) * C + c) * K + k)] = static_cast<float>(s);
        }
    }
  std::vector<float> bb(static_cast<size_t>(a2 * a2)), aa(static_cast<size_t>(m * m * a2));
  for (int e = 0; e < a2; ++e)
    for (int i = 0; i < a; ++i)
      for (int j = 0; j < a; ++j)
        bb[static_cast<size_t>((e * a + i) * a + j)] =
            static_cast<float>(mx.bt[(e / a) * a + i] * mx.bt[(e % a) * a + j]);
  for (int p = 0; p < m; ++p)
    for (int q = 0; q < m; ++q)
      for (int e = 0; e < a2; ++e)
        aa[static_cast<size_t>((p * m + q) * a2 + e)] =
            static_cast<float>(mx.at[p * a + e / a] * mx.at[q * a + e % a]);
  const int u_id = add_constant(g, base + ".U", {a2, C, K}, std::move(u), alias_of);
  const int bb_id = add_constant(g, base + ".BB", {a2, 1, a, a}, std::move(bb), alias_of);
  const int aa_id = add_constant(g, base + ".AA", {m, m, a2}, std::move(aa), alias_of);
  // The input as N x C one-channel images; V as [n c][e][ty][tx] (the
  // transform's output, e its channels) and [n][c][e][t]; M as [n][e][t][k]
  // (the product's output, k its columns) and [n][e][ty][tx][k].
  const int xv = add_tensor(g, base + ".x", {N * C, 1, Hi, Wi}, -1, alias_of, n.inputs[0]);
  const int v4 = add_tensor(g, base + ".V", {N * C, a2, TH, TW}, node_id, alias_of);
  const int vv = add_tensor(g, base + ".Vt", {N, C, a2, TH * TW}, node_id, alias_of, v4);
  const int m4 = add_tensor(g, base + ".M", {N, a2, TH * TW, K}, node_id, alias_of);
  const int m5 = add_tensor(g, base + ".Mt", {N, a2, TH, TW, K}, node_id, alias_of, m4);

  std::vector<Kernel> ks;
  {  // 1. input transform: a Conv of each input channel with the a^2 filters BB, stride m
    Kernel k = kernel_for(g, node_id, "_wt_in", v4, {"b", "e", "ty", "tx"});
    Buffer x = add_input(k, g, xv, "x");
    Buffer b = add_input(k, g, bb_id, "bb");
    Expr rz = add_reduce(k, "rz", 1), ri = add_reduce(k, "ri", a), rj = add_reduce(k, "rj", a);
    Expr ih = axis(k, 2) * int_imm(m) + ri + int_imm(-pads[0]);
    Expr iw = axis(k, 3) * int_imm(m) + rj + int_imm(-pads[1]);
    k.def.cond = logical_and(in_range(ih, -pads[0], (TH - 1) * m + a - 1 - pads[0], Hi),
                             in_range(iw, -pads[1], (TW - 1) * m + a - 1 - pads[1], Wi));
    k.def.combiner = schedule::Combiner::Sum;
    k.def.init = float_imm(0);
    k.def.value = load(x, {axis(k, 0), rz, ih, iw}) * load(b, {axis(k, 1), rz, ri, rj});
    k.def.flops_per_point = 2;
    k.values.push_back(v4);
    ks.push_back(std::move(k));
  }
  {  // 2. the product per transformed point e: M[e] = V[e]^T U[e]
    Kernel k = kernel_for(g, node_id, "_wt_mm", m4, {"n", "e", "t", "k"});
    Buffer v = add_input(k, g, vv, "v");
    Buffer uu = add_input(k, g, u_id, "u");
    Expr c = add_reduce(k, "c", C);
    k.def.combiner = schedule::Combiner::Sum;
    k.def.init = float_imm(0);
    k.def.value = load(v, {axis(k, 0), c, axis(k, 1), axis(k, 2)}) * load(uu, {axis(k, 1), c, axis(k, 3)});
    k.def.flops_per_point = 2;
    k.values.push_back(m4);
    ks.push_back(std::move(k));
  }
  {  // 3. output transform (+ bias): the Conv's output
    Kernel k = kernel_for(g, node_id, "", n.outputs[0], {"n", "k", "h", "w"});
    Buffer t = add_input(k, g, aa_id, "aa");
    Buffer mt = add_input(k, g, m5, "mt");
    Expr r = add_reduce(k, "r", a2);
    Expr h = axis(k, 2), w = axis(k, 3), M = int_imm(m);
    k.def.combiner = schedule::Combiner::Sum;
    k.def.init = float_imm(0);
    k.def.value = load(t, {floormod(h, M), floormod(w, M), r}) *
                  load(mt, {axis(k, 0), r, floordiv(h, M), floordiv(w, M), axis(k, 1)});
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      Buffer b = add_input(k, g, n.inputs[2], "b");
      k.def.epilogue = var(schedule::ComputeDef::kAcc) + load(b, {axis(k, 1)});
    }
    k.def.flops_per_point = 2;
    k.values.push_back(n.outputs[0]);
    ks.push_back(std::move(k));
  }
  return ks;
}

}  // namespace swtc::lower
