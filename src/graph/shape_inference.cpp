#include "graph/shape_inference.h"

#include <algorithm>
#include <cmath>

#include "common/error.h"
#include "graph/index_kernels.h"
#include "graph/limits.h"
#include "graph/resize.h"

namespace swtc::graph {

namespace {

// (a >= 0: without forming a + b - 1, which overflows for a near 2^63;
// fuzzer-found, a SAME_UPPER pool over a dimension of 2^63 - 1.)
int64_t ceil_div(int64_t a, int64_t b) {
  if (a >= 0) return a / b + (a % b != 0 ? 1 : 0);
  return (a + b - 1) / b;
}

std::string ints_str(const std::vector<int64_t> &v) { return shape_str(v); }

/// Checks that a constant's data matches its dtype and shape.
void check_tensor_data(const std::string &what, const TensorData &t) {
  check_tensor_shape(t.shape, t.dtype, what);
  int64_t n = num_elements(t.shape);
  size_t have = t.dtype == DType::F32 ? t.f32.size() : t.i64.size();
  if (static_cast<int64_t>(have) != n)
    user_error(what, ": shape ", shape_str(t.shape), " needs ", n, " elements but the data has ",
               have);
}

class ShapeInference {
 public:
  explicit ShapeInference(Graph &g) : g_(g) {}

  KnownValues run() {
    known_.assign(g_.values.size(), std::nullopt);
    for (size_t v = 0; v < g_.values.size(); ++v) {
      Value &val = g_.values[v];
      if (!val.constant) continue;
      check_tensor_data(str_cat("constant '", val.name, "'"), *val.constant);
      val.dtype = val.constant->dtype;
      val.shape = val.constant->shape;
      val.has_shape = true;
      if (val.dtype == DType::I64 || val.constant->size() <= kMaxKnown) known_[v] = val.constant;
    }
    for (int id : g_.inputs) {
      SWTC_CHECK(id >= 0 && id < static_cast<int>(g_.values.size()), "graph input id ", id);
      const Value &v = g_.values[id];
      if (!v.has_shape) user_error("graph input '", v.name, "' has an unknown shape or dtype");
      check_tensor_shape(v.shape, v.dtype, str_cat("graph input '", v.name, "'"));
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      infer_node(static_cast<int>(i));
      propagate();
    }
    return std::move(known_);
  }

 private:
  /// A feature of a supported op that swtc does not handle: the named
  /// `node '<name>' (<Op>, opset N): not supported: <why>` error.
  template <typename... Args>
  [[noreturn]] void unsupported(const Args &...args) const {
    const Node &n = g_.nodes[node_];
    user_error("node '", printable(n.name), "' (", op_name(n.op), ", opset ", g_.opset,
               "): not supported: ", args...);
  }

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

  void set_out(DType t, Shape s, size_t k = 0) {
    Value &o = g_.values[node().outputs[k]];
    check_tensor_shape(s, t, str_cat(g_.describe(node_), ": output '", o.name, "'"));
    o.dtype = t;
    o.shape = std::move(s);
    o.has_shape = true;
  }

  void require_f32(size_t k, const char *role) const {
    if (in(k).dtype != DType::F32)
      unsupported(role, " '", in(k).name, "' has type ", dtype_name(in(k).dtype), " (float32 only)");
  }

  void check_arity() const {
    const Node &n = node();
    OpArity a = op_arity(n.op);
    int ni = static_cast<int>(n.inputs.size());
    int no = static_cast<int>(n.outputs.size());
    if (n.op == OpKind::BatchNormalization && no > 1)
      unsupported("training-mode outputs (running mean/var): expected 1 output, got ",
           no);
    if (n.op == OpKind::MaxPool && no > 1)
      unsupported("the Indices output: expected 1 output, got ", no);
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
        set_out(t.dtype, t.shape);
        known_[node().outputs[0]] = std::move(t);
        return;
      }
      case OpKind::Sub:
      case OpKind::Mul:
      case OpKind::Div: return add();
      case OpKind::Pow: return pow();
      case OpKind::Equal:
      case OpKind::Greater:
      case OpKind::Less:
      case OpKind::GreaterOrEqual:
      case OpKind::LessOrEqual:
      case OpKind::And:
      case OpKind::Or:
      case OpKind::Xor: return compare();
      case OpKind::Not:
        if (in(0).dtype != DType::Bool)
          fail("input '", in(0).name, "' must be bool, got ", dtype_name(in(0).dtype));
        return set_out(DType::Bool, in_shape(0));
      case OpKind::Where: return where();
      case OpKind::Sqrt:
      case OpKind::Erf:
      case OpKind::Exp:
      case OpKind::Tanh:
      case OpKind::Sigmoid:
      case OpKind::Ceil:
      case OpKind::Floor:
#define SWTC_UNARY(kind, ...) case OpKind::kind:
#include "graph/unary_ops.def"
        require_f32(0, "input");
        return set_out(DType::F32, in_shape(0));
      case OpKind::Neg: return set_out(in(0).dtype, in_shape(0));
      case OpKind::Clip: return clip();
      case OpKind::Concat: return concat();
      case OpKind::Dropout: return dropout();
      case OpKind::Softmax: return softmax();
      case OpKind::MatMul: return matmul();
      case OpKind::Transpose: return transpose();
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
        return reduce();
      case OpKind::ArgMax:
      case OpKind::ArgMin: return arg_reduce();
      case OpKind::Shape: return shape_op();
      case OpKind::Size: return set_out(DType::I64, {});
      case OpKind::Gather: return gather();
      case OpKind::GatherElements: return gather_elements();
      case OpKind::ScatterND: return scatter_nd();
      case OpKind::ScatterElements:
      case OpKind::Scatter: return scatter_elements();
      case OpKind::Mod:
        if (in(0).dtype == DType::Bool) fail("bool inputs");
        if (in(0).dtype == DType::F32 && node().attr_int("fmod", 0) == 0)
          fail("float inputs need fmod = 1");
        return add();
      case OpKind::IsInf:
      case OpKind::IsNaN: require_f32(0, "input"); return set_out(DType::Bool, in_shape(0));
      case OpKind::DepthToSpace:
      case OpKind::SpaceToDepth: return depth_space();
      case OpKind::GlobalMaxPool: return global_average_pool();
      case OpKind::InstanceNormalization: {
        require_f32(0, "input");
        if (rank(0) < 3) fail("input must have rank >= 3 (N, C, spatial...), got ", shape_str(in_shape(0)));
        for (size_t k = 1; k < 3; ++k) {
          require_f32(k, k == 1 ? "scale" : "B");
          if (in_shape(k) != Shape{in_shape(0)[1]})
            fail(k == 1 ? "scale " : "B ", shape_str(in_shape(k)), " must be [", in_shape(0)[1], "]");
        }
        return set_out(DType::F32, in_shape(0));
      }
      case OpKind::Range: return range();
      case OpKind::Resize:
      case OpKind::Upsample: return resize();
      case OpKind::ConvTranspose:
        require_f32(0, "input");
        require_f32(1, "weight");
        if (has_input(2)) {
          require_f32(2, "bias");
          const int64_t m = in_shape(1).size() > 1 ? in_shape(1)[1] * node().attr_int("group", 1) : 0;
          if (in_shape(2) != Shape{m})
            fail("bias shape ", shape_str(in_shape(2)), " does not match output channels ", m);
        }
        return set_out(DType::F32, resolve_transposed_window(g_, node()).out);
      case OpKind::Hardmax: return softmax();
      case OpKind::EyeLike: {
        if (rank(0) != 2) fail("input must be 2-D, got ", shape_str(in_shape(0)));
        const DType t = node().has_attr("dtype")
                            ? cast_target(g_, node_, node().attr_int("dtype", 1))
                            : in(0).dtype;
        return set_out(t, in_shape(0));
      }
      case OpKind::Trilu: {
        if (rank(0) < 2) fail("input must have rank >= 2, got ", shape_str(in_shape(0)));
        if (has_input(1) && !in_shape(1).empty())
          fail("k '", in(1).name, "' must be a scalar, got ", shape_str(in_shape(1)));
        return set_out(in(0).dtype, in_shape(0));
      }
      case OpKind::Unsqueeze: return unsqueeze();
      case OpKind::Squeeze: return squeeze();
      case OpKind::Slice: return slice();
      case OpKind::Cast:
        return set_out(cast_target(g_, node_, node().attr_int("to", -1)), in_shape(0));
      case OpKind::ConstantOfShape: return constant_of_shape();
      case OpKind::Expand: return expand();
      case OpKind::LayerNormalization: return layer_norm();
      case OpKind::Split: return split();
      case OpKind::Max:
      case OpKind::Min:
      case OpKind::Sum:
      case OpKind::Mean: return variadic();
      case OpKind::PRelu: return prelu();
      case OpKind::LogSoftmax: return softmax();
      case OpKind::Pad: return pad();
      case OpKind::Tile: return tile();
      case OpKind::NegativeLogLikelihoodLoss:
      case OpKind::SoftmaxCrossEntropyLoss: return nll_loss();
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
    if (node().op != OpKind::MaxPool) require_f32(0, "input");  // MaxPool: integers too
    Window w = resolve_window(g_, node_);
    const Shape &x = in_shape(0);
    Shape out{x[0], x[1]};
    out.insert(out.end(), w.out_spatial.begin(), w.out_spatial.end());
    set_out(in(0).dtype, out);
  }

  void batch_norm() {
    if (node().attr_int("training_mode", 0) != 0)
      unsupported("training_mode=1 (inference form only)");
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
    // An integer division by a constant zero would trap (SIGFPE) in the
    // generated code and in the compiler's own constant folding.
    if (node().op == OpKind::Div && is_int(in(1).dtype))
      if (const std::optional<TensorData> &k = known_[node().inputs[1]])
        for (size_t i = 0; i < k->i64.size(); ++i)
          if (k->i64[i] == 0)
            fail("integer division by zero: divisor '", printable(in(1).name),
                 "' is a constant with a zero at flat index ", i);
    auto s = broadcast_shapes(in_shape(0), in_shape(1));
    if (!s)
      fail("shapes ", shape_str(in_shape(0)), " and ", shape_str(in_shape(1)),
           " cannot be broadcast together");
    set_out(in(0).dtype, *s);
  }

  /// Max, Min, Sum, Mean: one dtype, numpy broadcasting over every input.
  void variadic() {
    const bool ints_ok = node().op == OpKind::Max || node().op == OpKind::Min;
    if (!ints_ok) require_f32(0, "input");
    Shape s = in_shape(0);
    for (size_t k = 1; k < node().inputs.size(); ++k) {
      if (node().inputs[k] < 0) fail("input #", k, " is omitted");
      if (in(k).dtype != in(0).dtype)
        fail("input dtypes differ: ", dtype_name(in(0).dtype), " and ", dtype_name(in(k).dtype));
      auto b = broadcast_shapes(s, in_shape(k));
      if (!b)
        fail("shapes ", shape_str(s), " and ", shape_str(in_shape(k)),
             " cannot be broadcast together");
      s = *b;
    }
    set_out(in(0).dtype, s);
  }

  /// PRelu: the slope broadcasts to the input (unidirectionally).
  void prelu() {
    require_f32(0, "input");
    require_f32(1, "slope");
    auto b = broadcast_shapes(in_shape(0), in_shape(1));
    if (!b || *b != in_shape(0))
      fail("slope ", shape_str(in_shape(1)), " does not broadcast to the input ",
           shape_str(in_shape(0)));
    set_out(DType::F32, in_shape(0));
  }

  void pad() {
    if (in(0).dtype == DType::Bool) fail("bool input");
    const Shape &x = in_shape(0);
    auto pads = ints_param(1, "pads", "pads");
    if (!pads) fail("needs pads (an attribute, or input #1)");
    auto axes = has_input(3) ? ints_param(3, "", "axes") : std::nullopt;
    const std::vector<int64_t> p =
        expand_pads(g_, node_, *pads, axes.value_or(std::vector<int64_t>{}), x.size());
    const std::string mode = node().attr_string("mode", "constant");
    if (mode != "constant" && mode != "reflect" && mode != "edge")
      unsupported("mode '", printable(mode), "' (constant, reflect and edge only)");
    if (has_input(2) && in(2).dtype != in(0).dtype)
      fail("constant_value '", in(2).name, "' must have the input's type ",
           dtype_name(in(0).dtype), ", got ", dtype_name(in(2).dtype));
    Shape out;
    const size_t r = x.size();
    for (size_t d = 0; d < r; ++d)
      if (mode != "constant" && (p[d] < 0 || p[d + r] < 0))
        unsupported("negative pads ", ints_str(p), " (cropping) in mode '", mode, "'");
    for (size_t d = 0; d < r; ++d) {
      const int64_t n = x[d], b = p[d], e = p[d + r];
      if (n + b + e < 0)
        fail("pads ", ints_str(p), " remove more than the ", n, " entries of axis ", d);
      if (mode != "constant" && (b > 0 || e > 0) && n == 0)
        fail("mode '", mode, "' pads the empty axis ", d);
      if (mode == "reflect" && (b >= n || e >= n) && (b > 0 || e > 0))
        unsupported("reflect pads ", ints_str(p), " of at least the axis length ", n,
                    " (axis ", d, ")");
      out.push_back(n + b + e);
    }
    set_out(in(0).dtype, out);
  }

  void tile() {  // Concat kernels: any element type
    auto reps = ints_param(1, "repeats", "repeats");
    if (!reps) fail("needs repeats (input #1)");
    const Shape &x = in_shape(0);
    if (reps->size() != x.size())
      fail("repeats ", ints_str(*reps), " has ", reps->size(), " entries for an input of rank ",
           x.size());
    Shape out;
    for (size_t d = 0; d < x.size(); ++d) {
      if ((*reps)[d] < 0) fail("repeats ", ints_str(*reps), " has a negative entry");
      int64_t o = 0;
      if (__builtin_mul_overflow(x[d], (*reps)[d], &o))
        fail("repeats ", ints_str(*reps), " overflow the dimension ", x[d], " of axis ", d);
      out.push_back(o);
    }
    set_out(in(0).dtype, out);
  }

  void flatten() {
    const Shape &x = in_shape(0);
    int64_t r = static_cast<int64_t>(x.size());
    int64_t axis = node().attr_int("axis", 1);
    if (axis < -r || axis > r)
      fail("axis ", axis, " is out of range [", -r, ", ", r, "] for input ", shape_str(x));
    if (axis < 0) axis += r;
    int64_t a = 1, b = 1;
    for (int64_t k = 0; k < r; ++k)
      if (__builtin_mul_overflow(k < axis ? a : b, x[k], k < axis ? &a : &b))  // fuzzer-found
        fail("flattening ", shape_str(x), " at axis ", axis, " gives a dimension above 2^63");
    set_out(in(0).dtype, {a, b});
  }

  void reshape() {
    std::vector<int64_t> target;
    if (has_input(1)) {
      const Value &s = in(1);
      if (s.dtype != DType::I64 || s.shape.size() != 1)
        fail("shape input '", s.name, "' must be a 1-D i64 tensor, got ", dtype_name(s.dtype),
             shape_str(s.shape));
      const std::optional<TensorData> &data = known_[node().inputs[1]];
      if (!data)
        unsupported("shape input '", s.name,
                    "' must be a constant (swtc needs static shapes; it is computed at run time)");
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


  // ---- static parameters: an input (newer opsets) or an attribute ----

  /// The i64 data of input k, which must be known at compile time.
  const TensorData &known_input(size_t k, const char *role) const {
    const std::optional<TensorData> &kv = known_[node().inputs[k]];
    if (!kv)
      unsupported(role, " must be a constant (input '", in(k).name,
           "' is computed at run time; swtc needs static shapes)");
    return *kv;
  }

  /// Ints from input k (if present; must be a known 0-D / 1-D i64 tensor), else
  /// from attribute `attr`, else nullopt.
  std::optional<std::vector<int64_t>> ints_param(size_t k, const char *attr,
                                                 const char *role) const {
    if (has_input(k)) {
      if (!is_int(in(k).dtype) || in_shape(k).size() > 1)
        fail(role, " input '", in(k).name, "' must be a 1-D integer tensor, got ",
             dtype_name(in(k).dtype), shape_str(in_shape(k)));
      return known_input(k, role).i64;
    }
    if (node().has_attr(attr)) return node().attr_ints(attr, {});
    return std::nullopt;
  }

  int64_t rank(size_t k) const { return static_cast<int64_t>(in_shape(k).size()); }

  // ---- rules ----

  void pow() {
    // The output has the base's type; the exponent may have another (ONNX's T1).
    auto s = broadcast_shapes(in_shape(0), in_shape(1));
    if (!s)
      fail("shapes ", shape_str(in_shape(0)), " and ", shape_str(in_shape(1)),
           " cannot be broadcast together");
    set_out(in(0).dtype, *s);
  }

  /// Comparisons (one input dtype; bool only for Equal) and And / Or / Xor
  /// (bool inputs): numpy broadcasting, a bool output.
  void compare() {
    const OpKind op = node().op;
    const bool logical = op == OpKind::And || op == OpKind::Or || op == OpKind::Xor;
    for (size_t k = 0; k < 2; ++k) {
      const bool is_bool = in(k).dtype == DType::Bool;
      if (logical && !is_bool)
        fail("input '", in(k).name, "' must be bool, got ", dtype_name(in(k).dtype));
      if (!logical && is_bool && op != OpKind::Equal)
        fail("input '", in(k).name, "' is bool (only Equal compares bools)");
    }
    add();
    set_out(DType::Bool, g_.values[node().outputs[0]].shape);
  }

  void where() {
    if (in(0).dtype != DType::Bool)
      fail("condition '", in(0).name, "' must be bool, got ", dtype_name(in(0).dtype));
    if (in(1).dtype != in(2).dtype)
      fail("X and Y dtypes differ: ", dtype_name(in(1).dtype), " and ", dtype_name(in(2).dtype));
    auto s = broadcast_shapes(in_shape(0), in_shape(1));
    if (s) s = broadcast_shapes(*s, in_shape(2));
    if (!s)
      fail("shapes ", shape_str(in_shape(0)), ", ", shape_str(in_shape(1)), " and ",
           shape_str(in_shape(2)), " cannot be broadcast together");
    set_out(in(1).dtype, *s);
  }

  void clip() {
    const char *roles[] = {"input", "min", "max"};
    for (size_t k = 1; k < 3; ++k) {
      if (!has_input(k)) continue;
      if (num_elements(in_shape(k)) != 1)
        fail(roles[k], " '", in(k).name, "' must be a scalar, got ", shape_str(in_shape(k)));
      if (in(k).dtype != in(0).dtype)
        fail(roles[k], " '", in(k).name, "' has dtype ", dtype_name(in(k).dtype), ", input has ",
             dtype_name(in(0).dtype));
    }
    set_out(in(0).dtype, in_shape(0));
  }

  void concat() {
    if (!node().has_attr("axis")) fail("missing required attribute axis");
    int64_t r = rank(0);
    if (r == 0) fail("inputs must have rank >= 1");
    int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    Shape out = in_shape(0);
    out[axis] = 0;
    for (size_t k = 0; k < node().inputs.size(); ++k) {
      if (!has_input(k)) fail("input #", k, " is missing");
      const Shape &s = in_shape(k);
      bool ok = in(k).dtype == in(0).dtype && s.size() == out.size();
      for (size_t d = 0; ok && d < s.size(); ++d)
        ok = static_cast<int64_t>(d) == axis || s[d] == out[d];
      if (!ok)
        fail("input '", in(k).name, "' ", dtype_name(in(k).dtype), shape_str(s),
             " does not match input '", in(0).name, "' ", dtype_name(in(0).dtype),
             shape_str(in_shape(0)), " outside axis ", axis);
      if (__builtin_add_overflow(out[axis], s[axis], &out[axis]))
        fail("the concatenated axis ", axis, " has more than 2^63 entries");
    }
    set_out(in(0).dtype, out);
  }

  void dropout() {
    if (node().attr_int("training_mode", 0) != 0)
      unsupported("training_mode=1 (inference only)");
    if (has_input(2)) {
      const std::optional<TensorData> &t = known_[node().inputs[2]];
      if (!t)
        unsupported("training_mode input '", in(2).name,
             "' must be a constant false (it is computed at run time)");
      // (bool and integer values are held in i64)
      bool on = t->dtype != DType::F32 ? !t->i64.empty() && t->i64[0] != 0
                                       : !t->f32.empty() && t->f32[0] != 0.0f;
      // Training mode with a constant ratio 0 drops nothing (Swin-T's
      // attention dropout as torchvision exports it): the identity.
      const std::optional<TensorData> &r =
          has_input(1) ? known_[node().inputs[1]] : std::optional<TensorData>{};
      const bool zero_ratio = r && r->dtype == DType::F32 && r->f32.size() == 1 && r->f32[0] == 0.0f;
      if (on && !zero_ratio) unsupported("training_mode=true (inference only)");
    }
    set_out(in(0).dtype, in_shape(0));
    // The mask: all true in inference (canonicalize makes it a constant).
    if (node().outputs.size() > 1 && node().outputs[1] >= 0) set_out(DType::Bool, in_shape(0), 1);
  }

  void softmax() {
    require_f32(0, "input");
    int64_t r = rank(0);
    if (r == 0) fail("input must have rank >= 1");
    normalize_axis(g_, node_, node().attr_int("axis", g_.opset < 13 ? 1 : -1), r);
    set_out(DType::F32, in_shape(0));
  }

  void matmul() {
    require_f32(0, "A");
    require_f32(1, "B");
    Shape a = in_shape(0), b = in_shape(1);
    if (a.empty() || b.empty()) fail("operands must have rank >= 1, got ", shape_str(a), " and ",
                                     shape_str(b));
    bool a1 = a.size() == 1, b1 = b.size() == 1;
    if (a1) a.insert(a.begin(), 1);
    if (b1) b.push_back(1);
    int64_t k_a = a.back(), k_b = b[b.size() - 2];
    if (k_a != k_b)
      fail("inner dimensions do not match: A ", shape_str(in_shape(0)), ", B ",
           shape_str(in_shape(1)));
    auto batch = broadcast_shapes(Shape(a.begin(), a.end() - 2), Shape(b.begin(), b.end() - 2));
    if (!batch)
      fail("batch dimensions of A ", shape_str(in_shape(0)), " and B ", shape_str(in_shape(1)),
           " cannot be broadcast together");
    Shape out = *batch;
    if (!a1) out.push_back(a[a.size() - 2]);
    if (!b1) out.push_back(b.back());
    set_out(DType::F32, out);
  }

  void transpose() {
    int64_t r = rank(0);
    std::vector<int64_t> dflt(static_cast<size_t>(r));
    for (int64_t k = 0; k < r; ++k) dflt[static_cast<size_t>(k)] = r - 1 - k;
    std::vector<int64_t> perm = node().attr_ints("perm", dflt);
    std::vector<int64_t> sorted = perm;
    std::sort(sorted.begin(), sorted.end());
    bool ok = static_cast<int64_t>(perm.size()) == r;
    for (int64_t k = 0; ok && k < r; ++k) ok = sorted[static_cast<size_t>(k)] == k;
    if (!ok)
      fail("perm ", ints_str(perm), " is not a permutation of the ", r, " axes of ",
           shape_str(in_shape(0)));
    Shape out(static_cast<size_t>(r));
    for (int64_t k = 0; k < r; ++k)
      out[static_cast<size_t>(k)] = in_shape(0)[static_cast<size_t>(perm[static_cast<size_t>(k)])];
    set_out(in(0).dtype, out);
  }

  void reduce() {
    if (node().op != OpKind::ReduceMax && node().op != OpKind::ReduceMin)
      require_f32(0, "input");
    int64_t r = rank(0);
    std::optional<std::vector<int64_t>> axes = ints_param(1, "axes", "axes");
    std::vector<int64_t> ax;
    if (axes && !axes->empty()) {
      ax = normalize_axes(g_, node_, *axes, r);
    } else if (node().attr_int("noop_with_empty_axes", 0) == 0) {
      for (int64_t k = 0; k < r; ++k) ax.push_back(k);
    }
    bool keep = node().attr_int("keepdims", 1) != 0;
    Shape out;
    for (int64_t k = 0; k < r; ++k) {
      bool red = std::binary_search(ax.begin(), ax.end(), k);
      if (!red)
        out.push_back(in_shape(0)[static_cast<size_t>(k)]);
      else if (keep)
        out.push_back(1);
    }
    set_out(in(0).dtype, out);
  }

  /// ArgMax / ArgMin: int64 indices along `axis` (keepdims: that axis of size 1).
  void arg_reduce() {
    require_f32(0, "input");
    const int64_t r = rank(0);
    if (r == 0) fail("input must have rank >= 1");
    const int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    Shape out;
    for (int64_t k = 0; k < r; ++k) {
      if (k != axis)
        out.push_back(in_shape(0)[static_cast<size_t>(k)]);
      else if (node().attr_int("keepdims", 1) != 0)
        out.push_back(1);
    }
    set_out(DType::I64, out);
  }

  /// NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss: input [N, C, d..]
  /// (float32), target [N, d..] (integers), optional weight [C]; the loss is
  /// [N, d..] with reduction 'none', else a scalar; SoftmaxCrossEntropyLoss's
  /// optional log_prob output has the input's shape.
  void nll_loss() {
    require_f32(0, "input");
    const Shape &x = in_shape(0), &t = in_shape(1);
    if (x.size() < 2) fail("input must have rank >= 2 (N, C, ...), got ", shape_str(x));
    if (!is_int(in(1).dtype) || in(1).dtype == DType::Bool)
      fail("target '", in(1).name, "' must be integers, got ", dtype_name(in(1).dtype));
    Shape want = {x[0]};
    want.insert(want.end(), x.begin() + 2, x.end());
    if (t != want)
      fail("target ", shape_str(t), " does not match input ", shape_str(x), " (want ",
           shape_str(want), ")");
    if (has_input(2)) {
      require_f32(2, "weight");
      if (in_shape(2) != Shape{x[1]})
        fail("weight ", shape_str(in_shape(2)), " must be [", x[1], "]");
    }
    const std::string red = node().attr_string("reduction", "mean");
    if (red != "none" && red != "sum" && red != "mean")
      fail("reduction '", red, "' is not none, sum or mean");
    set_out(DType::F32, red == "none" ? want : Shape{});
    if (node().outputs.size() > 1) set_out(DType::F32, x, 1);
  }

  void shape_op() {
    int64_t r = rank(0);
    int64_t start = node().attr_int("start", 0), end = node().attr_int("end", r);
    if (start < 0) start += r;
    if (end < 0) end += r;
    start = std::clamp<int64_t>(start, 0, r);
    end = std::clamp<int64_t>(end, 0, r);
    set_out(DType::I64, {std::max<int64_t>(0, end - start)});
  }

  void gather() {
    int64_t r = rank(0);
    if (r == 0) fail("data must have rank >= 1");
    if (!is_int(in(1).dtype))
      fail("indices '", in(1).name, "' must be integers, got ", dtype_name(in(1).dtype));
    int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    int64_t dim = in_shape(0)[static_cast<size_t>(axis)];
    if (const std::optional<TensorData> &idx = known_[node().inputs[1]])
      for (int64_t i : idx->i64)
        if (i < -dim || i >= dim)
          fail("index ", i, " is out of range [", -dim, ", ", dim - 1, "] for axis ", axis,
               " of data ", shape_str(in_shape(0)));
    Shape out(in_shape(0).begin(), in_shape(0).begin() + axis);
    out.insert(out.end(), in_shape(1).begin(), in_shape(1).end());
    out.insert(out.end(), in_shape(0).begin() + axis + 1, in_shape(0).end());
    set_out(in(0).dtype, out);
  }

  /// GatherElements: indices of the data's rank, no dim larger than the
  /// data's (except along axis); the output has the indices' shape.
  void gather_elements() {
    const int64_t r = rank(0);
    if (r == 0) fail("data must have rank >= 1");
    if (!is_int(in(1).dtype) || in(1).dtype == DType::Bool)
      fail("indices '", in(1).name, "' must be integers, got ", dtype_name(in(1).dtype));
    if (rank(1) != r)
      fail("indices ", shape_str(in_shape(1)), " must have the rank of data ",
           shape_str(in_shape(0)));
    const int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    for (int64_t k = 0; k < r; ++k)
      if (k != axis && in_shape(1)[static_cast<size_t>(k)] > in_shape(0)[static_cast<size_t>(k)])
        fail("indices ", shape_str(in_shape(1)), " are larger than data ", shape_str(in_shape(0)),
             " along axis ", k);
    const int64_t dim = in_shape(0)[static_cast<size_t>(axis)];
    if (const std::optional<TensorData> &idx = known_[node().inputs[1]])
      for (int64_t i : idx->i64)
        if (i < -dim || i >= dim)
          fail("index ", i, " is out of range [", -dim, ", ", dim - 1, "] for axis ", axis,
               " of data ", shape_str(in_shape(0)));
    set_out(in(0).dtype, in_shape(1));
  }

  /// ScatterND: indices [.., q] (integers, q <= rank of data), updates of
  /// shape indices.shape[:-1] + data.shape[q:] and data's type; reduction
  /// 'none' only. The output has data's shape and type.
  void scatter_nd() {
    const std::string red = node().attr_string("reduction", "none");
    if (red != "none")
      fail("reduction '", printable(red), "' is not supported (only 'none')");
    const int64_t r = rank(0), ri = rank(1);
    if (r == 0) fail("data must have rank >= 1");
    if (!is_int(in(1).dtype) || in(1).dtype == DType::Bool)
      fail("indices '", in(1).name, "' must be integers, got ", dtype_name(in(1).dtype));
    if (ri == 0) fail("indices must have rank >= 1");
    const int64_t q = in_shape(1).back();
    if (q < 1 || q > r)
      fail("indices ", shape_str(in_shape(1)), ": the last dim must be in [1, ", r,
           "] (the rank of data ", shape_str(in_shape(0)), ")");
    Shape want(in_shape(1).begin(), in_shape(1).end() - 1);
    want.insert(want.end(), in_shape(0).begin() + q, in_shape(0).end());
    if (in_shape(2) != want)
      fail("updates ", shape_str(in_shape(2)), " must be ", shape_str(want), " for data ",
           shape_str(in_shape(0)), " and indices ", shape_str(in_shape(1)));
    if (in(2).dtype != in(0).dtype)
      fail("updates must have data's type ", dtype_name(in(0).dtype), ", got ",
           dtype_name(in(2).dtype));
    if (const std::optional<TensorData> &idx = known_[node().inputs[1]])
      for (size_t e = 0; e < idx->i64.size(); ++e) {
        const int64_t dim = in_shape(0)[e % static_cast<size_t>(q)], i = idx->i64[e];
        if (i < -dim || i >= dim)
          fail("index ", i, " is out of range [", -dim, ", ", dim - 1, "] for axis ",
               e % static_cast<size_t>(q), " of data ", shape_str(in_shape(0)));
      }
    set_out(in(0).dtype, in_shape(0));
  }

  /// ScatterElements (and opset 9-10 Scatter): indices and updates of one
  /// shape, data's rank, no dim larger than data's except along axis;
  /// reduction 'none' only. The output has data's shape and type.
  void scatter_elements() {
    const std::string red = node().attr_string("reduction", "none");
    if (red != "none")
      fail("reduction '", printable(red), "' is not supported (only 'none')");
    const int64_t r = rank(0);
    if (r == 0) fail("data must have rank >= 1");
    if (!is_int(in(1).dtype) || in(1).dtype == DType::Bool)
      fail("indices '", in(1).name, "' must be integers, got ", dtype_name(in(1).dtype));
    if (rank(1) != r)
      fail("indices ", shape_str(in_shape(1)), " must have the rank of data ",
           shape_str(in_shape(0)));
    if (in_shape(2) != in_shape(1))
      fail("updates ", shape_str(in_shape(2)), " must have the shape of indices ",
           shape_str(in_shape(1)));
    if (in(2).dtype != in(0).dtype)
      fail("updates must have data's type ", dtype_name(in(0).dtype), ", got ",
           dtype_name(in(2).dtype));
    const int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    for (int64_t k = 0; k < r; ++k)
      if (k != axis && in_shape(1)[static_cast<size_t>(k)] > in_shape(0)[static_cast<size_t>(k)])
        fail("indices ", shape_str(in_shape(1)), " are larger than data ", shape_str(in_shape(0)),
             " along axis ", k);
    const int64_t dim = in_shape(0)[static_cast<size_t>(axis)];
    if (const std::optional<TensorData> &idx = known_[node().inputs[1]])
      for (int64_t i : idx->i64)
        if (i < -dim || i >= dim)
          fail("index ", i, " is out of range [", -dim, ", ", dim - 1, "] for axis ", axis,
               " of data ", shape_str(in_shape(0)));
    set_out(in(0).dtype, in_shape(0));
  }

  /// DepthToSpace / SpaceToDepth: [N, C, H, W] with blocksize b.
  void depth_space() {
    require_f32(0, "input");
    const Shape &x = in_shape(0);
    if (x.size() != 4) fail("input must be 4-D (N, C, H, W), got ", shape_str(x));
    const int64_t b = node().attr_int("blocksize", 0);
    if (b < 1) fail("blocksize ", b, " must be >= 1");
    const std::string mode = node().attr_string("mode", "DCR");
    if (mode != "DCR" && mode != "CRD") fail("mode '", mode, "' is not DCR or CRD");
    // (Overflow-checked: a fuzzed blocksize of 2^32 overflowed b * b.)
    int64_t bb = 0, h = 0, w = 0, c = 0;
    if (__builtin_mul_overflow(b, b, &bb)) fail("blocksize ", b, " is too large (blocksize^2 overflows)");
    if (node().op == OpKind::DepthToSpace) {
      if (x[1] % bb != 0) fail("channels ", x[1], " are not a multiple of blocksize^2 ", bb);
      if (__builtin_mul_overflow(x[2], b, &h) || __builtin_mul_overflow(x[3], b, &w))
        fail("the output of ", shape_str(x), " with blocksize ", b, " has a dimension above 2^63");
      return set_out(DType::F32, {x[0], x[1] / bb, h, w});
    }
    if (x[2] % b != 0 || x[3] % b != 0)
      fail("height and width of ", shape_str(x), " are not multiples of blocksize ", b);
    if (__builtin_mul_overflow(x[1], bb, &c))
      fail("the output of ", shape_str(x), " with blocksize ", b, " has a dimension above 2^63");
    set_out(DType::F32, {x[0], c, x[2] / b, x[3] / b});
  }

  /// Range: start, limit, delta must be known scalars; the output has
  /// max(ceil((limit - start) / delta), 0) entries.
  void range() {
    for (size_t k = 0; k < 3; ++k) {
      if (!in_shape(k).empty()) fail("input '", in(k).name, "' must be a scalar");
      if (in(k).dtype != in(0).dtype) fail("inputs of different types");
      if (!known_[node().inputs[k]])
        unsupported("input '", in(k).name, "' must be a constant (it is computed at run time)");
    }
    auto val = [&](size_t k) {
      const TensorData &t = *known_[node().inputs[k]];
      return t.dtype == DType::F32 ? double(t.f32.at(0)) : double(t.i64.at(0));
    };
    const double start = val(0), limit = val(1), delta = val(2);
    if (delta == 0) fail("delta is 0");
    const double n = std::ceil((limit - start) / delta);
    if (!(n < 1e9)) fail("too many entries");
    set_out(in(0).dtype, {std::max<int64_t>(0, static_cast<int64_t>(n))});
  }

  void unsqueeze() {
    std::optional<std::vector<int64_t>> axes = ints_param(1, "axes", "axes");
    if (!axes) fail("needs axes (an attribute before opset 13, an input from opset 13)");
    int64_t r = rank(0) + static_cast<int64_t>(axes->size());
    std::vector<int64_t> ax = normalize_axes(g_, node_, *axes, r);
    Shape out;
    size_t src = 0;
    for (int64_t k = 0; k < r; ++k) {
      if (std::binary_search(ax.begin(), ax.end(), k))
        out.push_back(1);
      else
        out.push_back(in_shape(0)[src++]);
    }
    set_out(in(0).dtype, out);
  }

  void squeeze() {
    std::optional<std::vector<int64_t>> axes = ints_param(1, "axes", "axes");
    int64_t r = rank(0);
    const Shape &x = in_shape(0);
    std::vector<int64_t> ax;
    if (axes) {
      ax = normalize_axes(g_, node_, *axes, r);
      for (int64_t a : ax)
        if (x[static_cast<size_t>(a)] != 1)
          fail("cannot squeeze axis ", a, " of size ", x[static_cast<size_t>(a)], " (input ",
               shape_str(x), ")");
    } else {
      for (int64_t k = 0; k < r; ++k)
        if (x[static_cast<size_t>(k)] == 1) ax.push_back(k);
    }
    Shape out;
    for (int64_t k = 0; k < r; ++k)
      if (!std::binary_search(ax.begin(), ax.end(), k)) out.push_back(x[static_cast<size_t>(k)]);
    set_out(in(0).dtype, out);
  }

  SliceParams slice_params() const {
    auto starts = ints_param(1, "starts", "starts");
    auto ends = ints_param(2, "ends", "ends");
    if (!starts || !ends) fail("needs starts and ends");
    auto axes = ints_param(3, "axes", "axes");
    auto steps = ints_param(4, "steps", "steps");
    return resolve_slice(g_, node_, in_shape(0), *starts, *ends, axes.value_or(std::vector<int64_t>{}),
                         steps.value_or(std::vector<int64_t>{}));
  }

  void slice() { set_out(in(0).dtype, slice_params().out); }

  void constant_of_shape() {
    auto shape = ints_param(0, "", "shape");
    if (in_shape(0).size() != 1)
      fail("shape input '", in(0).name, "' must be 1-D, got ", shape_str(in_shape(0)));
    for (int64_t d : *shape)
      if (d < 0) fail("negative dimension in shape ", ints_str(*shape));
    DType t = DType::F32;
    if (node().has_attr("value")) {
      const auto *v = std::get_if<TensorData>(&node().attrs.at("value"));
      if (!v || v->size() != 1) fail("attribute 'value' must be a one-element tensor");
      t = v->dtype;
    }
    set_out(t, *shape);
  }

  /// Resize / Upsample: float32, static scales or sizes (graph/resize.h).
  void resize() {
    require_f32(0, "input");
    auto input = [&](size_t k) -> std::optional<std::vector<double>> {
      if (!has_input(k)) return std::nullopt;
      const bool roi = k == 1 && node().op == OpKind::Resize && g_.opset >= 11;
      const TensorData &t = known_input(k, k == 3 ? "sizes" : roi ? "roi" : "scales");
      if (t.size() == 0) return std::nullopt;
      if (t.dtype == DType::F32) return std::vector<double>(t.f32.begin(), t.f32.end());
      if (is_int(t.dtype)) return std::vector<double>(t.i64.begin(), t.i64.end());
      unsupported("input '", in(k).name, "' has type ", dtype_name(t.dtype));
    };
    set_out(DType::F32, resize_params(g_, node(), in_shape(0), input).out);
  }

  void expand() {
    auto shape = ints_param(1, "shape", "shape");
    if (!shape) fail("needs a shape input (or, once canonicalized, a 'shape' attribute)");
    auto out = broadcast_shapes(in_shape(0), *shape);
    if (!out)
      fail("input ", shape_str(in_shape(0)), " cannot be broadcast to shape ", ints_str(*shape));
    set_out(in(0).dtype, *out);
  }

  void layer_norm() {
    require_f32(0, "input");
    require_f32(1, "scale");
    int64_t r = rank(0);
    if (r == 0) fail("input must have rank >= 1");
    int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", -1), r);
    Shape norm(in_shape(0).begin() + axis, in_shape(0).end());
    for (size_t k = 1; k < 3; ++k) {
      if (!has_input(k)) continue;
      require_f32(k, k == 1 ? "scale" : "bias");
      auto b = broadcast_shapes(norm, in_shape(k));
      if (!b || *b != norm)
        fail(k == 1 ? "scale '" : "bias '", in(k).name, "' ", shape_str(in_shape(k)),
             " cannot be broadcast to the normalized shape ", shape_str(norm));
    }
    set_out(DType::F32, in_shape(0));
    // Mean and InvStdDev: the input's shape with the normalized axes 1.
    Shape stat = in_shape(0);
    for (size_t k = static_cast<size_t>(axis); k < stat.size(); ++k) stat[k] = 1;
    for (size_t k = 1; k < node().outputs.size(); ++k) set_out(DType::F32, stat, k);
  }

  void split() {
    int64_t r = rank(0);
    if (r == 0) fail("input must have rank >= 1");
    int64_t axis = normalize_axis(g_, node_, node().attr_int("axis", 0), r);
    int64_t dim = in_shape(0)[static_cast<size_t>(axis)];
    int64_t n = static_cast<int64_t>(node().outputs.size());
    std::vector<int64_t> sizes;
    if (auto sp = ints_param(1, "split", "split")) {
      sizes = *sp;
      if (static_cast<int64_t>(sizes.size()) != n)
        fail("split ", ints_str(sizes), " has ", sizes.size(), " entries for ", n, " outputs");
      int64_t total = 0;
      for (int64_t s : sizes) {
        if (s < 0) fail("split ", ints_str(sizes), " has a negative size");
        total += s;
      }
      if (total != dim)
        fail("split ", ints_str(sizes), " sums to ", total, ", axis ", axis, " of ",
             shape_str(in_shape(0)), " has ", dim);
    } else {
      if (node().has_attr("num_outputs") && node().attr_int("num_outputs", 0) != n)
        fail("num_outputs ", node().attr_int("num_outputs", 0), " does not match the ", n,
             " outputs");
      int64_t chunk = (dim + n - 1) / n;  // opset 18: the last chunk may be smaller
      if (!node().has_attr("num_outputs") && dim % n != 0)
        fail("axis ", axis, " of ", shape_str(in_shape(0)), " does not split evenly into ", n,
             " outputs");
      for (int64_t k = 0; k < n; ++k)
        sizes.push_back(std::max<int64_t>(0, std::min(chunk, dim - k * chunk)));
    }
    for (int64_t k = 0; k < n; ++k) {
      Shape s = in_shape(0);
      s[static_cast<size_t>(axis)] = sizes[static_cast<size_t>(k)];
      set_out(in(0).dtype, s, static_cast<size_t>(k));
    }
  }

  // ---- compile-time values ----

  const TensorData *known_i64(size_t k) const {
    if (!has_input(k)) return nullptr;
    const std::optional<TensorData> &kv = known_[node().inputs[k]];
    return kv && is_int(kv->dtype) ? &*kv : nullptr;
  }

  void propagate() {
    const Node &n = node();
    if (n.op == OpKind::Constant || n.outputs.size() != 1) return;
    int out = n.outputs[0];
    const Value &ov = g_.values[out];
    // Integer (and bool) values, kept as int64 in TensorData::i64.
    if (!is_int(ov.dtype) || num_elements(ov.shape) > kMaxKnown) return;
    TensorData t;
    t.dtype = ov.dtype;
    t.shape = ov.shape;
    const TensorData *a = known_i64(0);
    switch (n.op) {
      case OpKind::Shape: {
        int64_t r = rank(0), start = n.attr_int("start", 0);
        if (start < 0) start += r;
        start = std::clamp<int64_t>(start, 0, r);
        t.i64.assign(in_shape(0).begin() + start, in_shape(0).begin() + start + ov.shape[0]);
        break;
      }
      case OpKind::Size: t.i64 = {num_elements(in_shape(0))}; break;
      case OpKind::Identity:
      case OpKind::Dropout:
      case OpKind::Reshape:
      case OpKind::Flatten:
      case OpKind::Squeeze:
      case OpKind::Unsqueeze:
        if (!a) return;
        t.i64 = a->i64;
        break;
      case OpKind::Cast:
        if (!a) return;
        for (int64_t x : a->i64) t.i64.push_back(wrap_int(ov.dtype, x));
        break;
      case OpKind::Neg:
        if (!a) return;
        for (int64_t x : a->i64) t.i64.push_back(-x);
        break;
      case OpKind::Gather: {
        const TensorData *idx = known_i64(1);
        if (!a || !idx) return;
        int64_t axis = normalize_axis(g_, node_, n.attr_int("axis", 0), rank(0));
        int64_t dim = in_shape(0)[static_cast<size_t>(axis)];
        std::vector<int64_t> ix = idx->i64;
        for (int64_t &i : ix)
          if (i < 0) i += dim;
        t.i64 = kernels::gather(a->i64, in_shape(0), axis, ix);
        break;
      }
      case OpKind::Concat: {
        std::vector<const std::vector<int64_t> *> ins;
        std::vector<Shape> shapes;
        for (size_t k = 0; k < n.inputs.size(); ++k) {
          const TensorData *x = known_i64(k);
          if (!x) return;
          ins.push_back(&x->i64);
          shapes.push_back(x->shape);
        }
        t.i64 = kernels::concat(ins, shapes, normalize_axis(g_, node_, n.attr_int("axis", 0),
                                                            rank(0)));
        break;
      }
      case OpKind::ScatterND: {
        const TensorData *idx = known_i64(1), *upd = known_i64(2);
        if (!a || !idx || !upd) return;
        const Shape &xs = in_shape(0);
        const int64_t q = in_shape(1).back();
        int64_t slice = 1;
        for (size_t d = static_cast<size_t>(q); d < xs.size(); ++d) slice *= xs[d];
        const std::vector<int64_t> st = kernels::strides_of(xs);
        t.i64 = a->i64;
        for (size_t k = 0; k * static_cast<size_t>(q) < idx->i64.size(); ++k) {
          int64_t off = 0;
          for (int64_t d = 0; d < q; ++d) {
            int64_t j = idx->i64[k * static_cast<size_t>(q) + static_cast<size_t>(d)];
            if (j < 0) j += xs[static_cast<size_t>(d)];
            off += j * st[static_cast<size_t>(d)];
          }
          for (int64_t e = 0; e < slice; ++e)
            t.i64[static_cast<size_t>(off + e)] = upd->i64[k * static_cast<size_t>(slice) + static_cast<size_t>(e)];
        }
        break;
      }
      case OpKind::Slice: {
        if (!a) return;
        SliceParams p = slice_params();
        t.i64 = kernels::slice(a->i64, in_shape(0), p.starts, p.steps, p.out);
        break;
      }
      case OpKind::Add:
      case OpKind::Sub:
      case OpKind::Mul:
      case OpKind::Div:
      case OpKind::Equal: {
        const TensorData *b = known_i64(1);
        if (!a || !b) return;
        if (a->dtype != DType::I64 || b->dtype != DType::I64) return;  // int64 arithmetic only
        if (n.op == OpKind::Div)
          for (int64_t x : b->i64)
            if (x == 0) return;  // left to run time
        OpKind op = n.op;
        kernels::broadcast_binary(a->i64, a->shape, b->i64, b->shape, t.shape, t.i64,
                                  [op](int64_t x, int64_t y) -> int64_t {
                                    // Wrapping (two's complement), as the
                                    // generated code's int64 arithmetic.
                                    const uint64_t ux = static_cast<uint64_t>(x),
                                                   uy = static_cast<uint64_t>(y);
                                    switch (op) {
                                      case OpKind::Add: return static_cast<int64_t>(ux + uy);
                                      case OpKind::Sub: return static_cast<int64_t>(ux - uy);
                                      case OpKind::Mul: return static_cast<int64_t>(ux * uy);
                                      case OpKind::Div:  // INT64_MIN / -1 traps
                                        return y == -1 ? static_cast<int64_t>(0 - ux) : x / y;
                                      default: return x == y;
                                    }
                                  });
        break;
      }
      case OpKind::Where: {
        const TensorData *x = known_i64(1), *y = known_i64(2);
        if (!a || !x || !y) return;
        std::vector<int64_t> mc = kernels::broadcast_map(t.shape, a->shape),
                             mx = kernels::broadcast_map(t.shape, x->shape),
                             my = kernels::broadcast_map(t.shape, y->shape);
        for (size_t i = 0; i < mc.size(); ++i)
          t.i64.push_back(a->i64[mc[i]] ? x->i64[mx[i]] : y->i64[my[i]]);
        break;
      }
      case OpKind::ConstantOfShape: {
        int64_t v = 0;
        if (n.has_attr("value")) v = std::get<TensorData>(n.attrs.at("value")).i64.at(0);
        t.i64.assign(static_cast<size_t>(num_elements(t.shape)), v);
        break;
      }
      case OpKind::Expand:
        if (!a) return;
        t.i64 = kernels::expand(a->i64, a->shape, t.shape);
        break;
      case OpKind::Transpose: {  // (Swin-T's window shifts compute pads through one)
        if (!a) return;
        const int64_t r = rank(0);
        std::vector<int64_t> perm(static_cast<size_t>(r));
        for (int64_t k = 0; k < r; ++k) perm[static_cast<size_t>(k)] = r - 1 - k;
        perm = n.attr_ints("perm", perm);
        t.i64 = kernels::transpose(a->i64, a->shape, perm);
        break;
      }
      case OpKind::Mod: {  // int64 only; fmod = 0: the sign of the divisor (Python's %)
        const TensorData *b = known_i64(1);
        if (!a || !b || a->dtype != DType::I64 || b->dtype != DType::I64) return;
        for (int64_t y : b->i64)
          if (y == 0) return;  // left to run time
        const bool cmod = n.attr_int("fmod", 0) != 0;
        kernels::broadcast_binary(a->i64, a->shape, b->i64, b->shape, t.shape, t.i64,
                                  [cmod](int64_t x, int64_t y) -> int64_t {
                                    if (y == -1) return 0;  // INT64_MIN % -1 traps
                                    int64_t m = x % y;
                                    if (!cmod && m != 0 && ((m < 0) != (y < 0))) m += y;
                                    return m;
                                  });
        break;
      }
      default: return;
    }
    for (int64_t &x : t.i64) x = wrap_int(ov.dtype, x);
    known_[out] = std::move(t);
  }

  static constexpr int64_t kMaxKnown = 65536;
  Graph &g_;
  int node_ = -1;
  KnownValues known_;
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

TransposedWindow resolve_transposed_window(const Graph &g, const Node &n) {
  const std::string what = str_cat("node '", printable(n.name), "' (", op_name(n.op), ")");
  auto fail = [&](const auto &...args) { user_error(what, ": ", args...); };
  const Value &xv = g.values[n.inputs[0]], &wv = g.values[n.inputs[1]];
  const Shape &x = xv.shape, &wt = wv.shape;
  if (x.size() < 3)
    fail("input '", xv.name, "' must have rank >= 3 (N, C, spatial...), got ", shape_str(x));
  if (wt.size() != x.size())
    fail("weight '", wv.name, "' ", shape_str(wt), " must have the rank of the input ",
         shape_str(x));
  const size_t nsp = x.size() - 2;
  TransposedWindow w;
  w.group = n.attr_int("group", 1);
  if (w.group < 1 || x[1] % w.group != 0 || wt[0] != x[1])
    fail("input channels ", x[1], " must equal weight dim 0 (", shape_str(wt),
         ") and be divisible by group ", w.group);
  w.kernel.assign(wt.begin() + 2, wt.end());
  if (n.has_attr("kernel_shape") && n.attr_ints("kernel_shape", {}) != w.kernel)
    fail("kernel_shape ", ints_str(n.attr_ints("kernel_shape", {})),
         " does not match weight shape ", shape_str(wt));
  w.strides = n.attr_ints("strides", std::vector<int64_t>(nsp, 1));
  w.dilations = n.attr_ints("dilations", std::vector<int64_t>(nsp, 1));
  w.pads = n.attr_ints("pads", std::vector<int64_t>(2 * nsp, 0));
  w.output_padding = n.attr_ints("output_padding", std::vector<int64_t>(nsp, 0));
  if (w.strides.size() != nsp || w.dilations.size() != nsp || w.pads.size() != 2 * nsp ||
      w.output_padding.size() != nsp)
    fail("strides ", ints_str(w.strides), ", dilations ", ints_str(w.dilations), ", pads ",
         ints_str(w.pads), " or output_padding ", ints_str(w.output_padding),
         " do not match the ", nsp, " spatial axes");
  constexpr int64_t kHuge = int64_t{1} << 20;
  for (size_t k = 0; k < nsp; ++k) {
    if (w.kernel[k] < 1 || w.strides[k] < 1 || w.dilations[k] < 1 || w.kernel[k] > kHuge ||
        w.strides[k] > kHuge || w.dilations[k] > kHuge || x[k + 2] > kHuge)
      fail("kernel_shape ", ints_str(w.kernel), ", strides ", ints_str(w.strides),
           " and dilations ", ints_str(w.dilations), " must be in [1, 2^20]");
    if (w.output_padding[k] < 0 || w.output_padding[k] >= std::max(w.strides[k], w.dilations[k]))
      fail("output_padding ", ints_str(w.output_padding),
           " must be below the stride or the dilation");
  }
  // A negative pad adds a zero row (the canonical form of an output_shape
  // one larger than the full output, below).
  for (int64_t p : w.pads)
    if (p < -kHuge || p > kHuge) fail("pads ", ints_str(w.pads), " must be in [-2^20, 2^20]");
  const std::string auto_pad = n.attr_string("auto_pad", "NOTSET");
  if (auto_pad != "NOTSET" && auto_pad != "SAME_UPPER" && auto_pad != "SAME_LOWER" &&
      auto_pad != "VALID")
    fail("unknown auto_pad '", auto_pad, "'");
  std::vector<int64_t> full(nsp);  // the output length without pads
  for (size_t k = 0; k < nsp; ++k)
    full[k] = w.strides[k] * (x[k + 2] - 1) + w.output_padding[k] +
              (w.kernel[k] - 1) * w.dilations[k] + 1;
  std::vector<int64_t> target;
  if (n.has_attr("output_shape")) {
    target = n.attr_ints("output_shape", {});
    if (target.size() == nsp + 2) target.erase(target.begin(), target.begin() + 2);
    if (target.size() != nsp)
      fail("output_shape ", ints_str(n.attr_ints("output_shape", {})), " must have ", nsp,
           " entries");
  } else if (auto_pad == "SAME_UPPER" || auto_pad == "SAME_LOWER") {
    for (size_t k = 0; k < nsp; ++k) target.push_back(x[k + 2] * w.strides[k]);
  }
  if (!target.empty()) {
    // ONNX: total = full - output_shape; SAME_UPPER puts the odd one at the
    // end. Floor division (the reference's //): an output_shape one larger
    // than the full output (total -1) gets a zero row at the end (pad -1).
    for (size_t k = 0; k < nsp; ++k) {
      const int64_t total = full[k] - target[k];
      if (target[k] < 1 || total < -kHuge)
        fail("output_shape ", ints_str(target), " is out of range on axis ", k);
      const int64_t half = total >= 0 ? total / 2 : -((-total + 1) / 2);
      const bool upper = auto_pad == "SAME_UPPER";
      w.pads[k] = upper ? half : total - half;
      w.pads[k + nsp] = upper ? total - half : half;
    }
  } else if (auto_pad == "VALID") {
    std::fill(w.pads.begin(), w.pads.end(), 0);
  }
  w.out = {x[0], wt[1] * w.group};
  for (size_t k = 0; k < nsp; ++k) {
    const int64_t o = full[k] - w.pads[k] - w.pads[k + nsp];
    if (o < 1) fail("pads ", ints_str(w.pads), " leave no output on spatial axis ", k);
    w.out.push_back(o);
  }
  return w;
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
  // Bounds that keep the window arithmetic below far from int64 overflow.
  constexpr int64_t kHuge = int64_t{1} << 31;
  for (size_t k = 0; k < nsp; ++k)
    if (w.kernel[k] > kHuge || w.strides[k] > kHuge || w.dilations[k] > kHuge ||
        w.pads[k] > kHuge || w.pads[k + nsp] > kHuge)
      fail("kernel_shape ", ints_str(w.kernel), ", strides ", ints_str(w.strides),
           ", dilations ", ints_str(w.dilations), " or pads ", ints_str(w.pads),
           " is above 2^31");
  // A pool's padding must be smaller than its (dilated) window on each side,
  // as ONNX Runtime requires (it compares with kernel_shape, the same without
  // dilation): else a window can lie wholly in the padding, with no input
  // element to take the max or average of. (SAME pads always pass.)
  if (!is_conv)
    for (size_t k = 0; k < nsp; ++k) {
      const int64_t eff_k = w.dilations[k] * (w.kernel[k] - 1) + 1;
      if (w.pads[k] >= eff_k || w.pads[k + nsp] >= eff_k)
        fail("pads ", ints_str(w.pads), " must be smaller than the window (kernel_shape ",
             ints_str(w.kernel), ", dilations ", ints_str(w.dilations),
             ") on each side: a window could lie wholly in the padding");
    }
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
      // In 128 bits: (out - 1) * s + eff_k overflows int64 for in near 2^63
      // (fuzzer-found); the difference is below eff_k.
      const int64_t total = static_cast<int64_t>(
          std::max<__int128>(0, __int128(out - 1) * s + eff_k - in));
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

KnownValues infer_shapes_with_values(Graph &g) { return ShapeInference(g).run(); }

int64_t normalize_axis(const Graph &g, int node_id, int64_t axis, int64_t rank, const char *what) {
  if (axis < -rank || axis >= rank)
    user_error(g.describe(node_id), ": ", what, " ", axis, " is out of range [", -rank, ", ",
               rank - 1, "] for rank ", rank);
  return axis < 0 ? axis + rank : axis;
}

std::vector<int64_t> normalize_axes(const Graph &g, int node_id, std::vector<int64_t> axes,
                                    int64_t rank, const char *what) {
  for (int64_t &a : axes) a = normalize_axis(g, node_id, a, rank, what);
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    user_error(g.describe(node_id), ": ", what, " has a repeated axis");
  return axes;
}

SliceParams resolve_slice(const Graph &g, int node_id, const Shape &in,
                          const std::vector<int64_t> &starts, const std::vector<int64_t> &ends,
                          std::vector<int64_t> axes, std::vector<int64_t> steps) {
  auto fail = [&](const auto &...args) { user_error(g.describe(node_id), ": ", args...); };
  int64_t r = static_cast<int64_t>(in.size());
  size_t n = starts.size();
  if (ends.size() != n)
    fail("starts ", ints_str(starts), " and ends ", ints_str(ends), " differ in length");
  if (axes.empty())
    for (size_t k = 0; k < n; ++k) axes.push_back(static_cast<int64_t>(k));
  if (steps.empty()) steps.assign(n, 1);
  if (axes.size() != n || steps.size() != n)
    fail("starts ", ints_str(starts), ", axes ", ints_str(axes), " and steps ", ints_str(steps),
         " differ in length");
  SliceParams p;
  p.starts.assign(in.size(), 0);
  p.ends.assign(in.begin(), in.end());
  p.steps.assign(in.size(), 1);
  p.out = in;
  std::vector<bool> seen(in.size(), false);
  for (size_t k = 0; k < n; ++k) {
    size_t a = static_cast<size_t>(normalize_axis(g, node_id, axes[k], r, "axes"));
    if (seen[a]) fail("axes ", ints_str(axes), " has a repeated axis");
    seen[a] = true;
    int64_t dim = in[a], step = steps[k], st = starts[k], en = ends[k];
    if (step == 0) fail("steps ", ints_str(steps), " must not contain 0");
    if (st < 0) st += dim;
    if (en < 0) en += dim;
    int64_t count;
    if (step > 0) {
      st = std::clamp<int64_t>(st, 0, dim);
      en = std::clamp<int64_t>(en, 0, dim);
      count = en > st ? (en - st + step - 1) / step : 0;
    } else {
      st = std::clamp<int64_t>(st, 0, std::max<int64_t>(dim - 1, 0));
      en = std::clamp<int64_t>(en, -1, dim - 1);
      count = st > en && dim > 0 ? (st - en + (-step) - 1) / (-step) : 0;
    }
    p.starts[a] = st;
    p.ends[a] = en == -1 && step < 0 ? -(dim + 1) : en;
    p.steps[a] = step;
    p.out[a] = count;
  }
  return p;
}

std::vector<int64_t> expand_pads(const Graph &g, int node_id, const std::vector<int64_t> &pads,
                                 const std::vector<int64_t> &axes_in, size_t rank) {
  std::vector<int64_t> axes = axes_in;
  if (axes.empty())
    for (size_t d = 0; d < rank; ++d) axes.push_back(static_cast<int64_t>(d));
  for (int64_t &a : axes) a = normalize_axis(g, node_id, a, static_cast<int64_t>(rank), "axes");
  if (pads.size() != 2 * axes.size())
    user_error(g.describe(node_id), ": pads has ", pads.size(), " entries, not 2 x ", axes.size(),
               " (the axes padded)");
  std::vector<int64_t> full(2 * rank, 0);
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t d = static_cast<size_t>(axes[i]);
    full[d] = pads[i];
    full[d + rank] = pads[i + axes.size()];
  }
  return full;
}

DType cast_target(const Graph &g, int node_id, int64_t to) {
  switch (to) {
    case 1:   // FLOAT
    case 10:  // FLOAT16
    case 11:  // DOUBLE
      return DType::F32;
    case 2: return DType::U8;
    case 3: return DType::I8;
    case 5:  // INT16: as int64 (shape subgraphs; the Cast kernel refuses it)
    case 7: return DType::I64;
    case 6: return DType::I32;
    case 9: return DType::Bool;
    case 12: return DType::U32;
    case 13: return DType::U64;
    default:
      user_error(g.describe(node_id), ": cast to ONNX data type ", to,
                 " is not supported (FLOAT, DOUBLE, FLOAT16, INT64, INT32, INT16, INT8, UINT8, "
                 "UINT32, UINT64 and BOOL are)");
  }
}


}  // namespace swtc::graph
