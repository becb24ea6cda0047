#include "graph/passes/canonicalize.h"

#include <algorithm>
#include <limits>

#include "common/error.h"
#include "graph/passes/fold_constants.h"
#include "graph/resize.h"
#include "graph/shape_inference.h"
#include "graph/verifier.h"

namespace swtc::graph {

namespace {

class Canonicalizer {
 public:
  explicit Canonicalizer(const Graph &g) : g_(g) {}

  Graph run() {
    known_ = infer_shapes_with_values(g_);
    repl_.assign(g_.values.size(), -1);
    is_output_.assign(g_.values.size(), false);
    for (int id : g_.outputs) is_output_[id] = true;
    std::vector<bool> drop(g_.nodes.size(), false);
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      Node &n = g_.nodes[i];
      switch (n.op) {
        case OpKind::Constant: {
          Value &v = g_.values[n.outputs[0]];
          v.constant = constant_node_data(g_, static_cast<int>(i));
          v.producer = -1;
          drop[i] = true;
          break;
        }
        case OpKind::Identity: drop[i] = remove_identity(n); break;
        case OpKind::Dropout:
          // Inference only: training_mode (input 2) must be a constant false.
          if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
            const TensorData &t = static_input(i, 2, "training_mode");
            const bool on = t.dtype == DType::F32 ? t.f32.at(0) != 0.0f : t.i64.at(0) != 0;
            // ratio 0 drops nothing: the identity even in training mode.
            if (on && !(n.inputs[1] >= 0 && static_input(i, 1, "ratio").f32.at(0) == 0.0f))
              user_error("node '", printable(n.name), "' (Dropout, opset ", g_.opset,
                         "): not supported: training_mode = true (inference only)");
          }
          if (n.outputs.size() > 1 && n.outputs[1] >= 0) {
            // The mask of inference-mode Dropout: a constant, all true.
            Value &mask = g_.values[n.outputs[1]];
            check_constant_size(i, mask);  // (a huge one took minutes and gigabytes)
            TensorData t;
            t.dtype = DType::Bool;
            t.shape = mask.shape;
            t.i64.assign(static_cast<size_t>(num_elements(mask.shape)), 1);
            mask.constant = std::move(t);
            mask.producer = -1;
          }
          n.outputs.resize(1);
          n.op = OpKind::Identity;
          n.inputs.resize(1);
          n.attrs.clear();
          drop[i] = remove_identity(n);
          break;
        case OpKind::Conv:
        case OpKind::MaxPool:
        case OpKind::AveragePool: explicit_window(static_cast<int>(i)); break;
        case OpKind::Gemm:
          n.attrs["alpha"] = n.attr_float("alpha", 1.0f);
          n.attrs["beta"] = n.attr_float("beta", 1.0f);
          n.attrs["transA"] = n.attr_int("transA", 0);
          n.attrs["transB"] = n.attr_int("transB", 0);
          break;
        case OpKind::BatchNormalization:
          n.attrs["epsilon"] = n.attr_float("epsilon", 1e-5f);
          n.attrs.erase("momentum");
          n.attrs.erase("training_mode");
          break;
        case OpKind::Flatten: {
          int64_t r = static_cast<int64_t>(g_.values[n.inputs[0]].shape.size());
          int64_t axis = n.attr_int("axis", 1);
          n.attrs["axis"] = axis < 0 ? axis + r : axis;
          break;
        }
        case OpKind::Reshape:
          n.attrs["shape"] = g_.values[n.outputs[0]].shape;
          n.attrs.erase("allowzero");
          // The resolved shape: a 0 in it is a zero-sized dimension, not "copy".
          for (int64_t d : g_.values[n.outputs[0]].shape)
            if (d == 0) n.attrs["allowzero"] = int64_t{1};
          n.inputs.resize(1);
          break;
        case OpKind::Relu:
        case OpKind::GlobalAveragePool:
        case OpKind::Add:
        case OpKind::Sub:
        case OpKind::Mul:
        case OpKind::Div:
        case OpKind::Pow:
        case OpKind::Sqrt:
        case OpKind::Erf:
        case OpKind::Exp:
        case OpKind::Tanh:
        case OpKind::Sigmoid:
        case OpKind::Neg:
        case OpKind::Ceil:
        case OpKind::Floor:
#define SWTC_UNARY(kind, ...) case OpKind::kind:
#include "graph/unary_ops.def"
        case OpKind::MatMul:
        case OpKind::Max:
        case OpKind::Min:
        case OpKind::Sum:
        case OpKind::Mean:
        case OpKind::PRelu:
        case OpKind::Cast:
        case OpKind::Equal:
        case OpKind::Greater:
        case OpKind::Less:
        case OpKind::GreaterOrEqual:
        case OpKind::LessOrEqual:
        case OpKind::Not:
        case OpKind::And:
        case OpKind::Or:
        case OpKind::Xor:
        case OpKind::Where: break;
        case OpKind::Shape:
        case OpKind::Size:
        case OpKind::ConstantOfShape: break;  // become constants below
        case OpKind::Clip: clip(static_cast<int>(i)); break;
        case OpKind::Concat: n.attrs["axis"] = axis_attr(n, 0, 0); break;
        case OpKind::Softmax:
        case OpKind::LogSoftmax: {
          int64_t r = rank(n.inputs[0]);
          int64_t axis = axis_attr(n, 0, g_.opset < 13 ? 1 : -1);
          n.attrs["axis"] = axis;
          if (!n.has_attr("coerce_2d"))
            n.attrs["coerce_2d"] = int64_t{g_.opset < 13 && axis != r - 1 ? 1 : 0};
          break;
        }
        case OpKind::Transpose: {
          std::vector<int64_t> perm;
          for (size_t k = g_.values[n.outputs[0]].shape.size(); k-- > 0;)
            perm.push_back(static_cast<int64_t>(k));
          n.attrs["perm"] = n.attr_ints("perm", perm);
          break;
        }
#define SWTC_REDUCE(kind, name) case OpKind::kind:
#include "graph/reduce_ops.def"
          drop[i] = reduce(static_cast<int>(i));
          break;
        case OpKind::ArgMax:
        case OpKind::ArgMin:
          n.attrs["axis"] = axis_attr(n, 0, 0);
          n.attrs["keepdims"] = int64_t{n.attr_int("keepdims", 1) != 0 ? 1 : 0};
          n.attrs["select_last_index"] = int64_t{n.attr_int("select_last_index", 0) != 0 ? 1 : 0};
          break;
        case OpKind::Gather: gather(static_cast<int>(i)); break;
        case OpKind::GatherElements: n.attrs["axis"] = axis_attr(n, 0, 0); break;
        case OpKind::ScatterND: break;  // decompose: Concat + Gather with constant indices
        case OpKind::Scatter:  // opsets 9-10: the same op as ScatterElements
        case OpKind::ScatterElements:
          n.op = OpKind::ScatterElements;
          n.attrs["axis"] = axis_attr(n, 0, 0);
          break;
        case OpKind::Mod:
        case OpKind::IsInf:
        case OpKind::IsNaN:
        case OpKind::GlobalMaxPool:
        case OpKind::Range: break;  // Range: folded (its inputs are constants)
        case OpKind::DepthToSpace:
          n.attrs["mode"] = n.attr_string("mode", "DCR");
          break;
        case OpKind::SpaceToDepth: break;
        case OpKind::InstanceNormalization:
          n.attrs["epsilon"] = n.attr_float("epsilon", 1e-5f);
          break;
        case OpKind::Hardmax: {
          int64_t r = rank(n.inputs[0]);
          int64_t axis = axis_attr(n, 0, g_.opset < 13 ? 1 : -1);
          // Before opset 13 the input is coerced to 2-D at axis: the same
          // only if axis is the last one.
          if (g_.opset < 13 && axis != r - 1)
            user_error("node '", printable(n.name), "' (Hardmax, opset ", g_.opset,
                       "): not supported: the coerced 2-D form (axis ", axis, " of rank ", r,
                       " before opset 13)");
          n.attrs["axis"] = axis;
          break;
        }
        case OpKind::EyeLike: break;  // becomes a constant below
        case OpKind::ConvTranspose: {  // explicit pads (output_shape / auto_pad resolved)
          TransposedWindow w = resolve_transposed_window(g_, n);
          n.attrs.erase("auto_pad");
          n.attrs.erase("output_shape");
          n.attrs["kernel_shape"] = w.kernel;
          n.attrs["strides"] = w.strides;
          n.attrs["dilations"] = w.dilations;
          n.attrs["pads"] = w.pads;
          n.attrs["output_padding"] = w.output_padding;
          n.attrs["group"] = w.group;
          break;
        }
        case OpKind::Resize:
        case OpKind::Upsample: {
          // Static scales / sizes / roi become attributes; Upsample a Resize.
          auto input = [&](size_t k) -> std::optional<std::vector<double>> {
            if (k >= n.inputs.size() || n.inputs[k] < 0) return std::nullopt;
            const TensorData &t = static_input(i, k, k == 3 ? "sizes" : "scales and roi");
            if (t.size() == 0) return std::nullopt;
            if (t.dtype == DType::F32) return std::vector<double>(t.f32.begin(), t.f32.end());
            return std::vector<double>(t.i64.begin(), t.i64.end());
          };
          ResizeParams p =
              resize_params(g_, n, g_.values[n.inputs[0]].shape, input);
          n.op = OpKind::Resize;
          n.attrs = resize_attrs(p);
          n.inputs.resize(1);
          break;
        }
        case OpKind::Trilu: {
          // k: the input (a constant), or the attribute once canonicalized.
          if (n.inputs.size() > 1 && n.inputs[1] >= 0)
            n.attrs["k"] = static_input(i, 1, "k").i64.at(0);
          else
            n.attrs["k"] = n.attr_int("k", 0);
          n.attrs["upper"] = int64_t{n.attr_int("upper", 1) != 0 ? 1 : 0};
          n.inputs.resize(1);
          break;
        }
        case OpKind::Unsqueeze: {
          int64_t r = rank(n.outputs[0]);
          n.attrs["axes"] = normalize_axes(g_, static_cast<int>(i), static_ints(i, 1, "axes"), r);
          n.inputs.resize(1);
          break;
        }
        case OpKind::Squeeze: {
          // The squeezed axes: those of the input missing from the output.
          const Shape &x = g_.values[n.inputs[0]].shape;
          std::vector<int64_t> axes;
          if (n.inputs.size() > 1 && n.inputs[1] >= 0) {
            axes = normalize_axes(g_, static_cast<int>(i), static_ints(i, 1, "axes"),
                                  rank(n.inputs[0]));
          } else if (n.has_attr("axes")) {
            axes = normalize_axes(g_, static_cast<int>(i), n.attr_ints("axes", {}),
                                  rank(n.inputs[0]));
          } else {
            for (size_t k = 0; k < x.size(); ++k)
              if (x[k] == 1) axes.push_back(static_cast<int64_t>(k));
          }
          n.attrs["axes"] = axes;
          n.inputs.resize(1);
          break;
        }
        case OpKind::Slice: slice(static_cast<int>(i)); break;
        case OpKind::Pad: pad(static_cast<int>(i)); break;
        case OpKind::NegativeLogLikelihoodLoss:
        case OpKind::SoftmaxCrossEntropyLoss:
          n.attrs["reduction"] = n.attr_string("reduction", "mean");
          break;
        case OpKind::Tile:
          n.attrs["repeats"] = static_ints(i, 1, "repeats");
          n.inputs.resize(1);
          break;
        case OpKind::Expand:
          n.attrs["shape"] = g_.values[n.outputs[0]].shape;
          n.inputs.resize(1);
          break;
        case OpKind::LayerNormalization:
          n.attrs["axis"] = axis_attr(n, 0, -1);
          n.attrs["epsilon"] = n.attr_float("epsilon", 1e-5f);
          n.attrs.erase("stash_type");
          break;
        case OpKind::Split: {
          int64_t axis = axis_attr(n, 0, 0);
          std::vector<int64_t> sizes;
          for (int id : n.outputs)
            sizes.push_back(g_.values[id].shape[static_cast<size_t>(axis)]);
          n.attrs["axis"] = axis;
          n.attrs["split"] = sizes;
          n.attrs.erase("num_outputs");
          n.inputs.resize(1);
          break;
        }
      }
      // Nodes computing a compile-time value (shape arithmetic) become constants.
      if (!drop[i] && n.op != OpKind::Identity) fold_known(static_cast<int>(i), drop);
    }
    // Rewire every use (and, for renamed Identity sources, the definition).
    for (Node &n : g_.nodes) {
      for (int &id : n.inputs)
        if (id >= 0) id = resolve(id);
      for (int &id : n.outputs) id = resolve(id);
    }
    for (int &id : g_.outputs) id = resolve(id);
    return rebuild(drop);
  }

 private:
  int resolve(int id) const {
    while (repl_[id] >= 0) id = repl_[id];
    return id;
  }

  /// Returns true if the Identity node can be dropped.
  bool remove_identity(const Node &n) {
    int src = resolve(n.inputs[0]);
    int out = n.outputs[0];
    if (!is_output_[out]) {
      repl_[out] = src;
      return true;
    }
    const Value &s = g_.values[src];
    bool src_is_interface = s.producer < 0 || is_output_[src] ||
                            std::find(g_.inputs.begin(), g_.inputs.end(), src) != g_.inputs.end();
    if (src_is_interface) return false;  // keep: the graph output needs its own name
    // The producer of `src` now defines the graph output directly.
    repl_[src] = out;
    g_.values[out].producer = s.producer;
    return true;
  }

  void explicit_window(int i) {
    Window w = resolve_window(g_, i);
    Node &n = g_.nodes[i];
    n.attrs.erase("auto_pad");
    n.attrs["kernel_shape"] = w.kernel;
    n.attrs["strides"] = w.strides;
    n.attrs["pads"] = w.pads;
    n.attrs["dilations"] = w.dilations;
    if (n.op == OpKind::Conv) n.attrs["group"] = w.group;
    if (n.op != OpKind::Conv) n.attrs["ceil_mode"] = int64_t{w.ceil_mode ? 1 : 0};
    if (n.op == OpKind::AveragePool)
      n.attrs["count_include_pad"] = int64_t{w.count_include_pad ? 1 : 0};
  }

  int64_t rank(int value_id) const {
    return static_cast<int64_t>(g_.values[value_id].shape.size());
  }

  /// The node's `axis` attribute (default `dflt`) made non-negative for the
  /// rank of input `k`.
  int64_t axis_attr(const Node &n, size_t k, int64_t dflt) const {
    int node_id = static_cast<int>(&n - g_.nodes.data());
    return normalize_axis(g_, node_id, n.attr_int("axis", dflt), rank(n.inputs[k]));
  }

  /// The compile-time data of input k of node i; user_error naming `role` if
  /// it is computed at run time.
  /// Output v of node i is about to become a compile-time constant: at most
  /// kMaxFoldElements elements, else the named error.
  void check_constant_size(size_t i, const Value &v) const {
    if (num_elements(v.shape) > kMaxFoldElements)
      user_error(g_.describe(static_cast<int>(i)), ": not supported: its output '", printable(v.name),
                 "' ", shape_str(v.shape), " has ", num_elements(v.shape), " elements, more than the ",
                 kMaxFoldElements,
                 " a compile-time constant may have (swtc would materialise it in the weights)");
  }

  const TensorData &static_input(size_t i, size_t k, const char *role) const {
    const std::optional<TensorData> &t = known_[g_.nodes[i].inputs[k]];
    if (!t)
      user_error("node '", g_.nodes[i].name, "' (", op_name(g_.nodes[i].op), ", opset ", g_.opset,
                 "): not supported: ", role, " must be a constant (input '",
                 g_.values[g_.nodes[i].inputs[k]].name, "' is computed at run time)");
    return *t;
  }

  /// Ints of input k of node i if present (must be a compile-time value), else
  /// of the attribute `role`, else empty.
  std::vector<int64_t> static_ints(size_t i, size_t k, const char *role) const {
    const Node &n = g_.nodes[i];
    if (k < n.inputs.size() && n.inputs[k] >= 0) return static_input(i, k, role).i64;
    return n.attr_ints(role, {});
  }

  void clip(int i) {
    Node &n = g_.nodes[i];
    const char *roles[] = {"", "min", "max"};
    float dflt[] = {0.0f, -std::numeric_limits<float>::infinity(),
                    std::numeric_limits<float>::infinity()};
    for (size_t k = 1; k < 3; ++k) {
      float v = n.attr_float(roles[k], dflt[k]);
      if (k < n.inputs.size() && n.inputs[k] >= 0) {
        const TensorData &t = static_input(static_cast<size_t>(i), k, roles[k]);
        v = t.dtype == DType::F32 ? t.f32.at(0) : static_cast<float>(t.i64.at(0));
      }
      n.attrs[roles[k]] = v;
    }
    n.inputs.resize(1);
  }

  /// Returns true if the node is dropped (a reduction over no axes).
  bool reduce(int i) {
    Node &n = g_.nodes[i];
    int64_t r = rank(n.inputs[0]);
    std::vector<int64_t> axes = static_ints(static_cast<size_t>(i), 1, "axes");
    if (!axes.empty()) {
      axes = normalize_axes(g_, i, axes, r);
    } else if (n.attr_int("noop_with_empty_axes", 0) == 0) {
      for (int64_t k = 0; k < r; ++k) axes.push_back(k);
    }
    if (axes.empty()) {  // the identity (noop_with_empty_axes: the input unchanged, per the spec)
      n.op = OpKind::Identity;
      n.inputs.resize(1);
      n.attrs.clear();
      return remove_identity(n);
    }
    n.attrs["axes"] = axes;
    n.attrs["keepdims"] = int64_t{n.attr_int("keepdims", 1) != 0 ? 1 : 0};
    n.attrs.erase("noop_with_empty_axes");
    n.inputs.resize(1);
    return false;
  }

  void gather(int i) {
    Node &n = g_.nodes[i];
    int64_t axis = axis_attr(n, 0, 0);
    n.attrs["axis"] = axis;
    const std::optional<TensorData> &idx = known_[n.inputs[1]];
    if (!idx) return;
    int64_t dim = g_.values[n.inputs[0]].shape[static_cast<size_t>(axis)];
    if (std::none_of(idx->i64.begin(), idx->i64.end(), [](int64_t x) { return x < 0; })) return;
    TensorData t = *idx;
    for (int64_t &x : t.i64)
      if (x < 0) x += dim;
    g_.nodes[i].inputs[1] = add_constant(str_cat(n.name, ".indices"), std::move(t));
  }

  void slice(int i) {
    Node &n = g_.nodes[i];
    size_t ui = static_cast<size_t>(i);
    std::vector<int64_t> starts = static_ints(ui, 1, "starts");
    std::vector<int64_t> ends = static_ints(ui, 2, "ends");
    std::vector<int64_t> axes = static_ints(ui, 3, "axes");
    std::vector<int64_t> steps = static_ints(ui, 4, "steps");
    SliceParams p = resolve_slice(g_, i, g_.values[n.inputs[0]].shape, starts, ends, axes, steps);
    std::vector<int64_t> all;
    for (int64_t k = 0; k < rank(n.inputs[0]); ++k) all.push_back(k);
    n.attrs["starts"] = p.starts;
    n.attrs["ends"] = p.ends;
    n.attrs["axes"] = all;
    n.attrs["steps"] = p.steps;
    n.inputs.resize(1);
  }

  /// Pad: `pads` for every axis, `mode`, `value` (from the attribute before
  /// opset 11, else the optional constant_value input) as attributes.
  void pad(int i) {
    Node &n = g_.nodes[i];
    const size_t ui = static_cast<size_t>(i);
    const std::vector<int64_t> pads = static_ints(ui, 1, "pads");
    std::vector<int64_t> axes;
    if (n.inputs.size() > 3 && n.inputs[3] >= 0) axes = static_ints(ui, 3, "axes");
    float value = n.attr_float("value", 0.0f);
    if (n.inputs.size() > 2 && n.inputs[2] >= 0) {
      const TensorData &t = static_input(ui, 2, "constant_value");
      if (t.dtype == DType::F32)
        value = t.f32.empty() ? 0.0f : t.f32.at(0);
      else  // an integer tensor's pad value (exact in float up to 2^24)
        value = t.i64.empty() ? 0.0f : static_cast<float>(t.i64.at(0));
    }
    n.attrs["pads"] = expand_pads(g_, i, pads, axes, static_cast<size_t>(rank(n.inputs[0])));
    n.attrs["value"] = value;
    n.attrs["mode"] = n.attr_string("mode", "constant");
    n.inputs.resize(1);
  }

  int add_constant(const std::string &base, TensorData t) {
    std::string name = base;
    for (int k = 1; g_.find_value(name) >= 0; ++k) name = str_cat(base, ".", k);
    Value v;
    v.name = name;
    v.dtype = t.dtype;
    v.shape = t.shape;
    v.has_shape = true;
    v.constant = std::move(t);
    int id = g_.add_value(std::move(v));
    repl_.push_back(-1);
    is_output_.push_back(false);
    known_.push_back(g_.values[id].constant);
    return id;
  }

  /// Shape, Size, ConstantOfShape and I64 nodes whose (single) output is
  /// known at compile time become constants (a graph output among them gets
  /// a copy kernel from the constant, driver lower_graph).
  void fold_known(int i, std::vector<bool> &drop) {
    Node &n = g_.nodes[i];
    if (n.outputs.size() != 1) return;
    // A graph output that is the graph input itself has nothing to compute.
    if (is_output_[n.outputs[0]] && n.op != OpKind::Shape && n.op != OpKind::Size &&
        n.op != OpKind::ConstantOfShape && n.op != OpKind::EyeLike)
      return;
    Value &v = g_.values[n.outputs[0]];
    if (n.op == OpKind::ConstantOfShape) {
      check_constant_size(i, v);
      TensorData t;
      t.shape = v.shape;
      t.dtype = v.dtype;
      float fv = 0.0f;
      int64_t iv = 0;
      if (n.has_attr("value")) {
        const TensorData &val = std::get<TensorData>(n.attrs.at("value"));
        fv = val.dtype == DType::F32 ? val.f32.at(0) : 0.0f;
        iv = is_int(val.dtype) ? val.i64.at(0) : 0;
      }
      if (t.dtype == DType::F32)
        t.f32.assign(static_cast<size_t>(t.size()), fv);
      else
        t.i64.assign(static_cast<size_t>(t.size()), iv);
      v.constant = std::move(t);
    } else if (n.op == OpKind::EyeLike) {  // ones on diagonal k of the (static) shape
      TensorData t;
      t.shape = v.shape;
      t.dtype = v.dtype;
      const int64_t rows = v.shape[0], cols = v.shape[1], k = n.attr_int("k", 0);
      std::vector<int64_t> ones(static_cast<size_t>(rows * cols), 0);
      for (int64_t i = 0; i < rows; ++i)
        if (i + k >= 0 && i + k < cols) ones[static_cast<size_t>(i * cols + i + k)] = 1;
      if (t.dtype == DType::F32)
        t.f32.assign(ones.begin(), ones.end());
      else
        t.i64 = std::move(ones);
      v.constant = std::move(t);
    } else if (known_[n.outputs[0]] && is_int(v.dtype)) {
      v.constant = known_[n.outputs[0]];
    } else {
      return;
    }
    v.producer = -1;
    drop[i] = true;
  }

  Graph rebuild(const std::vector<bool> &drop) const {
    size_t nv = g_.values.size();
    std::vector<bool> keep(nv, false);
    for (int id : g_.inputs) keep[id] = true;
    for (int id : g_.outputs) keep[id] = true;
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (drop[i]) continue;
      for (int id : g_.nodes[i].inputs)
        if (id >= 0) keep[id] = true;
      for (int id : g_.nodes[i].outputs) keep[id] = true;
    }
    Graph ng;
    ng.name = g_.name;
    ng.opset = g_.opset;
    std::vector<int> remap(nv, -1);
    for (size_t v = 0; v < nv; ++v) {
      if (!keep[v]) continue;
      Value val = g_.values[v];
      val.producer = -1;
      remap[v] = ng.add_value(std::move(val));
    }
    for (size_t i = 0; i < g_.nodes.size(); ++i) {
      if (drop[i]) continue;
      Node n = g_.nodes[i];
      for (int &id : n.inputs)
        if (id >= 0) id = remap[id];
      for (int &id : n.outputs) {
        id = remap[id];
        ng.values[id].producer = static_cast<int>(ng.nodes.size());
      }
      ng.nodes.push_back(std::move(n));
    }
    for (int id : g_.inputs) ng.inputs.push_back(remap[id]);
    for (int id : g_.outputs) ng.outputs.push_back(remap[id]);
    infer_shapes(ng);
    verify(ng);
    return ng;
  }

  Graph g_;  // a working copy
  KnownValues known_;
  std::vector<int> repl_;
  std::vector<bool> is_output_;
};

}  // namespace

Graph canonicalize(const Graph &g) { return Canonicalizer(g).run(); }

}  // namespace swtc::graph
