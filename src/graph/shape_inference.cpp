#include "graph/shape_inference.h"

#include <algorithm>

#include "common/error.h"

namespace swtc::graph {

namespace {

int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

std::string ints_str(const std::vector<int64_t> &v) { return shape_str(v); }

/// Checks that a constant's data matches its dtype and shape.
void check_tensor_data(const std::string &what, const TensorData &t) {
  for (int64_t d : t.shape)
    if (d < 0) user_error(what, ": negative dimension in shape ", shape_str(t.shape));
  int64_t n = num_elements(t.shape);
  size_t have = t.dtype == DType::F32 ? t.f32.size() : t.i64.size();
  if (static_cast<int64_t>(have) != n)
    user_error(what, ": shape ", shape_str(t.shape), " needs ", n, " elements but the data has ",
               have);
}

class ShapeInference {
 public:
  explicit ShapeInference(Graph &g) : g_(g) {}

  void run() {
    for (size_t v = 0; v < g_.values.size(); ++v) {
      Value &val = g_.values[v];
      if (!val.constant) continue;
      check_tensor_data(str_cat("constant '", val.name, "'"), *val.constant);
      val.dtype = val.constant->dtype;
      val.shape = val.constant->shape;
      val.has_shape = true;
    }
    for (int id : g_.inputs) {
      SWTC_CHECK(id >= 0 && id < static_cast<int>(g_.values.size()), "graph input id ", id);
      const Value &v = g_.values[id];
      if (!v.has_shape) user_error("graph input '", v.name, "' has an unknown shape or dtype");
      for (int64_t d : v.shape)
        if (d < 0)
          user_error("graph input '", v.name, "' has a negative dimension ", shape_str(v.shape));
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) infer_node(static_cast<int>(i));
  }

 private:
  template <typename... Args>
  [[noreturn]] void fail(const Args &...args) const {
    user_error(g_.describe(node_), ": ", args...);
  }

  const Node &node() const { return g_.nodes[node_]; }
  bool has_input(size_t k) const {
    return k < node().inputs.size() && node().inputs[k] >= 0;
  }
  const Value &in(size_t k) const { return g_.values[node().inputs[k]]; }
  const Shape &in_shape(size_t k) const { return in(k).shape; }

  void set_out(DType t, Shape s) {
    Value &o = g_.values[node().outputs[0]];
    o.dtype = t;
    o.shape = std::move(s);
    o.has_shape = true;
  }

  void require_f32(size_t k, const char *role) const {
    if (in(k).dtype != DType::F32)
      fail(role, " '", in(k).name, "' must be f32, got ", dtype_name(in(k).dtype));
  }

  void check_arity() const {
    const Node &n = node();
    OpArity a = op_arity(n.op);
    int ni = static_cast<int>(n.inputs.size());
    int no = static_cast<int>(n.outputs.size());
    if (n.op == OpKind::BatchNormalization && no > 1)
      fail("training-mode outputs (running mean/var) are not supported: expected 1 output, got ",
           no);
    if (n.op == OpKind::MaxPool && no > 1)
      fail("the Indices output is not supported: expected 1 output, got ", no);
    if (ni < a.min_inputs || ni > a.max_inputs)
      fail("expects ", a.min_inputs == a.max_inputs ? str_cat(a.min_inputs)
                                                    : str_cat(a.min_inputs, " to ", a.max_inputs),
           " inputs, got ", ni);
    if (no < a.min_outputs || no > a.max_outputs)
      fail("expects ", a.min_outputs, " output(s), got ", no);
    for (int k = 0; k < a.min_inputs; ++k)
      if (n.inputs[k] < 0) fail("required input #", k, " is missing");
    for (int id : n.inputs)
      SWTC_CHECK(id >= -1 && id < static_cast<int>(g_.values.size()), g_.describe(node_),
                 " input id ", id);
    for (int id : n.outputs)
      SWTC_CHECK(id >= 0 && id < static_cast<int>(g_.values.size()), g_.describe(node_),
                 " output id ", id);
  }

  void infer_node(int i) {
    node_ = i;
    check_arity();
    for (int id : node().inputs) {
      if (id < 0) continue;
      const Value &v = g_.values[id];
      if (!v.has_shape) fail("input '", v.name, "' has an unknown shape or dtype");
    }
    switch (node().op) {
      case OpKind::Conv: return conv();
      case OpKind::MaxPool:
      case OpKind::AveragePool: return pool();
      case OpKind::BatchNormalization: return batch_norm();
      case OpKind::Relu: require_f32(0, "input"); return set_out(DType::F32, in_shape(0));
      case OpKind::GlobalAveragePool: return global_average_pool();
      case OpKind::Add: return add();
      case OpKind::Flatten: return flatten();
      case OpKind::Reshape: return reshape();
      case OpKind::Gemm: return gemm();
      case OpKind::Identity: return set_out(in(0).dtype, in_shape(0));
      case OpKind::Constant: {
        TensorData t = constant_node_data(g_, node_);
        return set_out(t.dtype, t.shape);
      }
    }
    internal_error("infer_shapes: unhandled op ", op_name(node().op));
  }

  void conv() {
    require_f32(0, "input");
    require_f32(1, "weight");
    Window w = resolve_window(g_, node_);
    const Shape &x = in_shape(0), &wt = in_shape(1);
    int64_t m = wt[0];
    if (has_input(2)) {
      require_f32(2, "bias");
      if (in_shape(2) != Shape{m})
        fail("bias shape ", shape_str(in_shape(2)), " does not match output channels ", m,
             " (weight ", shape_str(wt), ")");
    }
    Shape out{x[0], m};
    out.insert(out.end(), w.out_spatial.begin(), w.out_spatial.end());
    set_out(DType::F32, out);
  }

  void pool() {
    require_f32(0, "input");
    Window w = resolve_window(g_, node_);
    const Shape &x = in_shape(0);
    Shape out{x[0], x[1]};
    out.insert(out.end(), w.out_spatial.begin(), w.out_spatial.end());
    set_out(DType::F32, out);
  }

  void batch_norm() {
    if (node().attr_int("training_mode", 0) != 0)
      fail("training_mode=1 is not supported (inference form only)");
    const char *roles[] = {"input", "scale", "bias", "mean", "var"};
    for (size_t k = 0; k < 5; ++k) require_f32(k, roles[k]);
    const Shape &x = in_shape(0);
    if (x.size() < 2) fail("input '", in(0).name, "' must have rank >= 2, got ", shape_str(x));
    for (size_t k = 1; k < 5; ++k)
      if (in_shape(k) != Shape{x[1]})
        fail(roles[k], " '", in(k).name, "' has shape ", shape_str(in_shape(k)),
             ", expected [", x[1], "] (channels of input ", shape_str(x), ")");
    set_out(DType::F32, x);
  }

  void global_average_pool() {
    require_f32(0, "input");
    const Shape &x = in_shape(0);
    if (x.size() < 3)
      fail("input '", in(0).name, "' must have rank >= 3 (N, C, spatial...), got ", shape_str(x));
    Shape out(x.size(), 1);
    out[0] = x[0];
    out[1] = x[1];
    set_out(DType::F32, out);
  }

  void add() {
    if (in(0).dtype != in(1).dtype)
      fail("input dtypes differ: ", dtype_name(in(0).dtype), " and ", dtype_name(in(1).dtype));
    auto s = broadcast_shapes(in_shape(0), in_shape(1));
    if (!s)
      fail("shapes ", shape_str(in_shape(0)), " and ", shape_str(in_shape(1)),
           " cannot be broadcast together");
    set_out(in(0).dtype, *s);
  }

  void flatten() {
    const Shape &x = in_shape(0);
    int64_t r = static_cast<int64_t>(x.size());
    int64_t axis = node().attr_int("axis", 1);
    if (axis < -r || axis > r)
      fail("axis ", axis, " is out of range [", -r, ", ", r, "] for input ", shape_str(x));
    if (axis < 0) axis += r;
    int64_t a = 1, b = 1;
    for (int64_t k = 0; k < r; ++k) (k < axis ? a : b) *= x[k];
    set_out(in(0).dtype, {a, b});
  }

  void reshape() {
    std::vector<int64_t> target;
    if (has_input(1)) {
      const Value &s = in(1);
      std::optional<TensorData> data = constant_value(g_, node().inputs[1]);
      if (!data)
        fail("shape input '", s.name,
             "' must be a constant (swtc needs static shapes; it is computed at run time)");
      if (s.dtype != DType::I64 || s.shape.size() != 1)
        fail("shape input '", s.name, "' must be a 1-D i64 tensor, got ", dtype_name(s.dtype),
             shape_str(s.shape));
      target = data->i64;
    } else {
      if (!node().has_attr("shape"))
        fail("needs a shape input (or, once canonicalized, a 'shape' attribute)");
      target = node().attr_ints("shape", {});
    }
    bool allowzero = node().attr_int("allowzero", 0) != 0;
    set_out(in(0).dtype, resolve_reshape(g_, node_, in_shape(0), target, allowzero));
  }

  void gemm() {
    require_f32(0, "A");
    require_f32(1, "B");
    const Shape &a = in_shape(0), &b = in_shape(1);
    if (a.size() != 2) fail("A '", in(0).name, "' must be 2-D, got ", shape_str(a));
    if (b.size() != 2) fail("B '", in(1).name, "' must be 2-D, got ", shape_str(b));
    int64_t ta = node().attr_int("transA", 0), tb = node().attr_int("transB", 0);
    int64_t m = ta ? a[1] : a[0], ka = ta ? a[0] : a[1];
    int64_t kb = tb ? b[1] : b[0], n = tb ? b[0] : b[1];
    if (ka != kb)
      fail("inner dimensions do not match: A ", shape_str(a), " (transA=", ta, ") has K=", ka,
           ", B ", shape_str(b), " (transB=", tb, ") has K=", kb);
    if (has_input(2)) {
      require_f32(2, "C");
      const Shape &c = in_shape(2);
      bool ok = c.size() <= 2;
      Shape y{m, n};
      for (size_t k = 0; ok && k < c.size(); ++k) {
        int64_t cd = c[c.size() - 1 - k], yd = y[1 - k];
        ok = cd == yd || cd == 1;
      }
      if (!ok)
        fail("C ", shape_str(c), " cannot be broadcast to the output shape ", shape_str(y));
    }
    set_out(DType::F32, {m, n});
  }

  Graph &g_;
  int node_ = -1;
};

}  // namespace

std::optional<Shape> broadcast_shapes(const Shape &a, const Shape &b) {
  size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (size_t k = 0; k < r; ++k) {
    int64_t da = k < r - a.size() ? 1 : a[k - (r - a.size())];
    int64_t db = k < r - b.size() ? 1 : b[k - (r - b.size())];
    if (da == db || db == 1)
      out[k] = da;
    else if (da == 1)
      out[k] = db;
    else
      return std::nullopt;
  }
  return out;
}

Shape resolve_reshape(const Graph &g, int node_id, const Shape &in,
                      const std::vector<int64_t> &target, bool allowzero) {
  auto fail = [&](const auto &...args) {
    user_error(g.describe(node_id), ": cannot reshape ", shape_str(in), " to ",
               ints_str(target), ": ", args...);
  };
  Shape out(target.size());
  int infer_at = -1;
  bool has_zero = false;
  for (size_t k = 0; k < target.size(); ++k) {
    int64_t d = target[k];
    if (d == -1) {
      if (infer_at >= 0) fail("more than one -1");
      infer_at = static_cast<int>(k);
      out[k] = 1;
    } else if (d < -1) {
      fail("negative dimension ", d);
    } else if (d == 0 && !allowzero) {
      if (k >= in.size()) fail("0 at position ", k, " copies a dimension the input does not have");
      out[k] = in[k];
    } else {
      if (d == 0) has_zero = true;
      out[k] = d;
    }
  }
  if (allowzero && has_zero && infer_at >= 0) fail("-1 together with 0 under allowzero=1");
  int64_t total = num_elements(in), known = num_elements(out);
  if (infer_at >= 0) {
    if (known == 0 || total % known != 0)
      fail("the element count ", total, " is not divisible by ", known);
    out[infer_at] = total / known;
  } else if (known != total) {
    fail("the element counts differ (", total, " vs ", known, ")");
  }
  return out;
}

Window resolve_window(const Graph &g, int node_id) {
  const Node &n = g.nodes[node_id];
  auto fail = [&](const auto &...args) { user_error(g.describe(node_id), ": ", args...); };
  const Value &xv = g.values[n.inputs[0]];
  const Shape &x = xv.shape;
  if (x.size() < 3)
    fail("input '", xv.name, "' must have rank >= 3 (N, C, spatial...), got ", shape_str(x));
  size_t nsp = x.size() - 2;
  Window w;
  w.in_spatial.assign(x.begin() + 2, x.end());
  bool is_conv = n.op == OpKind::Conv;
  if (is_conv) {
    const Value &wv = g.values[n.inputs[1]];
    const Shape &wt = wv.shape;
    if (wt.size() != x.size())
      fail("weight '", wv.name, "' ", shape_str(wt), " must have the rank of the input ",
           shape_str(x));
    w.group = n.attr_int("group", 1);
    if (w.group < 1) fail("group must be >= 1, got ", w.group);
    if (x[1] != wt[1] * w.group)
      fail("input channels ", x[1], " do not match weight channels ", wt[1], " x group ", w.group,
           " (input ", shape_str(x), ", weight ", shape_str(wt), ")");
    if (wt[0] % w.group != 0)
      fail("output channels ", wt[0], " are not divisible by group ", w.group);
    w.kernel.assign(wt.begin() + 2, wt.end());
    if (n.has_attr("kernel_shape") && n.attr_ints("kernel_shape", {}) != w.kernel)
      fail("kernel_shape ", ints_str(n.attr_ints("kernel_shape", {})),
           " does not match weight shape ", shape_str(wt));
  } else {
    if (!n.has_attr("kernel_shape")) fail("missing required attribute kernel_shape");
    w.kernel = n.attr_ints("kernel_shape", {});
    w.ceil_mode = n.attr_int("ceil_mode", 0) != 0;
    w.count_include_pad = n.attr_int("count_include_pad", 0) != 0;
  }
  w.strides = n.attr_ints("strides", std::vector<int64_t>(nsp, 1));
  w.dilations = n.attr_ints("dilations", std::vector<int64_t>(nsp, 1));
  w.pads = n.attr_ints("pads", std::vector<int64_t>(2 * nsp, 0));
  auto check_len = [&](const char *what, const std::vector<int64_t> &v, size_t len) {
    if (v.size() != len)
      fail(what, " ", ints_str(v), " must have ", len, " entries for input ", shape_str(x));
  };
  check_len("kernel_shape", w.kernel, nsp);
  check_len("strides", w.strides, nsp);
  check_len("dilations", w.dilations, nsp);
  check_len("pads", w.pads, 2 * nsp);
  for (size_t k = 0; k < nsp; ++k) {
    if (w.kernel[k] < 1) fail("kernel_shape ", ints_str(w.kernel), " must be positive");
    if (w.strides[k] < 1) fail("strides ", ints_str(w.strides), " must be positive");
    if (w.dilations[k] < 1) fail("dilations ", ints_str(w.dilations), " must be positive");
  }
  for (int64_t p : w.pads)
    if (p < 0) fail("pads ", ints_str(w.pads), " must be non-negative");
  std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID")
    fail("unknown auto_pad '", auto_pad, "'");
  if (auto_pad != "NOTSET" &&
      std::any_of(w.pads.begin(), w.pads.end(), [](int64_t p) { return p != 0; }))
    fail("auto_pad ", auto_pad, " cannot be combined with explicit pads ", ints_str(w.pads));
  w.out_spatial.resize(nsp);
  for (size_t k = 0; k < nsp; ++k) {
    int64_t in = w.in_spatial[k], s = w.strides[k];
    int64_t eff_k = w.dilations[k] * (w.kernel[k] - 1) + 1;
    int64_t out;
    if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
      out = ceil_div(in, s);
      int64_t total = std::max<int64_t>(0, (out - 1) * s + eff_k - in);
      int64_t small = total / 2;
      w.pads[k] = auto_pad == "SAME_UPPER" ? small : total - small;
      w.pads[k + nsp] = total - w.pads[k];
    } else {
      int64_t padded = in + w.pads[k] + w.pads[k + nsp];
      if (padded < eff_k)
        fail("the window (kernel ", ints_str(w.kernel), ", dilations ", ints_str(w.dilations),
             ") is larger than the padded input ", shape_str(x), " with pads ", ints_str(w.pads));
      if (w.ceil_mode) {
        out = ceil_div(padded - eff_k, s) + 1;
        // The last window must start inside the input or its begin padding.
        if ((out - 1) * s >= in + w.pads[k]) --out;
      } else {
        out = (padded - eff_k) / s + 1;
      }
    }
    w.out_spatial[k] = out;
  }
  return w;
}

TensorData constant_node_data(const Graph &g, int node_id) {
  const Node &n = g.nodes[node_id];
  auto fail = [&](const auto &...args) { user_error(g.describe(node_id), ": ", args...); };
  TensorData t;
  if (n.attrs.size() != 1)
    fail("needs exactly one of the attributes value, value_float, value_floats, value_int, "
         "value_ints; got ", n.attrs.size(), " attributes");
  const auto &[key, val] = *n.attrs.begin();
  if (key == "value" && std::holds_alternative<TensorData>(val)) {
    t = std::get<TensorData>(val);
  } else if (key == "value_float" && std::holds_alternative<float>(val)) {
    t.dtype = DType::F32;
    t.f32 = {std::get<float>(val)};
  } else if (key == "value_floats" && std::holds_alternative<std::vector<float>>(val)) {
    t.dtype = DType::F32;
    t.f32 = std::get<std::vector<float>>(val);
    t.shape = {static_cast<int64_t>(t.f32.size())};
  } else if (key == "value_int" && std::holds_alternative<int64_t>(val)) {
    t.dtype = DType::I64;
    t.i64 = {std::get<int64_t>(val)};
  } else if (key == "value_ints" && std::holds_alternative<std::vector<int64_t>>(val)) {
    t.dtype = DType::I64;
    t.i64 = std::get<std::vector<int64_t>>(val);
    t.shape = {static_cast<int64_t>(t.i64.size())};
  } else {
    fail("attribute '", key, "' is not supported (use value, value_float, value_floats, "
         "value_int or value_ints)");
  }
  check_tensor_data(g.describe(node_id), t);
  return t;
}

std::optional<TensorData> constant_value(const Graph &g, int value_id) {
  const Value &v = g.values[value_id];
  if (v.constant) return v.constant;
  if (v.producer >= 0 && g.nodes[v.producer].op == OpKind::Constant)
    return constant_node_data(g, v.producer);
  return std::nullopt;
}

void infer_shapes(Graph &g) { ShapeInference(g).run(); }

}  // namespace swtc::graph
