#include "interp/interpreter.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include "common/error.h"
#include "graph/index_kernels.h"
#include "graph/resize.h"
#include "graph/shape_inference.h"

namespace swtc::interp {

namespace {

using graph::DType;
using graph::Graph;
using graph::Node;
using graph::OpKind;
using graph::Shape;
using graph::TensorData;
using graph::Window;

using Buf = std::vector<double>;
using IBuf = std::vector<int64_t>;

/// Window geometry padded to exactly three spatial axes (missing leading axes
/// have extent 1, kernel 1, stride 1, dilation 1, no padding).
struct Geo3 {
  int64_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
  int64_t in_size() const { return in[0] * in[1] * in[2]; }
  int64_t out_size() const { return out[0] * out[1] * out[2]; }
  int64_t k_size() const { return k[0] * k[1] * k[2]; }
};

Geo3 to_geo3(const Graph &g, int node_id, const Window &w) {
  size_t nsp = w.kernel.size();
  if (nsp > 3)
    user_error(g.describe(node_id), ": the interpreter supports at most 3 spatial axes, got ",
               nsp);
  Geo3 r;
  size_t lead = 3 - nsp;
  for (size_t a = 0; a < 3; ++a) {
    if (a < lead) {
      r.in[a] = r.out[a] = r.k[a] = r.s[a] = r.d[a] = 1;
      r.pb[a] = r.pe[a] = 0;
      continue;
    }
    size_t j = a - lead;
    r.in[a] = w.in_spatial[j];
    r.out[a] = w.out_spatial[j];
    r.k[a] = w.kernel[j];
    r.s[a] = w.strides[j];
    r.d[a] = w.dilations[j];
    r.pb[a] = w.pads[j];
    r.pe[a] = w.pads[j + nsp];
  }
  return r;
}

/// [lo, hi): the output positions o with 0 <= o*s + off < in.
void valid_range(int64_t off, int64_t s, int64_t in, int64_t out, int64_t &lo, int64_t &hi) {
  lo = off >= 0 ? 0 : (-off + s - 1) / s;
  hi = (in - 1 - off) < 0 ? 0 : (in - 1 - off) / s + 1;
  hi = std::min(hi, out);
  lo = std::min(lo, hi);
}

class Interpreter {
 public:
  explicit Interpreter(const Graph &g)
      : g_(g), env_(g.values.size()), ienv_(g.values.size()), exact_(g.values.size(), 0) {}

  std::vector<TensorData> run(const std::vector<TensorData> &inputs) {
    bind_inputs(inputs);
    std::vector<int> last_use(g_.values.size(), -1);
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      for (int id : g_.nodes[i].inputs)
        if (id >= 0) last_use[id] = static_cast<int>(i);
    for (int id : g_.outputs) last_use[id] = std::numeric_limits<int>::max();
    for (size_t v = 0; v < g_.values.size(); ++v)
      if (g_.values[v].constant) bind(static_cast<int>(v), *g_.values[v].constant);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      node_ = static_cast<int>(i);
      const Node &n = g_.nodes[i];
      for (int id : n.outputs)
        if (id >= 0) exact_[id] = 0;
      if (!exec_int(n) && !exec_split(n)) exec(n);
      for (int id : n.outputs)
        if (id >= 0) to_int_type(id);
      for (int id : n.inputs)
        if (id >= 0 && last_use[id] == node_) Buf().swap(env_[id]), IBuf().swap(ienv_[id]);
    }
    std::vector<TensorData> out;
    for (int id : g_.outputs) {
      const graph::Value &v = g_.values[id];
      TensorData t;
      t.dtype = v.dtype;
      t.shape = v.shape;
      if (v.dtype == DType::F32)
        t.f32.assign(env_[id].begin(), env_[id].end());  // rounds to float
      else
        t.i64 = ienv_[id];
      out.push_back(std::move(t));
    }
    return out;
  }

 private:
  /// Integer values are kept twice: exactly in ienv_ (int64_t; uint64 as its
  /// bit pattern), and in env_ as doubles for the ops computed in double.
  /// An integer output the node computed exactly (exec_int, exec_split:
  /// exact_) gets its doubles from ienv_. One computed in double becomes what
  /// the generated code gives (swtc_powi and the store): truncated toward
  /// zero, NaN as 0, beyond int64 the nearest end of its range, then wrapped
  /// to the type's width.
  void to_int_type(int id) {
    const DType t = g_.values[id].dtype;
    if (!graph::is_int(t)) return;
    IBuf &e = ienv_[id];
    if (exact_[id]) {
      env_[id].assign(e.begin(), e.end());
      return;
    }
    e.clear();
    for (double &x : env_[id]) {
      e.push_back(graph::wrap_int(t, std::isnan(x) ? 0 : to_i64(std::trunc(x))));
      x = static_cast<double>(e.back());
    }
    exact_[id] = 1;
  }

  /// Value id takes the data of t (an input or a constant).
  void bind(int id, const TensorData &t) {
    if (t.dtype == DType::F32) {
      env_[id].assign(t.f32.begin(), t.f32.end());
      return;
    }
    ienv_[id] = t.i64;
    env_[id].assign(t.i64.begin(), t.i64.end());
    exact_[id] = 1;
  }

  void bind_inputs(const std::vector<TensorData> &inputs) {
    if (inputs.size() != g_.inputs.size())
      user_error("graph '", g_.name, "' has ", g_.inputs.size(), " inputs, but ", inputs.size(),
                 " were given");
    for (size_t k = 0; k < inputs.size(); ++k) {
      const graph::Value &v = g_.values[g_.inputs[k]];
      const TensorData &t = inputs[k];
      if (t.dtype != v.dtype || t.shape != v.shape)
        user_error("input '", v.name, "' must be ", graph::dtype_name(v.dtype),
                   graph::shape_str(v.shape), ", got ", graph::dtype_name(t.dtype),
                   graph::shape_str(t.shape));
      size_t have = t.dtype == DType::F32 ? t.f32.size() : t.i64.size();
      if (static_cast<int64_t>(have) != t.size())
        user_error("input '", v.name, "' has shape ", graph::shape_str(t.shape), " but ", have,
                   " elements");
      bind(g_.inputs[k], t);
    }
  }

  const Shape &shape(int id) const { return g_.values[id].shape; }
  const Buf &in(const Node &n, size_t k) const { return env_[n.inputs[k]]; }
  Buf &out(const Node &n) {
    Buf &b = env_[n.outputs[0]];
    b.assign(static_cast<size_t>(graph::num_elements(shape(n.outputs[0]))), 0.0);
    return b;
  }

  void exec(const Node &n) {
    // A float attribute of the node, for the unary_ops.def reference expressions.
    auto attr = [&n](const char *name, float def) { return double(n.attr_float(name, def)); };
    switch (n.op) {
      case OpKind::Conv: return conv(n);
      case OpKind::ConvTranspose: return conv_transpose(n);
      case OpKind::MaxPool:
      case OpKind::AveragePool: return pool(n);
      case OpKind::BatchNormalization: return batch_norm(n);
      case OpKind::Relu: {
        const Buf &x = in(n, 0);
        Buf &y = out(n);
        for (size_t i = 0; i < x.size(); ++i) y[i] = x[i] > 0 ? x[i] : 0.0;
        return;
      }
      case OpKind::GlobalAveragePool: return global_average_pool(n);
      case OpKind::Add: return add(n);
      case OpKind::Flatten:
      case OpKind::Reshape:
      case OpKind::Identity: env_[n.outputs[0]] = in(n, 0); return;
      case OpKind::Gemm: return gemm(n);
      case OpKind::Constant: return bind(n.outputs[0], graph::constant_node_data(g_, node_));
      case OpKind::Sub: return binary(n, [](double a, double b) { return a - b; });
      case OpKind::Mul: return binary(n, [](double a, double b) { return a * b; });
      case OpKind::Div: return binary(n, [](double a, double b) { return a / b; });
      case OpKind::Pow: return binary(n, [](double a, double b) { return std::pow(a, b); });
      case OpKind::Equal:
        return binary(n, [](double a, double b) { return a == b ? 1.0 : 0.0; });
      case OpKind::Greater: return binary(n, [](double a, double b) { return a > b ? 1.0 : 0.0; });
      case OpKind::Less: return binary(n, [](double a, double b) { return a < b ? 1.0 : 0.0; });
      case OpKind::GreaterOrEqual:
        return binary(n, [](double a, double b) { return a >= b ? 1.0 : 0.0; });
      case OpKind::LessOrEqual:
        return binary(n, [](double a, double b) { return a <= b ? 1.0 : 0.0; });
      case OpKind::And:
        return binary(n, [](double a, double b) { return a != 0 && b != 0 ? 1.0 : 0.0; });
      case OpKind::Or:
        return binary(n, [](double a, double b) { return a != 0 || b != 0 ? 1.0 : 0.0; });
      case OpKind::Xor:
        return binary(n, [](double a, double b) { return (a != 0) != (b != 0) ? 1.0 : 0.0; });
      case OpKind::Not: return unary(n, [](double x) { return x == 0 ? 1.0 : 0.0; });
      case OpKind::Sqrt: return unary(n, [](double x) { return std::sqrt(x); });
      case OpKind::Erf: return unary(n, [](double x) { return std::erf(x); });
      case OpKind::Exp: return unary(n, [](double x) { return std::exp(x); });
      case OpKind::Tanh: return unary(n, [](double x) { return std::tanh(x); });
      case OpKind::Sigmoid: return unary(n, [](double x) { return 1.0 / (1.0 + std::exp(-x)); });
      case OpKind::Neg: return unary(n, [](double x) { return -x; });
      case OpKind::Ceil: return unary(n, [](double x) { return std::ceil(x); });
      case OpKind::Floor: return unary(n, [](double x) { return std::floor(x); });
#define SWTC_UNARY(kind, name, reference, lowering) \
  case OpKind::kind:                                \
    return unary(n, [&](double x) { return static_cast<double>(reference); });
#include "graph/unary_ops.def"

      case OpKind::Clip: return clip(n);
      case OpKind::Concat: return concat(n);
      case OpKind::Dropout: return dropout(n);
      case OpKind::Softmax: return softmax(n);
      case OpKind::MatMul: return matmul(n);
      case OpKind::Transpose: return transpose(n);
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
        return reduce(n);
      case OpKind::ArgMax:
      case OpKind::ArgMin: return arg_reduce(n);
      case OpKind::Shape: return shape_op(n);
      case OpKind::Size:
        set(n, Buf{static_cast<double>(graph::num_elements(shape(n.inputs[0])))});
        return;
      case OpKind::Gather: return gather(n);
      case OpKind::GatherElements: return gather_elements(n);
      case OpKind::ScatterND: return scatter_nd(n);
      case OpKind::ScatterElements:
      case OpKind::Scatter: return scatter_elements(n);
      case OpKind::Mod: {
        // fmod = 1: the sign of the dividend (C's fmod); 0 (integers): of the divisor.
        if (n.attr_int("fmod", 0) != 0)
          return binary(n, [](double a, double b) { return std::fmod(a, b); });
        return binary(n, [](double a, double b) {
          const double r = std::fmod(a, b);
          return r != 0 && (r < 0) != (b < 0) ? r + b : r;
        });
      }
      case OpKind::IsInf: {
        const bool pos = n.attr_int("detect_positive", 1) != 0, neg = n.attr_int("detect_negative", 1) != 0;
        return unary(n, [pos, neg](double x) {
          return (pos && x == std::numeric_limits<double>::infinity()) ||
                         (neg && x == -std::numeric_limits<double>::infinity())
                     ? 1.0
                     : 0.0;
        });
      }
      case OpKind::IsNaN: return unary(n, [](double x) { return std::isnan(x) ? 1.0 : 0.0; });
      case OpKind::DepthToSpace:
      case OpKind::SpaceToDepth: return depth_space(n);
      case OpKind::GlobalMaxPool: {
        const Shape &xs = shape(n.inputs[0]);
        const int64_t nc = xs[0] * xs[1], sp = graph::num_elements(xs) / std::max<int64_t>(1, nc);
        const Buf &x = in(n, 0);
        Buf &y = out(n);
        for (int64_t i = 0; i < nc; ++i) {
          double m = -std::numeric_limits<double>::infinity();
          for (int64_t j = 0; j < sp; ++j) m = std::max(m, x[static_cast<size_t>(i * sp + j)]);
          y[static_cast<size_t>(i)] = m;
        }
        return;
      }
      case OpKind::InstanceNormalization: {
        const Shape &xs = shape(n.inputs[0]);
        const int64_t N = xs[0], C = xs[1], sp = graph::num_elements(xs) / std::max<int64_t>(1, N * C);
        const double eps = n.attr_float("epsilon", 1e-5f);
        const Buf &x = in(n, 0), &sc = in(n, 1), &bias = in(n, 2);
        Buf &y = out(n);
        for (int64_t i = 0; i < N * C; ++i) {
          const double *xp = x.data() + i * sp;
          double m = 0, v = 0;
          for (int64_t j = 0; j < sp; ++j) m += xp[j];
          m /= static_cast<double>(sp);
          for (int64_t j = 0; j < sp; ++j) v += (xp[j] - m) * (xp[j] - m);
          v /= static_cast<double>(sp);
          const double s = sc[static_cast<size_t>(i % C)] / std::sqrt(v + eps), b = bias[static_cast<size_t>(i % C)];
          for (int64_t j = 0; j < sp; ++j) y[static_cast<size_t>(i * sp + j)] = (xp[j] - m) * s + b;
        }
        return;
      }
      case OpKind::Range: {
        const double start = in(n, 0).at(0), delta = in(n, 2).at(0);
        Buf &y = out(n);
        for (size_t i = 0; i < y.size(); ++i) y[i] = start + static_cast<double>(i) * delta;
        return;
      }
      case OpKind::Hardmax: {
        // 1 at the first maximum along axis, 0 elsewhere.
        const Shape &xs = shape(n.inputs[0]);
        const int64_t r = static_cast<int64_t>(xs.size());
        const int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", -1), r);
        int64_t outer = 1, inner = 1;
        const int64_t dim = xs[static_cast<size_t>(axis)];
        for (int64_t k = 0; k < axis; ++k) outer *= xs[static_cast<size_t>(k)];
        for (int64_t k = axis + 1; k < r; ++k) inner *= xs[static_cast<size_t>(k)];
        const Buf &x = in(n, 0);
        Buf &y = out(n);
        for (int64_t o = 0; o < outer; ++o)
          for (int64_t i = 0; i < inner; ++i) {
            int64_t best = 0;
            for (int64_t j = 1; j < dim; ++j)
              if (x[static_cast<size_t>((o * dim + j) * inner + i)] >
                  x[static_cast<size_t>((o * dim + best) * inner + i)])
                best = j;
            y[static_cast<size_t>((o * dim + best) * inner + i)] = 1.0;
          }
        return;
      }
      case OpKind::EyeLike: {
        const Shape &s = shape(n.outputs[0]);
        const int64_t k = n.attr_int("k", 0);
        Buf &y = out(n);
        for (int64_t i = 0; i < s[0]; ++i)
          if (i + k >= 0 && i + k < s[1]) y[static_cast<size_t>(i * s[1] + i + k)] = 1.0;
        return;
      }
      case OpKind::Trilu: return trilu(n);
      case OpKind::Resize:
      case OpKind::Upsample: return resize(n);
      case OpKind::Unsqueeze:
      case OpKind::Squeeze: set(n, in(n, 0)); return;
      case OpKind::Slice: return slice(n);
      case OpKind::Cast: return cast(n);
      case OpKind::ConstantOfShape: return constant_of_shape(n);
      case OpKind::Expand:
        return set(n, graph::kernels::expand(in(n, 0), shape(n.inputs[0]), shape(n.outputs[0])));
      case OpKind::Where: return where(n);
      case OpKind::LayerNormalization: return layer_norm(n);
      case OpKind::Split: return split(n);
      case OpKind::Max: return variadic(n, [](double a, double b) { return std::max(a, b); });
      case OpKind::Min: return variadic(n, [](double a, double b) { return std::min(a, b); });
      case OpKind::Sum:
      case OpKind::Mean: return variadic(n, [](double a, double b) { return a + b; });
      case OpKind::PRelu: return binary(n, [](double x, double s) { return x < 0 ? s * x : x; });
      case OpKind::LogSoftmax: return softmax(n);
      case OpKind::Pad: return pad(n);
      case OpKind::Tile: return tile(n);
      case OpKind::NegativeLogLikelihoodLoss:
      case OpKind::SoftmaxCrossEntropyLoss: return nll_loss(n);
    }
    internal_error("interpreter: unhandled op ", graph::op_name(n.op));
  }

  /// ConvTranspose, straight from the definition: every input element adds
  /// x * weight to the output element its kernel tap lands on,
  /// o = i * stride + k * dilation - pad_begin (per spatial axis).
  void conv_transpose(const Node &n) {
    const graph::TransposedWindow w = graph::resolve_transposed_window(g_, n);
    const Shape &xs = shape(n.inputs[0]), &ys = w.out;
    const size_t nsp = xs.size() - 2;
    const Buf &x = in(n, 0), &wt = in(n, 1);
    Buf &y = out(n);
    const int64_t C = xs[1], M = ys[1], cg = C / w.group, mg = M / w.group;
    int64_t ip = 1, op = 1, ks = 1;
    for (size_t k = 0; k < nsp; ++k) ip *= xs[k + 2], op *= ys[k + 2], ks *= w.kernel[k];
    std::vector<int64_t> i_idx(nsp), k_idx(nsp);
    for (int64_t b = 0; b < xs[0]; ++b)
      for (int64_t c = 0; c < C; ++c)
        for (int64_t i = 0; i < ip; ++i) {
          for (int64_t r = i, k = static_cast<int64_t>(nsp) - 1; k >= 0; --k)
            i_idx[k] = r % xs[k + 2], r /= xs[k + 2];
          const double xv = x[static_cast<size_t>((b * C + c) * ip + i)];
          for (int64_t kp = 0; kp < ks; ++kp) {
            int64_t o = 0;
            bool inside = true;
            for (int64_t r = kp, k = static_cast<int64_t>(nsp) - 1; k >= 0; --k)
              k_idx[k] = r % w.kernel[k], r /= w.kernel[k];
            for (size_t k = 0; k < nsp; ++k) {
              const int64_t ok = i_idx[k] * w.strides[k] + k_idx[k] * w.dilations[k] - w.pads[k];
              inside = inside && ok >= 0 && ok < ys[k + 2];
              o = o * ys[k + 2] + ok;
            }
            if (!inside) continue;
            for (int64_t mo = 0; mo < mg; ++mo) {
              const int64_t m = c / cg * mg + mo;
              y[static_cast<size_t>((b * M + m) * op + o)] +=
                  xv * wt[static_cast<size_t>((c * mg + mo) * ks + kp)];
            }
          }
        }
    if (has_input(n, 2))
      for (size_t e = 0; e < y.size(); ++e)
        y[e] += in(n, 2)[static_cast<size_t>(static_cast<int64_t>(e) / op % M)];
  }

  void conv(const Node &n) {
    Window w = graph::resolve_window(g_, node_);
    Geo3 geo = to_geo3(g_, node_, w);
    const Shape &xs = shape(n.inputs[0]), &ws = shape(n.inputs[1]);
    const Buf &x = in(n, 0), &wt = in(n, 1);
    const double *bias = n.inputs.size() > 2 && n.inputs[2] >= 0 ? in(n, 2).data() : nullptr;
    Buf &y = out(n);
    int64_t batch = xs[0], c_in = xs[1], c_out = ws[0], group = w.group;
    int64_t cg = c_in / group, mg = c_out / group;
    int64_t ip = geo.in_size(), op = geo.out_size(), ks = geo.k_size();
    // Per kernel column: the valid output column range and input offset.
    std::vector<int64_t> lo_w(geo.k[2]), hi_w(geo.k[2]), off_w(geo.k[2]);
    for (int64_t kw = 0; kw < geo.k[2]; ++kw) {
      off_w[kw] = kw * geo.d[2] - geo.pb[2];
      valid_range(off_w[kw], geo.s[2], geo.in[2], geo.out[2], lo_w[kw], hi_w[kw]);
    }
    const int64_t sw = geo.s[2];
    for (int64_t b = 0; b < batch; ++b) {
      for (int64_t m = 0; m < c_out; ++m) {
        int64_t grp = m / mg;
        double *yp = y.data() + (b * c_out + m) * op;
        std::fill(yp, yp + op, bias ? bias[m] : 0.0);
        for (int64_t c = 0; c < cg; ++c) {
          const double *xp = x.data() + (b * c_in + grp * cg + c) * ip;
          const double *wp = wt.data() + (m * cg + c) * ks;
          for (int64_t kd = 0; kd < geo.k[0]; ++kd) {
            for (int64_t od = 0; od < geo.out[0]; ++od) {
              int64_t id = od * geo.s[0] - geo.pb[0] + kd * geo.d[0];
              if (id < 0 || id >= geo.in[0]) continue;
              for (int64_t kh = 0; kh < geo.k[1]; ++kh) {
                const double *wk = wp + (kd * geo.k[1] + kh) * geo.k[2];
                for (int64_t oh = 0; oh < geo.out[1]; ++oh) {
                  int64_t ih = oh * geo.s[1] - geo.pb[1] + kh * geo.d[1];
                  if (ih < 0 || ih >= geo.in[1]) continue;
                  const double *xrow = xp + (id * geo.in[1] + ih) * geo.in[2];
                  double *yrow = yp + (od * geo.out[1] + oh) * geo.out[2];
                  for (int64_t kw = 0; kw < geo.k[2]; ++kw) {
                    const double wv = wk[kw];
                    const int64_t off = off_w[kw], hi = hi_w[kw];
                    if (sw == 1) {
                      for (int64_t ow = lo_w[kw]; ow < hi; ++ow) yrow[ow] += wv * xrow[ow + off];
                    } else {
                      for (int64_t ow = lo_w[kw]; ow < hi; ++ow)
                        yrow[ow] += wv * xrow[ow * sw + off];
                    }
                  }
                }
              }
            }
          }
        }
      }
    }
  }

  void pool(const Node &n) {
    Window w = graph::resolve_window(g_, node_);
    Geo3 geo = to_geo3(g_, node_, w);
    const Shape &xs = shape(n.inputs[0]);
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    bool is_max = n.op == OpKind::MaxPool;
    int64_t planes = xs[0] * xs[1], ip = geo.in_size(), op = geo.out_size();
    for (int64_t p = 0; p < planes; ++p) {
      const double *xp = x.data() + p * ip;
      double *yp = y.data() + p * op;
      for (int64_t od = 0; od < geo.out[0]; ++od)
        for (int64_t oh = 0; oh < geo.out[1]; ++oh)
          for (int64_t ow = 0; ow < geo.out[2]; ++ow) {
            double acc = is_max ? -std::numeric_limits<double>::infinity() : 0.0;
            int64_t in_count = 0, pad_count = 0;
            for (int64_t kd = 0; kd < geo.k[0]; ++kd) {
              int64_t id = od * geo.s[0] - geo.pb[0] + kd * geo.d[0];
              bool pd = id >= -geo.pb[0] && id < geo.in[0] + geo.pe[0];
              bool vd = id >= 0 && id < geo.in[0];
              for (int64_t kh = 0; kh < geo.k[1]; ++kh) {
                int64_t ih = oh * geo.s[1] - geo.pb[1] + kh * geo.d[1];
                bool ph = ih >= -geo.pb[1] && ih < geo.in[1] + geo.pe[1];
                bool vh = ih >= 0 && ih < geo.in[1];
                for (int64_t kw = 0; kw < geo.k[2]; ++kw) {
                  int64_t iw = ow * geo.s[2] - geo.pb[2] + kw * geo.d[2];
                  bool pw = iw >= -geo.pb[2] && iw < geo.in[2] + geo.pe[2];
                  bool vw = iw >= 0 && iw < geo.in[2];
                  if (pd && ph && pw) ++pad_count;
                  if (!(vd && vh && vw)) continue;
                  ++in_count;
                  double v = xp[(id * geo.in[1] + ih) * geo.in[2] + iw];
                  if (is_max)
                    acc = std::max(acc, v);
                  else
                    acc += v;
                }
              }
            }
            if (!is_max) {
              int64_t div = w.count_include_pad ? pad_count : in_count;
              acc = div > 0 ? acc / static_cast<double>(div) : 0.0;
            }
            yp[(od * geo.out[1] + oh) * geo.out[2] + ow] = acc;
          }
    }
  }

  void batch_norm(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    const Buf &x = in(n, 0), &scale = in(n, 1), &bias = in(n, 2), &mean = in(n, 3),
              &var = in(n, 4);
    double eps = n.attr_float("epsilon", 1e-5f);
    Buf &y = out(n);
    int64_t batch = xs[0], c = xs[1], inner = 1;
    for (size_t k = 2; k < xs.size(); ++k) inner *= xs[k];
    for (int64_t b = 0; b < batch; ++b)
      for (int64_t ch = 0; ch < c; ++ch) {
        double a = scale[ch] / std::sqrt(var[ch] + eps);
        double sh = bias[ch] - mean[ch] * a;
        size_t base = static_cast<size_t>((b * c + ch) * inner);
        for (int64_t i = 0; i < inner; ++i) y[base + i] = x[base + i] * a + sh;
      }
  }

  void global_average_pool(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    int64_t planes = xs[0] * xs[1], inner = 1;
    for (size_t k = 2; k < xs.size(); ++k) inner *= xs[k];
    for (int64_t p = 0; p < planes; ++p) {
      double s = 0;
      for (int64_t i = 0; i < inner; ++i) s += x[p * inner + i];
      y[p] = s / static_cast<double>(inner);
    }
  }

  void add(const Node &n) {
    const Shape &ys = shape(n.outputs[0]);
    const Buf &a = in(n, 0), &b = in(n, 1);
    Buf &y = out(n);
    if (shape(n.inputs[0]) == ys && shape(n.inputs[1]) == ys) {
      for (size_t i = 0; i < y.size(); ++i) y[i] = a[i] + b[i];
      return;
    }
    size_t r = ys.size();
    // Element strides of each operand in output coordinates (0 where broadcast).
    auto strides_for = [&](const Shape &s) {
      std::vector<int64_t> st(r, 0);
      int64_t acc = 1;
      for (size_t k = 0; k < s.size(); ++k) {
        size_t ax = s.size() - 1 - k;
        if (s[ax] != 1) st[r - 1 - k] = acc;
        acc *= s[ax];
      }
      return st;
    };
    std::vector<int64_t> sa = strides_for(shape(n.inputs[0])), sb = strides_for(shape(n.inputs[1]));
    std::vector<int64_t> idx(r, 0);
    int64_t ia = 0, ib = 0;
    for (size_t i = 0; i < y.size(); ++i) {
      y[i] = a[ia] + b[ib];
      for (size_t k = r; k-- > 0;) {  // increment the multi-index
        ++idx[k];
        ia += sa[k];
        ib += sb[k];
        if (idx[k] < ys[k]) break;
        ia -= sa[k] * idx[k];
        ib -= sb[k] * idx[k];
        idx[k] = 0;
      }
    }
  }

  void gemm(const Node &n) {
    const Shape &as = shape(n.inputs[0]), &bs = shape(n.inputs[1]), &ys = shape(n.outputs[0]);
    const Buf &a = in(n, 0), &b = in(n, 1);
    bool ta = n.attr_int("transA", 0) != 0, tb = n.attr_int("transB", 0) != 0;
    double alpha = n.attr_float("alpha", 1.0f), beta = n.attr_float("beta", 1.0f);
    int64_t m_ = ys[0], n_ = ys[1], k_ = ta ? as[0] : as[1];
    Buf &y = out(n);
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      const Shape &cs = shape(n.inputs[2]);
      const Buf &c = in(n, 2);
      int64_t cr = cs.size() == 2 ? cs[0] : 1, cc = cs.empty() ? 1 : cs.back();
      for (int64_t i = 0; i < m_; ++i)
        for (int64_t j = 0; j < n_; ++j)
          y[i * n_ + j] = beta * c[(cr == 1 ? 0 : i) * cc + (cc == 1 ? 0 : j)];
    }
    Buf row(static_cast<size_t>(n_)), arow(static_cast<size_t>(k_));
    for (int64_t i = 0; i < m_; ++i) {
      for (int64_t kk = 0; kk < k_; ++kk) arow[kk] = ta ? a[kk * as[1] + i] : a[i * as[1] + kk];
      if (tb) {  // B is [N, K]: a dot product over contiguous rows
        for (int64_t j = 0; j < n_; ++j) {
          const double *bp = b.data() + j * bs[1];
          double acc = 0;
          for (int64_t kk = 0; kk < k_; ++kk) acc += arow[kk] * bp[kk];
          row[j] = acc;
        }
      } else {  // B is [K, N]: accumulate scaled rows
        std::fill(row.begin(), row.end(), 0.0);
        for (int64_t kk = 0; kk < k_; ++kk) {
          const double *bp = b.data() + kk * bs[1];
          for (int64_t j = 0; j < n_; ++j) row[j] += arow[kk] * bp[j];
        }
      }
      for (int64_t j = 0; j < n_; ++j) y[i * n_ + j] += alpha * row[j];
    }
  }


  // ---- integers, exactly ----

  /// The ops on integers the interpreter computes exactly in 64-bit
  /// arithmetic (wrapping as the generated code does, uint64 as unsigned):
  /// the integer ops shape inference accepts: Add, Sub, Mul, Div, Mod, Neg,
  /// Max, Min, Clip, comparisons, Cast from an integer type, ReduceMax,
  /// ReduceMin, Range, Constant, ConstantOfShape. Doubles hold integers
  /// exactly only up to 2^53. Returns false for any other node (computed by
  /// exec_split or in double).
  bool exec_int(const Node &n) {
    if (n.outputs.empty() || n.outputs[0] < 0) return false;
    const DType t = dtype(n.outputs[0]);
    const DType t0 = n.inputs.empty() || n.inputs[0] < 0 ? DType::F32 : dtype(n.inputs[0]);
    switch (n.op) {
      case OpKind::Add:
      case OpKind::Sub:
      case OpKind::Mul:
      case OpKind::Div:
      case OpKind::Mod: {
        if (!graph::is_int(t)) return false;
        if (n.op == OpKind::Div)
          for (int64_t b : iin(n, 1))
            if (b == 0) user_error(g_.describe(node_), ": integer division by zero");
        const bool fmod = n.attr_int("fmod", 0) != 0;
        const OpKind op = n.op;
        return int_binary(n, [t, op, fmod](int64_t a, int64_t b) { return int_arith(t, op, fmod, a, b); });
      }
      case OpKind::Equal:
      case OpKind::Greater:
      case OpKind::Less:
      case OpKind::GreaterOrEqual:
      case OpKind::LessOrEqual: {
        if (!graph::is_int(t0)) return false;
        const OpKind op = n.op;
        return int_binary(n, [t0, op](int64_t a, int64_t b) -> int64_t {
          if (op == OpKind::Equal) return a == b;
          const bool lt = less(t0, a, b), gt = less(t0, b, a);
          return op == OpKind::Greater ? gt : op == OpKind::Less ? lt
                 : op == OpKind::GreaterOrEqual ? !lt : !gt;
        });
      }
      case OpKind::Max:
      case OpKind::Min: {
        if (!graph::is_int(t)) return false;
        const bool mx = n.op == OpKind::Max;
        IBuf acc = iin(n, 0);
        Shape as = shape(n.inputs[0]);
        for (size_t k = 1; k < n.inputs.size(); ++k) {
          const Shape s = *graph::broadcast_shapes(as, shape(n.inputs[k]));
          IBuf y;
          graph::kernels::broadcast_binary(acc, as, iin(n, k), shape(n.inputs[k]), s, y,
                                           [t, mx](int64_t a, int64_t b) {
                                             return less(t, a, b) == mx ? b : a;
                                           });
          acc = std::move(y);
          as = s;
        }
        return iset(n, std::move(acc));
      }
      case OpKind::Neg: {
        if (!graph::is_int(t)) return false;
        IBuf y = iin(n, 0);
        for (int64_t &v : y) v = graph::wrap_int(t, static_cast<int64_t>(0 - static_cast<uint64_t>(v)));
        return iset(n, std::move(y));
      }
      case OpKind::Clip: {
        if (!graph::is_int(t) || n.has_attr("min") || n.has_attr("max")) return false;
        IBuf y = iin(n, 0);
        for (size_t k = 1; k <= 2; ++k) {
          if (!has_input(n, k)) continue;
          const int64_t bound = iin(n, k).at(0);
          for (int64_t &v : y)
            if (k == 1 ? less(t, v, bound) : less(t, bound, v)) v = bound;
        }
        return iset(n, std::move(y));
      }
      case OpKind::Cast: {
        if (!graph::is_int(t0)) return false;
        const IBuf &x = iin(n, 0);
        if (t == DType::F32) {  // rounded once, to float (not through double)
          Buf &y = out(n);
          for (size_t i = 0; i < x.size(); ++i)
            y[i] = t0 == DType::U64 ? static_cast<float>(static_cast<uint64_t>(x[i]))
                                    : static_cast<float>(x[i]);
          return true;
        }
        IBuf y(x.size());
        for (size_t i = 0; i < x.size(); ++i) y[i] = graph::wrap_int(t, x[i]);
        return iset(n, std::move(y));
      }
      case OpKind::ReduceMax:
      case OpKind::ReduceMin: return graph::is_int(t) && reduce_int(n);
      case OpKind::Range: {
        if (!graph::is_int(t)) return false;
        const uint64_t start = static_cast<uint64_t>(iin(n, 0).at(0)),
                       delta = static_cast<uint64_t>(iin(n, 2).at(0));
        IBuf y(static_cast<size_t>(graph::num_elements(shape(n.outputs[0]))));
        for (size_t i = 0; i < y.size(); ++i)
          y[i] = graph::wrap_int(t, static_cast<int64_t>(start + i * delta));
        return iset(n, std::move(y));
      }
      case OpKind::ConstantOfShape: {
        if (!graph::is_int(t)) return false;
        int64_t v = 0;
        if (n.has_attr("value")) v = std::get<TensorData>(n.attrs.at("value")).i64.at(0);
        return iset(n, IBuf(static_cast<size_t>(graph::num_elements(shape(n.outputs[0]))), v));
      }
      default: return false;
    }
  }

  /// a < b in type t (uint64 compares its bit patterns as unsigned).
  static bool less(DType t, int64_t a, int64_t b) {
    return t == DType::U64 ? static_cast<uint64_t>(a) < static_cast<uint64_t>(b) : a < b;
  }

  /// a op b of integer type t as the generated code computes it: Add, Sub and
  /// Mul in 64-bit arithmetic that wraps (swtc_iadd, ...), then wrapped to t;
  /// Div truncating, INT_MIN / -1 the quotient wrapped (swtc_idiv), not a
  /// trap; Mod by the divisor's sign (fmod = 0) or the dividend's (fmod = 1),
  /// 0 for a zero divisor (the double computation's NaN, stored as 0).
  static int64_t int_arith(DType t, OpKind op, bool fmod, int64_t a, int64_t b) {
    const uint64_t x = static_cast<uint64_t>(a), y = static_cast<uint64_t>(b);
    const bool is_unsigned = graph::int_min(t) == 0;
    switch (op) {
      case OpKind::Add: return graph::wrap_int(t, static_cast<int64_t>(x + y));
      case OpKind::Sub: return graph::wrap_int(t, static_cast<int64_t>(x - y));
      case OpKind::Mul: return graph::wrap_int(t, static_cast<int64_t>(x * y));
      case OpKind::Div:
        if (is_unsigned) return graph::wrap_int(t, static_cast<int64_t>(x / y));
        return graph::wrap_int(t, b == -1 ? static_cast<int64_t>(0 - x) : a / b);
      default: {  // Mod
        if (b == 0) return 0;
        if (is_unsigned) return static_cast<int64_t>(x % y);
        int64_t r = b == -1 ? 0 : a % b;
        if (!fmod && r != 0 && (r < 0) != (b < 0)) r += b;
        return r;
      }
    }
  }

  /// Integer binary op f (broadcasting) on the exact values.
  template <typename F>
  bool int_binary(const Node &n, F f) {
    IBuf y;
    graph::kernels::broadcast_binary(iin(n, 0), shape(n.inputs[0]), iin(n, 1), shape(n.inputs[1]),
                                     shape(n.outputs[0]), y, f);
    return iset(n, std::move(y));
  }

  /// Integer ReduceMax, ReduceMin (the other reductions are float32 only).
  bool reduce_int(const Node &n) {
    const DType t = dtype(n.outputs[0]);
    const bool is_max = n.op == OpKind::ReduceMax;
    const IBuf &x = iin(n, 0);
    const int64_t lowest = graph::int_min(t);  // uint64: 0 and all ones
    const int64_t highest = graph::wrap_int(t, static_cast<int64_t>(static_cast<uint64_t>(lowest) - 1));
    IBuf y(static_cast<size_t>(graph::num_elements(shape(n.outputs[0]))), is_max ? lowest : highest);
    for_each_reduced(n, [&](size_t i, size_t pos) {
      if (is_max ? less(t, y[pos], x[i]) : less(t, x[i], y[pos])) y[pos] = x[i];
    });
    return iset(n, std::move(y));
  }

  /// The ops that only move or select values (and may fill zeros): which
  /// inputs are data. An int64 / uint64 output of such an op is computed
  /// exactly by running the op twice in double, on the high and on the low 32
  /// bits of its data (both exact in a double), and joining the halves.
  std::vector<size_t> data_inputs(const Node &n) const {
    switch (n.op) {
      case OpKind::Identity:
      case OpKind::Reshape:
      case OpKind::Flatten:
      case OpKind::Squeeze:
      case OpKind::Unsqueeze:
      case OpKind::Transpose:
      case OpKind::Slice:
      case OpKind::Gather:
      case OpKind::GatherElements:
      case OpKind::Expand:
      case OpKind::Tile:
      case OpKind::Split:
      case OpKind::Trilu:
      case OpKind::DepthToSpace:
      case OpKind::SpaceToDepth: return {0};
      case OpKind::Pad:  // a non-zero pad value from an attribute would be split wrongly
        if (n.attr_float("value", 0.0f) != 0.0f) return {};
        return {0, 2};
      case OpKind::ScatterND:
      case OpKind::ScatterElements:
      case OpKind::Scatter: return {0, 2};
      case OpKind::Where: return {1, 2};
      case OpKind::Concat: {
        std::vector<size_t> all(n.inputs.size());
        for (size_t k = 0; k < all.size(); ++k) all[k] = k;
        return all;
      }
      default: return {};
    }
  }

  bool exec_split(const Node &n) {
    if (n.outputs.empty() || n.outputs[0] < 0) return false;
    const DType t = dtype(n.outputs[0]);
    if (t != DType::I64 && t != DType::U64) return false;
    const std::vector<size_t> which = data_inputs(n);
    std::vector<int> data;
    for (size_t k : which)
      if (has_input(n, k)) {
        if (dtype(n.inputs[k]) != t) return false;
        data.push_back(n.inputs[k]);
      }
    if (data.empty()) return false;
    for (size_t k = 0; k < n.inputs.size(); ++k)  // an input both data and not (Gather(x, x))
      if (std::find(which.begin(), which.end(), k) == which.end() &&
          std::find(data.begin(), data.end(), n.inputs[k]) != data.end())
        return false;
    std::sort(data.begin(), data.end());
    data.erase(std::unique(data.begin(), data.end()), data.end());
    std::vector<Buf> saved, halves[2];
    for (int id : data) saved.push_back(std::move(env_[id]));
    for (int half = 0; half < 2; ++half) {
      for (int id : data) {
        Buf &b = env_[id];
        b.clear();
        for (int64_t v : ienv_[id])
          b.push_back(half == 0 ? static_cast<double>(v >> 32)
                                : static_cast<double>(static_cast<uint64_t>(v) & 0xffffffffu));
      }
      exec(n);
      for (int id : n.outputs) halves[half].push_back(id >= 0 ? env_[id] : Buf());
    }
    for (size_t k = 0; k < data.size(); ++k) env_[data[k]] = std::move(saved[k]);
    for (size_t j = 0; j < n.outputs.size(); ++j) {
      const int id = n.outputs[j];
      if (id < 0 || dtype(id) != t) continue;
      IBuf &e = ienv_[id];
      e.resize(halves[0][j].size());
      for (size_t i = 0; i < e.size(); ++i)
        e[i] = static_cast<int64_t>((static_cast<uint64_t>(static_cast<int64_t>(halves[0][j][i])) << 32) +
                                    static_cast<uint64_t>(halves[1][j][i]));
      exact_[id] = 1;
    }
    return true;
  }

  const IBuf &iin(const Node &n, size_t k) const { return ienv_[n.inputs[k]]; }

  /// Output k of the node, exactly (its doubles follow in to_int_type).
  bool iset(const Node &n, IBuf b, size_t k = 0) {
    SWTC_CHECK(static_cast<int64_t>(b.size()) == graph::num_elements(shape(n.outputs[k])),
               g_.describe(node_), " produced ", b.size(), " elements");
    ienv_[n.outputs[k]] = std::move(b);
    exact_[n.outputs[k]] = 1;
    return true;
  }

  /// The values of id as int64: exact for integer types.
  std::vector<int64_t> int_values(int id) const {
    if (graph::is_int(dtype(id))) return ienv_[id];
    std::vector<int64_t> v;
    for (double x : env_[id]) v.push_back(to_i64(x));
    return v;
  }

  // ---- helpers for the ops below ----

  /// A double holding an integer value, as int64 (saturating: i64 sentinels
  /// such as INT64_MAX do not survive the trip through double exactly).
  static int64_t to_i64(double x) {
    if (x >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
    if (x <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(std::llround(x));
  }

  bool has_input(const Node &n, size_t k) const { return k < n.inputs.size() && n.inputs[k] >= 0; }
  graph::DType dtype(int id) const { return g_.values[id].dtype; }

  /// Ints from input k (its run-time data) if present, else from attribute
  /// `attr`, else nullopt.
  std::optional<std::vector<int64_t>> ints_param(const Node &n, size_t k, const char *attr) const {
    if (has_input(n, k)) return int_values(n.inputs[k]);
    if (n.has_attr(attr)) return n.attr_ints(attr, {});
    return std::nullopt;
  }

  void set(const Node &n, Buf b, size_t k = 0) {
    SWTC_CHECK(static_cast<int64_t>(b.size()) == graph::num_elements(shape(n.outputs[k])),
               g_.describe(node_), " produced ", b.size(), " elements");
    env_[n.outputs[k]] = std::move(b);
  }

  template <typename F>
  void unary(const Node &n, F f) {
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (size_t i = 0; i < x.size(); ++i) y[i] = f(x[i]);
  }

  template <typename F>
  void binary(const Node &n, F f) {
    Buf y;
    graph::kernels::broadcast_binary(in(n, 0), shape(n.inputs[0]), in(n, 1), shape(n.inputs[1]),
                                     shape(n.outputs[0]), y, f);
    set(n, std::move(y));
  }

  /// Max / Min / Sum / Mean: f folded over the inputs left to right (numpy
  /// broadcasting at each step); Mean divides by the count.
  template <typename F>
  void variadic(const Node &n, F f) {
    Buf acc = in(n, 0);
    Shape as = shape(n.inputs[0]);
    for (size_t k = 1; k < n.inputs.size(); ++k) {
      const Shape s = *graph::broadcast_shapes(as, shape(n.inputs[k]));
      Buf y;
      graph::kernels::broadcast_binary(acc, as, in(n, k), shape(n.inputs[k]), s, y, f);
      acc = std::move(y);
      as = s;
    }
    if (n.op == OpKind::Mean)
      for (double &v : acc) v /= static_cast<double>(n.inputs.size());
    set(n, std::move(acc));
  }

  /// Pad straight from the definition: each output index maps back per axis.
  void pad(const Node &n) {
    const Shape &xs = shape(n.inputs[0]), &ys = shape(n.outputs[0]);
    const size_t r = xs.size();
    std::vector<int64_t> pads, axes;
    if (has_input(n, 1)) {
      for (double v : in(n, 1)) pads.push_back(static_cast<int64_t>(v));
    } else {
      pads = n.attr_ints("pads", {});
    }
    if (has_input(n, 3))
      for (double v : in(n, 3)) axes.push_back(static_cast<int64_t>(v));
    const std::vector<int64_t> p = graph::expand_pads(g_, node_, pads, axes, r);
    double value = n.attr_float("value", 0.0f);
    if (has_input(n, 2) && !in(n, 2).empty()) value = in(n, 2)[0];
    const std::string mode = n.attr_string("mode", "constant");
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    std::vector<int64_t> o(r, 0);
    for (size_t flat = 0; flat < y.size(); ++flat) {
      int64_t rem = static_cast<int64_t>(flat), src = 0;
      for (size_t d = r; d-- > 0;) {
        o[d] = rem % ys[d];
        rem /= ys[d];
      }
      bool outside = false;
      for (size_t d = 0; d < r; ++d) {
        int64_t j = o[d] - p[d];
        const int64_t len = xs[d];
        if (j < 0 || j >= len) {
          if (mode == "constant") outside = true;
          else if (mode == "edge") j = j < 0 ? 0 : len - 1;
          else j = j < 0 ? -j : 2 * (len - 1) - j;  // reflect
        }
        src = src * len + j;
      }
      y[flat] = outside ? value : x[static_cast<size_t>(src)];
    }
  }

  void tile(const Node &n) {
    const Shape &xs = shape(n.inputs[0]), &ys = shape(n.outputs[0]);
    const size_t r = xs.size();
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (size_t flat = 0; flat < y.size(); ++flat) {
      int64_t rem = static_cast<int64_t>(flat), src = 0, stride = 1;
      for (size_t d = r; d-- > 0;) {
        src += (rem % ys[d]) % xs[d] * stride;
        rem /= ys[d];
        stride *= xs[d];
      }
      y[flat] = x[static_cast<size_t>(src)];
    }
  }

  void clip(const Node &n) {
    double lo = n.attr_float("min", -std::numeric_limits<float>::infinity());
    double hi = n.attr_float("max", std::numeric_limits<float>::infinity());
    if (has_input(n, 1)) lo = in(n, 1).at(0);
    if (has_input(n, 2)) hi = in(n, 2).at(0);
    unary(n, [lo, hi](double x) { return std::min(std::max(x, lo), hi); });
  }

  void concat(const Node &n) {
    std::vector<const Buf *> ins;
    std::vector<Shape> shapes;
    for (size_t k = 0; k < n.inputs.size(); ++k) {
      ins.push_back(&in(n, k));
      shapes.push_back(shape(n.inputs[k]));
    }
    int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", 0),
                                         static_cast<int64_t>(shapes[0].size()));
    set(n, graph::kernels::concat(ins, shapes, axis));
  }

  void softmax(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    int64_t r = static_cast<int64_t>(xs.size());
    int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", g_.opset < 13 ? 1 : -1), r);
    bool coerce = n.has_attr("coerce_2d") ? n.attr_int("coerce_2d", 0) != 0 : g_.opset < 13;
    int64_t outer = 1, d = 1, inner = 1;
    for (int64_t k = 0; k < r; ++k) {
      int64_t e = xs[static_cast<size_t>(k)];
      if (k < axis)
        outer *= e;
      else if (k == axis || coerce)
        d *= e;
      else
        inner *= e;
    }
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t base = o * d * inner + j;
        double mx = -std::numeric_limits<double>::infinity();
        for (int64_t k = 0; k < d; ++k) mx = std::max(mx, x[base + k * inner]);
        double sum = 0;
        for (int64_t k = 0; k < d; ++k) {
          double e = std::exp(x[base + k * inner] - mx);
          y[base + k * inner] = e;
          sum += e;
        }
        if (n.op == OpKind::LogSoftmax)
          for (int64_t k = 0; k < d; ++k)
            y[base + k * inner] = x[base + k * inner] - mx - std::log(sum);
        else
          for (int64_t k = 0; k < d; ++k) y[base + k * inner] /= sum;
      }
  }

  void matmul(const Node &n) {
    Shape as = shape(n.inputs[0]), bs = shape(n.inputs[1]);
    if (as.size() == 1) as.insert(as.begin(), 1);
    if (bs.size() == 1) bs.push_back(1);
    const int64_t M = as[as.size() - 2], K = as.back(), N = bs.back();
    Shape ab(as.begin(), as.end() - 2), bb(bs.begin(), bs.end() - 2);
    Shape batch = *graph::broadcast_shapes(ab, bb);
    std::vector<int64_t> ma = graph::kernels::broadcast_map(batch, ab);
    std::vector<int64_t> mb = graph::kernels::broadcast_map(batch, bb);
    const Buf &a = in(n, 0), &b = in(n, 1);
    Buf &y = out(n);
    for (size_t p = 0; p < ma.size(); ++p) {
      const double *ap = a.data() + ma[p] * M * K;
      const double *bp = b.data() + mb[p] * K * N;
      double *yp = y.data() + static_cast<int64_t>(p) * M * N;
      for (int64_t i = 0; i < M; ++i) {
        double *yrow = yp + i * N;
        for (int64_t k = 0; k < K; ++k) {
          const double av = ap[i * K + k];
          const double *brow = bp + k * N;
          for (int64_t j = 0; j < N; ++j) yrow[j] += av * brow[j];
        }
      }
    }
  }

  void transpose(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    std::vector<int64_t> perm;
    for (size_t k = xs.size(); k-- > 0;) perm.push_back(static_cast<int64_t>(k));
    perm = n.attr_ints("perm", perm);
    set(n, graph::kernels::transpose(in(n, 0), xs, perm));
  }

  /// For each element of a Reduce* node's input in order, f(element index,
  /// index of the output element it reduces into).
  template <typename F>
  void for_each_reduced(const Node &n, F f) {
    const Shape &xs = shape(n.inputs[0]);
    int64_t r = static_cast<int64_t>(xs.size());
    std::vector<int64_t> axes = ints_param(n, 1, "axes").value_or(std::vector<int64_t>{});
    if (!axes.empty())
      axes = graph::normalize_axes(g_, node_, axes, r);
    else if (n.attr_int("noop_with_empty_axes", 0) == 0)
      for (int64_t k = 0; k < r; ++k) axes.push_back(k);
    // Output strides per input axis (0 on reduced axes).
    Shape kept = xs;
    for (int64_t a : axes) kept[static_cast<size_t>(a)] = 1;
    std::vector<int64_t> ost = graph::kernels::strides_of(kept);
    for (int64_t a : axes) ost[static_cast<size_t>(a)] = 0;
    std::vector<int64_t> idx(static_cast<size_t>(r), 0);
    int64_t pos = 0;
    for (size_t i = 0, count = static_cast<size_t>(graph::num_elements(xs)); i < count; ++i) {
      f(i, static_cast<size_t>(pos));
      for (size_t k = static_cast<size_t>(r); k-- > 0;) {
        ++idx[k];
        pos += ost[k];
        if (idx[k] < xs[k]) break;
        pos -= ost[k] * idx[k];
        idx[k] = 0;
      }
    }
  }

  void reduce(const Node &n) {
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    const OpKind op = n.op;
    const double inf = std::numeric_limits<double>::infinity();
    if (op == OpKind::ReduceMax || op == OpKind::ReduceLogSumExp) std::fill(y.begin(), y.end(), -inf);
    if (op == OpKind::ReduceMin) std::fill(y.begin(), y.end(), inf);
    if (op == OpKind::ReduceProd) std::fill(y.begin(), y.end(), 1.0);
    // ReduceLogSumExp: a first pass for the max (then the sum of exp(x - max)).
    const int passes = op == OpKind::ReduceLogSumExp ? 2 : 1;
    Buf mx;
    for (int pass = 0; pass < passes; ++pass) {
    if (pass == 1) {
      mx = y;
      std::fill(y.begin(), y.end(), 0.0);
    }
    for_each_reduced(n, [&](size_t i, size_t pos) {
      const double v = x[i];
      switch (op) {
        case OpKind::ReduceMax: y[pos] = std::max(y[pos], v); break;
        case OpKind::ReduceMin: y[pos] = std::min(y[pos], v); break;
        case OpKind::ReduceProd: y[pos] *= v; break;
        case OpKind::ReduceL1: y[pos] += std::fabs(v); break;
        case OpKind::ReduceL2:
        case OpKind::ReduceSumSquare: y[pos] += v * v; break;
        case OpKind::ReduceLogSumExp:
          if (pass == 0)
            y[pos] = std::max(y[pos], v);
          else
            y[pos] += std::exp(v - mx[static_cast<size_t>(pos)]);
          break;
        default: y[pos] += v; break;
      }
    });
    }
    if (n.op == OpKind::ReduceMean && !y.empty()) {
      double cnt = static_cast<double>(x.size() / y.size());
      for (double &v : y) v /= cnt;
    }
    for (size_t i = 0; i < y.size(); ++i) {
      if (op == OpKind::ReduceL2) y[i] = std::sqrt(y[i]);
      if (op == OpKind::ReduceLogSum) y[i] = std::log(y[i]);
      if (op == OpKind::ReduceLogSumExp) y[i] = mx[i] + std::log(y[i]);
    }
  }

  /// ArgMax / ArgMin along `axis`: the first index of the extreme value (the
  /// last with select_last_index). A second input (the decomposed form's
  /// ReduceMax / ReduceMin) is not needed here.
  void arg_reduce(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    const int64_t r = static_cast<int64_t>(xs.size());
    const int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", 0), r);
    const bool last = n.attr_int("select_last_index", 0) != 0, is_max = n.op == OpKind::ArgMax;
    int64_t outer = 1, inner = 1;
    const int64_t dim = xs[static_cast<size_t>(axis)];
    for (int64_t k = 0; k < axis; ++k) outer *= xs[static_cast<size_t>(k)];
    for (int64_t k = axis + 1; k < r; ++k) inner *= xs[static_cast<size_t>(k)];
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        int64_t best = 0;
        for (int64_t j = 1; j < dim; ++j) {
          const double v = x[static_cast<size_t>((o * dim + j) * inner + i)],
                       b = x[static_cast<size_t>((o * dim + best) * inner + i)];
          const bool better = is_max ? (last ? v >= b : v > b) : (last ? v <= b : v < b);
          if (better) best = j;
        }
        y[static_cast<size_t>(o * inner + i)] = static_cast<double>(best);
      }
  }

  void shape_op(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    int64_t r = static_cast<int64_t>(xs.size()), start = n.attr_int("start", 0);
    if (start < 0) start += r;
    start = std::clamp<int64_t>(start, 0, r);
    int64_t len = shape(n.outputs[0])[0];
    set(n, Buf(xs.begin() + start, xs.begin() + start + len));
  }

  /// GatherElements: y[i..] = x[i.. with i[axis] replaced by idx[i..]].
  void gather_elements(const Node &n) {
    const Shape &xs = shape(n.inputs[0]), &is = shape(n.inputs[1]);
    const int64_t r = static_cast<int64_t>(xs.size());
    const int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", 0), r);
    const int64_t dim = xs[static_cast<size_t>(axis)];
    const std::vector<int64_t> xst = graph::kernels::strides_of(xs);
    const Buf &x = in(n, 0), &idx = in(n, 1);
    Buf &y = out(n);
    std::vector<int64_t> pos(static_cast<size_t>(r), 0);
    for (size_t e = 0; e < y.size(); ++e) {
      int64_t j = to_i64(idx[e]);
      if (j < -dim || j >= dim)
        user_error(g_.describe(node_), ": index ", j, " is out of range [", -dim, ", ", dim - 1, "]");
      if (j < 0) j += dim;
      int64_t off = 0;
      for (int64_t k = 0; k < r; ++k)
        off += (k == axis ? j : pos[static_cast<size_t>(k)]) * xst[static_cast<size_t>(k)];
      y[e] = x[static_cast<size_t>(off)];
      for (size_t k = static_cast<size_t>(r); k-- > 0;) {
        if (++pos[k] < is[k]) break;
        pos[k] = 0;
      }
    }
  }

  /// ScatterND (reduction 'none'): y = data, then for each index tuple k in
  /// order y[idx[k], ...] = updates[k, ...] (a later duplicate wins).
  void scatter_nd(const Node &n) {
    const Shape &xs = shape(n.inputs[0]), &is = shape(n.inputs[1]);
    const int64_t q = is.back();
    const int64_t count = graph::num_elements(is) / q;
    int64_t slice = 1;
    for (size_t d = static_cast<size_t>(q); d < xs.size(); ++d) slice *= xs[d];
    const std::vector<int64_t> xst = graph::kernels::strides_of(xs);
    const Buf &idx = in(n, 1), &upd = in(n, 2);
    Buf y = in(n, 0);
    for (int64_t k = 0; k < count; ++k) {
      int64_t off = 0;
      for (int64_t d = 0; d < q; ++d) {
        const int64_t dim = xs[static_cast<size_t>(d)];
        int64_t j = to_i64(idx[static_cast<size_t>(k * q + d)]);
        if (j < -dim || j >= dim)
          user_error(g_.describe(node_), ": index ", j, " is out of range [", -dim, ", ", dim - 1,
                     "] for axis ", d);
        if (j < 0) j += dim;
        off += j * xst[static_cast<size_t>(d)];
      }
      for (int64_t e = 0; e < slice; ++e)
        y[static_cast<size_t>(off + e)] = upd[static_cast<size_t>(k * slice + e)];
    }
    set(n, std::move(y));
  }

  /// ScatterElements (reduction 'none'): y = data, then for each index
  /// position p in order y[p with p[axis] = idx[p]] = updates[p].
  void scatter_elements(const Node &n) {
    const Shape &xs = shape(n.inputs[0]), &is = shape(n.inputs[1]);
    const int64_t r = static_cast<int64_t>(xs.size());
    const int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", 0), r);
    const int64_t dim = xs[static_cast<size_t>(axis)];
    const std::vector<int64_t> xst = graph::kernels::strides_of(xs);
    const Buf &idx = in(n, 1), &upd = in(n, 2);
    Buf y = in(n, 0);
    std::vector<int64_t> pos(static_cast<size_t>(r), 0);
    for (size_t e = 0; e < idx.size(); ++e) {
      int64_t j = to_i64(idx[e]);
      if (j < -dim || j >= dim)
        user_error(g_.describe(node_), ": index ", j, " is out of range [", -dim, ", ", dim - 1, "]");
      if (j < 0) j += dim;
      int64_t off = 0;
      for (int64_t k = 0; k < r; ++k)
        off += (k == axis ? j : pos[static_cast<size_t>(k)]) * xst[static_cast<size_t>(k)];
      y[static_cast<size_t>(off)] = upd[e];
      for (size_t k = static_cast<size_t>(r); k-- > 0;) {
        if (++pos[k] < is[k]) break;
        pos[k] = 0;
      }
    }
    set(n, std::move(y));
  }

  /// DepthToSpace (DCR: depth as [b, b, C'], CRD: [C', b, b]) and its inverse
  /// SpaceToDepth (DCR order).
  void depth_space(const Node &n) {
    const bool d2s = n.op == OpKind::DepthToSpace;
    const Shape &big = d2s ? shape(n.inputs[0]) : shape(n.outputs[0]);  // [N, C, H, W]
    const int64_t b = n.attr_int("blocksize", 1);
    const bool crd = d2s && n.attr_string("mode", "DCR") == "CRD";
    const int64_t N = big[0], C = big[1], H = big[2], W = big[3], c2 = C / (b * b);
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (int64_t i = 0; i < N; ++i)
      for (int64_t c = 0; c < c2; ++c)
        for (int64_t h = 0; h < H * b; ++h)
          for (int64_t w = 0; w < W * b; ++w) {
            const int64_t bh = h % b, bw = w % b;
            const int64_t depth = crd ? (c * b + bh) * b + bw : (bh * b + bw) * c2 + c;
            const size_t deep = static_cast<size_t>(((i * C + depth) * H + h / b) * W + w / b);
            const size_t wide = static_cast<size_t>(((i * c2 + c) * H * b + h) * W * b + w);
            if (d2s)
              y[wide] = x[deep];
            else
              y[deep] = x[wide];
          }
  }

  /// Resize / Upsample: per axis, innermost first, each output element the
  /// weighted sum of its taps (graph/resize.h); no taps: extrapolation_value.
  void resize(const Node &n) {
    auto input = [&](size_t k) -> std::optional<std::vector<double>> {
      if (!has_input(n, k) || in(n, k).empty()) return std::nullopt;
      return in(n, k);
    };
    Shape s = shape(n.inputs[0]);
    const graph::ResizeParams p = graph::resize_params(g_, n, s, input);
    Buf x = in(n, 0);
    for (size_t a = s.size(); a-- > 0;) {
      const graph::ResizeTaps taps = graph::resize_taps(p, a, s[a]);
      int64_t outer = 1, inner = 1;
      for (size_t d = 0; d < a; ++d) outer *= s[d];
      for (size_t d = a + 1; d < s.size(); ++d) inner *= s[d];
      const int64_t from = s[a], to = p.out[a];
      Buf y(static_cast<size_t>(outer * to * inner));
      for (int64_t o = 0; o < outer; ++o)
        for (int64_t i = 0; i < to; ++i)
          for (int64_t j = 0; j < inner; ++j) {
            const auto &t = taps[static_cast<size_t>(i)];
            double v = t.empty() ? p.extrapolation : 0.0;
            for (const auto &[src, w] : t)
              v += w * x[static_cast<size_t>((o * from + src) * inner + j)];
            y[static_cast<size_t>((o * to + i) * inner + j)] = v;
          }
      x = std::move(y);
      s[a] = to;
    }
    set(n, std::move(x));
  }

  /// Trilu: x where column - row >= k (upper) or <= k (lower) on the last two
  /// axes, else 0.
  void trilu(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    const int64_t rows = xs[xs.size() - 2], cols = xs.back();
    int64_t k = n.attr_int("k", 0);
    if (has_input(n, 1)) k = to_i64(in(n, 1).at(0));
    const bool upper = n.attr_int("upper", 1) != 0;
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    for (size_t e = 0; e < y.size(); ++e) {
      const int64_t j = static_cast<int64_t>(e) % cols, i = static_cast<int64_t>(e) / cols % rows;
      y[e] = (upper ? j - i >= k : j - i <= k) ? x[e] : 0.0;
    }
  }

  void gather(const Node &n) {
    const Shape &ds = shape(n.inputs[0]);
    int64_t axis =
        graph::normalize_axis(g_, node_, n.attr_int("axis", 0), static_cast<int64_t>(ds.size()));
    int64_t dim = ds[static_cast<size_t>(axis)];
    std::vector<int64_t> idx;
    for (double v : in(n, 1)) {
      int64_t i = to_i64(v);
      if (i < -dim || i >= dim)
        user_error(g_.describe(node_), ": index ", i, " is out of range [", -dim, ", ", dim - 1,
                   "]");
      idx.push_back(i < 0 ? i + dim : i);
    }
    set(n, graph::kernels::gather(in(n, 0), ds, axis, idx));
  }

  void slice(const Node &n) {
    auto starts = ints_param(n, 1, "starts"), ends = ints_param(n, 2, "ends");
    auto axes = ints_param(n, 3, "axes"), steps = ints_param(n, 4, "steps");
    graph::SliceParams p = graph::resolve_slice(
        g_, node_, shape(n.inputs[0]), starts.value_or(std::vector<int64_t>{}),
        ends.value_or(std::vector<int64_t>{}), axes.value_or(std::vector<int64_t>{}),
        steps.value_or(std::vector<int64_t>{}));
    set(n, graph::kernels::slice(in(n, 0), shape(n.inputs[0]), p.starts, p.steps, p.out));
  }

  void cast(const Node &n) {
    int64_t to = n.attr_int("to", 1);
    DType from = dtype(n.inputs[0]);
    if (to == 9) return unary(n, [](double x) { return x != 0 ? 1.0 : 0.0; });
    if (graph::is_int(dtype(n.outputs[0])) && from == DType::F32)
      return unary(n, [](double x) { return std::trunc(x); });
    if (dtype(n.outputs[0]) == DType::F32)  // to f32: round through float
      return unary(n, [](double x) { return static_cast<double>(static_cast<float>(x)); });
    unary(n, [](double x) { return x; });
  }

  void constant_of_shape(const Node &n) {
    double v = 0;
    if (n.has_attr("value")) {
      const TensorData &t = std::get<TensorData>(n.attrs.at("value"));
      v = t.dtype == DType::F32 ? t.f32.at(0) : static_cast<double>(t.i64.at(0));
    }
    Buf &y = out(n);
    std::fill(y.begin(), y.end(), v);
  }

  void where(const Node &n) {
    const Shape &os = shape(n.outputs[0]);
    std::vector<int64_t> mc = graph::kernels::broadcast_map(os, shape(n.inputs[0]));
    std::vector<int64_t> mx = graph::kernels::broadcast_map(os, shape(n.inputs[1]));
    std::vector<int64_t> my = graph::kernels::broadcast_map(os, shape(n.inputs[2]));
    const Buf &c = in(n, 0), &x = in(n, 1), &yb = in(n, 2);
    Buf &y = out(n);
    for (size_t i = 0; i < y.size(); ++i) y[i] = c[mc[i]] != 0 ? x[mx[i]] : yb[my[i]];
  }

  /// NegativeLogLikelihoodLoss: loss[n, d..] = -x[n, t, d..] * w[t] (0 where
  /// t == ignore_index); 'sum' adds the losses, 'mean' divides that by the
  /// sum of the weights used. SoftmaxCrossEntropyLoss: the same on
  /// log_softmax(x) over axis 1, which is its second output.
  void nll_loss(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    const int64_t N = xs[0], C = xs[1], D = graph::num_elements(xs) / std::max<int64_t>(1, N * C);
    Buf x = in(n, 0);
    if (n.op == OpKind::SoftmaxCrossEntropyLoss) {
      for (int64_t b = 0; b < N; ++b)
        for (int64_t d = 0; d < D; ++d) {
          double m = -std::numeric_limits<double>::infinity(), s = 0;
          for (int64_t c = 0; c < C; ++c) m = std::max(m, x[static_cast<size_t>((b * C + c) * D + d)]);
          for (int64_t c = 0; c < C; ++c) s += std::exp(x[static_cast<size_t>((b * C + c) * D + d)] - m);
          for (int64_t c = 0; c < C; ++c) x[static_cast<size_t>((b * C + c) * D + d)] -= m + std::log(s);
        }
      if (n.outputs.size() > 1) set(n, x, 1);
    }
    const Buf &t = in(n, 1);
    const bool has_w = has_input(n, 2), has_ignore = n.has_attr("ignore_index");
    const int64_t ignore = n.attr_int("ignore_index", 0);
    Buf loss(static_cast<size_t>(N * D));
    double wsum = 0;
    for (int64_t b = 0; b < N; ++b)
      for (int64_t d = 0; d < D; ++d) {
        const int64_t c = to_i64(t[static_cast<size_t>(b * D + d)]);
        if (has_ignore && c == ignore) continue;
        if (c < 0 || c >= C)
          user_error(g_.describe(node_), ": target ", c, " is out of range [0, ", C - 1, "]");
        const double w = has_w ? in(n, 2)[static_cast<size_t>(c)] : 1.0;
        loss[static_cast<size_t>(b * D + d)] = -x[static_cast<size_t>((b * C + c) * D + d)] * w;
        wsum += w;
      }
    const std::string red = n.attr_string("reduction", "mean");
    if (red == "none") return set(n, std::move(loss));
    double sum = 0;
    for (double v : loss) sum += v;
    set(n, Buf{red == "sum" ? sum : sum / wsum});
  }

  void layer_norm(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    int64_t r = static_cast<int64_t>(xs.size());
    int64_t axis = graph::normalize_axis(g_, node_, n.attr_int("axis", -1), r);
    double eps = n.attr_float("epsilon", 1e-5f);
    Shape norm(xs.begin() + axis, xs.end());
    int64_t d = graph::num_elements(norm), outer = d == 0 ? 0 : graph::num_elements(xs) / d;
    Buf scale = graph::kernels::expand(in(n, 1), shape(n.inputs[1]), norm);
    Buf bias = has_input(n, 2) ? graph::kernels::expand(in(n, 2), shape(n.inputs[2]), norm)
                               : Buf(static_cast<size_t>(d), 0.0);
    const Buf &x = in(n, 0);
    Buf &y = out(n);
    Buf mean_out(static_cast<size_t>(outer)), inv_out(static_cast<size_t>(outer));
    for (int64_t o = 0; o < outer; ++o) {
      const double *xp = x.data() + o * d;
      double *yp = y.data() + o * d;
      double mean = 0, var = 0;
      for (int64_t k = 0; k < d; ++k) mean += xp[k];
      mean /= static_cast<double>(d);
      for (int64_t k = 0; k < d; ++k) var += (xp[k] - mean) * (xp[k] - mean);
      var /= static_cast<double>(d);
      double inv = 1.0 / std::sqrt(var + eps);
      for (int64_t k = 0; k < d; ++k) yp[k] = (xp[k] - mean) * inv * scale[k] + bias[k];
      mean_out[static_cast<size_t>(o)] = mean;
      inv_out[static_cast<size_t>(o)] = inv;
    }
    if (n.outputs.size() > 1) set(n, std::move(mean_out), 1);
    if (n.outputs.size() > 2) set(n, std::move(inv_out), 2);
  }

  void split(const Node &n) {
    const Shape &xs = shape(n.inputs[0]);
    int64_t axis =
        graph::normalize_axis(g_, node_, n.attr_int("axis", 0), static_cast<int64_t>(xs.size()));
    int64_t outer = 1, inner = 1, dim = xs[static_cast<size_t>(axis)];
    for (int64_t k = 0; k < axis; ++k) outer *= xs[static_cast<size_t>(k)];
    for (size_t k = static_cast<size_t>(axis) + 1; k < xs.size(); ++k) inner *= xs[k];
    const Buf &x = in(n, 0);
    int64_t off = 0;
    for (size_t k = 0; k < n.outputs.size(); ++k) {
      int64_t len = shape(n.outputs[k])[static_cast<size_t>(axis)];
      Buf y;
      y.reserve(static_cast<size_t>(outer * len * inner));
      for (int64_t o = 0; o < outer; ++o) {
        const double *src = x.data() + (o * dim + off) * inner;
        y.insert(y.end(), src, src + len * inner);
      }
      off += len;
      set(n, std::move(y), k);
    }
  }

  void dropout(const Node &n) {
    const bool zero_ratio = has_input(n, 1) && !in(n, 1).empty() && in(n, 1)[0] == 0.0;
    if (has_input(n, 2) && !in(n, 2).empty() && in(n, 2)[0] != 0 && !zero_ratio)
      user_error(g_.describe(node_), ": training_mode=true is not supported (inference only)");
    set(n, in(n, 0));
    if (n.outputs.size() > 1 && n.outputs[1] >= 0)  // the mask: all true
      set(n, Buf(static_cast<size_t>(graph::num_elements(shape(n.outputs[1]))), 1.0), 1);
  }

  const Graph &g_;
  std::vector<Buf> env_;
  std::vector<IBuf> ienv_;     // the exact values of integer-typed values
  std::vector<char> exact_;    // ienv_[id] is set
  int node_ = -1;
};

bool has_all_shapes(const Graph &g) {
  for (const Node &n : g.nodes)
    for (int id : n.outputs)
      if (!g.values[id].has_shape) return false;
  return true;
}

}  // namespace

std::vector<TensorData> run(const Graph &g, const std::vector<TensorData> &inputs) {
  if (has_all_shapes(g)) return Interpreter(g).run(inputs);
  Graph local = g;
  graph::infer_shapes(local);
  return Interpreter(local).run(inputs);
}

}  // namespace swtc::interp
