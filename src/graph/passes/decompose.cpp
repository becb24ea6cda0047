#include "graph/passes/decompose.h"

#include <algorithm>

#include "common/error.h"
#include "graph/resize.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

namespace {

class Decomposer {
 public:
  explicit Decomposer(const Graph &g) : g_(g) {}

  Graph run() {
    std::vector<Node> old = std::move(g_.nodes);
    g_.nodes.clear();
    for (size_t i = 0; i < old.size(); ++i) {
      base_ = old[i].name;
      switch (old[i].op) {
        case OpKind::Softmax:
        case OpKind::LogSoftmax: softmax(old[i]); break;
        case OpKind::Max:
        case OpKind::Min:
        case OpKind::Sum:
        case OpKind::Mean: variadic(old[i]); break;
        case OpKind::Tile: tile(old[i]); break;
        case OpKind::ScatterND:
        case OpKind::ScatterElements: scatter_nd(old[i]); break;
        case OpKind::Pad:
          if (old[i].attr_string("mode", "constant") == "constant")
            g_.nodes.push_back(old[i]);  // one kernel (lower_pad)
          else
            pad_by_slices(old[i]);
          break;
        case OpKind::LayerNormalization: layernorm(old[i]); break;
        case OpKind::ReduceLogSumExp: log_sum_exp(old[i]); break;
        case OpKind::ArgMax:
        case OpKind::ArgMin: arg_reduce(old[i]); break;
        case OpKind::DepthToSpace:
        case OpKind::SpaceToDepth: depth_space(old[i]); break;
        case OpKind::GlobalMaxPool: {
          std::vector<int64_t> axes;
          for (size_t d = 2; d < g_.values[old[i].inputs[0]].shape.size(); ++d)
            axes.push_back(static_cast<int64_t>(d));
          add(OpKind::ReduceMax, {old[i].inputs[0]}, {{"axes", axes}, {"keepdims", int64_t{1}}},
              old[i].outputs[0]);
          break;
        }
        case OpKind::InstanceNormalization: instance_norm(old[i]); break;
        case OpKind::Hardmax: hardmax(old[i]); break;
        case OpKind::Resize: resize(old[i]); break;
        case OpKind::ConvTranspose: conv_transpose(old[i]); break;
        case OpKind::Conv: conv_nd(old[i]); break;
        case OpKind::NegativeLogLikelihoodLoss:
        case OpKind::SoftmaxCrossEntropyLoss: nll_loss(old[i]); break;
        default: g_.nodes.push_back(old[i]); break;
      }
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i)
      for (int v : g_.nodes[i].outputs) g_.values[v].producer = static_cast<int>(i);
    infer_shapes(g_);
    verify(g_);
    return g_;
  }

 private:
  /// Adds node `op(inputs)`; its output is `out` if given, else a new value.
  int add(OpKind op, std::vector<int> inputs, std::map<std::string, AttrValue> attrs = {},
          int out = -1) {
    Node n;
    n.name = base_ + "/" + op_name(op) + "_" + std::to_string(count_++);
    n.op = op;
    n.inputs = std::move(inputs);
    n.attrs = std::move(attrs);
    if (out < 0) {
      Value v;
      v.name = n.name + "_output";
      v.dtype = DType::F32;
      out = g_.add_value(std::move(v));
    }
    n.outputs = {out};
    g_.nodes.push_back(std::move(n));
    return out;
  }

  int scalar(float x) {
    Value v;
    v.name = base_ + "/const_" + std::to_string(count_++);
    v.dtype = DType::F32;
    v.has_shape = true;
    TensorData t;
    t.dtype = DType::F32;
    t.f32 = {x};
    v.constant = t;
    return g_.add_value(std::move(v));
  }

  int constant(TensorData t) {
    Value v;
    v.name = base_ + "/const_" + std::to_string(count_++);
    v.dtype = t.dtype;
    v.shape = t.shape;
    v.has_shape = true;
    v.constant = std::move(t);
    return g_.add_value(std::move(v));
  }

  /// `v` with shape `s`: a new constant if `v` is one (a view of a weight
  /// would have no data of its own), else a Reshape.
  int reshaped(int v, const Shape &s) {
    if (g_.values[v].constant) {
      TensorData t = *g_.values[v].constant;
      t.shape = s;
      return constant(std::move(t));
    }
    return add(OpKind::Reshape, {v}, {{"shape", s}});
  }

  std::vector<int64_t> axes_from(int64_t axis, size_t rank, bool all_after) {
    std::vector<int64_t> axes;
    for (int64_t d = axis; d < static_cast<int64_t>(rank); ++d)
      if (d == axis || all_after) axes.push_back(d);
    return axes;
  }

  /// ConvTranspose (canonical, 1-D or 2-D, constant weight) as a Conv: the
  /// input with stride - 1 zeros inserted after each element (Reshape to
  /// [N, C, H, 1, W, 1], Pad, Reshape), padded by (kernel - 1) * dilation -
  /// pad on each side (+ output_padding at the end; negative pads crop), then
  /// a stride-1 Conv with the weight flipped and transposed to [M, C / group,
  /// kh, kw]. 1-D runs as 2-D with a unit H axis. The Conv does stride^2
  /// times the necessary multiply-adds (most taps read inserted zeros).
  void conv_transpose(const Node &n) {
    const TransposedWindow w = resolve_transposed_window(g_, n);
    const Shape xs = g_.values[n.inputs[0]].shape;
    const size_t nsp = xs.size() - 2;
    auto refuse = [&](const auto &...why) {
      user_error("node '", printable(n.name), "' (ConvTranspose, opset ", g_.opset,
                 "): not supported: ", why...);
    };
    if (nsp > 2) refuse(nsp, "-D (swtc's Conv is 2-D)");
    // The weight's data, copied: adding values below moves g_.values (a
    // reference into it dangled: heap-use-after-free, found by fuzzing).
    const std::optional<TensorData> w_data = g_.values[n.inputs[1]].constant;
    // 2-D view of every parameter: a 1-D axis becomes W with H of extent 1.
    auto two = [&](const std::vector<int64_t> &v, int64_t unit) {
      return nsp == 2 ? v : std::vector<int64_t>{unit, v.at(0)};
    };
    const std::vector<int64_t> K = two(w.kernel, 1), S = two(w.strides, 1),
                               D = two(w.dilations, 1), OP = two(w.output_padding, 0);
    const std::vector<int64_t> pb = two({w.pads.begin(), w.pads.begin() + nsp}, 0),
                               pe = two({w.pads.begin() + nsp, w.pads.end()}, 0);
    const int64_t N = xs[0], C = xs[1], H = nsp == 2 ? xs[2] : 1, W = xs.back();
    const int64_t M = w.out[1], cg = C / w.group, mg = M / w.group;
    int x = n.inputs[0];
    if (nsp == 1) x = reshaped(x, {N, C, 1, W});
    int64_t h = H, wd = W;
    if (S[0] > 1 || S[1] > 1) {
      x = reshaped(x, {N, C, H, 1, W, 1});
      x = add(OpKind::Pad, {x},
              {{"pads", std::vector<int64_t>{0, 0, 0, 0, 0, 0, 0, 0, 0, S[0] - 1, 0, S[1] - 1}},
               {"value", 0.0f},
               {"mode", std::string("constant")}});
      h = H * S[0], wd = W * S[1];
      x = reshaped(x, {N, C, h, wd});
    }
    std::vector<int64_t> pads(8, 0);
    for (size_t k = 0; k < 2; ++k) {
      pads[2 + k] = (K[k] - 1) * D[k] - pb[k];
      pads[6 + k] = (K[k] - 1) * D[k] - pe[k] + OP[k] - (S[k] - 1);
    }
    if (std::any_of(pads.begin(), pads.end(), [](int64_t p) { return p != 0; }))
      x = add(OpKind::Pad, {x},
              {{"pads", pads}, {"value", 0.0f}, {"mode", std::string("constant")}});
    // Weight [C, M / group, kh, kw] -> [M, C / group, kh, kw], taps flipped:
    // at compile time for a constant, else Reshape, Transpose and a Slice
    // with steps -1.
    int wt_id = -1;
    if (w_data) {
      const TensorData &src = *w_data;
      TensorData wt;
      wt.shape = {M, cg, K[0], K[1]};
      wt.f32.resize(src.f32.size());
      const int64_t ks = K[0] * K[1];
      for (int64_t c = 0; c < C; ++c)
        for (int64_t mo = 0; mo < mg; ++mo)
          for (int64_t t = 0; t < ks; ++t) {
            const int64_t m = c / cg * mg + mo;
            wt.f32[static_cast<size_t>((m * cg + c % cg) * ks + (ks - 1 - t))] =
                src.f32[static_cast<size_t>((c * mg + mo) * ks + t)];
          }
      wt_id = constant(std::move(wt));
    } else {
      int t = reshaped(n.inputs[1], {w.group, cg, mg, K[0], K[1]});
      t = add(OpKind::Transpose, {t}, {{"perm", std::vector<int64_t>{0, 2, 1, 3, 4}}});
      t = reshaped(t, {M, cg, K[0], K[1]});
      wt_id = add(OpKind::Slice, {t},
                  {{"starts", std::vector<int64_t>{0, 0, K[0] - 1, K[1] - 1}},
                   {"ends", std::vector<int64_t>{M, cg, -K[0] - 1, -K[1] - 1}},
                   {"axes", std::vector<int64_t>{0, 1, 2, 3}},
                   {"steps", std::vector<int64_t>{1, 1, -1, -1}}});
    }
    std::vector<int> ins = {x, wt_id};
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) ins.push_back(n.inputs[2]);
    const int y = add(OpKind::Conv, ins,
                      {{"kernel_shape", K},
                       {"strides", std::vector<int64_t>{1, 1}},
                       {"dilations", D},
                       {"pads", std::vector<int64_t>{0, 0, 0, 0}},
                       {"group", w.group}},
                      nsp == 2 ? n.outputs[0] : -1);
    if (nsp == 1) add(OpKind::Reshape, {y}, {{"shape", w.out}}, n.outputs[0]);
  }

  /// Conv (canonical) over 1 or 3 spatial axes as swtc's 2-D Conv (2-D
  /// Convs are kept). 1-D runs as 2-D with a unit H axis (Reshapes around
  /// it). 3-D [N, C, D, H, W] is the sum over the depth taps kd of a 2-D
  /// Conv of the input planes that tap reads, kd * dilation + od * stride
  /// for every output depth od (depth pads by a Pad, planes by a Slice of
  /// the input transposed to [N, D, C, H, W], output depths folded into the
  /// batch), with the weight's plane kd; the bias is added by the first.
  void conv_nd(const Node &n) {
    const Shape xs = g_.values[n.inputs[0]].shape, ws = g_.values[n.inputs[1]].shape,
                ys = g_.values[n.outputs[0]].shape;
    const size_t nsp = xs.size() - 2;
    if (nsp == 2) {
      g_.nodes.push_back(n);
      return;
    }
    if (nsp != 1 && nsp != 3)
      user_error("node '", printable(n.name), "' (Conv, opset ", g_.opset, "): not supported: ",
                 nsp, "-D convolution (swtc runs 1-D, 2-D and 3-D)");
    const std::vector<int64_t> K = n.attr_ints("kernel_shape", {}), S = n.attr_ints("strides", {}),
                               D = n.attr_ints("dilations", {}), P = n.attr_ints("pads", {});
    const int64_t group = n.attr_int("group", 1);
    const bool bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
    const int64_t N = xs[0], C = xs[1], M = ws[0], cg = ws[1];
    auto conv2d = [&](int x, int w, bool with_bias, std::vector<int64_t> k, std::vector<int64_t> s,
                      std::vector<int64_t> d, std::vector<int64_t> p, int out) {
      std::vector<int> ins = {x, w};
      if (with_bias) ins.push_back(n.inputs[2]);
      return add(OpKind::Conv, ins,
                 {{"kernel_shape", k}, {"strides", s}, {"dilations", d}, {"pads", p},
                  {"group", group}},
                 out);
    };
    if (nsp == 1) {
      const int x = reshaped(n.inputs[0], {N, C, 1, xs[2]});
      const int w = reshaped(n.inputs[1], {M, cg, 1, K[0]});
      const int y = conv2d(x, w, bias, {1, K[0]}, {1, S[0]}, {1, D[0]}, {0, P[0], 0, P[1]}, -1);
      add(OpKind::Reshape, {y}, {{"shape", ys}}, n.outputs[0]);
      return;
    }
    const int64_t H = xs[3], W = xs[4], Do = ys[2];
    const int64_t Dp = xs[2] + P[0] + P[3];
    int x = n.inputs[0];
    if (P[0] != 0 || P[3] != 0)
      x = add(OpKind::Pad, {x},
              {{"pads", std::vector<int64_t>{0, 0, P[0], 0, 0, 0, 0, P[3], 0, 0}},
               {"value", 0.0f},
               {"mode", std::string("constant")}});
    x = add(OpKind::Transpose, {x}, {{"perm", std::vector<int64_t>{0, 2, 1, 3, 4}}});
    // A copy: add() grows g_.values, which would leave a reference dangling.
    const std::optional<TensorData> wdata = g_.values[n.inputs[1]].constant;
    const int64_t plane = K[1] * K[2];
    int sum = -1;
    for (int64_t kd = 0; kd < K[0]; ++kd) {
      const int64_t start = kd * D[0];
      int xk = x;
      if (!(start == 0 && S[0] == 1 && Do == Dp))
        xk = add(OpKind::Slice, {x},
                 {{"starts", std::vector<int64_t>{start}},
                  {"ends", std::vector<int64_t>{start + (Do - 1) * S[0] + 1}},
                  {"axes", std::vector<int64_t>{1}},
                  {"steps", std::vector<int64_t>{S[0]}}});
      xk = reshaped(xk, {N * Do, C, H, W});
      int wk = -1;
      if (wdata) {  // the weight's plane kd, at compile time
        const TensorData &src = *wdata;
        TensorData t;
        t.shape = {M, cg, K[1], K[2]};
        t.f32.resize(static_cast<size_t>(M * cg * plane));
        for (int64_t mc = 0; mc < M * cg; ++mc)
          for (int64_t e = 0; e < plane; ++e)
            t.f32[static_cast<size_t>(mc * plane + e)] =
                src.f32[static_cast<size_t>((mc * K[0] + kd) * plane + e)];
        wk = constant(std::move(t));
      } else {
        wk = add(OpKind::Slice, {n.inputs[1]},
                 {{"starts", std::vector<int64_t>{kd}},
                  {"ends", std::vector<int64_t>{kd + 1}},
                  {"axes", std::vector<int64_t>{2}},
                  {"steps", std::vector<int64_t>{1}}});
        wk = reshaped(wk, {M, cg, K[1], K[2]});
      }
      const int yk = conv2d(xk, wk, bias && kd == 0, {K[1], K[2]}, {S[1], S[2]}, {D[1], D[2]},
                            {P[1], P[2], P[4], P[5]}, -1);
      sum = sum < 0 ? yk : add(OpKind::Add, {sum, yk});
    }
    const int y = reshaped(sum, {N, Do, M, ys[3], ys[4]});
    add(OpKind::Transpose, {y}, {{"perm", std::vector<int64_t>{0, 2, 1, 3, 4}}}, n.outputs[0]);
  }

  /// Resize (canonical): per resized axis, innermost first, a MatMul with a
  /// constant interpolation matrix over the input viewed as [outer, in,
  /// inner]: W[out, in] x [outer, in, inner], or [outer, in] x W^T[in, out]
  /// for the last axis (row i of W holds output i's taps, graph/resize.h),
  /// plus extrapolation_value where tf_crop_and_resize has no taps. Exact for
  /// nearest (one weight 1 per row); each matrix is dense, so an axis costs
  /// in x out multiply-adds per element of the other axes.
  void resize(const Node &n) {
    const ResizeParams p =
        resize_params(g_, n, g_.values[n.inputs[0]].shape,
                      [](size_t) { return std::nullopt; });
    Shape s = g_.values[n.inputs[0]].shape;
    int x = n.inputs[0];
    std::vector<size_t> axes;  // the axes that change, innermost first
    std::vector<ResizeTaps> taps;
    for (size_t a = s.size(); a-- > 0;) {
      ResizeTaps t = resize_taps(p, a, s[a]);
      if (resize_identity(t, s[a])) continue;
      axes.push_back(a);
      taps.push_back(std::move(t));
    }
    if (axes.empty()) {
      add(OpKind::Identity, {x}, {}, n.outputs[0]);
      return;
    }
    for (size_t k = 0; k < axes.size(); ++k) {
      const size_t a = axes[k];
      const int64_t in = s[a], out = p.out[a];
      int64_t outer = 1, inner = 1;
      for (size_t d = 0; d < a; ++d) outer *= s[d];
      for (size_t d = a + 1; d < s.size(); ++d) inner *= s[d];
      const bool last = inner == 1;
      TensorData w;
      w.shape = last ? Shape{in, out} : Shape{out, in};
      w.f32.assign(static_cast<size_t>(in * out), 0.0f);
      TensorData bias;
      bias.shape = last ? Shape{out} : Shape{out, 1};
      bias.f32.assign(static_cast<size_t>(out), 0.0f);
      bool extrapolates = false;
      for (int64_t i = 0; i < out; ++i) {
        const auto &row = taps[k][static_cast<size_t>(i)];
        if (row.empty()) {
          bias.f32[static_cast<size_t>(i)] = static_cast<float>(p.extrapolation);
          extrapolates = extrapolates || p.extrapolation != 0;
        }
        for (const auto &[j, wt] : row)
          w.f32[static_cast<size_t>(last ? j * out + i : i * in + j)] = static_cast<float>(wt);
      }
      Shape view = last ? Shape{outer, in} : Shape{outer, in, inner};
      if (!last && outer == 1) view = {in, inner};
      const int xv = view == s ? x : reshaped(x, view);
      s[a] = out;
      const bool final_op = k + 1 == axes.size();
      Shape res = last ? Shape{outer, out} : Shape{outer, out, inner};
      if (!last && outer == 1) res = {out, inner};
      const bool same = res == s;
      const int direct = final_op && same ? n.outputs[0] : -1;
      int y = last ? add(OpKind::MatMul, {xv, constant(std::move(w))}, {},
                         extrapolates ? -1 : direct)
                   : add(OpKind::MatMul, {constant(std::move(w)), xv}, {},
                         extrapolates ? -1 : direct);
      if (extrapolates) y = add(OpKind::Add, {y, constant(std::move(bias))}, {}, direct);
      if (!same) {
        if (final_op)
          add(OpKind::Reshape, {y}, {{"shape", s}}, n.outputs[0]);
        else
          y = reshaped(y, s);
      }
      x = y;
    }
  }

  void softmax(const Node &n) {
    const int x = n.inputs[0];
    const size_t rank = g_.values[x].shape.size();
    const auto axes = axes_from(n.attr_int("axis", -1), rank, n.attr_int("coerce_2d", 0) != 0);
    std::map<std::string, AttrValue> red = {{"axes", axes}, {"keepdims", int64_t{1}}};
    int m = add(OpKind::ReduceMax, {x}, red);
    int d = add(OpKind::Sub, {x, m});
    int e = add(OpKind::Exp, {d});
    int s = add(OpKind::ReduceSum, {e}, red);
    if (n.op == OpKind::LogSoftmax)  // x - max - log(sum(exp(x - max)))
      add(OpKind::Sub, {d, add(OpKind::Log, {s})}, {}, n.outputs[0]);
    else
      add(OpKind::Div, {e, s}, {}, n.outputs[0]);
  }

  /// Max / Min / Sum / Mean of k inputs: a chain of k-1 two-input Max / Min /
  /// Add nodes (numpy broadcasting at each), Mean then divided by k; one
  /// input: an Identity.
  void variadic(const Node &n) {
    const size_t k = n.inputs.size();
    const bool mean = n.op == OpKind::Mean;
    if (k == 1) {
      add(OpKind::Identity, {n.inputs[0]}, {}, n.outputs[0]);
      return;
    }
    const OpKind op = n.op == OpKind::Sum || mean ? OpKind::Add : n.op;
    int t = n.inputs[0];
    for (size_t i = 1; i < k; ++i)
      t = add(op, {t, n.inputs[i]}, {}, i + 1 == k && !mean ? n.outputs[0] : -1);
    if (mean) add(OpKind::Div, {t, scalar(static_cast<float>(k))}, {}, n.outputs[0]);
  }

  void layernorm(const Node &n) {
    const int x = n.inputs[0];
    const size_t rank = g_.values[x].shape.size();
    const auto axes = axes_from(n.attr_int("axis", -1), rank, true);
    std::map<std::string, AttrValue> red = {{"axes", axes}, {"keepdims", int64_t{1}}};
    // Optional outputs: Mean, InvStdDev (shape inference gave their shapes).
    const int mean_out = n.outputs.size() > 1 ? n.outputs[1] : -1;
    const int inv_out = n.outputs.size() > 2 ? n.outputs[2] : -1;
    int mean = add(OpKind::ReduceMean, {x}, red, mean_out);
    int d = add(OpKind::Sub, {x, mean});
    int var = add(OpKind::ReduceMean, {add(OpKind::Mul, {d, d})}, red);
    int sd = add(OpKind::Sqrt, {add(OpKind::Add, {var, scalar(n.attr_float("epsilon", 1e-5f))})});
    if (inv_out >= 0) add(OpKind::Reciprocal, {sd}, {}, inv_out);
    int norm = add(OpKind::Div, {d, sd});
    const bool bias = n.inputs.size() > 2 && n.inputs[2] >= 0;
    int scaled = add(OpKind::Mul, {norm, n.inputs[1]}, {}, bias ? -1 : n.outputs[0]);
    if (bias) add(OpKind::Add, {scaled, n.inputs[2]}, {}, n.outputs[0]);
  }

  /// ReduceLogSumExp = m + log(sum(exp(x - m))), m the max over the same
  /// axes (kept for the subtraction): no overflow of exp for large x.
  void log_sum_exp(const Node &n) {
    const int x = n.inputs[0];
    const std::vector<int64_t> axes = n.attr_ints("axes", {});
    const int64_t keep = n.attr_int("keepdims", 1);
    int m = add(OpKind::ReduceMax, {x}, {{"axes", axes}, {"keepdims", int64_t{1}}});
    int e = add(OpKind::Exp, {add(OpKind::Sub, {x, m})});
    int l = add(OpKind::Log, {add(OpKind::ReduceSum, {e}, {{"axes", axes}, {"keepdims", keep}})});
    if (!keep) m = add(OpKind::ReduceMax, {x}, {{"axes", axes}, {"keepdims", keep}});
    add(OpKind::Add, {l, m}, {}, n.outputs[0]);
  }

  /// ArgMax / ArgMin(x): the first (or, select_last_index, the last) index
  /// along the axis where x equals its ReduceMax / ReduceMin, given to the
  /// ArgMax / ArgMin kernel as a second input (lower_argreduce).
  void arg_reduce(const Node &n) {
    const int x = n.inputs[0];
    const std::vector<int64_t> axes = {n.attr_int("axis", 0)};
    const OpKind red = n.op == OpKind::ArgMax ? OpKind::ReduceMax : OpKind::ReduceMin;
    const int m = add(red, {x}, {{"axes", axes}, {"keepdims", int64_t{1}}});
    add(n.op, {x, m}, n.attrs, n.outputs[0]);
  }

  /// NegativeLogLikelihoodLoss (SoftmaxCrossEntropyLoss: of LogSoftmax(x)
  /// over axis 1, its second output) with a compile-time target t: a
  /// constant mask M[n, c, d..] = (t[n, d..] == c, not ignore_index) picks
  /// the entries, loss = -ReduceSum_c(x * M * w) ('none'), its ReduceSum
  /// ('sum'), or that divided by ReduceSum(M * w) ('mean'; without weights a
  /// constant count).
  void nll_loss(const Node &n) {
    auto unsupported = [&](const auto &...why) {
      user_error("node '", printable(n.name), "' (", op_name(n.op), ", opset ", g_.opset,
                 "): not supported: ", why...);
    };
    const Value &tv = g_.values[n.inputs[1]];
    if (!tv.constant)
      unsupported("target '", printable(tv.name),
                  "' must be a constant (pass it with --bind; it is computed at run time)");
    const std::vector<int64_t> t = tv.constant->i64;  // (adding values moves g_.values)
    const Shape xs = g_.values[n.inputs[0]].shape;
    const int64_t N = xs[0], C = xs[1], D = num_elements(xs) / std::max<int64_t>(1, N * C);
    if (num_elements(xs) > kMaxMask)
      unsupported("input ", shape_str(xs), " has more than ", kMaxMask,
                  " elements (the class mask is a constant of the input's size)");
    int x = n.inputs[0];
    if (n.op == OpKind::SoftmaxCrossEntropyLoss) {
      Node ls;
      ls.name = n.name;
      ls.op = OpKind::LogSoftmax;
      ls.inputs = {x};
      ls.attrs = {{"axis", int64_t{1}}, {"coerce_2d", int64_t{0}}};
      if (n.outputs.size() > 1) {
        ls.outputs = {n.outputs[1]};
      } else {
        Value v;
        v.name = n.name + "/log_prob";
        ls.outputs = {g_.add_value(std::move(v))};
      }
      softmax(ls);
      x = ls.outputs[0];
    }
    const bool has_ignore = n.has_attr("ignore_index");
    const int64_t ignore = n.attr_int("ignore_index", 0);
    TensorData mask;
    mask.dtype = DType::F32;
    mask.shape = xs;
    mask.f32.assign(static_cast<size_t>(num_elements(xs)), 0.0f);
    int64_t count = 0;
    for (int64_t b = 0; b < N; ++b)
      for (int64_t d = 0; d < D; ++d) {
        const int64_t c = t[static_cast<size_t>(b * D + d)];
        if (has_ignore && c == ignore) continue;
        if (c < 0 || c >= C)
          user_error("node '", printable(n.name), "' (", op_name(n.op), "): target ", c, " (at flat index ", b * D + d,
                     ") is out of range [0, ", C - 1, "]");
        mask.f32[static_cast<size_t>((b * C + c) * D + d)] = 1.0f;
        ++count;
      }
    int m = constant(std::move(mask));
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {  // w as [C, 1, ..]: broadcast along axis 1
      Shape ws(xs.size() - 1, 1);
      ws[0] = C;
      m = add(OpKind::Mul, {m, reshaped(n.inputs[2], ws)});
    }
    const int picked = add(OpKind::Mul, {x, m});
    const std::string red = n.attr_string("reduction", "mean");
    std::vector<int64_t> all;
    for (size_t d = 0; d < xs.size(); ++d) all.push_back(static_cast<int64_t>(d));
    auto sum = [&](int v, std::vector<int64_t> axes) {
      return add(OpKind::ReduceSum, {v}, {{"axes", axes}, {"keepdims", int64_t{0}}});
    };
    if (red == "none") {
      add(OpKind::Neg, {sum(picked, {1})}, {}, n.outputs[0]);
    } else if (red == "sum") {
      add(OpKind::Neg, {sum(picked, all)}, {}, n.outputs[0]);
    } else {
      const int den = n.inputs.size() > 2 && n.inputs[2] >= 0
                          ? sum(m, all)
                          : scalar(static_cast<float>(count));
      add(OpKind::Neg, {add(OpKind::Div, {sum(picked, all), den})}, {}, n.outputs[0]);
    }
  }

  static constexpr int64_t kMaxMask = int64_t{1} << 24;

  /// DepthToSpace / SpaceToDepth: a Reshape to 6-D, a Transpose, a Reshape
  /// (views around one copy kernel).
  void depth_space(const Node &n) {
    const Shape xs = g_.values[n.inputs[0]].shape;
    const int64_t b = n.attr_int("blocksize", 1), N = xs[0], C = xs[1], H = xs[2], W = xs[3];
    Shape s6, out;
    std::vector<int64_t> perm;
    if (n.op == OpKind::DepthToSpace) {
      const int64_t c2 = C / (b * b);
      if (n.attr_string("mode", "DCR") == "CRD") {
        s6 = {N, c2, b, b, H, W};
        perm = {0, 1, 4, 2, 5, 3};
      } else {
        s6 = {N, b, b, c2, H, W};
        perm = {0, 3, 4, 1, 5, 2};
      }
      out = {N, c2, H * b, W * b};
    } else {
      s6 = {N, C, H / b, b, W / b, b};
      perm = {0, 3, 5, 1, 2, 4};
      out = {N, C * b * b, H / b, W / b};
    }
    const int r6 = add(OpKind::Reshape, {n.inputs[0]}, {{"shape", s6}});
    const int t = add(OpKind::Transpose, {r6}, {{"perm", perm}});
    add(OpKind::Reshape, {t}, {{"shape", out}}, n.outputs[0]);
  }

  /// InstanceNormalization: per (n, c), (x - mean) / sqrt(var + eps) over the
  /// spatial axes, times scale[c], plus B[c] (both reshaped to [C, 1, ..]).
  void instance_norm(const Node &n) {
    const int x = n.inputs[0];
    const size_t rank = g_.values[x].shape.size();
    std::vector<int64_t> axes;
    for (size_t d = 2; d < rank; ++d) axes.push_back(static_cast<int64_t>(d));
    std::map<std::string, AttrValue> red = {{"axes", axes}, {"keepdims", int64_t{1}}};
    Shape cs(rank - 1, 1);
    cs[0] = g_.values[x].shape[1];
    const int mean = add(OpKind::ReduceMean, {x}, red);
    const int d = add(OpKind::Sub, {x, mean});
    const int var = add(OpKind::ReduceMean, {add(OpKind::Mul, {d, d})}, red);
    const int sd = add(OpKind::Sqrt, {add(OpKind::Add, {var, scalar(n.attr_float("epsilon", 1e-5f))})});
    const int norm = add(OpKind::Div, {d, sd});
    const int scaled = add(OpKind::Mul, {norm, reshaped(n.inputs[1], cs)});
    add(OpKind::Add, {scaled, reshaped(n.inputs[2], cs)}, {}, n.outputs[0]);
  }

  /// Hardmax: 1 where the index along axis is ArgMax's (the first maximum):
  /// Cast(Equal(iota, ArgMax(x, ReduceMax(x)))), iota a constant 0..D-1
  /// along axis.
  void hardmax(const Node &n) {
    const int x = n.inputs[0];
    const Shape xs = g_.values[x].shape;
    const int64_t axis = n.attr_int("axis", -1) < 0 ? n.attr_int("axis", -1) + static_cast<int64_t>(xs.size())
                                                    : n.attr_int("axis", -1);
    const std::vector<int64_t> axes = {axis};
    const int m = add(OpKind::ReduceMax, {x}, {{"axes", axes}, {"keepdims", int64_t{1}}});
    const int am = add(OpKind::ArgMax, {x, m},
                       {{"axis", axis}, {"keepdims", int64_t{1}}, {"select_last_index", int64_t{0}}});
    TensorData iota;
    iota.dtype = DType::I64;
    iota.shape = Shape(xs.size(), 1);
    iota.shape[static_cast<size_t>(axis)] = xs[static_cast<size_t>(axis)];
    for (int64_t j = 0; j < xs[static_cast<size_t>(axis)]; ++j) iota.i64.push_back(j);
    const int eq = add(OpKind::Equal, {constant(std::move(iota)), am});
    add(OpKind::Cast, {eq}, {{"to", int64_t{1}}}, n.outputs[0]);
  }

  /// Tile: along each axis repeated r > 1 times, a Concat of r copies.
  /// ScatterND / ScatterElements with compile-time indices: Concat(flat data, flat updates)
  /// and a Gather of it with a constant index of data's shape that picks each
  /// entry from data, or from updates where an index tuple writes it (a later
  /// duplicate wins, as the interpreter's loop). Exact; one gather kernel.
  /// Run-time indices are refused.
  void scatter_nd(const Node &n) {
    const int x = n.inputs[0], ix = n.inputs[1], u = n.inputs[2];
    if (!g_.values[ix].constant)
      user_error("node '", printable(n.name), "' (", op_name(n.op), ", opset ", g_.opset,
                 "): not supported: indices '", printable(g_.values[ix].name),
                 "' that are not a compile-time constant");
    const Shape xs = g_.values[x].shape;  // (adding values moves g_.values)
    const TensorData idx = *g_.values[ix].constant;
    const int64_t q = g_.values[ix].shape.back();
    const int64_t nx = num_elements(xs), nu = num_elements(g_.values[u].shape);
    int64_t slice = 1;
    for (size_t d = static_cast<size_t>(q); d < xs.size(); ++d) slice *= xs[d];
    std::vector<int64_t> st(xs.size(), 1);
    for (size_t d = xs.size(); d-- > 1;) st[d - 1] = st[d] * xs[d];
    TensorData map;
    map.dtype = DType::I64;
    map.shape = xs;
    map.i64.resize(static_cast<size_t>(nx));
    for (int64_t e = 0; e < nx; ++e) map.i64[static_cast<size_t>(e)] = e;
    if (n.op == OpKind::ScatterElements) {  // updates[p] goes to p with p[axis] = idx[p]
      const Shape is = g_.values[ix].shape;
      const size_t axis = static_cast<size_t>(n.attr_int("axis", 0));
      std::vector<int64_t> pos(is.size(), 0);
      for (size_t e = 0; e < idx.i64.size(); ++e) {
        int64_t j = idx.i64[e];
        if (j < 0) j += xs[axis];
        int64_t off = 0;
        for (size_t d = 0; d < is.size(); ++d) off += (d == axis ? j : pos[d]) * st[d];
        map.i64[static_cast<size_t>(off)] = nx + static_cast<int64_t>(e);
        for (size_t d = is.size(); d-- > 0;) {
          if (++pos[d] < is[d]) break;
          pos[d] = 0;
        }
      }
    } else {
      for (int64_t k = 0; k * q < static_cast<int64_t>(idx.i64.size()); ++k) {
        int64_t off = 0;
        for (int64_t d = 0; d < q; ++d) {
          int64_t j = idx.i64[static_cast<size_t>(k * q + d)];
          if (j < 0) j += xs[static_cast<size_t>(d)];
          off += j * st[static_cast<size_t>(d)];
        }
        for (int64_t e = 0; e < slice; ++e)
          map.i64[static_cast<size_t>(off + e)] = nx + k * slice + e;
      }
    }
    const DType t = g_.values[x].dtype;
    const int fx = reshaped(x, {nx}), fu = reshaped(u, {nu});
    g_.values[fx].dtype = g_.values[fu].dtype = t;
    const int cat = add(OpKind::Concat, {fx, fu}, {{"axis", int64_t{0}}});
    g_.values[cat].dtype = t;
    add(OpKind::Gather, {cat, constant(std::move(map))}, {{"axis", int64_t{0}}}, n.outputs[0]);
  }

  void tile(const Node &n) {
    const std::vector<int64_t> reps = n.attr_ints("repeats", {});
    int last = -1;
    for (size_t d = 0; d < reps.size(); ++d)
      if (reps[d] != 1) last = static_cast<int>(d);
    if (last < 0) {
      add(OpKind::Identity, {n.inputs[0]}, {}, n.outputs[0]);
      return;
    }
    int cur = n.inputs[0];
    for (size_t d = 0; d < reps.size(); ++d) {
      if (reps[d] == 1) continue;
      std::vector<int> ins(static_cast<size_t>(reps[d]), cur);
      cur = add(OpKind::Concat, ins, {{"axis", static_cast<int64_t>(d)}},
                static_cast<int>(d) == last ? n.outputs[0] : -1);
    }
  }

  int slice(int x, size_t axis, int64_t start, int64_t end, int64_t step) {
    return add(OpKind::Slice, {x},
               {{"starts", std::vector<int64_t>{start}}, {"ends", std::vector<int64_t>{end}},
                {"axes", std::vector<int64_t>{static_cast<int64_t>(axis)}},
                {"steps", std::vector<int64_t>{step}}});
  }

  /// Pad in edge or reflect mode (pads >= 0, shape inference checked): per
  /// padded axis, a Concat of the slices before (edge: the first entry,
  /// repeated; reflect: entries b..1, a step -1 slice), the input, and the
  /// slices after. Each part is an affine copy kernel.
  void pad_by_slices(const Node &n) {
    const int x = n.inputs[0];
    const Shape xs = g_.values[x].shape;
    const size_t r = xs.size();
    const std::vector<int64_t> p = n.attr_ints("pads", std::vector<int64_t>(2 * r, 0));
    const bool edge = n.attr_string("mode", "constant") == "edge";
    int last = -1;
    for (size_t d = 0; d < r; ++d)
      if (p[d] > 0 || p[d + r] > 0) last = static_cast<int>(d);
    if (last < 0) {
      add(OpKind::Identity, {x}, {}, n.outputs[0]);
      return;
    }
    int cur = x;
    for (size_t d = 0; d < r; ++d) {
      const int64_t b = p[d], e = p[d + r], len = xs[d];
      if (b <= 0 && e <= 0) continue;
      std::vector<int> parts;
      if (b > 0) {
        if (edge)
          parts.assign(static_cast<size_t>(b), slice(cur, d, 0, 1, 1));
        else
          parts.push_back(slice(cur, d, b, 0, -1));  // entries b, b-1, .., 1
      }
      parts.push_back(cur);
      if (e > 0) {
        if (edge) {
          const int s = slice(cur, d, len - 1, len, 1);
          parts.insert(parts.end(), static_cast<size_t>(e), s);
        } else {  // entries len-2 down to len-1-e; -(len+1) is "before index 0"
          const int64_t end = len - 2 - e >= 0 ? len - 2 - e : -(len + 1);
          parts.push_back(slice(cur, d, len - 2, end, -1));
        }
      }
      cur = add(OpKind::Concat, parts, {{"axis", static_cast<int64_t>(d)}},
                static_cast<int>(d) == last ? n.outputs[0] : -1);
    }
  }

  Graph g_;
  std::string base_;
  int count_ = 0;
};

}  // namespace

Graph decompose(const Graph &g) { return Decomposer(g).run(); }

}  // namespace swtc::graph
